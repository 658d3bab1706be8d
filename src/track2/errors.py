"""The one error type every action raises when it refuses a request.

Views turn it into a form error (on `field` when given), the API into a 400 JSON body,
commands into one line and a non-zero exit. The message says what was wrong and what to do.
"""

from __future__ import annotations


class ActionRefused(Exception):
    # The HTTP status the API answers with: 400, or 403 for a refusal that no input can change.
    status = 400

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return self.message


class NotPermitted(ActionRefused):
    """The caller lacks a right that only someone else can give (e.g. the right to convene)."""

    status = 403
