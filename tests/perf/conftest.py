# The dialogue fixtures (one user per role, two sides, meetings) serve the budget tests too.
from tests.dialogues.conftest import signed_in, world  # noqa: F401
