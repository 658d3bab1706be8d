"""The participant × statement vote matrix.

Votes are stored sparsely in compressed-row form with the vote value kept explicitly:
agree = +1, disagree = -1, pass = 0. A pass is a stored 0; a statement a participant never
voted on has no entry at all, so "missing" and "pass" never mix. Only the latest vote of each
participant on each statement is kept (Pol.is does the same: its rating matrix is overwritten
vote by vote, conversation.clj ``:raw-rating-mat``).

Memory is about 5 bytes per vote (int32 column index + int8 value), so 50M votes take ~250 MB;
nothing in this module ever builds the dense matrix except :meth:`VoteMatrix.to_dense`, which
refuses large sizes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import scipy.sparse as sp

from track2.commonground.errors import EmptyConversationError, InputFormatError

AGREE = 1
DISAGREE = -1
PASS = 0

_DENSE_LIMIT = 50_000_000  # cells; to_dense() refuses bigger matrices
# Votes per pass of a counting loop: a count over every vote runs in pieces whose temporaries
# (≤ 16 MB of int64 codes) the allocator reuses, instead of one fresh array per vote (370 MB
# at 46M votes), whose first touch cost more than the counting itself (docs/benchmarks.md).
COUNT_CHUNK = 1 << 21


def row_chunks(indptr: np.ndarray, chunk: int = COUNT_CHUNK) -> list[tuple[int, int]]:
    """Consecutive row ranges ``(first, stop)`` holding about ``chunk`` votes each (a row with
    more votes than that is a range of its own), covering every row."""
    n = len(indptr) - 1
    if n <= 0:
        return []
    total = int(indptr[-1])
    if total <= chunk:
        return [(0, n)]
    ranges = []
    first = 0
    while first < n:
        # the last row whose votes still fit after indptr[first], and at least one row
        stop = int(np.searchsorted(indptr, indptr[first] + chunk, side="right")) - 1
        stop = min(max(stop, first + 1), n)
        ranges.append((first, stop))
        first = stop
    return ranges


def answer_columns(
    values: np.ndarray, indices: np.ndarray, out: np.ndarray | None = None
) -> np.ndarray:
    """Column ``3 s + answer`` of each vote in the one-hot layout (answer 0 agree, 1 disagree,
    2 pass): what Track 2's model multiplies by (track2mode.vote_onehot) and what the Pol.is
    map's products go through at 1M (pca.CentredVotes). Comparisons, which are 5× faster than
    a lookup table indexed by the int8 votes; the answers stay int8, so the only 4-byte array
    per vote is the result (at 69M votes int32 answers were a 276 MB peak of their own)."""
    answer = (values == PASS).astype(np.int8)
    answer *= 2
    answer += values == DISAGREE
    columns = np.multiply(indices, np.int32(3), dtype=np.int32, out=out)
    columns += answer
    return columns


def onehot_block(
    indptr: np.ndarray, columns: np.ndarray, ones: np.ndarray, n_columns: int
) -> tuple[sp.csr_array, sp.csc_array]:
    """Rows of the one-hot layout as a CSR and its transpose (a CSC) over these very arrays:
    ``indptr`` counted from 0, ``columns`` and ``ones`` (the values) as long as its last entry.
    scipy's constructors copy a view of a much larger array (so that the larger one can be
    freed); the arrays are set after construction, so a block of a larger layout copies
    nothing (tests/commonground/test_centred_votes.py)."""
    n_rows = len(indptr) - 1
    block = sp.csr_array((n_rows, n_columns))
    block.indptr, block.indices, block.data = indptr, columns, ones
    flipped = sp.csc_array((n_columns, n_rows))
    flipped.indptr, flipped.indices, flipped.data = indptr, columns, ones
    return block, flipped


@dataclass(frozen=True, eq=False)
class OnehotVotes:
    """Votes in the one-hot layout (column ``3 s + o`` for answer ``o`` on statement ``s``:
    :func:`answer_columns`), such as the one Track 2 mode's model multiplies by
    (``track2mode.vote_onehot``) and other parts of an analysis multiply through, and where
    the analysed matrix's rows and statements sit in it (None: the same ones)."""

    indptr: np.ndarray
    columns: np.ndarray
    n_statements: int
    rows: np.ndarray | None = None
    statements: np.ndarray | None = None

    @classmethod
    def of(cls, onehot: sp.csr_array, votes: VoteMatrix, *, nonempty: bool = True) -> OnehotVotes:
        """``onehot`` of ``votes`` (votes on excluded statements may be left out), placed for
        the analysis of ``votes.without_empty()`` (``nonempty``), or of ``votes`` itself."""
        if onehot.shape != (votes.n_participants, 3 * votes.n_statements):
            raise ValueError(
                f"a one-hot of shape {onehot.shape} is not of a {votes.n_participants} x "
                f"{votes.n_statements} vote matrix"
            )
        if not nonempty:
            return cls(onehot.indptr, onehot.indices, votes.n_statements)
        rows = np.flatnonzero(votes.votes_per_participant > 0)
        statements = np.flatnonzero(votes.statement_counts["seen"] > 0)
        return cls(
            onehot.indptr,
            onehot.indices,
            votes.n_statements,
            None if len(rows) == votes.n_participants else rows,
            None if len(statements) == votes.n_statements else statements,
        )

    def require_shape(self, n_participants: int, n_statements: int) -> None:
        """Raise ValueError unless the rows and statements placed are that many."""
        rows = len(self.indptr) - 1 if self.rows is None else len(self.rows)
        statements = self.n_statements if self.statements is None else len(self.statements)
        if (rows, statements) != (n_participants, n_statements):
            raise ValueError(
                f"the one-hot votes place {rows} participants x {statements} statements, "
                f"the analysed votes have {n_participants} x {n_statements}: make them with "
                "OnehotVotes.of(one-hot, votes) from the votes analysed"
            )

    def blocks(self, votes_per_block: int) -> list[tuple[int, int, sp.csr_array, sp.csc_array]]:
        """Every row in blocks of about ``votes_per_block`` votes (:func:`row_chunks`): first
        row, stop, and the block as :func:`onehot_block` over views of the columns and one
        ones array shared by every block, so the blocks hold nothing per vote of their own."""
        indptr = self.indptr
        ranges = row_chunks(indptr, votes_per_block)
        ones = np.ones(max((int(indptr[b] - indptr[a]) for a, b in ranges), default=0))
        out = []
        for first, stop in ranges:
            start, end = int(indptr[first]), int(indptr[stop])
            local = (indptr[first : stop + 1] - start).astype(self.columns.dtype)
            views = onehot_block(
                local, self.columns[start:end], ones[: end - start], 3 * self.n_statements
            )
            out.append((first, stop, *views))
        return out


def _ids_array(values: Any) -> np.ndarray:
    """Ids as a 1-D numpy array: int64 when every id is an integer, else str."""
    arr = np.asarray(values)
    if arr.ndim != 1:
        arr = arr.reshape(-1)
    if arr.dtype == np.int32:
        return arr  # kept: a big file's ids are read as int32 when they fit (half the memory)
    if arr.dtype.kind in "iu":
        return arr.astype(np.int64, copy=False)
    if arr.dtype.kind == "b":
        raise ValueError("ids must be integers or strings, not booleans")
    if arr.dtype.kind == "f":
        if not np.all(np.isfinite(arr)) or not np.all(arr == np.round(arr)):
            raise ValueError("ids must be integers or strings")
        return arr.astype(np.int64)
    return arr.astype(str)


def _mask(ids: np.ndarray, members: Iterable[Any]) -> np.ndarray:
    """Boolean mask of ``ids`` that are in ``members``."""
    wanted = list(members)
    if not wanted:
        return np.zeros(len(ids), dtype=bool)
    return np.isin(ids, _ids_array(wanted))


def _index_ids(ids: np.ndarray, known: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Map raw ids to dense indices. Returns (unique sorted ids, index of each input id).

    Non-negative integer ids use a lookup table (linear time, no sort), which matters at
    50M votes; anything else goes through ``np.unique``. The indices are int32 (half the
    memory of int64 at 46M votes: 184 MB a side): no conversation has 2**31 participants.
    """
    if known is not None and len(known):
        if ids.dtype.kind != known.dtype.kind:
            raise ValueError("ids in the votes and in the id list have different types")
        ids_all = np.concatenate([known, ids])
    else:
        ids_all = ids
    if ids_all.dtype.kind == "i" and len(ids_all) and ids_all.min() >= 0:
        top = int(ids_all.max())
        if top <= 4 * len(ids_all) + 1_000_000:
            present = np.zeros(top + 1, dtype=bool)
            present[ids_all] = True
            uniq = np.flatnonzero(present).astype(np.int64)
            lut = np.full(top + 1, -1, dtype=np.int32)
            lut[uniq] = np.arange(len(uniq), dtype=np.int32)
            return uniq, lut[ids]
    uniq, inverse = np.unique(ids_all, return_inverse=True)
    if uniq.dtype.kind == "i":
        uniq = uniq.astype(np.int64)
    return uniq, inverse[len(ids_all) - len(ids) :].astype(np.int32)


def _in_pair_order(rows: np.ndarray, cols: np.ndarray) -> bool:
    """True when the votes run by row, then column, each pair once (checked a chunk at a
    time: no comparison array per vote)."""
    for start in range(0, len(rows) - 1, COUNT_CHUNK):
        stop = min(start + COUNT_CHUNK, len(rows) - 1)
        r0, r1 = rows[start:stop], rows[start + 1 : stop + 1]
        c0, c1 = cols[start:stop], cols[start + 1 : stop + 1]
        if not np.all((r1 > r0) | ((r1 == r0) & (c1 > c0))):
            return False
    return True


def _repeats_early(rows: np.ndarray, cols: np.ndarray, n: int, m: int) -> bool:
    """Whether a pair repeats among the first ``COUNT_CHUNK`` votes. An export in time order
    shows its revisions early (people change their minds within a session); such a file
    then skips the summing pass that would only find them again (2 s at 48M votes)."""
    head = min(len(rows), COUNT_CHUNK)
    ones = np.ones(head, dtype=np.int8)
    return bool(sp.csr_array((ones, (rows[:head], cols[:head])), shape=(n, m)).nnz < head)


def _inserted(array: np.ndarray, position: int, value: int) -> np.ndarray:
    """``np.insert`` of one value, without its argument handling (5× its cost here)."""
    out = np.empty(len(array) + 1, dtype=array.dtype)
    out[:position] = array[:position]
    out[position] = value
    out[position + 1 :] = array[position:]
    return out


@dataclass(frozen=True, eq=False)
class VoteMatrix:
    """Sparse votes of ``n_participants`` × ``n_statements`` in CSR form.

    Row ``i`` holds the votes of ``participant_ids[i]``: columns ``indices[indptr[i]:indptr[i+1]]``
    (sorted) with values ``values[...]`` in {-1, 0, +1}. ``is_moderated_out`` marks statements a
    moderator removed; ``is_meta`` marks meta statements (Pol.is treats both as moderated out of
    the maths, conversation.clj ``mod-update``).
    """

    participant_ids: np.ndarray
    statement_ids: np.ndarray
    indptr: np.ndarray
    indices: np.ndarray
    values: np.ndarray
    is_moderated_out: np.ndarray
    is_meta: np.ndarray

    def __post_init__(self) -> None:
        n, m = len(self.participant_ids), len(self.statement_ids)
        if self.indptr.shape != (n + 1,) or self.indptr[0] != 0:
            raise ValueError("indptr must have n_participants + 1 entries starting at 0")
        if self.indptr[-1] != len(self.indices) or len(self.indices) != len(self.values):
            raise ValueError("indptr, indices and values disagree on the number of votes")
        if self.is_moderated_out.shape != (m,) or self.is_meta.shape != (m,):
            raise ValueError("moderation masks must have one entry per statement")
        if len(self.indices) and (self.indices.min() < 0 or self.indices.max() >= m):
            raise ValueError("a column index is outside the statements")
        for arr in (
            self.participant_ids,
            self.statement_ids,
            self.indptr,
            self.indices,
            self.values,
            self.is_moderated_out,
            self.is_meta,
        ):
            arr.setflags(write=False)

    # ----------------------------------------------------------------- constructors
    @classmethod
    def from_triples(
        cls,
        participants: Sequence[Any] | np.ndarray,
        statements: Sequence[Any] | np.ndarray,
        votes: Sequence[Any] | np.ndarray,
        *,
        timestamps: Sequence[Any] | np.ndarray | None = None,
        participant_ids: Iterable[Any] | None = None,
        statement_ids: Iterable[Any] | None = None,
        moderated_out: Iterable[Any] = (),
        meta: Iterable[Any] = (),
        source: str = "<votes>",
        lines: np.ndarray | None = None,
    ) -> VoteMatrix:
        """Build a matrix from one vote per entry (participant id, statement id, vote).

        When a participant voted more than once on a statement, the vote with the latest
        timestamp wins; without timestamps the later entry wins (entries are events in order).
        Two different votes on the same pair with the same timestamp are ambiguous and raise
        :class:`InputFormatError`. ``participant_ids`` / ``statement_ids`` add ids that have no
        vote (e.g. statements nobody has seen yet). ``lines`` gives the file line of each entry
        for error messages.
        """
        columns = {"participants": participants, "statements": statements, "votes": votes}
        if timestamps is not None:
            columns["timestamps"] = timestamps
        return cls.from_columns(
            columns,
            participant_ids=participant_ids,
            statement_ids=statement_ids,
            moderated_out=moderated_out,
            meta=meta,
            source=source,
            lines=lines,
        )

    @classmethod
    def from_columns(
        cls,
        columns: dict[str, Any],
        *,
        participant_ids: Iterable[Any] | None = None,
        statement_ids: Iterable[Any] | None = None,
        moderated_out: Iterable[Any] = (),
        meta: Iterable[Any] = (),
        source: str = "<votes>",
        lines: np.ndarray | None = None,
    ) -> VoteMatrix:
        """:meth:`from_triples` of ``columns["participants"]``, ``["statements"]``,
        ``["votes"]`` and, if there, ``["timestamps"]``, taken out of ``columns`` (left
        empty): with no other reference, each id array is freed as soon as it is indexed (a
        big file's reader: 385 MB at 48M votes, at the peak of building the matrix)."""
        p_raw = _ids_array(columns.pop("participants"))
        s_raw = _ids_array(columns.pop("statements"))
        v = np.asarray(columns.pop("votes"))
        timestamps = columns.pop("timestamps", None)
        if not (len(p_raw) == len(s_raw) == len(v)):
            raise ValueError("participants, statements and votes must have the same length")

        def line_of(i: int) -> int:
            return int(lines[i]) if lines is not None else i + 1

        if v.dtype.kind == "f":
            bad = ~np.isin(v, (-1.0, 0.0, 1.0))
        elif v.dtype.kind in "iu":
            bad = (v < -1) | (v > 1)
        else:
            raise InputFormatError(source, None, "votes must be numbers -1, 0 or 1")
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise InputFormatError(
                source,
                line_of(i),
                f"unknown vote value {v[i]!r}; use 1 (agree), -1 (disagree) or 0 (pass)",
            )
        v8 = v.astype(np.int8)

        known_p = _ids_array(list(participant_ids)) if participant_ids is not None else None
        known_s = _ids_array(list(statement_ids)) if statement_ids is not None else None
        p_uniq, rows = _index_ids(p_raw, known_p)
        del p_raw
        s_uniq, cols = _index_ids(s_raw, known_s)
        del s_raw
        n, m = len(p_uniq), len(s_uniq)
        mod_mask = _mask(s_uniq, moderated_out)
        meta_mask = _mask(s_uniq, meta)
        if _in_pair_order(rows, cols):
            # Already by participant, then statement, no pair twice (files written by
            # track2.simulate, or any export sorted that way): the columns are the matrix's.
            indptr = np.searchsorted(rows, np.arange(n + 1, dtype=np.int32)).astype(np.int64)
            return cls(p_uniq, s_uniq, indptr, cols, v8, mod_mask, meta_mask)
        # scipy's counting sort by row (linear, in C++): 3.7 s to build a 1M x 5k export in
        # time order, against 10 s with a stable sort of the pair keys (docs/benchmarks.md).
        # It adds up the votes of a pair given twice, so the votes go in as 1..3; a matrix
        # with fewer entries than votes means revised pairs (every real Pol.is export has
        # some), and then the votes are put in pair order with their input positions.
        summed = None
        if not _repeats_early(rows, cols, n, m):
            summed = sp.csr_array((v8 + 2, (rows, cols)), shape=(n, m))
        if summed is not None and summed.nnz == len(v8):
            summed.sort_indices()
            vals = summed.data
            vals -= 2
            return cls(
                p_uniq,
                s_uniq,
                summed.indptr.astype(np.int64),
                summed.indices.astype(np.int32, copy=False),
                vals,
                mod_mask,
                meta_mask,
            )
        del summed
        # Two stable counting sorts (least significant first), each scipy's coo → csr of a
        # matrix whose column is the vote's rank, so that no two entries share a cell and
        # nothing is summed: by statement, then by participant. Each index array is let go
        # as soon as it is used (at 48M votes each one is 190 MB).
        rank = np.arange(len(v8), dtype=np.int32 if len(v8) < 2**31 else np.int64)
        order = sp.csr_array((rank, (cols, rank)), shape=(m, len(v8))).data
        rows = rows[order]
        by_row = sp.csr_array((order, (rows, rank)), shape=(n, len(v8)))
        del rows, rank, order
        indptr, order = by_row.indptr.astype(np.int64), by_row.data
        del by_row
        cols = cols[order]
        same_as_next = cols[1:] == cols[:-1]
        row_ends = indptr[1:-1]
        same_as_next[row_ends[(row_ends > 0) & (row_ends < len(cols))] - 1] = False
        keep = cls._latest_of_duplicates(order, same_as_next, v8, timestamps, source, line_of)
        del same_as_next
        kept_before = np.zeros(len(keep) + 1, dtype=np.int64)
        np.cumsum(keep, out=kept_before[1:])
        indptr = kept_before[indptr]
        order = order[keep]
        return cls(p_uniq, s_uniq, indptr, cols[keep], v8[order], mod_mask, meta_mask)

    @staticmethod
    def _latest_of_duplicates(
        order: np.ndarray,
        same_as_next: np.ndarray,
        v8: np.ndarray,
        timestamps: Sequence[Any] | np.ndarray | None,
        source: str,
        line_of: Any,
    ) -> np.ndarray:
        """Which of the pair-sorted votes to keep (``order``: their input positions, in input
        order inside each pair; ``same_as_next``: a vote's pair is the next one's): each
        pair's latest by timestamp, input order breaking ties."""
        keep = np.ones(len(order), dtype=bool)
        if timestamps is None:
            # Input order inside each pair: the last entry is the latest.
            keep[:-1] = ~same_as_next
            return keep
        ts = np.asarray(timestamps, dtype=np.float64)
        if len(ts) != len(v8) or not np.all(np.isfinite(ts)):
            raise InputFormatError(source, None, "every vote needs a numeric timestamp")
        in_dup = np.zeros(len(order), dtype=bool)
        in_dup[:-1] |= same_as_next
        in_dup[1:] |= same_as_next
        pos = np.flatnonzero(in_dup)
        src = order[pos]
        # A repeated pair's votes are consecutive: number the pairs among them.
        first_of_pair = np.ones(len(pos), dtype=bool)
        first_of_pair[pos > 0] = ~same_as_next[pos[pos > 0] - 1]
        pair = np.cumsum(first_of_pair)
        # By pair, then timestamp, then input order; keep each pair's last.
        sub = np.lexsort((src, ts[src], pair))
        pos, src, k = pos[sub], src[sub], pair[sub]
        t = ts[src]
        last = np.ones(len(pos), dtype=bool)
        last[:-1] = k[1:] != k[:-1]
        tie = (k[1:] == k[:-1]) & (t[1:] == t[:-1]) & (v8[src[1:]] != v8[src[:-1]])
        if tie.any():
            j = int(np.flatnonzero(tie)[0])
            a, b = sorted((int(src[j]), int(src[j + 1])))
            raise InputFormatError(
                source,
                line_of(b),
                f"duplicate vote: same participant, statement and timestamp as line "
                f"{line_of(a)} but a different vote; remove one of the two rows",
            )
        keep[pos] = False
        keep[pos[last]] = True
        return keep

    @classmethod
    def from_dense(
        cls,
        dense: Any,
        *,
        participant_ids: Sequence[Any] | None = None,
        statement_ids: Sequence[Any] | None = None,
        moderated_out: Iterable[Any] = (),
        meta: Iterable[Any] = (),
    ) -> VoteMatrix:
        """Build from a 2-D array-like with NaN (or None) for "not seen". For small matrices."""
        arr = np.array(dense, dtype=np.float64)
        if arr.ndim != 2:
            raise ValueError("a dense vote matrix must be 2-D")
        n, m = arr.shape
        pids = _ids_array(participant_ids if participant_ids is not None else np.arange(n))
        sids = _ids_array(statement_ids if statement_ids is not None else np.arange(m))
        if len(pids) != n or len(sids) != m:
            raise ValueError("id lists must match the matrix shape")
        r, c = np.nonzero(~np.isnan(arr))
        return cls.from_triples(
            pids[r],
            sids[c],
            arr[r, c],
            participant_ids=pids,
            statement_ids=sids,
            moderated_out=moderated_out,
            meta=meta,
        )

    # ----------------------------------------------------------------- shape and views
    @property
    def n_participants(self) -> int:
        return len(self.participant_ids)

    @property
    def n_statements(self) -> int:
        return len(self.statement_ids)

    @property
    def n_votes(self) -> int:
        return len(self.values)

    @property
    def shape(self) -> tuple[int, int]:
        return (self.n_participants, self.n_statements)

    @cached_property
    def votes_per_participant(self) -> np.ndarray:
        """Number of votes (agree, disagree or pass) of each participant."""
        return np.diff(self.indptr)

    @cached_property
    def vote_rows(self) -> np.ndarray:
        """Row index of every stored vote (the COO row array), int32."""
        return np.repeat(np.arange(self.n_participants, dtype=np.int32), self.votes_per_participant)

    @cached_property
    def statement_counts(self) -> dict[str, np.ndarray]:
        """Per statement: ``agree``, ``disagree``, ``pass`` and ``seen`` counts (int64)."""
        m = self.n_statements
        # Code 3j + (vote + 1) counts disagree, pass and agree of statement j, a chunk at a time.
        flat = np.zeros(3 * m, dtype=np.int64)
        for start in range(0, self.n_votes, COUNT_CHUNK):
            code = self.indices[start : start + COUNT_CHUNK].astype(np.int64)
            code *= 3
            code += self.values[start : start + COUNT_CHUNK]
            code += 1
            flat += np.bincount(code, minlength=3 * m)
        by_vote = flat.reshape(m, 3)
        disagree, passes, agree = by_vote[:, 0], by_vote[:, 1], by_vote[:, 2]
        return {
            "agree": agree,
            "disagree": disagree,
            "pass": passes,
            "seen": agree + disagree + passes,
        }

    @cached_property
    def participant_index(self) -> dict[Any, int]:
        return {pid: i for i, pid in enumerate(self.participant_ids.tolist())}

    @cached_property
    def statement_index(self) -> dict[Any, int]:
        return {sid: j for j, sid in enumerate(self.statement_ids.tolist())}

    @property
    def is_excluded(self) -> np.ndarray:
        """Statements out of the maths: moderated out or meta (Pol.is ``mod-out``)."""
        return self.is_moderated_out | self.is_meta

    @cached_property
    def compact_indptr(self) -> np.ndarray:
        """``indptr`` as int32 when the votes fit, so scipy keeps the int32 column indices
        instead of copying them to int64 (370 MB at 46M votes)."""
        if self.n_votes < 2**31 - 1:
            return self.indptr.astype(np.int32)
        return self.indptr

    def onehot_columns(self) -> np.ndarray:
        """:func:`answer_columns` of every vote, COUNT_CHUNK votes at a time straight into
        one int32 array (no whole-array temporaries)."""
        columns = np.empty(self.n_votes, dtype=np.int32)
        for start in range(0, self.n_votes, COUNT_CHUNK):
            end = min(start + COUNT_CHUNK, self.n_votes)
            answer_columns(self.values[start:end], self.indices[start:end], columns[start:end])
        return columns

    def to_csr(self, dtype: Any = np.float64, data: np.ndarray | None = None) -> sp.csr_array:
        """The votes as a scipy CSR array; passes stay as explicit zeros. ``data`` replaces
        the vote values (same order) without copying the index arrays."""
        values = self.values.astype(dtype) if data is None else data
        return sp.csr_array((values, self.indices, self.compact_indptr), shape=self.shape)

    def to_dense(self, missing: float = np.nan) -> np.ndarray:
        """Dense float matrix with ``missing`` where there is no vote. Small matrices only."""
        if self.n_participants * self.n_statements > _DENSE_LIMIT:
            raise MemoryError("to_dense() is for small matrices; use the sparse arrays")
        out = np.full(self.shape, missing, dtype=np.float64)
        out[self.vote_rows, self.indices] = self.values
        return out

    def vote(self, participant: Any, statement: Any) -> int | None:
        """The vote of one participant on one statement, or None if not seen."""
        i = self.participant_index[participant]
        j = self.statement_index[statement]
        lo, hi = self.indptr[i], self.indptr[i + 1]
        k = lo + int(np.searchsorted(self.indices[lo:hi], j))
        if k < hi and self.indices[k] == j:
            return int(self.values[k])
        return None

    # ----------------------------------------------------------------- derived matrices
    def with_moderation(
        self, *, moderated_out: Iterable[Any] = (), meta: Iterable[Any] = ()
    ) -> VoteMatrix:
        """The same votes with these statements marked moderated out / meta (replacing marks)."""
        mod = _mask(self.statement_ids, moderated_out)
        met = _mask(self.statement_ids, meta)
        return VoteMatrix(
            self.participant_ids,
            self.statement_ids,
            self.indptr,
            self.indices,
            self.values,
            mod,
            met,
        )

    def select(
        self, participants: np.ndarray | None = None, statements: np.ndarray | None = None
    ) -> VoteMatrix:
        """Sub-matrix of the given row / column positions (int arrays), in the given order."""
        csr = self.to_csr(np.int8)
        rows = np.arange(self.n_participants) if participants is None else np.asarray(participants)
        cols = np.arange(self.n_statements) if statements is None else np.asarray(statements)
        sub = csr[rows][:, cols]
        sub = sp.csr_array(sub)
        sub.sort_indices()
        return VoteMatrix(
            self.participant_ids[rows],
            self.statement_ids[cols],
            sub.indptr.astype(np.int64),
            sub.indices.astype(np.int32),
            sub.data.astype(np.int8),
            self.is_moderated_out[cols],
            self.is_meta[cols],
        )

    def with_votes(
        self,
        rows: np.ndarray,
        columns: np.ndarray,
        votes: np.ndarray,
        *,
        new_participant_ids: Sequence[Any] = (),
        new_statement_ids: Sequence[Any] = (),
    ) -> VoteMatrix:
        """These votes added, by row and column position; a vote on a pair that already has
        one replaces it (the latest vote wins, as in :meth:`from_triples`), later entries of
        the batch replace earlier ones. ``new_participant_ids`` / ``new_statement_ids`` are
        appended as new rows / columns first (positions ``n_participants`` … and
        ``n_statements`` …). Linear in the number of votes, no sort: a live update."""
        if len(rows) == 1 and not len(new_participant_ids) and not len(new_statement_ids):
            return self._with_one_vote(int(rows[0]), int(columns[0]), int(votes[0]))
        pids = self.participant_ids
        sids = self.statement_ids
        if len(new_participant_ids):
            pids = np.concatenate([pids, _ids_array(list(new_participant_ids))])
        if len(new_statement_ids):
            sids = np.concatenate([sids, _ids_array(list(new_statement_ids))])
        n, m = len(pids), len(sids)
        rows = np.asarray(rows, dtype=np.int64)
        columns = np.asarray(columns, dtype=np.int64)
        votes8 = np.asarray(votes).astype(np.int8)
        if len(rows) and (
            rows.min() < 0 or rows.max() >= n or columns.min() < 0 or columns.max() >= m
        ):
            raise ValueError("a new vote is outside the participants or statements")
        # The last vote of the batch on each pair wins.
        key = rows * m + columns
        _, last = np.unique(key[::-1], return_index=True)
        pick = len(key) - 1 - last
        rows, columns, votes8 = rows[pick], columns[pick], votes8[pick]
        indptr = np.concatenate(
            [self.indptr, np.full(n - self.n_participants, self.indptr[-1], dtype=np.int64)]
        )
        # Where each new vote goes in its row (sorted columns), and whether it replaces one.
        lo, hi = indptr[rows], indptr[rows + 1]
        slot = np.array(
            [
                lo[t] + np.searchsorted(self.indices[lo[t] : hi[t]], columns[t])
                for t in range(len(rows))
            ],
            dtype=np.int64,
        )
        hit = slot < hi
        hit[hit] = self.indices[slot[hit]] == columns[hit]
        values = self.values.copy()
        values[slot[hit]] = votes8[hit]
        fresh = ~hit
        indices = np.insert(self.indices, slot[fresh], columns[fresh].astype(np.int32))
        values = np.insert(values, slot[fresh], votes8[fresh])
        indptr = indptr + np.concatenate(
            [[0], np.cumsum(np.bincount(rows[fresh], minlength=n))]
        ).astype(np.int64)
        pad = np.zeros(m - self.n_statements, dtype=bool)
        out = VoteMatrix(
            pids,
            sids,
            indptr,
            indices,
            values,
            np.concatenate([self.is_moderated_out, pad]),
            np.concatenate([self.is_meta, pad]),
        )
        self._carry_caches(
            out, rows, columns, votes8, slot, hit, new_participant_ids, new_statement_ids
        )
        return out

    def _with_one_vote(self, row: int, column: int, vote: int) -> VoteMatrix:
        """:meth:`with_votes` for the live room's usual case, one vote and no new ids: the
        same result and patched caches, with Python scalars instead of arrays of one
        element (a dozen numpy calls fewer), and the index arrays shared with this matrix
        when the vote replaces one (both are read-only)."""
        n, m = self.shape
        if not (0 <= row < n and 0 <= column < m):
            raise ValueError("a new vote is outside the participants or statements")
        if vote not in (AGREE, DISAGREE, PASS):
            raise ValueError(f"a vote must be -1, 0 or 1, got {vote}")
        lo, hi = int(self.indptr[row]), int(self.indptr[row + 1])
        slot = lo + int(np.searchsorted(self.indices[lo:hi], column))
        replaced: int | None = None
        if slot < hi and int(self.indices[slot]) == column:
            replaced = int(self.values[slot])
            indptr, indices = self.indptr, self.indices
            values = self.values.copy()
            values[slot] = vote
        else:
            indptr = self.indptr.copy()
            indptr[row + 1 :] += 1
            indices = _inserted(self.indices, slot, column)
            values = _inserted(self.values, slot, vote)
        out = VoteMatrix(
            self.participant_ids,
            self.statement_ids,
            indptr,
            indices,
            values,
            self.is_moderated_out,
            self.is_meta,
        )
        cache, new_cache = self.__dict__, out.__dict__
        for name in ("participant_index", "statement_index"):
            if name in cache:
                new_cache[name] = cache[name]
        counts = cache.get("statement_counts")
        if counts is not None:
            patched = {name: counts[name].copy() for name in ("agree", "disagree", "pass")}
            name_of = {AGREE: "agree", DISAGREE: "disagree", PASS: "pass"}
            if replaced is not None:
                patched[name_of[replaced]][column] -= 1
            patched[name_of[vote]][column] += 1
            patched["seen"] = counts["seen"].copy()
            if replaced is None:
                patched["seen"][column] += 1
            new_cache["statement_counts"] = patched
        vote_rows = cache.get("vote_rows")
        if vote_rows is not None:
            new_cache["vote_rows"] = (
                vote_rows if replaced is not None else _inserted(vote_rows, slot, row)
            )
        return out

    def _carry_caches(
        self,
        out: VoteMatrix,
        rows: np.ndarray,
        columns: np.ndarray,
        votes8: np.ndarray,
        slot: np.ndarray,
        hit: np.ndarray,
        new_participant_ids: Sequence[Any],
        new_statement_ids: Sequence[Any],
    ) -> None:
        """Give ``out`` (this matrix with the votes of :meth:`with_votes`) the derived arrays
        this one has already computed, patched for the new votes instead of recomputed over
        every vote: a live room derives them after each vote. Caches are the instance's
        ``cached_property`` slots, so a missing one is simply computed when first asked."""
        cache, new_cache = self.__dict__, out.__dict__
        for name, added in (
            ("participant_index", new_participant_ids),
            ("statement_index", new_statement_ids),
        ):
            known = cache.get(name)
            if known is not None:
                if len(added):
                    extra = _ids_array(list(added)).tolist()
                    known = {**known, **{key: len(known) + t for t, key in enumerate(extra)}}
                new_cache[name] = known
        counts = cache.get("statement_counts")
        if counts is not None:
            grow = out.n_statements - self.n_statements
            patched = {
                name: np.concatenate([counts[name], np.zeros(grow, dtype=np.int64)])
                for name in ("agree", "disagree", "pass")
            }
            replaced = self.values[slot[hit]]
            for name, value in (("agree", AGREE), ("disagree", DISAGREE), ("pass", PASS)):
                np.subtract.at(patched[name], columns[hit][replaced == value], 1)
                np.add.at(patched[name], columns[votes8 == value], 1)
            patched["seen"] = patched["agree"] + patched["disagree"] + patched["pass"]
            new_cache["statement_counts"] = patched
        vote_rows = cache.get("vote_rows")
        if vote_rows is not None:
            fresh = ~hit
            new_cache["vote_rows"] = np.insert(vote_rows, slot[fresh], rows[fresh].astype(np.int32))

    def without_empty(self) -> VoteMatrix:
        """The matrix without participants who cast no vote and statements nobody voted on.

        Linear in the number of votes: nothing moves but the renumbered column indices."""
        rows = np.flatnonzero(self.votes_per_participant > 0)
        cols = np.flatnonzero(self.statement_counts["seen"] > 0)
        if len(rows) == self.n_participants and len(cols) == self.n_statements:
            return self
        indptr = np.append(self.indptr[rows], self.indptr[-1])  # dropped rows are empty
        renumber = np.full(self.n_statements, -1, dtype=np.int32)
        renumber[cols] = np.arange(len(cols), dtype=np.int32)
        return VoteMatrix(
            self.participant_ids[rows],
            self.statement_ids[cols],
            indptr,
            renumber[self.indices],
            self.values,
            self.is_moderated_out[cols],
            self.is_meta[cols],
        )

    def require_analysable(self) -> None:
        """Raise :class:`EmptyConversationError` unless there are ≥2 voters and ≥2 voted
        statements that are neither moderated out nor meta."""
        if self.n_votes == 0:
            raise EmptyConversationError("the conversation has no votes")
        voters = int(np.count_nonzero(self.votes_per_participant))
        voted = int(np.count_nonzero(self.statement_counts["seen"]))
        if voters < 2:
            raise EmptyConversationError(
                f"only {voters} participant voted; opinion groups need at least 2"
            )
        if voted < 2:
            raise EmptyConversationError(
                f"only {voted} statement has votes; opinion groups need at least 2"
            )
        kept = int(np.count_nonzero(self.statement_counts["seen"][~self.is_excluded]))
        if kept < 2:
            raise EmptyConversationError(
                f"{voted - kept} of the {voted} statements with votes are moderated out or "
                f"meta, which the analysis leaves out; opinion groups need at least 2 others"
            )
