"""Row-by-row reading of Pol.is CSV files: ids, votes, headers, and the validating reader's
votes. Every problem is an :class:`InputFormatError` naming the file and line. Shared by
:mod:`track2.commonground.formats` and the block reader of big files
(:mod:`track2.commonground.votes_blocks`), which checks a refused block with :class:`VoteRows`.
"""

from __future__ import annotations

import codecs
import csv
import math
import re
import unicodedata
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import TypeVar

from track2.commonground.errors import InputFormatError

__all__ = [
    "INT",
    "MAX_PROBLEMS",
    "RowProblems",
    "VoteRows",
    "control_character",
    "first_bad_utf8_line",
    "header_index",
    "nonblank",
    "open_csv",
    "parse_id",
    "parse_vote",
]

INT = re.compile(r"^-?\d+$")
Item = TypeVar("Item")
Parsed = TypeVar("Parsed")
MAX_PROBLEMS = 20  # bad rows named in one error; reading stops at the last


def control_character(text: str) -> str | None:
    """The first control character in ``text`` by its code point ("U+0007"), or None. The
    site's rule (``track2.validation.text_problem``) is the same, but the engine does not
    import Django."""
    for ch in text:
        if unicodedata.category(ch) == "Cc":
            return f"U+{ord(ch):04X}"
    return None


def parse_id(value: str, path: str, line: int, what: str) -> int:
    v = value.strip()
    if not INT.match(v):
        raise InputFormatError(path, line, f"{what} {value!r} is not an integer id")
    number = int(v)
    if not -(2**63) <= number < 2**63:
        raise InputFormatError(
            path, line, f"{what} {v} is too large for an id (at most 19 digits); fix this row"
        )
    return number


def parse_vote(value: str, path: str, line: int) -> int:
    v = value.strip()
    if v not in ("1", "-1", "0"):
        raise InputFormatError(
            path, line, f"unknown vote value {value!r}; use 1 (agree), -1 (disagree) or 0 (pass)"
        )
    return int(v)


def open_csv(path: Path) -> Iterator[tuple[int, list[str]]]:
    """Yield (line number, fields) of a CSV file, header included."""
    try:
        f = path.open(encoding="utf-8", newline="")
    except FileNotFoundError as err:
        raise InputFormatError(str(path), None, "file not found") from err
    with f:
        reader = csv.reader(f)
        try:
            for row in reader:
                yield reader.line_num, row
        except csv.Error as err:
            raise InputFormatError(str(path), reader.line_num, f"malformed CSV ({err})") from err
        except UnicodeDecodeError as err:
            raise InputFormatError(
                str(path), first_bad_utf8_line(path), "not UTF-8 text; re-export the file as UTF-8"
            ) from err


def first_bad_utf8_line(path: Path, chunk_bytes: int = 1 << 20) -> int:
    """The line of the first bytes of ``path`` that are not UTF-8. The text reader decodes
    ahead of the CSV reader (a whole small file at once), so its own line count names where
    reading had got to, not the bad bytes."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    line = 1
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(chunk_bytes), b""):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as err:
                # err.object: the decoder's held-back bytes (an unfinished character, never a
                # newline) and this chunk
                return line + err.object.count(b"\n", 0, err.start)
            line += chunk.count(b"\n")
    return line


def header_index(
    header: list[str],
    path: Path,
    required: Iterable[str],
    aliases: Mapping[str, tuple[str, ...]] | None = None,
) -> dict[str, int]:
    names = [h.strip().lstrip("\ufeff") for h in header]
    index: dict[str, int] = {}
    for want in required:
        options = (aliases or {}).get(want, (want,))
        found = next((names.index(o) for o in options if o in names), None)
        if found is None:
            raise InputFormatError(
                str(path),
                1,
                f"missing column {want!r} in the header (found: {', '.join(names) or 'nothing'})",
            )
        index[want] = found
    return index


class VoteRows:
    """The validating reader's votes, checked row by row. Typed arrays, not lists: 8 bytes a
    value instead of a Python int object and a pointer (a 1M x 5k file with one bad row took
    10 GB in lists before its error was found)."""

    def __init__(self, path: Path, header: list[str]) -> None:
        self.path = str(path)
        self.idx = header_index(header, path, ("comment-id", "voter-id", "vote"))
        names = [h.strip().lstrip("\ufeff") for h in header]
        self.ts_col = names.index("timestamp") if "timestamp" in names else None
        self.width = len(header)
        self.ts = array("d")
        self.sids = array("q")
        self.pids = array("q")
        self.votes = array("b")
        self.lines = array("q")

    def add(self, rows: Iterable[tuple[int, list[str]]]) -> None:
        """Check and keep (line number, fields) rows. Bad rows do not stop the reading: at the
        end (or at the MAX_PROBLEMS-th) one error names the first bad row's line and problem,
        then every other's, so one run shows all there is to fix."""
        for _kept in RowProblems().each(nonblank(rows), self._keep):
            pass

    def _keep(self, line: int, row: list[str]) -> None:
        """Check one row and keep it; nothing is kept from a row with a problem."""
        p, idx = self.path, self.idx
        if len(row) != self.width:
            raise InputFormatError(
                p,
                line,
                f"expected {self.width} fields like the header, "
                f"found {len(row)}; fix or delete this row",
            )
        sid = parse_id(row[idx["comment-id"]], p, line, "comment-id")
        pid = parse_id(row[idx["voter-id"]], p, line, "voter-id")
        vote = parse_vote(row[idx["vote"]], p, line)
        if self.ts_col is not None:
            raw = row[self.ts_col].strip()
            try:
                value = float(raw)
            except ValueError:
                raise InputFormatError(p, line, f"timestamp {raw!r} is not a number") from None
            if not math.isfinite(value):
                raise InputFormatError(p, line, f"timestamp {raw!r} is not a number")
            self.ts.append(value)
        self.sids.append(sid)
        self.pids.append(pid)
        self.votes.append(vote)
        self.lines.append(line)


def nonblank(rows: Iterable[tuple[int, list[str]]]) -> Iterator[tuple[int, list[str]]]:
    """The (line, fields) rows that hold something: blank lines carry nothing."""
    return ((line, row) for line, row in rows if row and (len(row) > 1 or row[0].strip()))


class RowProblems:
    """The problems of a file's rows, gathered while reading on, so that one error names them
    all: the first row's line and message, then each other's (the MAX_PROBLEMS-th stops the
    reading). A reader catches a row's :class:`InputFormatError`, passes it to :meth:`add` and skips
    the row, and calls :meth:`check` at the end."""

    def __init__(self) -> None:
        self.found: list[InputFormatError] = []

    def each(
        self, records: Iterable[tuple[int, Item]], parse: Callable[[int, Item], Parsed]
    ) -> Iterator[tuple[int, Parsed]]:
        """(line, parse(line, record)) of every record that parses; each one that raises is
        added and skipped, and :meth:`check` runs when the records are done."""
        for line, record in records:
            try:
                parsed = parse(line, record)
            except InputFormatError as err:
                self.add(err)
                continue
            yield line, parsed
        self.check()

    def add(self, err: InputFormatError) -> None:
        self.found.append(err)
        if len(self.found) == MAX_PROBLEMS:
            raise self._combined(stopped=True) from None

    def check(self) -> None:
        if self.found:
            raise self._combined(stopped=False) from None

    def _combined(self, stopped: bool) -> InputFormatError:
        first, rest = self.found[0], self.found[1:]
        message = first.message
        if rest:
            message += ". Also " + "; ".join(f"line {p.line}: {p.message}" for p in rest)
        if stopped:
            message += (
                f". Reading stopped at line {self.found[-1].line}, after {len(self.found)} problems"
            )
        return InputFormatError(first.path, first.line, message)
