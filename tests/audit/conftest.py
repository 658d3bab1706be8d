from tests.dialogues.conftest import signed_in, world  # noqa: F401  (the same small dialogue)
