"""Checks that a restored site runs after migrations, counts and checksums.

Apps register their own in `AppConfig.ready()` (the back channel: its log against its last
checkpoint; the room: a sample of pseudonyms resolves with the restored keys):

    from track2.operations.verification import register

    @register("back-channel log")
    def log_matches_checkpoint(context): return [problem, …]   # [] when all is well

A check returns problems as sentences; an exception in a check is a bug and is not swallowed.
`context.contents` is the backup's manifest (None when checking after `restore-keys`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from track2.operations.registry import Registry


@dataclass(frozen=True)
class Context:
    contents: dict | None = None

    @property
    def keys_dir(self) -> Path:
        return Path(settings.TRACK2_HOME) / "keys"


Check = Callable[[Context], list[str]]
CHECKS: Registry[Check] = Registry("restore check")
register = CHECKS.register


def registered() -> dict[str, Check]:
    return dict(CHECKS.items())


def run_checks(context: Context) -> list[tuple[str, list[str]]]:
    return [(name, check(context)) for name, check in CHECKS.items()]
