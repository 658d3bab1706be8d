"""Reading a big ``votes.csv`` a block at a time with pyarrow's C++ CSV parser.

The file is mapped, and about ``BLOCK_BYTES`` of whole lines at a time are handed to pyarrow
without a copy; each block's pages are let go once parsed, and the votes go into numpy arrays
that grow in place, so memory stays near the compact result. Anything unusual (a quoted field
below the header aside, which goes to pyarrow's stream) hands the file back to the validating
reader of :mod:`track2.commonground.formats`; a block pyarrow refuses is checked row by row, so
that a bad row is named by its line in seconds (docs/benchmarks.md, stop 31).
"""

from __future__ import annotations

import csv
import io
import mmap
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from track2.commonground.csv_rows import VoteRows, csv_records
from track2.commonground.errors import InputFormatError

__all__ = ["BLOCK_BYTES", "FAST_READ_BYTES", "PARSE_SHARE", "read_columns"]

FAST_READ_BYTES = 2_000_000  # votes.csv files above this size (≈ 40k votes) are read here
BLOCK_BYTES = 32 * 2**20  # read a big votes.csv this much at a time
# Of the time to read a big votes.csv, the parse's share (the rest builds the matrix): 0.55 in
# time order, 0.7 in participant order at 1M (docs/benchmarks.md), for the progress bar.
PARSE_SHARE = 0.6


def read_columns(
    path: Path, progress: Callable[[float], None] | None = None
) -> dict[str, np.ndarray] | None:
    """pyarrow's C++ CSV reader for big files with a plain layout.

    Returns the columns for :meth:`VoteMatrix.from_columns` (``timestamps`` int64 when the
    file has them, ``statements`` and ``participants`` int32 when every id fits, else int64,
    ``votes`` int8), or None when anything looks unusual (then the validating
    reader runs and reports the exact line). The header may quote its names and order its
    columns in any way, as long as ``comment-id``, ``voter-id`` and ``vote`` are there once
    each (``timestamp`` is optional; other columns are not read). About 3× less CPU than
    numpy's parser on the same file (docs/benchmarks.md). The file is read a block at a time
    into growing numpy arrays, so memory stays near the compact result (17 bytes a vote with
    timestamps) instead of holding pyarrow's whole table beside it.
    """
    import pyarrow as pa  # imported here: only big files pay for loading it
    import pyarrow.csv as pacsv

    with path.open("rb") as f:
        sample = f.read(BLOCK_BYTES)
    first = sample.split(b"\n", 1)[0].decode("utf-8", "replace")
    try:
        header = next(csv.reader([first]), [])
    except csv.Error:
        return None
    names = [h.strip().lstrip("\ufeff").strip() for h in header]
    needed = ("comment-id", "voter-id", "vote")
    if len(set(names)) != len(names) or not set(needed) <= set(names):
        return None
    wanted = {"timestamp": pa.int64()} if "timestamp" in names else {}
    wanted |= {"comment-id": pa.int64(), "voter-id": pa.int64(), "vote": pa.int8()}
    # Rows expected from the first block's line length; the arrays grow if there are more.
    rows_guess = int(path.stat().st_size * max(sample.count(b"\n"), 1) / max(len(sample), 1))
    options = (
        pacsv.ReadOptions(block_size=BLOCK_BYTES // 4, column_names=names),
        pacsv.ConvertOptions(
            include_columns=list(wanted), column_types=wanted, strings_can_be_null=False
        ),
    )
    columns = _GrowingColumns(wanted, rows_guess + 1024)
    try:
        mapped = _mapped(path)
        try:
            for start, cut in _line_blocks(mapped):
                if not _parse_block(mapped, start, cut, options, columns):
                    _raise_first_bad_line(path, header, mapped, start, cut)
                    return None  # pyarrow refused a block that the validating reader takes
                if progress is not None:
                    progress(PARSE_SHARE * cut / len(mapped))
        except _LongLine:
            return None  # the validating reader refuses a line too long to hold
        except _QuotedBody:
            # Quotes below the header: a block might cut a quoted field, so pyarrow reads
            # the file as one stream instead (it reads ahead: more memory, same result).
            columns = _GrowingColumns(wanted, rows_guess + 1024)
            read, convert = options
            read.skip_rows = 1
            with pacsv.open_csv(path, read_options=read, convert_options=convert) as reader:
                for batch in reader:
                    if not columns.append(batch):
                        return None
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None  # a malformed row: the validating reader names its line
    finally:
        # pyarrow's allocator keeps what the reader freed for reuse (1.1 GB of a 1M x 5k
        # file once, held for the rest of the process); the rows were copied out.
        pa.default_memory_pool().release_unused()
    if columns.length == 0:
        return None
    out = columns.finish()
    as_named = {"timestamp": "timestamps", "comment-id": "statements", "voter-id": "participants"}
    return {as_named.get(name, "votes"): out.pop(name) for name in list(out)}


class _QuotedBody(Exception):
    """A quote below the header: the file cannot be cut at newlines safely."""


class _LongLine(Exception):
    """A line longer than a block: no real votes.csv has one (a 1 GB file with no line break
    below its header was searched to its end, then handed to pyarrow whole)."""


def _mapped(p: Path) -> mmap.mmap:
    """``p`` mapped read-only. Not closed by us but when the last reference goes: pyarrow
    may still hold a view of a block for a moment after its batches are handed out."""
    with p.open("rb") as f:
        return mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)


def _line_blocks(mapped: mmap.mmap) -> Iterator[tuple[int, int]]:
    """(start, end) of about ``BLOCK_BYTES`` of whole lines at a time below the header.

    pyarrow's own streaming reader reads the file ahead of its consumer (1.5 GB of a 1.3 GB
    file in memory at once); a block of the mapped file is handed to pyarrow without a copy
    and its pages let go once parsed, so about one block is resident. Raises
    :class:`_QuotedBody` at the first quote below the header (a quoted field may hold a
    newline, and a block must end at a row's end), :class:`_LongLine` at a line longer than a
    block."""
    size = len(mapped)
    start = mapped.find(b"\n") + 1 or size
    while start < size:
        end = start + BLOCK_BYTES
        cut = mapped.rfind(b"\n", start, end) + 1 if end < size else size
        if cut <= start:
            raise _LongLine
        if mapped.find(b'"', start, cut) >= 0:
            raise _QuotedBody
        yield start, cut
        if hasattr(mapped, "madvise"):  # the parsed block's pages leave this process
            first = start - start % mmap.PAGESIZE
            mapped.madvise(mmap.MADV_DONTNEED, first, cut - first)
        start = cut


def _parse_block(
    mapped: mmap.mmap, start: int, end: int, options: tuple[Any, Any], columns: _GrowingColumns
) -> bool:
    """pyarrow's parse of ``mapped[start:end]`` (parallel on its threads) into ``columns``;
    False when pyarrow refuses a row or a value is out of range."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    read, convert = options
    try:
        table = pacsv.read_csv(
            pa.py_buffer(memoryview(mapped)[start:end]), read_options=read, convert_options=convert
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return False
    return all(columns.append(batch) for batch in table.to_batches())


def _raise_first_bad_line(
    p: Path, header: list[str], mapped: mmap.mmap, start: int, end: int
) -> None:
    """Raise the validating reader's error for the first bad row of the block that pyarrow
    refused, numbered as a line of the file: a 1M-row file with one bad row is refused in
    seconds, not after the validating reader's 100 s over every row. Returns when that
    block holds nothing the validating reader refuses."""
    lines_before = 0
    with p.open("rb") as f:  # read, not through the mapping: its pages would stay resident
        for at in range(0, start, BLOCK_BYTES):
            lines_before += f.read(min(BLOCK_BYTES, start - at)).count(b"\n")
    block = mapped[start:end]
    try:
        text = block.decode("utf-8")
    except UnicodeDecodeError as err:
        line = lines_before + block.count(b"\n", 0, err.start) + 1
        raise InputFormatError(str(p), line, "not UTF-8 text; re-export the file as UTF-8") from err
    rows = VoteRows(p, header)
    rows.add(csv_records(io.StringIO(text, newline=""), str(p), lines_before=lines_before))


class _GrowingColumns:
    """The fast reader's columns: numpy arrays filled a record batch at a time, grown in
    place (``ndarray.resize``: no second copy of what was read), ids kept as int32 until an
    id needs 64 bits. Half the memory of int64 ids, and the build of the matrix takes int32
    ids as they are."""

    def __init__(self, types: Mapping[str, Any], capacity: int) -> None:
        self.arrays = {
            name: np.empty(
                capacity,
                dtype=np.int8 if name == "vote" else np.int64 if name == "timestamp" else np.int32,
            )
            for name in types
        }
        self.length = 0

    def append(self, batch: Any) -> bool:
        """Copy one record batch in; False when it holds a null or a vote outside -1..1."""
        size = batch.num_rows
        end = self.length + size
        if end > len(self.arrays["vote"]):
            grown = max(end, len(self.arrays["vote"]) * 3 // 2)
            for column in self.arrays.values():
                column.resize(grown, refcheck=False)
        for name, target in list(self.arrays.items()):
            arrow = batch.column(name)
            if arrow.null_count:
                return False
            values = arrow.to_numpy(zero_copy_only=True)
            if name == "vote":
                if size and (values.min() < -1 or values.max() > 1):
                    return False
            elif size and values.min() < 0 and name != "timestamp":
                return False  # a negative id: the validating reader names its line
            elif (
                target.dtype == np.int32
                and size
                and (values.min() < -(2**31) or values.max() >= 2**31)
            ):
                target = self.arrays[name] = target.astype(np.int64)  # an id needs 64 bits
            target[self.length : end] = values
        self.length = end
        return True

    def finish(self) -> dict[str, np.ndarray]:
        for column in self.arrays.values():
            column.resize(self.length, refcheck=False)  # shrinks in place
        return self.arrays
