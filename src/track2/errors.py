"""The one error type every action raises when it refuses a request.

Views turn it into a form error (on `field` when given), the API into a 400 JSON body,
commands into one line and a non-zero exit. The message says what was wrong and what to do.
"""

from __future__ import annotations


class ActionRefused(Exception):
    # The HTTP status the API answers with: 400, or 403 for a refusal that no input can change.
    status = 400

    def __init__(
        self,
        message: str,
        field: str | None = None,
        problems: list[tuple[str | None, str]] | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.field = field
        # Every problem found, so that a form or an API client sees them all at once;
        # `message`/`field` are the first.
        self.problems = problems or [(field, message)]

    def messages(self) -> list[str]:
        return [message for _field, message in self.problems]

    def __str__(self) -> str:
        return self.message


class NotPermitted(ActionRefused):
    """The caller lacks a right that only someone else can give (e.g. the right to convene)."""

    status = 403


class Problems:
    """Collects every refusal of a check, then raises them together."""

    def __init__(self) -> None:
        self.found: list[tuple[str | None, str]] = []

    def add(self, message: str, field: str | None = None) -> None:
        self.found.append((field, message))

    def collect(self, check, *args):
        """Run a check that raises ActionRefused and keep its problems instead of stopping;
        return what the check returned, or None when it refused."""
        try:
            return check(*args)
        except ActionRefused as refusal:
            self.found.extend(refusal.problems)
            return None

    def has(self, field: str) -> bool:
        return any(f == field for f, _m in self.found)

    def add_unsaid(self, other: Problems) -> None:
        """Add `other`'s problems, except for fields already named here: a field's own rule has
        said what is wrong with it, and the model's generic message would say it again."""
        for field, message in other.found:
            if field is None or not self.has(field):
                self.found.append((field, message))

    def raise_any(self) -> None:
        if self.found:
            field, message = self.found[0]
            raise ActionRefused(message, field=field, problems=list(self.found))
