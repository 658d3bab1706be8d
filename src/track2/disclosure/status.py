"""The status every output of a dialogue carries (ARCHITECTURE.md, "Confidentiality by
construction"): pages, API answers, CSV exports, e-mails, reports and the command line."""

from __future__ import annotations

STATUS_LINE = "Unofficial. Non-binding. Participants took part in a personal capacity."


def status_line() -> str:
    return STATUS_LINE


def with_status_line(lines: list[str]) -> list[str]:
    """A plain-text output (e-mail body, CLI report) with the status line first."""
    return [STATUS_LINE, *lines]
