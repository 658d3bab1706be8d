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
from typing import TextIO, TypeVar

from track2.commonground.errors import InputFormatError

__all__ = [
    "INT",
    "MAX_LINE_CHARS",
    "MAX_PROBLEMS",
    "LineTooLong",
    "RowProblems",
    "UnreadableRow",
    "VoteRows",
    "bounded_lines",
    "check_id",
    "control_character",
    "csv_records",
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
# The longest line read: far above any real row (a participants-votes.csv row of 100,000
# statements is under 1 MB), and small enough to hold. A text file's line is read whole before
# csv's field limit applies: a 1 GB file with no line break took 2.3 GB and 10 s to refuse.
MAX_LINE_CHARS = 16 * 2**20
POLIS_CSV = "a Pol.is CSV file"


class LineTooLong(csv.Error):
    """A line longer than :data:`MAX_LINE_CHARS`. A ``csv.Error``: it is raised from inside the
    csv reader's loop (by :func:`bounded_lines`), where a row csv cannot read is reported."""


class UnreadableRow(InputFormatError):
    """A row the csv module cannot read (a field over its limit, a line with no end); reading
    cannot go on after it. ``problem`` and ``hint`` are the message's two halves."""

    def __init__(self, path: str, line: int, problem: str, hint: str) -> None:
        self.problem = problem
        self.hint = hint
        super().__init__(path, line, f"{problem}; {hint}")


def bounded_lines(f: TextIO) -> Iterator[str]:
    """The lines of an open text file for ``csv.reader``, none longer than
    :data:`MAX_LINE_CHARS` (a longer one raises :class:`LineTooLong` after reading that much)."""
    while line := f.readline(MAX_LINE_CHARS + 1):
        if len(line) > MAX_LINE_CHARS:
            raise LineTooLong(f"no line break in {MAX_LINE_CHARS // 2**20} MB")
        yield line


def csv_records(
    lines: Iterable[str], source: str, kind: str = POLIS_CSV, lines_before: int = 0
) -> Iterator[tuple[int, list[str]]]:
    """(line number, fields) of CSV text, header included. A row csv cannot read raises
    :class:`UnreadableRow` naming the line where that row starts (a stray quote runs on over
    many lines) and what to do; ``kind`` names the file expected ("a Pol.is CSV file");
    ``lines_before`` the lines of the file above ``lines``."""
    reader = csv.reader(lines)
    last = lines_before
    try:
        for row in reader:
            yield lines_before + reader.line_num, row
            last = lines_before + reader.line_num
    except csv.Error as err:
        if isinstance(err, LineTooLong):
            problem = f"{err}: this is not {kind}"
            hint = "check that this is the right file, or export it again"
        elif "field larger than field limit" in str(err):
            problem = f"a field is longer than {csv.field_size_limit() // 1024} KB (a stray quote?)"
            hint = "fix this row"
        else:
            problem, hint = f"this row cannot be read as CSV ({err})", "fix this row"
        raise UnreadableRow(source, last + 1, problem, hint) from err


def control_character(text: str) -> str | None:
    """The first control character in ``text`` by its code point ("U+0007"), or None. The
    site's rule (``track2.validation.text_problem``) is the same, but the engine does not
    import Django."""
    for ch in text:
        if unicodedata.category(ch) == "Cc":
            return f"U+{ord(ch):04X}"
    return None


def parse_id(value: str, path: str, line: int, what: str, *, negative_ok: bool = True) -> int:
    """An integer id of 64 bits; ``negative_ok=False`` for Pol.is's participant and statement
    ids, which count from 0."""
    v = value.strip()
    if not INT.match(v):
        raise InputFormatError(path, line, f"{what} {value!r} is not an integer id")
    if len(v.lstrip("-").lstrip("0")) > 19:  # int() refuses 4,300 digits and more
        shown = v if len(v) <= 30 else f"{v[:20]}…"
        raise InputFormatError(
            path, line, f"{what} {shown} is too large for an id (at most 19 digits); fix this row"
        )
    return check_id(int(v), path, line, what, negative_ok=negative_ok)


def check_id(number: int, path: str, line: int, what: str, *, negative_ok: bool = True) -> int:
    """``number`` if it fits an id (64 bits; 0 or more unless ``negative_ok``)."""
    if not -(2**63) <= number < 2**63:
        raise InputFormatError(
            path, line, f"{what} {number} is too large for an id (at most 19 digits); fix this row"
        )
    if number < 0 and not negative_ok:
        raise InputFormatError(
            path, line, f"{what} {number} is negative (Pol.is ids are 0 or more); fix this row"
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
    """Yield (line number, fields) of a Pol.is CSV file, header included."""
    try:
        f = path.open(encoding="utf-8", newline="")
    except FileNotFoundError as err:
        raise InputFormatError(str(path), None, "file not found") from err
    except OSError as err:  # a folder, no permission
        raise InputFormatError(
            str(path), None, f"cannot read ({err.strerror}); check the path"
        ) from err
    with f:
        try:
            yield from csv_records(bounded_lines(f), str(path))
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
    """Column of each ``required`` name (or one of its ``aliases``). Every missing or repeated
    column is named in one error: with a column twice, which one holds the data is a guess."""
    names = [h.strip().lstrip("\ufeff") for h in header]
    index: dict[str, int] = {}
    problems: list[str] = []
    for want in required:
        options = (aliases or {}).get(want, (want,))
        found = next((o for o in options if o in names), None)
        if found is None:
            problems.append(
                f"missing column {want!r} in the header (found: {', '.join(names) or 'nothing'})"
            )
        elif names.count(found) > 1:
            problems.append(f"column {found!r} appears twice in the header; keep one")
        else:
            index[want] = names.index(found)
    if problems:
        raise InputFormatError(str(path), 1, "; ".join(problems))
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
        sid = parse_id(row[idx["comment-id"]], p, line, "comment-id", negative_ok=False)
        pid = parse_id(row[idx["voter-id"]], p, line, "voter-id", negative_ok=False)
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
        added and skipped, and :meth:`check` runs when the records are done. A problem the
        records themselves raise (a row csv cannot read) ends the reading, named with the
        others."""
        rows = iter(records)
        while True:
            try:
                line, record = next(rows)
            except StopIteration:
                break
            except InputFormatError as err:
                self.add(err)
                break
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
