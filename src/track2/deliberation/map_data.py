"""The common-ground map of a meeting: engine input from the room's votes, and the map's data
after the small-cell rule.

The side of a vote is never stored: the map computes the pseudonym of every seated member of
each delegation with the dialogue's key and looks votes up by it, in memory, for this map only.
Every figure that breaks the room down (by delegation, by opinion group) goes through
`track2.disclosure.cells.suppress` with complementary suppression; the room's own count of a
statement is shown from k votes. "Too few votes yet" is the map's normal first state.
"""

from __future__ import annotations

import functools
import json
import logging
import threading
import time
import weakref
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.core.exceptions import EmptyResultSet
from django.db import DatabaseError, connection, connections
from django.utils.translation import gettext as _

from track2 import keyring
from track2 import live as live_updates
from track2.commonground import (
    CommonGroundError,
    Track2Groups,
    VoteMatrix,
    groups_by_side,
    live,
    pass_shares,
)
from track2.commonground.sides import (
    COMMON_GROUND,
    DIVISIVE,
    TOO_FEW_VOTES,
    SideAgreement,
    SidesError,
    agreement_by_side,
)
from track2.deliberation import journal
from track2.deliberation.map_worker import FitWorker
from track2.deliberation.models import Room, Statement, Vote, room_order
from track2.dialogues.models import Delegation, DelegationMember
from track2.disclosure.answers import Figures, answer_figures
from track2.disclosure.cells import drawn_names, suppress
from track2.disclosure.site import k_of
from track2.disclosure.status import STATUS_LINE
from track2.idle_sweep import IdleSweep
from track2.meetings.models import Meeting
from track2.reports.common_ground import top_bridging
from track2.reports.consensus import groups_verdict

log = logging.getLogger(__name__)

TOO_FEW_YET = "too few votes yet"


def close_call(groups: Track2Groups) -> dict[str, int] | None:
    """The number of groups fitted and the other its choice nearly went to, as the reports
    caution about it (``Track2Groups.close_calls``: one more that only just failed, or this
    number that only just passed over one fewer); None when neither came near the bar."""
    close = groups.close_calls()
    k = groups.n_groups
    if k + 1 in close:
        return {"k": k, "other": k + 1}
    if k in close:
        return {"k": k, "other": k - 1}
    return None


SEED = 0  # the engine is deterministic given its seed: the same votes give the same map


def group_label(group_id: int) -> str:
    """The letter a person reads for an opinion group: 0 → "A", …, 25 → "Z", 26 → "AA", as
    spreadsheet columns and as Pol.is names its groups. It follows the engine's id, which stays
    the group's across live updates, never the group's place in a list: when group 1 empties,
    group 2 is still "C". Machine outputs keep the id and carry this beside it."""
    if group_id < 0:
        raise ValueError(f"an opinion group's id is 0 or more, not {group_id}")
    letters = []
    n = group_id + 1  # bijective base 26: no zero digit, so "A" is 1 and "Z" 26
    while n:
        n, rest = divmod(n - 1, 26)
        letters.append(chr(ord("A") + rest))
    return "".join(reversed(letters))


@dataclass(frozen=True, eq=False)
class EngineInput:
    """The room's votes as the engine's input: pseudonyms as participant ids (never shown),
    accepted statements as columns (in the room's order), sides by matrix row (None: unseated,
    or every side when the key was destroyed)."""

    matrix: VoteMatrix
    side_of: list[str | None] | None
    texts: dict[int, str]
    order: list[int]  # statement ids in the room's order (the facilitator's, then by id)


def sides_by_pseudonym(meeting: Meeting) -> dict[str, str] | None:
    """Pseudonym → delegation name for every seated member of a side; None once the key is gone."""
    rows = list(
        DelegationMember.objects.filter(
            dialogue_id=meeting.dialogue_id, delegation__kind=Delegation.Kind.SIDE
        ).values_list("person_id", "delegation__name")
    )
    try:
        names = keyring.pseudonyms(meeting.dialogue_id, [pid for pid, _name in rows])
    except keyring.KeyDestroyed:
        return None
    return {p: name for p, (_pid, name) in zip(names, rows, strict=True)}


def accepted(meeting: Meeting):
    return Statement.objects.filter(
        meeting=meeting, status=Statement.Status.ACCEPTED, is_for_facilitator=False
    )


def voter_order(rows: Sequence[tuple[str, int, int]]) -> list[str]:
    """Pseudonyms in an order that depends on their votes alone (each voter's answers sorted by
    statement, then the pseudonym for identical rows). The map numbers voters 0, 1, … in this
    order and the Pol.is export uses the same numbers, so `track2 analyze` on an export reads
    the very matrix the room's map was computed from (the engine's result depends on row order)."""
    answers: dict[str, list[tuple[int, int]]] = {}
    for pseudonym, statement_id, value in rows:
        answers.setdefault(pseudonym, []).append((statement_id, value))
    return sorted(answers, key=lambda p: (sorted(answers[p]), p))


def accepted_votes(meeting: Meeting) -> list[tuple[str, int, int]]:
    return list(
        Vote.objects.filter(
            meeting=meeting,
            statement__status=Statement.Status.ACCEPTED,
            statement__is_for_facilitator=False,
        ).values_list("pseudonym", "statement_id", "value")
    )


def numbered_matrix(rows, statement_ids: list[int]) -> tuple[VoteMatrix, list[str]]:
    """The votes with voters numbered by `voter_order`; returns the matrix and the pseudonym of
    each number (kept in memory only)."""
    voters = voter_order(rows)
    number = {p: i for i, p in enumerate(voters)}
    matrix = VoteMatrix.from_triples(
        [number[p] for p, _s, _v in rows],
        [s for _p, s, _v in rows],
        [v for _p, _s, v in rows],
        participant_ids=range(len(voters)),
        statement_ids=sorted(statement_ids),
    )
    return matrix, voters


def engine_input(meeting: Meeting) -> EngineInput:
    listed = list(accepted(meeting).order_by(*room_order()).values_list("id", "text"))
    statements = dict(listed)
    matrix, voters = numbered_matrix(accepted_votes(meeting), list(statements))
    sides = sides_by_pseudonym(meeting)
    side_of = None if sides is None else [sides.get(p) for p in voters]
    return EngineInput(matrix, side_of, statements, [sid for sid, _t in listed])


# --- the map keeper: one computation per room, shared by every reader --------------------
#
# Each process keeps, per room, an in-memory copy of its accepted votes (`_Room`), brought up to
# date on the first read after a change by re-reading only the votes of the statements whose
# change count moved (each vote moves its statement's count in its own transaction, so a count
# read before the votes never hides a committed vote: with several processes, each keeps its
# own copy and reaches the same state). Counts, agreement per delegation and labels are
# recomputed from that copy on every change; opinion groups, bridging and priorities come from
# the newest fit of the engine's live update (track2.commonground.live), made by a background
# worker (map_worker) and shown with their age. Only a room's first fit runs on a read.
#
# A copy holds the room's pseudonymous votes, so it must not outlive them. When a room's votes are
# deleted (its dialogue deleted, retention erasing them, an off-the-record room closing), the
# deleting code announces `live.votes_gone_topic`, and every process drops its copy on hearing it
# (`_votes_gone`; on PostgreSQL through LISTEN/NOTIFY, which every served process listens to). A
# process that missed it (its listening connection was down, or on SQLite the deletion was a
# separate `track2 delete-dialogue`, which no server hears) drops, at a sweep every
# SWEEP_SECONDS, the copy of a meeting that no longer exists (one query for all kept rooms),
# and a copy nobody has read for IDLE_SECONDS (its votes erased by retention, its meeting kept).

CONVERSATION = "meeting:%d"
NO_VOTE = 2  # in _Room.answers (votes are -1, 0, 1)
# A copy not read for this long is dropped (the next read reads the room whole and fits it
# again): the bound on a copy whose votes went while this process did not hear it.
IDLE_SECONDS = 600.0
SWEEP_SECONDS = 60.0


@dataclass(eq=False)
class _Fit:
    analysis: Any | None  # LiveAnalysis, or None when the engine could not fit (see note)
    note: str
    as_of: str  # UTC time of the fit's votes, to 10 s: coarse, says no vote's time
    timings: dict[str, float] = field(default_factory=dict)  # the engine's seconds per stage


@dataclass(eq=False)
class _Room:
    key: tuple  # what the copy was read at: the room, k, the key, accepted statements' counts
    listed: list[tuple[int, str, int | None, int]]  # (id, text, position, changes) accepted
    matrix: VoteMatrix  # rows: voters numbered (voter_order, then as they come); columns: ids
    voters: list[str]  # the pseudonym of each row (in memory only)
    row_of: dict[str, int]
    sides: dict[str, str] | None  # pseudonym → delegation; None once the key is gone
    side_of: list[str | None] | None
    answers: np.ndarray  # the same votes dense (rows × columns, NO_VOTE where none): diffs
    shown: dict | None = None  # the disclosed map of this state (built on first read)
    fit: _Fit | None = None
    fit_behind: bool = False  # votes since the fit started
    # What the next fit must add: (row, statement id) → answer; a cold fit when rows went away.
    pending: dict[tuple[int, int], int] = field(default_factory=dict)
    needs_cold: bool = False
    # Rows renumbered since the fit (the room was read whole again): its group ids cannot be
    # carried over by participant, so the next fit starts afresh.
    renumbered: bool = False
    # Each statement's figures that depend on its own votes only (counts, by delegation, label),
    # kept with the change count they were computed at: a read after a few votes recomputes
    # only the statements that moved (disclosed_map).
    rows: dict = field(default_factory=dict)
    # Choosing the groups again, beside the fits (regroup_in_background): whether it runs, and
    # its result, for the next fit to bring up to the votes since and continue.
    regrouping: bool = False
    regrouped: Any | None = None
    lock: threading.RLock = field(default_factory=threading.RLock)
    read_at: float = field(default_factory=time.monotonic)  # the last read (monotonic clock)

    def previous(self) -> Any | None:
        """The fit to continue from (None: fit cold without one)."""
        if self.fit is None or self.fit.analysis is None or self.renumbered:
            return None
        return self.fit.analysis


_lock = threading.Lock()
_rooms: dict[int, _Room] = {}
engine_runs = 0  # fits of the engine in this process, on a read or in the background (tests)


def _listing(meeting: Meeting) -> list[tuple[int, str, int | None, int]]:
    return list(
        accepted(meeting).order_by(*room_order()).values_list("id", "text", "position", "changes")
    )


def _key(meeting: Meeting, listed) -> tuple:
    room = Room.objects.filter(meeting=meeting).values_list("status", flat=True).first()
    return (
        room,
        k_of(meeting.dialogue),
        keyring.is_destroyed(meeting.dialogue_id),
        tuple((sid, changes) for sid, _t, _p, changes in listed),
        tuple((sid, text, position) for sid, text, position, _c in listed),
    )


def _raw(queryset) -> list[tuple]:
    """Rows of a values_list queryset straight from the cursor (no per-row Python objects)."""
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:  # `__in=[]`: a room with no statement yet
        return []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _side_list(sides: dict[str, str] | None, voters: list[str]) -> list[str | None] | None:
    return None if sides is None else [sides.get(p) for p in voters]


def _read_room(meeting: Meeting, key: tuple, listed) -> _Room:
    """Every accepted vote of the room (one query, values straight from the cursor)."""
    ids = [sid for sid, _t, _p, _c in listed]
    rows = _raw(
        Vote.objects.filter(meeting=meeting, statement_id__in=ids).values_list(
            "pseudonym", "statement_id", "value"
        )
    )
    matrix, voters = numbered_matrix(rows, ids)
    sides = sides_by_pseudonym(meeting)
    return _Room(
        key=key,
        listed=listed,
        matrix=matrix,
        voters=voters,
        row_of={p: i for i, p in enumerate(voters)},
        sides=sides,
        side_of=_side_list(sides, voters),
        answers=_dense(matrix),
    )


def _dense(matrix: VoteMatrix) -> np.ndarray:
    answers = np.full(matrix.shape, NO_VOTE, dtype=np.int8)
    answers[matrix.vote_rows, matrix.indices] = matrix.values
    return answers


def _refresh(meeting: Meeting, state: _Room, key: tuple, listed) -> bool:
    """Bring `state` up to `listed` by re-reading the votes of the statements whose change count
    moved. False when that cannot be done in place (a statement came or went, a vote was
    withdrawn, the key or the room changed): the caller reads the room whole."""
    if key[:3] != state.key[:3] or [s[0] for s in listed] != [s[0] for s in state.listed]:
        return False
    before = {sid: changes for sid, _t, _p, changes in state.listed}
    moved = [sid for sid, _t, _p, changes in listed if before[sid] != changes]
    if moved:
        # This process's own votes come from its notes; the rest is re-read whole per statement.
        rows: list[tuple[str, int, int]] = []
        reread: list[int] = []
        for sid, _t, _p, changes in listed:
            if before[sid] == changes:
                continue
            answers = journal.take(sid, before[sid], changes)
            if answers is None or any(value is None for _who, value in answers):
                reread.append(sid)  # another process's votes, or a withdrawal
            else:
                rows.extend((who, sid, value) for who, value in answers)  # type: ignore[misc]  # no None, checked
        noted = len(rows)
        if reread:
            rows += _raw(
                Vote.objects.filter(statement_id__in=reread).values_list(
                    "pseudonym", "statement_id", "value"
                )
            )
        matrix = state.matrix
        newcomers = [p for p in dict.fromkeys(p for p, _s, _v in rows) if p not in state.row_of]
        if newcomers and state.sides is not None and any(p not in state.sides for p in newcomers):
            state.sides = sides_by_pseudonym(meeting)  # perhaps seated since the last read
            state.rows = {}
            if state.sides is None:
                return False
        for p in newcomers:
            state.row_of[p] = len(state.voters)
            state.voters.append(p)
        if state.side_of is not None:
            state.side_of.extend(_side_list(state.sides, newcomers) or [])
        column = matrix.statement_index
        r = np.array([state.row_of[p] for p, _s, _v in rows], dtype=np.int64)
        c = np.array([column[s] for _p, s, _v in rows], dtype=np.int64)
        v = np.array([v for _p, _s, v in rows], dtype=np.int8)
        grow = len(state.voters) - len(state.answers)
        if grow > 0:
            state.answers = np.vstack(
                [state.answers, np.full((grow, matrix.n_statements), NO_VOTE, dtype=np.int8)]
            )
        if noted:
            # A pseudonym may have answered twice since the last read: its last answer counts.
            last = {
                (int(a), int(b)): i
                for i, (a, b) in enumerate(zip(r[:noted].tolist(), c[:noted].tolist(), strict=True))
            }
            keep = np.array(sorted(last.values()) + list(range(noted, len(rows))), dtype=np.int64)
            r, c, v = r[keep], c[keep], v[keep]
        now = state.answers[r, c]
        changed = now != v
        # Each re-read column must hold exactly the votes read: fewer means one was withdrawn
        # (or deleted), which a matrix of votes cannot take back in place.
        reread_cols = [column[s] for s in reread]
        if reread_cols:
            whole = np.isin(c, reread_cols)
            read = np.bincount(c[whole], minlength=matrix.n_statements)
            after = matrix.statement_counts["seen"] + np.bincount(
                c[whole & (now == NO_VOTE)], minlength=matrix.n_statements
            )
            if not np.array_equal(after[reread_cols], read[reread_cols]):
                return False
        if changed.any() or grow > 0:
            state.matrix = matrix.with_votes(
                r[changed],
                c[changed],
                v[changed],
                new_participant_ids=range(matrix.n_participants, len(state.voters)),
            )
            state.answers[r[changed], c[changed]] = v[changed]
            ids = matrix.statement_ids
            for row, col, value in zip(
                r[changed].tolist(), c[changed].tolist(), v[changed].tolist(), strict=True
            ):
                state.pending[(row, int(ids[col]))] = value
            state.fit_behind = True
    state.key, state.listed, state.shown = key, listed, None
    return True


def _room_state(meeting: Meeting) -> _Room:
    """The room's copy, current as of this read (read whole the first time, after that only
    what changed)."""
    listed = _listing(meeting)
    key = _key(meeting, listed)
    with _lock:
        state = _rooms.get(meeting.pk)
    if state is not None:
        with state.lock:
            if state.key == key or _refresh(meeting, state, key, listed):
                state.read_at = time.monotonic()
                return state
    fresh = _read_room(meeting, key, listed)
    ids = {s[0] for s in listed}
    if state is not None and ids & {s[0] for s in state.listed}:
        with state.lock:
            # Shown until the next fit, which is cold: the rows may be numbered anew.
            fresh.fit, fresh.needs_cold = state.fit, True
            fresh.fit_behind = state.fit is not None
            fresh.renumbered = fresh.voters[: len(state.voters)] != state.voters
    with _lock:
        _rooms[meeting.pk] = fresh
        _sweeper.later(True)
    return fresh


def _source(state: _Room) -> EngineInput:
    texts = {sid: text for sid, text, _p, _c in state.listed}
    return EngineInput(state.matrix, state.side_of, texts, [s[0] for s in state.listed])


def _as_of() -> str:
    now = int(time.time())
    return time.strftime("%H:%M:%S UTC", time.gmtime(now - now % 10))


def _cold_fit(
    meeting_id: int, matrix: VoteMatrix, previous: Any | None, timings: dict[str, float]
) -> Any:
    global engine_runs
    engine_runs += 1
    return live.live_analysis(
        matrix,
        conversation=CONVERSATION % meeting_id,
        random_state=SEED,
        previous=previous,
        timings=timings,
    )


def _fit_now(meeting: Meeting, state: _Room, k: int) -> _Fit | None:
    """A fit of the room as it is now, on this thread (a room's first, or a settled read);
    None while there are too few votes."""
    with state.lock:
        matrix, previous = state.matrix, state.previous()
        if _too_few(matrix, k):
            return None
        state.pending, state.needs_cold, state.fit_behind = {}, False, False
    timings: dict[str, float] = {}
    try:
        return _Fit(_cold_fit(meeting.pk, matrix, previous, timings), "", _as_of(), timings)
    except CommonGroundError as err:
        return _Fit(None, _("No opinion groups yet: %(why)s.") % {"why": err}, _as_of())


def fit_in_background(meeting_id: int) -> None:
    """The fit worker's job: continue the room's newest fit with the votes since (the engine's
    live update), or fit it cold when rows went away; then tell the room's watchers. When the
    votes have grown enough to choose the groups again, the regroup worker does that beside
    (regroup_in_background), and a later fit continues from its result (live.catch_up)."""
    global engine_runs
    with _lock:
        state = _rooms.get(meeting_id)
    if state is None:
        return
    with state.lock:
        matrix, previous = state.matrix, state.previous()
        pending = state.pending
        cold = state.needs_cold or previous is None
        state.pending, state.needs_cold, state.fit_behind = {}, False, False
        regrouped, state.regrouped = state.regrouped, None
        k = state.key[1]
    fit: _Fit | None = None
    timings: dict[str, float] = {}
    if not _too_few(matrix, k):
        try:
            if cold or previous is None:
                analysis = _cold_fit(meeting_id, matrix, previous, timings)
            else:
                engine_runs += 1
                known = previous.matrix.statement_index
                analysis = live.update(
                    _caught_up(regrouped, previous),
                    [(r, s, v) for (r, s), v in pending.items()],
                    conversation=CONVERSATION % meeting_id,
                    new_participants=range(previous.matrix.n_participants, matrix.n_participants),
                    new_statements=[s for s in matrix.statement_ids.tolist() if s not in known],
                    random_state=SEED,
                    regroup_when_due=False,
                    timings=timings,
                )
            group_rows_of(analysis, k)  # here, not on the next read
            fit = _Fit(analysis, "", _as_of(), timings)
        except CommonGroundError as err:
            fit = _Fit(None, _("No opinion groups yet: %(why)s.") % {"why": err}, _as_of())
    with state.lock:
        state.fit, state.shown, state.renumbered = fit, None, False
        due = fit is not None and fit.analysis is not None and fit.analysis.regroup_due
        if due and not state.regrouping:
            state.regrouping = True
            regrouper.wanted(meeting_id)
    with _lock:
        current = _rooms.get(meeting_id) is state
    if current:
        # Each process fits its own rooms, so it only needs to wake its own watchers; on
        # PostgreSQL the NOTIFY reaches the others too, whose readers then find their map as is.
        sender = live_updates.backend()
        sender.send(live_updates.meeting_topic(meeting_id))
        if not isinstance(sender, live_updates.InProcess):
            connections.close_all()  # this thread's connection only: it is idle until the next


def _caught_up(regrouped: Any | None, previous: Any) -> Any:
    """The regrouped analysis brought up to ``previous``'s votes, or ``previous`` itself when
    there is none or it does not continue them (the room was read anew meanwhile)."""
    if regrouped is None or previous.grouped_at_votes >= regrouped.grouped_at_votes:
        return previous  # (or the fit itself chose them afresh since, on more votes)
    try:
        return live.catch_up(regrouped, previous, random_state=SEED)
    except CommonGroundError as err:  # the map keeps following its own fit
        log.info("a regroup of %s was dropped: %s", previous.conversation, err)
        return previous


def regroup_in_background(meeting_id: int) -> None:
    """The regroup worker's job: choose the room's groups again (a cold analysis, keeping the
    ids of the groups that persist) on its fit of the moment, while the fit worker goes on
    continuing the fit vote by vote; then ask the fit worker to take the result up."""
    global engine_runs
    with _lock:
        state = _rooms.get(meeting_id)
    if state is None:
        return
    regrouped = None
    try:
        with state.lock:
            snapshot = state.previous()
        if snapshot is not None:
            engine_runs += 1
            regrouped = live.regroup(snapshot, random_state=SEED)
    except CommonGroundError as err:
        log.info("meeting %s keeps its groups: %s", meeting_id, err)
    finally:
        with state.lock:
            state.regrouped, state.regrouping = regrouped, False
    if regrouped is not None:
        worker.wanted(meeting_id)


worker = FitWorker(fit_in_background)
regrouper = FitWorker(regroup_in_background, name="track2-map-regroups")


def room_map(meeting: Meeting, *, settled: bool = False) -> dict:
    """The whole map (facilitators' view), through the small-cell rule, shared by every reader
    until the room changes. Counts and agreement per delegation are always current; opinion
    groups and bridging are the newest background fit's (`groups_as_of`), except for a room's
    first fit and when `settled` (closing a room: the map it keeps), made on this thread.
    A closed off-the-record room answers the map kept at closing."""
    room = Room.objects.filter(meeting=meeting).first()
    if room is not None and room.kept_map is not None:
        # Its votes are gone and its map is the one kept: this process's copy, if it missed
        # the announcement, is of no use again.
        if meeting.pk in _rooms:
            _votes_gone(str(meeting.pk))
        return with_group_labels(room.kept_map)
    shown = _state_map(meeting, settled)[0]
    if settled:
        # The settled map is kept in the room (Room.kept_map) as its votes are deleted: once that
        # commits, every process drops its copy (room_actions.keep_aggregates_only).
        live_updates.announce(live_updates.votes_gone_topic(meeting.pk))
    return shown


def with_group_labels(kept: dict) -> dict:
    """A map kept at closing before the maps carried each group's letter, given its letters
    (from the ids, as a map made today has them); a map that has them is returned as it is.
    `kept` is read afresh from the database on each call, so it is changed in place."""
    rows = [*kept.get("groups", ())]
    rows += [r for s in kept.get("statements", ()) for r in s.get("by_group", ())]
    rows += (kept.get("groups_by_delegation") or {}).get("rows", [])
    for row in rows:
        if "label" not in row:
            row["label"] = group_label(row["id"] if "id" in row else row["group"])
    return kept


def priorities(meeting: Meeting) -> dict[int, float]:
    """The engine's priority of each statement (Pol.is comment priorities: what to show next
    to learn most), from the newest fit; empty until there are opinion groups."""
    return _state_map(meeting, False)[1]


def _state_map(meeting: Meeting, settled: bool) -> tuple[dict, dict[int, float]]:
    state = _room_state(meeting)
    k = state.key[1]
    with state.lock:
        if state.fit is None or (settled and (state.fit_behind or state.needs_cold)):
            fitted = _fit_now(meeting, state, k)
            if fitted is not None or state.fit is None:
                state.fit, state.shown, state.renumbered = fitted, None, False
        elif state.fit_behind and not worker.is_wanted(meeting.pk):
            worker.wanted(meeting.pk)
        fit = state.fit
        if state.shown is None:
            source = _source(state)
            note = _too_few(source.matrix, k)
            analysis = None if note or fit is None else fit.analysis
            if not note and fit is not None:
                note = fit.note
            changes = {sid: c for sid, _t, _p, c in state.listed}
            shown = disclosed_map(
                meeting, source, k, analysis, note, changes=changes, rows=state.rows
            )
            shown["groups_as_of"] = fit.as_of if analysis is not None and fit else None
            shown["groups_current"] = not state.fit_behind
            state.shown = shown
        ranks: dict[int, float] = {}
        analysis = fit.analysis if fit is not None else None
        if analysis is not None:
            ranks = {
                int(sid): float(p)
                for sid, p in zip(
                    analysis.statement_ids.tolist(),
                    analysis.comment_priorities.tolist(),
                    strict=True,
                )
            }
        return state.shown, ranks


def forget(meeting_id: int | None = None) -> bool:
    """Drop the kept copy of one room (or all), its fits asked but not started and the maps
    encoded from it: the next read reads it whole. Whether a copy was dropped."""
    with _lock:
        if meeting_id is None:
            dropped = bool(_rooms)
            _rooms.clear()
        else:
            dropped = _rooms.pop(meeting_id, None) is not None
    worker.drop(meeting_id)
    regrouper.drop(meeting_id)
    _drop_stale_json()
    return dropped


def _votes_gone(meeting: str) -> None:
    """A room's votes were deleted (live.votes_gone_topic, announced by this process or another):
    its copy goes. Logged by meeting number only, never with a title."""
    if meeting.isdigit() and forget(int(meeting)):
        log.info("dropped the kept map of meeting %s: its votes were deleted", meeting)


live_updates.on(live_updates.VOTES_GONE, _votes_gone)


def _sweep() -> None:
    """Drop the copies of meetings deleted since (whoever deleted them) and those nobody read
    for IDLE_SECONDS; while some are left, come back later."""
    with _lock:
        kept = list(_rooms)
    deleted = _deleted(kept)
    oldest = time.monotonic() - IDLE_SECONDS
    with _lock:
        _sweeper.ran()
        gone = [
            meeting_id
            for meeting_id, state in _rooms.items()
            if meeting_id in deleted or state.read_at <= oldest
        ]
        for meeting_id in gone:
            del _rooms[meeting_id]
        _sweeper.later(bool(_rooms))
    for meeting_id in gone:
        worker.drop(meeting_id)
        regrouper.drop(meeting_id)
        if meeting_id in deleted:
            log.info("dropped the kept map of meeting %s: the meeting was deleted", meeting_id)
    _drop_stale_json()


def _deleted(meeting_ids: list[int]) -> set[int]:
    """Which of these meetings no longer exist: one query. On the sweep's own thread its
    connection is closed after it, so that no idle session outlives the sweep."""
    if not meeting_ids:
        return set()
    try:
        found = set(Meeting.objects.filter(pk__in=meeting_ids).values_list("pk", flat=True))
    except DatabaseError:
        # The database is away for a moment: the next sweep asks again (and the idle bound holds).
        log.warning("the map's sweep could not read which meetings still exist", exc_info=True)
        return set()
    finally:
        if isinstance(threading.current_thread(), threading.Timer):
            connection.close()
    return set(meeting_ids) - found


_sweeper = IdleSweep(lambda: SWEEP_SECONDS, _sweep)


def _drop_stale_json() -> None:
    """Let go of the encoded maps (as_json) that no read can be answered with again: any but the
    current map of a kept room (a kept map, a participant's part of one, a map since replaced
    are made anew on each read)."""
    with _lock:
        current = {id(state.shown) for state in _rooms.values() if state.shown is not None}
    with _encoded_lock:
        for key in [k for k, (shown, _data) in _encoded.items() if id(shown) not in current]:
            del _encoded[key]


# --- the map through the small-cell rule ----------------------------------------------------


def _share(agree: int, n: int) -> float | None:
    return round(agree / n, 4) if n else None


@functools.lru_cache(maxsize=65536)
def _shown_rows(table: tuple[tuple[int, ...], ...], k: int) -> tuple[bool, ...]:
    """`suppress(table, k, whole_rows=True).shown_rows`, remembered: a room's tables repeat
    from one change to the next (one vote changes one statement's), and the rule's search for
    derivable cells is the dearest part of a map."""
    return tuple(bool(x) for x in suppress([list(r) for r in table], k, whole_rows=True).shown_rows)


@functools.lru_cache(maxsize=65536)
def _answer_figures(table: tuple[tuple[int, ...], ...], k: int) -> tuple[Figures, ...]:
    """`answer_figures(table, k)`, remembered as :func:`_shown_rows` is."""
    return answer_figures([list(r) for r in table], k)


def _side_rows(agreement: SideAgreement, j: int, k: int) -> tuple[list[dict], bool]:
    # track2.reports.common_ground.visible_sides's table, through the remembered rule.
    shown = _shown_rows(
        tuple(
            (int(agreement.agree[s, j]), int(agreement.n[s, j]) - int(agreement.agree[s, j]))
            for s in range(len(agreement.sides))
        ),
        k,
    )
    rows = []
    for s, side in enumerate(agreement.sides):
        n = int(agreement.n[s, j])
        row: dict[str, Any] = {"side": side, "shown": bool(shown[s])}
        if shown[s]:
            row |= {
                "votes": n,
                "agree_share": _share(int(agreement.agree[s, j]), n),
                "interval": [
                    round(float(agreement.agree_share_low[s, j]), 4),
                    round(float(agreement.agree_share_high[s, j]), 4),
                ],
            }
        rows.append(row)
    return rows, all(shown)


# The rows by opinion group of each statement, per fit and k: they change with the fit only.
_fit_rows: weakref.WeakKeyDictionary[Any, dict[int, dict[int, list[dict]]]] = (
    weakref.WeakKeyDictionary()
)


def _answers_tables(analysis: Any) -> list[tuple[tuple[int, ...], ...]]:
    """Each statement column of a fit as groups × (agree, disagree, pass) counts."""
    agree, disagree, seen = (
        analysis.group_agree.tolist(),
        analysis.group_disagree.tolist(),
        analysis.group_seen.tolist(),
    )
    return [
        tuple(
            (int(a[j]), int(d[j]), int(s[j] - a[j] - d[j]))
            for a, d, s in zip(agree, disagree, seen, strict=True)
        )
        for j in range(len(analysis.statement_ids))
    ]


# What the rule shows of each group on each statement column, per fit and k.
_fit_figures: weakref.WeakKeyDictionary[Any, dict[int, list[tuple[Figures, ...]]]] = (
    weakref.WeakKeyDictionary()
)


def _figures_of(analysis: Any, k: int) -> list[tuple[Figures, ...]]:
    """Statement column → each group's :class:`Figures` under the rule cell by cell (as the
    reports apply it), for this fit."""
    per_k = _fit_figures.setdefault(analysis, {})
    if k not in per_k:
        per_k[k] = [_answer_figures(table, k) for table in _answers_tables(analysis)]
    return per_k[k]


def _answer_rows(table: tuple[tuple[int, ...], ...], answer: int, k: int) -> tuple[bool, ...]:
    """Which groups' share of one answer (0 agree, 1 disagree) the room may show: as for the
    delegations, both those who gave it and those who did not must number 0 or at least k,
    hidden rows protected from the others and the room's totals. A share of 4 in 5 says that
    one member did not agree; a room's readers know each other, and its groups often follow
    the delegations, whose own rows hide that (docs/dialogue-room.md)."""
    return _shown_rows(tuple((row[answer], sum(row) - row[answer]) for row in table), k)


def group_rows_of(analysis: Any, k: int) -> dict[int, list[dict]]:
    """Statement id → its rows by opinion group (small-cell rule) for this fit: each group's
    votes and agree share where the rule shows them (_representative asks for the figures of
    a listed disagree)."""
    per_k = _fit_rows.setdefault(analysis, {})
    if k in per_k:
        return per_k[k]
    sizes = {gid: len(members) for gid, members in analysis.group_members().items()}
    groups = analysis.group_ids.tolist()
    out: dict[int, list[dict]] = {}
    for sid, table, shown in zip(
        analysis.statement_ids.tolist(),
        _answers_tables(analysis),
        _figures_of(analysis, k),
        strict=True,
    ):
        agree_rows = _answer_rows(table, 0, k)
        rows = []
        for g, gid in enumerate(groups):
            visible = shown[g].answer("agree") and agree_rows[g] and sizes.get(int(gid), 0) >= k
            row: dict[str, Any] = {
                "group": int(gid),
                "label": group_label(int(gid)),
                "shown": visible,
            }
            if visible:
                n = sum(table[g])
                row |= {"votes": n, "agree_share": _share(table[g][0], n)}
            rows.append(row)
        out[int(sid)] = rows
    per_k[k] = out
    return out


_fit_summaries: weakref.WeakKeyDictionary[Any, dict[int, tuple]] = weakref.WeakKeyDictionary()


def _rounded(share: float | None) -> float | None:
    return None if share is None else round(share, 4)


def _passes_hidden(analysis: Any, k: int) -> np.ndarray:
    """Groups × statements: where the small-cell rule leaves a group's pass count unknown (its
    votes, agrees or disagrees hidden). A group's pass share leaves those statements out, or
    the sum of its passes would give a hidden one away, as in the reports."""
    columns = _figures_of(analysis, k)
    groups = len(analysis.group_ids)
    return np.array(
        [[not f[g].passes for f in columns] for g in range(groups)],
        dtype=bool,
    ).reshape(groups, len(columns))


def _representative(
    analysis: Any,
    gid: int,
    size: int,
    by_group: dict[int, list[dict]],
    k: int,
    tables: list[tuple[tuple[int, ...], ...]],
) -> list[dict]:
    """What sets group `gid` apart, as the reports list it (the engine's Track 2 rule: Pol.is's
    tests passed and a majority of the group's voters behind the listed answer; a weak fallback
    flagged), but stricter on small cells: a room's readers know each other, so a statement is
    listed only where the group's figures on it pass the small-cell rule, and a group of fewer
    than k people lists none (docs/decisions.md)."""
    if size < k:
        return []
    column = {sid: j for j, sid in enumerate(analysis.statement_ids.tolist())}
    group = analysis.group_ids.tolist().index(gid)
    figures = _figures_of(analysis, k)
    listed = []
    for r in analysis.repness.get(gid, ()):
        row = next((x for x in by_group.get(int(r.statement), []) if x["group"] == gid), None)
        if row is None or not r.n_trials:
            continue
        j = column[int(r.statement)]
        if not figures[j][group].answer(r.repful_for):
            continue
        if not _answer_rows(tables[j], 0 if r.repful_for == "agree" else 1, k)[group]:
            continue
        listed.append(
            {
                "id": int(r.statement),
                "answer": r.repful_for,
                "share": round(r.n_success / r.n_trials, 4),
                "votes": int(r.n_trials),
                "weak": bool(r.weak),
            }
        )
    return listed


_WHOLE_HIDDEN = Figures(votes=False, agree=False, disagree=False)


def _no_group_against(analysis: Any, k: int, sid: Any, sizes: dict[int, int]) -> bool:
    """Whether no opinion group, as far as the room shows its figures, disagreed with statement
    ``sid`` as often as it agreed or more: the bridging intercept is agreement the main divide
    does not explain, and a group off that one axis can still reject the statement (on
    15-per-hour-seattle six of the ten highest, for one group of three). The reports list such
    statements with the group named (track2.reports.consensus); the room leaves them out of its
    short bridging list."""
    j = int(np.flatnonzero(analysis.statement_ids == sid)[0])
    figures = _figures_of(analysis, k)[j]
    gids = analysis.group_ids.tolist()
    verdict = groups_verdict(
        "agree",
        j,
        gids,
        {
            "agree": np.asarray(analysis.group_agree),
            "disagree": np.asarray(analysis.group_disagree),
        },
        np.asarray(analysis.group_seen),
        lambda gid: figures[gids.index(gid)] if sizes.get(gid, 0) >= k else _WHOLE_HIDDEN,
    )
    return not verdict.not_held_by


def _fit_parts(
    analysis: Any | None, k: int
) -> tuple[list[dict], dict[int, list[dict]], list[int], dict[int, float]]:
    """What the map takes from a fit (groups and their sizes, rows by group, bridging), made
    once per fit and k: reads between two fits share them."""
    if analysis is None:
        return [], {}, [], {}
    per_k = _fit_summaries.setdefault(analysis, {})
    if k not in per_k:
        by_group = group_rows_of(analysis, k)
        shares = pass_shares(
            analysis.group_agree,
            analysis.group_disagree,
            analysis.group_seen,
            _passes_hidden(analysis, k) | np.asarray(analysis.excluded, dtype=bool),
        )
        passing = dict(zip(analysis.group_ids.tolist(), shares, strict=True))
        groups = []
        sizes = {}
        tables = _answers_tables(analysis)
        for gid, members in analysis.group_members().items():
            sizes[gid] = len(members)
            big_enough = len(members) >= k
            groups.append(
                {
                    "id": gid,
                    "label": group_label(gid),
                    "size": len(members) if big_enough else None,
                    "representative": _representative(
                        analysis, gid, len(members), by_group, k, tables
                    ),
                    # why a list can be empty: no majority answer anywhere (the engine listed
                    # nothing) or too few of the group's votes to show what it listed
                    "engine_listed": bool(big_enough and analysis.repness.get(gid)),
                    "pass_share": _rounded(passing.get(gid)) if big_enough else None,
                }
            )
        b = analysis.bridging
        # With no divide (every participant's factor one sign) nothing bridges one: the
        # intercepts are then just how widely statements were agreed with.
        top = top_bridging(b, set()) if b.divided else []
        bridging_ids = [
            int(b.statement_ids[j])
            for j in top
            if b.statement_intercept[j] > 0
            and _no_group_against(analysis, k, b.statement_ids[j], sizes)
        ]
        intercept = {
            int(s): float(v)
            for s, v in zip(b.statement_ids.tolist(), b.statement_intercept.tolist(), strict=True)
        }
        per_k[k] = (groups, by_group, bridging_ids, intercept)
    groups, by_group, bridging_ids, intercept = per_k[k]
    return [dict(g) for g in groups], by_group, bridging_ids, intercept


_fit_crossed: weakref.WeakKeyDictionary[Any, dict[tuple[int, int], dict | None]] = (
    weakref.WeakKeyDictionary()
)


def _groups_by_delegation(analysis: Any | None, source: EngineInput, k: int) -> dict | None:
    """For each opinion group, the delegations that make up at least a fifth of it and k of its
    voters (None: too few to say), so whether the groups follow the delegations or cut across
    them, with no count (`cells.drawn_on` says why); None without a fit or without two
    delegations. The fit does not hold the sides (they are the
    key's, computed per read as for agreement per delegation), so its participants are looked
    up in the room's rows; made once per fit, k and number of rows."""
    if analysis is None or source.side_of is None:
        return None
    memo = _fit_crossed.setdefault(analysis, {})
    key = (k, len(source.side_of))
    if key not in memo:
        row_of = source.matrix.participant_index
        sides = [
            source.side_of[row_of[p]] if p in row_of else None
            for p in analysis.participant_ids.tolist()
        ]
        try:
            crossed = groups_by_side(analysis.group_labels, analysis.group_ids.tolist(), sides)
        except SidesError:
            memo[key] = None
            return None
        names = drawn_names(crossed.table(), crossed.sides, k)
        memo[key] = {
            "rows": [
                {"group": gid, "label": group_label(gid), "delegations": drawn}
                for gid, drawn in zip(crossed.group_ids, names, strict=True)
            ],
        }
    return memo[key]


def _too_few(matrix: VoteMatrix, k: int) -> str:
    """Why the room has no opinion groups yet ("" when it has votes enough for a fit)."""
    voters = int(np.count_nonzero(matrix.votes_per_participant))
    voted = int(np.count_nonzero(matrix.statement_counts["seen"]))
    if voters < 2 * k or voted < 2:
        return _(
            "Too few votes yet: opinion groups appear once at least %(n)d people have voted on "
            "two statements or more (%(voters)d so far)."
        ) % {"n": 2 * k, "voters": voters}
    return ""


def _sides(
    source: EngineInput, columns: list[int] | None = None
) -> tuple[SideAgreement | None, str]:
    if source.side_of is None:
        return None, _(
            "Agreement per delegation is no longer available: the dialogue's key was destroyed."
        )
    try:
        chosen = None if columns is None else np.asarray(columns, dtype=np.int64)
        return agreement_by_side(source.matrix, source.side_of, statements=chosen), ""
    except SidesError:
        return None, _("Agreement per delegation appears once two delegations have voted.")


def _own_figures(
    source: EngineInput, k: int, stale: list[int], column: dict[int, int]
) -> tuple[dict[int, dict], tuple[str, ...] | None, str]:
    """The figures of each statement in `stale` that depend on its own votes only: counts,
    rows by delegation and the label (None: too few in a cell to say), for disclosed_map."""
    counts = source.matrix.statement_counts
    agreement, sides_note = _sides(source, [column[sid] for sid in stale])
    out: dict[int, dict] = {}
    for i, sid in enumerate(stale):
        j = column[sid]
        n = int(counts["seen"][j])
        figures: dict[str, Any] = {}
        if n >= k:
            figures |= {
                "votes": n,
                "agree": int(counts["agree"][j]),
                "disagree": int(counts["disagree"][j]),
                "pass": n - int(counts["agree"][j]) - int(counts["disagree"][j]),
            }
        else:
            figures |= {"votes": None, "agree": None, "disagree": None, "pass": None}
        figures["label"] = TOO_FEW_YET if n < k else TOO_FEW_VOTES
        if agreement is not None:
            by_side, all_shown = _side_rows(agreement, i, k)
            figures["by_side"] = by_side
            # A label says something about every side: only when every side may be shown.
            if all_shown and n >= k:
                figures["label"] = agreement.labels[i]
                figures["p_common_ground"] = round(float(agreement.p_common_ground[i]), 4)
                figures["p_divisive"] = round(float(agreement.p_divisive[i]), 4)
        else:
            figures["by_side"] = []
        out[sid] = figures
    return out, (agreement.sides if agreement is not None else None), sides_note


def disclosed_map(
    meeting: Meeting,
    source: EngineInput,
    k: int,
    analysis: Any | None,
    groups_note: str,
    *,
    changes: dict[int, int] | None = None,
    rows: dict | None = None,
) -> dict:
    """The map through the small-cell rule. With `changes` (statement id → change count) and
    `rows` (the room's cache, filled here), only statements whose count moved since their
    figures were made are recomputed; the rest are taken as they were."""
    matrix = source.matrix
    column = {sid: j for j, sid in enumerate(matrix.statement_ids.tolist())}
    cache: dict = rows if rows is not None and changes is not None else {}
    stamp = changes or {}
    stale = [sid for sid in source.order if cache.get(sid, (None,))[0] != stamp.get(sid, -1)]
    # Rows are shared by every map made from this cache: readers never change them.
    if stale or "sides" not in cache:
        fresh, side_names, sides_note = _own_figures(source, k, stale, column)
        if side_names != cache.get("sides", side_names) and len(stale) < len(source.order):
            # A delegation voted for the first time: every statement's rows change shape.
            cache.clear()
            stale = list(source.order)
            fresh, side_names, sides_note = _own_figures(source, k, stale, column)
        for sid, figures in fresh.items():
            cache[sid] = (stamp.get(sid, -1), figures)
        cache["sides"], cache["sides_note"] = side_names, sides_note
    side_names, sides_note = cache["sides"], cache["sides_note"]
    groups, by_group, bridging_ids, intercept = _fit_parts(analysis, k)
    crossed = _groups_by_delegation(analysis, source, k)
    for group in groups:  # the texts as they read now (a typo fixed since the fit)
        group["representative"] = [
            r | {"text": source.texts[r["id"]]}
            for r in group["representative"]
            if r["id"] in source.texts
        ]
    statements = []
    for sid in source.order:
        stamp_of, figures, *made = cache[sid]
        # The row as last made, when neither its votes, its text nor the fit moved since.
        if made and made[0] is analysis and made[1]["text"] == source.texts[sid]:
            statements.append(made[1])
            continue
        row: dict[str, Any] = {"id": int(sid), "text": source.texts[sid]}
        row |= {key: figures[key] for key in ("votes", "agree", "disagree", "pass")}
        row["by_side"] = [dict(r) for r in figures["by_side"]]
        if "p_common_ground" in figures:
            row["p_common_ground"] = figures["p_common_ground"]
            row["p_divisive"] = figures["p_divisive"]
        row["label"] = figures["label"]
        row["by_group"] = [] if analysis is None else [dict(r) for r in by_group.get(sid, [])]
        if not _sides_all_shown(figures):
            # A room's groups often follow its delegations (groups_by_delegation says so), so
            # a group's share could be a hidden delegation's own: where one delegation's row is
            # hidden, so are the groups'.
            row["by_group"] = [
                {"group": r["group"], "label": r["label"], "shown": False} for r in row["by_group"]
            ]
        counted = figures["votes"] is not None
        row["bridging"] = round(intercept[sid], 4) if sid in intercept and counted else None
        cache[sid] = (stamp_of, figures, analysis, row)
        statements.append(row)
    hidden_by_side = {s["id"] for s in statements if not _sides_all_shown(s)}
    for group in groups:  # nor is a statement listed by its group's share there
        group["representative"] = [
            r for r in group["representative"] if r["id"] not in hidden_by_side
        ]
    voters = int(np.count_nonzero(matrix.votes_per_participant))
    return {
        "status_line": STATUS_LINE,
        "meeting": meeting.pk,
        "attribution_mode": meeting.attribution_mode,
        "k": k,
        "state": "groups" if analysis is not None else "too_few_votes",
        "message": groups_note or (TOO_FEW_YET if voters < k else ""),
        # False: no number of groups predicted held-out people's votes better than one group,
        # so the groups are the fewest the engine draws, not ones the votes show (null: no fit)
        "groups_beat_one_group": None if analysis is None else analysis.groups.beats_one_group,
        # {"k", "other"}: the number of groups fitted and the one its choice nearly went to
        # (Track2Groups.close_calls; null when neither was near the bar)
        "groups_close_call": None if analysis is None else close_call(analysis.groups),
        "sides_note": sides_note,
        "voters": voters,
        "votes": int(matrix.n_votes),
        "sides": list(side_names) if side_names is not None else [],
        "groups": groups,
        "groups_by_delegation": crossed,
        "statements": statements,
        "common_ground": [s["id"] for s in statements if s["label"] == COMMON_GROUND],
        "divisive": [s["id"] for s in statements if s["label"] == DIVISIVE],
        "bridging": [sid for sid in bridging_ids if _counted(statements, sid, k)],
    }


def _sides_all_shown(figures: dict) -> bool:
    return all(r["shown"] for r in figures["by_side"])


def _counted(statements: Sequence[dict], sid: int, k: int) -> bool:
    return any(s["id"] == sid and s["votes"] is not None for s in statements)


# --- who sees which part of the map ---------------------------------------------------------


def map_for(ctx) -> dict:
    """The map as the caller may see it (`RoomAccess.map_refusal` says who may): after voting,
    a participant sees the statements they voted on."""
    from track2.errors import NotPermitted

    refusal = ctx.map_refusal
    if refusal is not None:
        raise NotPermitted(refusal)
    full = room_map(ctx.meeting)
    if ctx.has("rapporteur") or ctx.room.results != Room.Results.AFTER_VOTE:
        return full
    try:
        voted = set(
            Vote.objects.filter(meeting=ctx.meeting, pseudonym=ctx.pseudonym()).values_list(
                "statement_id", flat=True
            )
        )
    except keyring.KeyDestroyed:
        voted = set()
    return only_statements(full, voted)


_encoded: dict[int, tuple[dict, bytes]] = {}  # id(map) → (the map, its JSON); the map held
_encoded_lock = threading.Lock()


def as_json(shown: dict) -> bytes:
    """The map's JSON, as the API's renderer writes it (`json.dumps`), encoded once per map:
    every facilitator watching a room reads the same map object until the room changes, and
    writing 300 statements' rows was a sixth of a read. The newest few maps are kept (each
    held, so an id is never reused while it is a key)."""
    with _encoded_lock:
        kept = _encoded.get(id(shown))
        if kept is not None and kept[0] is shown:
            return kept[1]
    data = json.dumps(shown).encode()
    with _encoded_lock:
        _encoded[id(shown)] = (shown, data)
        while len(_encoded) > 64:
            del _encoded[next(iter(_encoded))]
    return data


def only_statements(full: dict, wanted: set[int]) -> dict:
    """The map restricted to some statements (the rest are not listed at all)."""
    return {
        **full,
        "only_voted": True,  # the lists below hold the statements the reader voted on
        # a statement's results follow a vote on it; how the groups split the delegations is
        # a result about the whole room, not about the statements the reader voted on
        "groups_by_delegation": None,
        "groups": [
            g | {"representative": [r for r in g["representative"] if r["id"] in wanted]}
            if "representative" in g
            else g
            for g in full["groups"]
        ],
        "statements": [s for s in full["statements"] if s["id"] in wanted],
        "common_ground": [i for i in full["common_ground"] if i in wanted],
        "divisive": [i for i in full["divisive"] if i in wanted],
        "bridging": [i for i in full["bridging"] if i in wanted],
    }
