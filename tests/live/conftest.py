from tests.dialogues.conftest import world  # noqa: F401  (the dialogues tests' world, shared)
