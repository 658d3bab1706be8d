"""Named plug-ins that other apps register (restore checks, retention erasers)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

F = TypeVar("F", bound=Callable)


class Registry(Generic[F]):
    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._entries: dict[str, F] = {}

    def register(self, name: str) -> Callable[[F], F]:
        def add(entry: F) -> F:
            if self._entries.get(name, entry) is not entry:
                raise ValueError(f"a {self.kind} named {name!r} is already registered")
            self._entries[name] = entry
            return entry

        return add

    def unregister(self, name: str) -> None:
        self._entries.pop(name, None)

    def items(self) -> list[tuple[str, F]]:
        return list(self._entries.items())
