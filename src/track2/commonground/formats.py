"""Pol.is file formats: read a conversation folder, write the same CSV layouts.

Readable inputs (a folder, or one of its files):

* ``votes.csv`` — ``timestamp,datetime,comment-id,voter-id,vote`` (agree = 1), every vote
  event; revisions are reduced to the latest vote per participant and statement.
* ``participants-votes.csv`` — one row per participant: ``participant``, optional ``xid``,
  ``group-id``, ``n-comments``, ``n-votes``, ``n-agree``, ``n-disagree``, then one column per
  statement id holding the latest vote (blank = not seen). Used for votes when there is no
  ``votes.csv``; its ``group-id`` column (Pol.is's groups at export time) is always kept.
* ``comments.csv`` — statement texts and moderation. Both layouts are read by header name:
  the export layout ``timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,
  comment-body`` and the API/database layout (``tid`` or ``statement_id``, ``txt``, ``mod`` or
  ``moderated``, optional ``is_meta``).
* A Pol.is math fixture folder: ``votes.json`` (``pid``/``tid`` or ``participant_id``/
  ``statement_id``, ``vote`` with agree = 1, ``modified``), ``comments.json`` and
  ``math-pca2.json`` (the Pol.is state, see :mod:`track2.commonground.state`).

Every problem is an :class:`InputFormatError` naming the file and line.
"""

from __future__ import annotations

import csv
import math
import stat
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from track2.commonground import votes_blocks
from track2.commonground.csv_rows import (
    INT,
    RowProblems,
    VoteRows,
    check_id,
    header_index,
    nonblank,
    open_csv,
    parse_id,
    parse_vote,
)
from track2.commonground.errors import EmptyConversationError, InputFormatError
from track2.commonground.json_files import read_json
from track2.commonground.matrix import VoteMatrix

VOTES_HEADER = ("timestamp", "datetime", "comment-id", "voter-id", "vote")
COMMENTS_HEADER = (
    "timestamp",
    "datetime",
    "comment-id",
    "author-id",
    "agrees",
    "disagrees",
    "moderated",
    "comment-body",
)
PARTICIPANT_META_COLUMNS = (
    "participant",
    "xid",
    "group-id",
    "n-comments",
    "n-votes",
    "n-agree",
    "n-disagree",
)


@dataclass(frozen=True, eq=False)
class Statement:
    statement_id: Any
    text: str
    moderated: int = 0  # Pol.is: -1 moderated out, 0 not yet moderated, 1 accepted
    is_meta: bool = False
    author_id: Any = None
    timestamp: int | None = None


@dataclass(frozen=True, eq=False)
class Conversation:
    """A conversation read from files: its vote matrix, statements, and what Pol.is said."""

    matrix: VoteMatrix
    statements: Mapping[Any, Statement]
    export_group_ids: Mapping[Any, int] = field(default_factory=dict)
    files: tuple[str, ...] = ()

    def text(self, statement_id: Any) -> str:
        s = self.statements.get(statement_id)
        return s.text if s is not None else ""


# ---------------------------------------------------------------------------------- votes.csv
def read_votes_csv(
    path: str | Path,
    *,
    statement_ids: Iterable[Any] | None = None,
    moderated_out: Iterable[Any] = (),
    meta: Iterable[Any] = (),
    progress: Callable[[float], None] | None = None,
) -> VoteMatrix:
    """Read ``votes.csv`` into a matrix holding the latest vote of each pair.

    ``progress(share)``, when given, hears the share done (0 to 1) of a big file as it is
    read: the parse is the first ``votes_blocks.PARSE_SHARE`` of it, building the matrix the
    rest. A file above ``votes_blocks.FAST_READ_BYTES`` is read by blocks with pyarrow
    (:mod:`track2.commonground.votes_blocks`), unless it looks unusual."""
    p = Path(path)
    if p.exists() and p.stat().st_size > votes_blocks.FAST_READ_BYTES:
        columns = votes_blocks.read_columns(p, progress)
        if columns is not None:
            matrix = VoteMatrix.from_columns(
                columns,
                statement_ids=statement_ids,
                moderated_out=moderated_out,
                meta=meta,
                source=str(p),
            )
            if progress is not None:
                progress(1.0)
            return matrix
    rows = open_csv(p)
    first = next(rows, None)
    if first is None:
        raise EmptyConversationError(f"{p}: the file is empty; export the votes again")
    found = VoteRows(p, first[1])
    found.add(rows)
    if not found.votes:
        raise EmptyConversationError(f"{p}: no votes in the file")
    return VoteMatrix.from_triples(
        np.frombuffer(found.pids, dtype=np.int64),
        np.frombuffer(found.sids, dtype=np.int64),
        np.frombuffer(found.votes, dtype=np.int8),
        timestamps=np.frombuffer(found.ts, dtype=np.float64) if found.ts_col is not None else None,
        statement_ids=statement_ids,
        moderated_out=moderated_out,
        meta=meta,
        source=str(p),
        lines=np.frombuffer(found.lines, dtype=np.int64),
    )


def write_votes_csv(path: str | Path, rows: Iterable[tuple[int, Any, Any, int]]) -> None:
    """Write ``votes.csv`` from (timestamp in ms, statement id, participant id, vote) rows."""
    with Path(path).open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(VOTES_HEADER)
        for ts, sid, pid, vote in rows:
            w.writerow((ts, polis_datetime(ts), sid, pid, vote))


def polis_datetime(ts_ms: int) -> str:
    """The export's human-readable datetime column (UTC)."""
    import datetime as _dt

    d = _dt.datetime.fromtimestamp(ts_ms / 1000.0, tz=_dt.UTC)
    return d.strftime("%a %b %d %H:%M:%S UTC %Y")


# ---------------------------------------------------------------------- participants-votes.csv
def read_participants_votes_csv(
    path: str | Path,
    *,
    statement_ids: Iterable[Any] | None = None,
    moderated_out: Iterable[Any] = (),
    meta: Iterable[Any] = (),
) -> tuple[VoteMatrix, dict[Any, int]]:
    """Read ``participants-votes.csv``: the matrix and Pol.is's ``group-id`` per participant
    (participants with a blank group id are not in it)."""
    p = Path(path)
    rows = open_csv(p)
    first = next(rows, None)
    if first is None:
        raise EmptyConversationError(f"{p}: the file is empty; export the votes again")
    header = [h.strip().lstrip("\ufeff") for h in first[1]]
    pcol = header_index(header, p, ("participant",))["participant"]
    stmt_cols = [i for i, h in enumerate(header) if h not in PARTICIPANT_META_COLUMNS]
    stmt_ids = [
        parse_id(header[i], str(p), 1, "statement column", negative_ok=False) for i in stmt_cols
    ]
    if len(set(stmt_ids)) != len(stmt_ids):
        dup = next(s for s in stmt_ids if stmt_ids.count(s) > 1)
        raise InputFormatError(str(p), 1, f"statement {dup} appears twice in the header")
    gcol = header.index("group-id") if "group-id" in header else None
    pids: list[int] = []
    sids: list[int] = []
    votes: list[int] = []
    lines: list[int] = []
    groups: dict[Any, int] = {}
    seen_rows: dict[int, int] = {}

    def participant_row(line: int, row: list[str]) -> tuple[int, int | None, list[tuple[int, int]]]:
        """(participant, group id or None, [(statement, vote)]) of one row, checked whole."""
        if len(row) != len(header):
            raise InputFormatError(
                str(p),
                line,
                f"expected {len(header)} fields like the "
                f"header, found {len(row)}; fix or delete this row",
            )
        pid = parse_id(row[pcol], str(p), line, "participant", negative_ok=False)
        if pid in seen_rows:
            raise InputFormatError(
                str(p),
                line,
                f"duplicate row for participant {pid} (first "
                f"on line {seen_rows[pid]}); keep one row per participant",
            )
        group = None
        if gcol is not None and row[gcol].strip():
            group = parse_id(row[gcol], str(p), line, "group-id")
        cells = [
            (sid, parse_vote(row[col].strip(), str(p), line))
            for col, sid in zip(stmt_cols, stmt_ids, strict=True)
            if row[col].strip()
        ]
        return pid, group, cells

    for line, (pid, group, cells) in RowProblems().each(nonblank(rows), participant_row):
        seen_rows[pid] = line
        if group is not None:
            groups[pid] = group
        for sid, vote in cells:
            pids.append(pid)
            sids.append(sid)
            votes.append(vote)
            lines.append(line)
    if not seen_rows:
        raise EmptyConversationError(f"{p}: no participants in the file")
    known = list(stmt_ids) + ([] if statement_ids is None else list(statement_ids))
    matrix = VoteMatrix.from_triples(
        np.asarray(pids, dtype=np.int64),
        np.asarray(sids, dtype=np.int64),
        np.asarray(votes, dtype=np.int8),
        participant_ids=list(seen_rows),
        statement_ids=known,
        moderated_out=moderated_out,
        meta=meta,
        source=str(p),
        lines=np.asarray(lines, dtype=np.int64),
    )
    return matrix, groups


def write_participants_votes_csv(
    path: str | Path,
    votes: VoteMatrix,
    group_ids: Mapping[Any, int] | None = None,
    comment_counts: Mapping[Any, int] | None = None,
) -> None:
    """Write ``participants-votes.csv`` (latest vote per pair, blank when not seen)."""
    m = votes.n_statements
    with Path(path).open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(
            [
                "participant",
                "group-id",
                "n-comments",
                "n-votes",
                "n-agree",
                "n-disagree",
                *[str(s) for s in votes.statement_ids.tolist()],
            ]
        )
        for i, pid in enumerate(votes.participant_ids.tolist()):
            lo, hi = votes.indptr[i], votes.indptr[i + 1]
            cells = [""] * m
            vals = votes.values[lo:hi]
            for j, v in zip(votes.indices[lo:hi].tolist(), vals.tolist(), strict=True):
                cells[j] = str(v)
            gid = (group_ids or {}).get(pid)
            w.writerow(
                [
                    pid,
                    "" if gid is None else gid,
                    (comment_counts or {}).get(pid, 0),
                    hi - lo,
                    int((vals == 1).sum()),
                    int((vals == -1).sum()),
                    *cells,
                ]
            )


# ---------------------------------------------------------------------------------- comments
# The names a comments file may give its columns (the room's import reads them too, to name the
# line of a comment it refuses).
COMMENT_ALIASES = {
    "id": ("comment-id", "tid", "statement_id", "statement-id"),
    "text": ("comment-body", "txt", "comment", "text"),
}


def read_comments_csv(path: str | Path) -> dict[Any, Statement]:
    """Read ``comments.csv`` (export or database layout, by header names)."""
    p = Path(path)
    rows = open_csv(p)
    first = next(rows, None)
    if first is None:
        raise InputFormatError(str(p), None, "the file is empty; export the comments again")
    header = [h.strip().lstrip("\ufeff") for h in first[1]]
    idx = header_index(header, p, ("id", "text"), COMMENT_ALIASES)
    mod_col = next((header.index(c) for c in ("moderated", "mod") if c in header), None)
    meta_col = next((header.index(c) for c in ("is-meta", "is_meta") if c in header), None)
    author_col = next(
        (header.index(c) for c in ("author-id", "pid", "participant_id") if c in header), None
    )
    ts_col = header.index("timestamp") if "timestamp" in header else None
    out: dict[Any, Statement] = {}
    lines: dict[Any, int] = {}

    def comment_row(line: int, row: list[str]) -> Statement:
        if len(row) != len(header):
            raise InputFormatError(
                str(p),
                line,
                f"expected {len(header)} fields like the "
                f"header, found {len(row)}; check the quoting of the text",
            )
        sid = parse_id(row[idx["id"]], str(p), line, "comment id", negative_ok=False)
        if sid in out:
            raise InputFormatError(
                str(p),
                line,
                f"duplicate comment id {sid} (first on line "
                f"{lines[sid]}); keep one row per comment",
            )
        mod = 0
        if mod_col is not None and row[mod_col].strip():
            mod = parse_id(row[mod_col], str(p), line, "moderated value")
            if mod not in (-1, 0, 1):
                raise InputFormatError(str(p), line, f"moderated must be -1, 0 or 1, not {mod}")
        is_meta = False
        if meta_col is not None:
            flag = row[meta_col].strip().lower()
            if flag not in ("", "true", "false", "1", "0", "t", "f"):
                raise InputFormatError(str(p), line, f"is-meta must be true or false, not {flag!r}")
            is_meta = flag in ("true", "1", "t")
        ts = None
        if ts_col is not None and INT.match(row[ts_col].strip()):
            ts = int(row[ts_col].strip())
        author = row[author_col].strip() if author_col is not None else None
        return Statement(sid, row[idx["text"]], mod, is_meta, author, ts)

    for line, statement in RowProblems().each(nonblank(rows), comment_row):
        out[statement.statement_id] = statement
        lines[statement.statement_id] = line
    return out


def write_comments_csv(
    path: str | Path, statements: Iterable[Statement], votes: VoteMatrix | None = None
) -> None:
    """Write ``comments.csv`` in the export layout (agree/disagree counts from ``votes``)."""
    counts = votes.statement_counts if votes is not None else None
    index = votes.statement_index if votes is not None else {}
    with Path(path).open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(COMMENTS_HEADER)
        for s in statements:
            j = index.get(s.statement_id)
            agrees = int(counts["agree"][j]) if counts is not None and j is not None else 0
            disagrees = int(counts["disagree"][j]) if counts is not None and j is not None else 0
            ts = s.timestamp if s.timestamp is not None else 0
            w.writerow(
                (
                    ts,
                    polis_datetime(ts),
                    s.statement_id,
                    "" if s.author_id is None else s.author_id,
                    agrees,
                    disagrees,
                    s.moderated,
                    s.text,
                )
            )


# ---------------------------------------------------------------------------------- JSON
def _record_lines(text: str) -> list[int]:
    """Line number where each top-level array element of a JSON document starts: objects,
    arrays, strings and bare values alike (a stray number among the records once left the
    list one short, and every record was then named as line 1)."""
    out: list[int] = []
    depth = 0
    line = 1
    in_str = False
    escape = False
    in_bare = False  # inside a number, true, false or null at depth 1
    for ch in text:
        if ch == "\n":
            line += 1
        if in_str:
            if escape:
                escape = False
            elif ch == "\\":
                escape = True
            elif ch == '"':
                in_str = False
            continue
        if in_bare:
            if ch not in ",]" and not ch.isspace():
                continue
            in_bare = False
        if ch == '"':
            in_str = True
            if depth == 1:
                out.append(line)
        elif ch in "[{":
            depth += 1
            if depth == 2:
                out.append(line)
        elif ch in "]}":
            depth -= 1
        elif depth == 1 and ch != "," and not ch.isspace():
            in_bare = True
            out.append(line)
    return out


def _load_json_records(p: Path) -> tuple[list[Any], list[int]]:
    text, data = read_json(p, "pass the Pol.is export unchanged")
    if not isinstance(data, list):
        raise InputFormatError(str(p), 1, "expected a JSON array of records")
    lines = _record_lines(text)
    if len(lines) != len(data):
        lines = [1] * len(data)
    return data, lines


def _pick(rec: dict[str, Any], keys: tuple[str, ...], p: Path, line: int) -> Any:
    for k in keys:
        if k in rec:
            return rec[k]
    raise InputFormatError(str(p), line, f"record has no {' or '.join(keys)} field")


def read_votes_json(
    path: str | Path,
    *,
    statement_ids: Iterable[Any] | None = None,
    moderated_out: Iterable[Any] = (),
    meta: Iterable[Any] = (),
) -> VoteMatrix:
    """Read a Pol.is API ``votes.json`` (agree = 1; latest ``modified`` wins)."""
    p = Path(path)
    records, lines = _load_json_records(p)
    pids: list[int] = []
    sids: list[int] = []
    votes: list[int] = []
    ts: list[float] = []

    def vote_record(line: int, rec: Any) -> tuple[int, int, int, float]:
        if not isinstance(rec, dict):
            raise InputFormatError(str(p), line, "expected a vote object")
        pid = _pick(rec, ("pid", "participant_id"), p, line)
        sid = _pick(rec, ("tid", "statement_id"), p, line)
        vote = _pick(rec, ("vote",), p, line)
        for name, value in (("participant", pid), ("statement", sid)):
            if not isinstance(value, int) or isinstance(value, bool):
                raise InputFormatError(str(p), line, f"{name} id {value!r} is not an integer")
            check_id(value, str(p), line, f"{name} id", negative_ok=False)
        if vote not in (-1, 0, 1) or isinstance(vote, bool):
            raise InputFormatError(
                str(p),
                line,
                f"unknown vote value {vote!r}; use 1 (agree), -1 (disagree) or 0 (pass)",
            )
        modified = rec.get("modified", 0)
        try:
            modified_f = float(modified)
        except (TypeError, ValueError, OverflowError):
            modified_f = math.nan
        if not math.isfinite(modified_f):
            shown = repr(modified) if len(repr(modified)) <= 30 else f"{repr(modified)[:20]}…"
            raise InputFormatError(str(p), line, f"modified {shown} is not a number")
        return pid, sid, int(vote), modified_f

    for _line, (pid, sid, vote, modified_f) in RowProblems().each(
        zip(lines, records, strict=True), vote_record
    ):
        pids.append(pid)
        sids.append(sid)
        votes.append(vote)
        ts.append(modified_f)
    if not votes:
        raise EmptyConversationError(f"{p}: no votes in the file")
    return VoteMatrix.from_triples(
        np.asarray(pids, dtype=np.int64),
        np.asarray(sids, dtype=np.int64),
        np.asarray(votes, dtype=np.int8),
        timestamps=ts,
        statement_ids=statement_ids,
        moderated_out=moderated_out,
        meta=meta,
        source=str(p),
        lines=np.asarray(lines, dtype=np.int64),
    )


def read_comments_json(path: str | Path) -> dict[Any, Statement]:
    """Read a Pol.is API ``comments.json``."""
    p = Path(path)
    records, lines = _load_json_records(p)
    out: dict[Any, Statement] = {}

    def comment_record(line: int, rec: Any) -> Statement:
        if not isinstance(rec, dict):
            raise InputFormatError(str(p), line, "expected a comment object")
        sid = _pick(rec, ("tid", "statement_id"), p, line)
        if not isinstance(sid, int) or isinstance(sid, bool):
            raise InputFormatError(str(p), line, f"comment id {sid!r} is not an integer")
        check_id(sid, str(p), line, "comment id", negative_ok=False)
        if sid in out:
            raise InputFormatError(str(p), line, f"duplicate comment id {sid}")
        mod = rec.get("mod", rec.get("moderated", 0))
        if mod not in (-1, 0, 1):
            raise InputFormatError(str(p), line, f"moderation must be -1, 0 or 1, not {mod!r}")
        return Statement(
            sid,
            str(rec.get("txt", "")),
            int(mod),
            bool(rec.get("is_meta")),
            rec.get("pid", rec.get("participant_id")),
        )

    for _line, statement in RowProblems().each(zip(lines, records, strict=True), comment_record):
        out[statement.statement_id] = statement
    return out


# ---------------------------------------------------------------------------------- folders
def _moderation(statements: Mapping[Any, Statement]) -> tuple[list[Any], list[Any]]:
    mod_out = [s.statement_id for s in statements.values() if s.moderated == -1]
    meta = [s.statement_id for s in statements.values() if s.is_meta]
    return mod_out, meta


def _check_known(
    matrix: VoteMatrix, statements: Mapping[Any, Statement], votes_file: Path, comments_file: Path
) -> None:
    if not statements:
        return
    unknown = [s for s in matrix.statement_ids.tolist() if s not in statements]
    if unknown:
        others = len(unknown) - 1
        more = {0: "", 1: " (and 1 other statement)"}.get(
            others, f" (and {others} other statements)"
        )
        raise InputFormatError(
            str(votes_file),
            _first_line_of_statement(votes_file, unknown[0]),
            f"a vote on statement {unknown[0]}, which {comments_file.name} does not list{more}; "
            "the files come from different conversations or exports",
        )


def _first_line_of_statement(votes_file: Path, statement_id: int) -> int | None:
    """The line of the first vote on ``statement_id`` (read again: this runs only to name it
    in an error, and the matrix keeps no lines)."""
    if votes_file.name == "participants-votes.csv":
        return 1  # a statement is a column of the header
    if votes_file.suffix == ".json":
        records, lines = _load_json_records(votes_file)
        for line, rec in zip(lines, records, strict=True):
            if isinstance(rec, dict) and rec.get("tid", rec.get("statement_id")) == statement_id:
                return line
        return None
    rows = open_csv(votes_file)
    first = next(rows, None)
    if first is None:
        return None
    column = header_index(first[1], votes_file, ("comment-id",))["comment-id"]
    wanted = str(statement_id)
    for line, row in rows:
        if len(row) > column and row[column].strip().lstrip("0") == wanted.lstrip("0"):
            return line
    return None


def load_conversation(
    path: str | Path, progress: Callable[[float], None] | None = None
) -> Conversation:
    """Read a Pol.is export folder, a math fixture folder, or a single votes file.

    ``progress(share)`` hears the share of a big ``votes.csv`` read (see
    :func:`read_votes_csv`); other files do not report one."""
    p = Path(path)
    if not p.exists():
        raise InputFormatError(str(p), None, "no such file or folder")
    folder = p if p.is_dir() else p.parent
    only = None if p.is_dir() else p.name
    files: list[str] = []

    def have(name: str) -> Path | None:
        f = folder / name
        if only is not None and name != only and name not in ("comments.csv", "comments.json"):
            return None
        try:
            mode = f.stat().st_mode
        except FileNotFoundError:
            return None
        except OSError as err:  # no permission to look, a loop of links
            raise InputFormatError(
                str(f), None, f"cannot read ({err.strerror}); check the path"
            ) from err
        if not stat.S_ISREG(mode):  # silently "no comments" was a wrong report
            what = "a folder" if stat.S_ISDIR(mode) else "a device or a pipe"
            raise InputFormatError(str(f), None, f"is {what}, not a file; move it out of {folder}")
        return f

    statements: dict[Any, Statement] = {}
    comments_file = have("comments.csv") or have("comments.json")
    if comments_file is not None:
        files.append(str(comments_file))
        statements = (
            read_comments_csv(comments_file)
            if comments_file.suffix == ".csv"
            else read_comments_json(comments_file)
        )
    mod_out, meta = _moderation(statements)
    known = list(statements) or None
    groups: dict[Any, int] = {}
    votes_csv, pv_csv, votes_json = (
        have("votes.csv"),
        have("participants-votes.csv"),
        have("votes.json"),
    )
    if votes_csv is not None:
        matrix = read_votes_csv(
            votes_csv, statement_ids=known, moderated_out=mod_out, meta=meta, progress=progress
        )
        files.append(str(votes_csv))
        vote_file = votes_csv
        if pv_csv is not None:
            _, groups = read_participants_votes_csv(pv_csv)
            files.append(str(pv_csv))
    elif pv_csv is not None:
        matrix, groups = read_participants_votes_csv(
            pv_csv, statement_ids=known, moderated_out=mod_out, meta=meta
        )
        files.append(str(pv_csv))
        vote_file = pv_csv
    elif votes_json is not None:
        matrix = read_votes_json(votes_json, statement_ids=known, moderated_out=mod_out, meta=meta)
        files.append(str(votes_json))
        vote_file = votes_json
    else:
        raise InputFormatError(
            str(p),
            None,
            "no votes.csv, participants-votes.csv or "
            "votes.json here; point at a Pol.is export folder",
        )
    if comments_file is not None:
        _check_known(matrix, statements, vote_file, comments_file)
    return Conversation(
        matrix=matrix, statements=statements, export_group_ids=groups, files=tuple(files)
    )
