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
from array import array
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from track2.commonground.errors import InputFormatError

__all__ = ["INT", "VoteRows", "header_index", "open_csv", "parse_id", "parse_vote"]

INT = re.compile(r"^-?\d+$")


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
        """Check and keep (line number, fields) rows; the first bad one raises."""
        p, idx = self.path, self.idx
        for line, row in rows:
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            if len(row) != self.width:
                raise InputFormatError(
                    p,
                    line,
                    f"expected {self.width} fields like the header, "
                    f"found {len(row)}; fix or delete this row",
                )
            self.sids.append(parse_id(row[idx["comment-id"]], p, line, "comment-id"))
            self.pids.append(parse_id(row[idx["voter-id"]], p, line, "voter-id"))
            self.votes.append(parse_vote(row[idx["vote"]], p, line))
            if self.ts_col is not None:
                raw = row[self.ts_col].strip()
                try:
                    value = float(raw)
                except ValueError:
                    raise InputFormatError(p, line, f"timestamp {raw!r} is not a number") from None
                if not math.isfinite(value):
                    raise InputFormatError(p, line, f"timestamp {raw!r} is not a number")
                self.ts.append(value)
            self.lines.append(line)
