"""CSV that people open in a spreadsheet: every file Track2 writes for a spreadsheet goes through
`writer`, so a text cell that starts like a formula (= + - @, a tab or a carriage return) is
kept as text — a participant's statement or a delegation's name must never run as a formula on a
convener's machine (CSV injection, OWASP). Numbers stay numbers: only text is touched.

Files in another tool's own layout (the Pol.is export) keep their text exactly instead: a tool
reads them, and an apostrophe would change the statements it reads.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any, TextIO

from track2.validation import printable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> Any:
    """`value` safe for a spreadsheet: text without control characters, an apostrophe before a
    formula's first character; any other value as it is."""
    if not isinstance(value, str):
        return value
    value = printable(value)
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def plain(value: str) -> str:
    """A cell `cell` wrote, read back (an import of Track2's own export): the apostrophe before
    a formula's first character is the spreadsheet's mark of text, not part of the text."""
    if value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


class Writer:
    """`csv.writer` whose every text cell goes through `cell`."""

    def __init__(self, out: TextIO, **options: Any) -> None:
        self._rows = csv.writer(out, **options)

    def writerow(self, row: Iterable[Any]) -> None:
        self._rows.writerow([cell(value) for value in row])


def writer(out: TextIO, **options: Any) -> Writer:
    return Writer(out, **options)
