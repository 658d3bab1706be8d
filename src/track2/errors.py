"""The one error type every action raises when it refuses a request.

Views turn it into a form error (on `field` when given), the API into a 400 JSON body,
commands into one line and a non-zero exit. The message says what was wrong and what to do.
"""

from __future__ import annotations


class ActionRefused(Exception):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return self.message
