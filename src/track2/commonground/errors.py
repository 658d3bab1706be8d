"""Typed errors of the common-ground engine.

Every failure the engine can detect in its input is raised as a subclass of
:class:`CommonGroundError`, so callers (the ``track2 analyze`` command, the web views) can turn it
into one clear message without ever catching unrelated bugs.
"""

from __future__ import annotations


class CommonGroundError(Exception):
    """Base class of every error the engine raises on purpose."""


class EmptyConversationError(CommonGroundError):
    """The conversation has too little data to analyse (no votes, one participant, one statement)."""


class InputFormatError(CommonGroundError):
    """A file (or an in-memory record) could not be read as the format it claims to be.

    ``path`` and ``line`` locate the problem (``line`` is 1-based, ``None`` when the problem is
    about the file as a whole); ``message`` says what was wrong and what to do.
    """

    def __init__(self, path: str, line: int | None, message: str) -> None:
        self.path = str(path)
        self.line = line
        self.message = message
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {message}")


class StateMismatchError(CommonGroundError):
    """A Pol.is state file (``math-pca2.json``) does not fit the votes it is applied to."""


class GroupCountError(CommonGroundError, ValueError):
    """More opinion groups were asked for than these votes can form."""
