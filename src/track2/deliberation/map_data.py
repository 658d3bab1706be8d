"""The common-ground map of a meeting: engine input from the room's votes, and the map's data
after the small-cell rule.

The side of a vote is never stored: the map computes the pseudonym of every seated member of
each delegation with the dialogue's key and looks votes up by it, in memory, for this map only.
Every figure that breaks the room down (by delegation, by opinion group) goes through
`track2.disclosure.cells.suppress` with complementary suppression; the room's own count of a
statement is shown from k votes. "Too few votes yet" is the map's normal first state.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db.models import Count, F, Q, Sum
from django.utils.translation import gettext as _

from track2 import keyring
from track2.commonground import CommonGroundError, VoteMatrix
from track2.commonground.sides import (
    COMMON_GROUND,
    DIVISIVE,
    TOO_FEW_VOTES,
    SideAgreement,
    SidesError,
    agreement_by_side,
)
from track2.commonground.track2_analysis import Track2Analysis, analyze_track2
from track2.deliberation.models import Room, Statement, StatementEdit, Vote
from track2.dialogues.models import Delegation, DelegationMember, Meeting
from track2.disclosure.cells import suppress
from track2.disclosure.site import k_of
from track2.disclosure.status import STATUS_LINE
from track2.reports.common_ground import top_bridging, visible_sides

TOO_FEW_YET = "too few votes yet"
SEED = 0  # the engine is deterministic given its seed: the same votes give the same map


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
    rows = DelegationMember.objects.filter(
        dialogue_id=meeting.dialogue_id, delegation__kind=Delegation.Kind.SIDE
    ).values_list("person_id", "delegation__name")
    try:
        return {keyring.pseudonym(meeting.dialogue_id, pid): name for pid, name in rows}
    except keyring.KeyDestroyed:
        return None


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
    listed = list(accepted(meeting).order_by("position", "id").values_list("id", "text"))
    statements = dict(listed)
    matrix, voters = numbered_matrix(accepted_votes(meeting), list(statements))
    sides = sides_by_pseudonym(meeting)
    side_of = None if sides is None else [sides.get(p) for p in voters]
    return EngineInput(matrix, side_of, statements, [sid for sid, _t in listed])


# --- the engine, cached per state of the room -----------------------------------------------

_lock = threading.Lock()
# meeting id → (fingerprint, map as shown, the engine's priority of each statement id)
_cache: dict[int, tuple[tuple, dict, dict[int, float]]] = {}


def fingerprint(meeting: Meeting) -> tuple:
    """Changes whenever a vote, an accepted statement, a typo fix or the room's state changes
    (a swap of two answers between two reads is caught by the next vote)."""
    votes = Vote.objects.filter(meeting=meeting).aggregate(
        n=Count("id"),
        agree=Count("id", filter=Q(value=Vote.AGREE)),
        disagree=Count("id", filter=Q(value=Vote.DISAGREE)),
    )
    # Ids reduced first: a sum of thousands of 53-bit ids would overflow a 64-bit integer.
    shown = accepted(meeting).aggregate(n=Count("id"), ids=Sum(F("id") % 1_000_003))
    edits = StatementEdit.objects.filter(statement__meeting=meeting).count()
    room = Room.objects.filter(meeting=meeting).values_list("status", flat=True).first()
    return (
        *votes.values(),
        *shown.values(),
        edits,
        room,
        keyring.is_destroyed(meeting.dialogue_id),
    )


def room_map(meeting: Meeting) -> dict:
    """The whole map (facilitators' view), through the small-cell rule; cached until the room
    changes. A closed off-the-record room answers the map kept at closing."""
    room = Room.objects.filter(meeting=meeting).first()
    if room is not None and room.kept_map is not None:
        return room.kept_map
    return _cached(meeting)[1]


def priorities(meeting: Meeting) -> dict[int, float]:
    """The engine's priority of each statement (Pol.is comment priorities: what to show next
    to learn most); empty until there are opinion groups."""
    return _cached(meeting)[2]


def _cached(meeting: Meeting) -> tuple[tuple, dict, dict[int, float]]:
    key = fingerprint(meeting)
    with _lock:
        cached = _cache.get(meeting.pk)
    if cached is not None and cached[0] == key:
        return cached
    source = engine_input(meeting)
    k = k_of(meeting.dialogue)
    analysis, note = _analysis(source, k)
    built = disclosed_map(meeting, source, k, analysis, note)
    ranks: dict[int, float] = {}
    if analysis is not None:
        ranks = {
            int(sid): float(p)
            for sid, p in zip(
                analysis.statement_ids.tolist(), analysis.comment_priorities.tolist(), strict=True
            )
        }
    entry = (key, built, ranks)
    with _lock:
        _cache[meeting.pk] = entry
    return entry


# --- the map through the small-cell rule ----------------------------------------------------


def _share(agree: int, n: int) -> float | None:
    return round(agree / n, 4) if n else None


def _side_rows(agreement: SideAgreement, j: int, k: int) -> tuple[list[dict], bool]:
    shown = visible_sides(agreement, j, k)
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


def _group_rows(analysis: Track2Analysis, sid: int, k: int, sizes: dict[int, int]) -> list[dict]:
    columns = {s: j for j, s in enumerate(analysis.statement_ids.tolist())}
    if sid not in columns:
        return []
    j = columns[sid]
    groups = analysis.group_ids.tolist()
    table = [
        [
            int(analysis.group_agree[g, j]),
            int(analysis.group_disagree[g, j]),
            int(analysis.group_seen[g, j])
            - int(analysis.group_agree[g, j])
            - int(analysis.group_disagree[g, j]),
        ]
        for g in range(len(groups))
    ]
    shown = suppress(table, k, whole_rows=True).shown_rows
    rows = []
    for g, gid in enumerate(groups):
        visible = bool(shown[g]) and sizes.get(int(gid), 0) >= k
        row: dict[str, Any] = {"group": int(gid), "shown": visible}
        if visible:
            n = sum(table[g])
            row |= {"votes": n, "agree_share": _share(table[g][0], n)}
        rows.append(row)
    return rows


def _analysis(source: EngineInput, k: int) -> tuple[Track2Analysis | None, str]:
    voters = int(np.count_nonzero(source.matrix.votes_per_participant))
    voted = int(np.count_nonzero(source.matrix.statement_counts["seen"]))
    if voters < 2 * k or voted < 2:
        return None, _(
            "Too few votes yet: opinion groups appear once at least %(n)d people have voted on "
            "two statements or more (%(voters)d so far)."
        ) % {"n": 2 * k, "voters": voters}
    try:
        return analyze_track2(source.matrix, random_state=SEED), ""
    except CommonGroundError as err:
        # Shown as it is: a wrong map is worse than none (STYLE.md §3).
        return None, _("No opinion groups yet: %(why)s.") % {"why": err}


def _sides(source: EngineInput) -> tuple[SideAgreement | None, str]:
    if source.side_of is None:
        return None, _(
            "Agreement per delegation is no longer available: the dialogue's key was destroyed."
        )
    try:
        return agreement_by_side(source.matrix, source.side_of), ""
    except SidesError:
        return None, _("Agreement per delegation appears once two delegations have voted.")


def disclosed_map(
    meeting: Meeting,
    source: EngineInput,
    k: int,
    analysis: Track2Analysis | None,
    groups_note: str,
) -> dict:
    matrix = source.matrix
    counts = matrix.statement_counts
    agreement, sides_note = _sides(source)
    sizes: dict[int, int] = {}
    groups: list[dict] = []
    if analysis is not None:
        for gid, members in analysis.group_members().items():
            sizes[gid] = len(members)
            groups.append({"id": gid, "size": len(members) if len(members) >= k else None})
    bridging_ids: list[int] = []
    intercept: dict[int, float] = {}
    if analysis is not None:
        b = analysis.bridging
        bridging_ids = [
            int(b.statement_ids[j]) for j in top_bridging(b, set()) if b.statement_intercept[j] > 0
        ]
        intercept = {
            int(s): float(v)
            for s, v in zip(b.statement_ids.tolist(), b.statement_intercept.tolist(), strict=True)
        }
    statements = []
    column = {sid: j for j, sid in enumerate(matrix.statement_ids.tolist())}
    for sid in source.order:
        j = column[sid]
        n = int(counts["seen"][j])
        row: dict[str, Any] = {"id": int(sid), "text": source.texts[sid]}
        if n >= k:
            row |= {
                "votes": n,
                "agree": int(counts["agree"][j]),
                "disagree": int(counts["disagree"][j]),
                "pass": n - int(counts["agree"][j]) - int(counts["disagree"][j]),
            }
        else:
            row |= {"votes": None, "agree": None, "disagree": None, "pass": None}
        label = TOO_FEW_YET if n < k else TOO_FEW_VOTES
        if agreement is not None:
            by_side, all_shown = _side_rows(agreement, j, k)
            row["by_side"] = by_side
            # A label says something about every side: only when every side may be shown.
            if all_shown and n >= k:
                label = agreement.labels[j]
                row["p_common_ground"] = round(float(agreement.p_common_ground[j]), 4)
                row["p_divisive"] = round(float(agreement.p_divisive[j]), 4)
        else:
            row["by_side"] = []
        row["label"] = label
        row["by_group"] = [] if analysis is None else _group_rows(analysis, sid, k, sizes)
        row["bridging"] = round(intercept[sid], 4) if sid in intercept and n >= k else None
        statements.append(row)
    voters = int(np.count_nonzero(matrix.votes_per_participant))
    return {
        "status_line": STATUS_LINE,
        "meeting": meeting.pk,
        "attribution_mode": meeting.attribution_mode,
        "k": k,
        "state": "groups" if analysis is not None else "too_few_votes",
        "message": groups_note or (TOO_FEW_YET if voters < k else ""),
        "sides_note": sides_note,
        "voters": voters,
        "votes": int(matrix.n_votes),
        "sides": list(agreement.sides) if agreement is not None else [],
        "groups": groups,
        "statements": statements,
        "common_ground": [s["id"] for s in statements if s["label"] == COMMON_GROUND],
        "divisive": [s["id"] for s in statements if s["label"] == DIVISIVE],
        "bridging": [sid for sid in bridging_ids if _counted(statements, sid, k)],
    }


def _counted(statements: Sequence[dict], sid: int, k: int) -> bool:
    return any(s["id"] == sid and s["votes"] is not None for s in statements)


# --- who sees which part of the map ---------------------------------------------------------


def map_for(ctx) -> dict:
    """The map as the caller may see it: facilitators and rapporteurs always; the room as the
    facilitators chose (never / after voting on a statement / always / after the meeting)."""
    from track2.access import has_need
    from track2.errors import NotPermitted

    room = ctx.room
    full = room_map(ctx.meeting)
    if has_need(ctx.roles, "rapporteur"):
        return full
    if room.results == Room.Results.ALWAYS:
        return full
    if room.results == Room.Results.AFTER_MEETING:
        if room.is_open:
            raise NotPermitted(
                _("The facilitators show the results to the room after the meeting.")
            )
        return full
    if room.results == Room.Results.NEVER:
        raise NotPermitted(_("The facilitators keep this meeting's results to themselves."))
    if not ctx.is_participant:
        raise NotPermitted(_("The room sees a statement's results after voting on it."))
    try:
        voted = set(
            Vote.objects.filter(meeting=ctx.meeting, pseudonym=ctx.pseudonym()).values_list(
                "statement_id", flat=True
            )
        )
    except keyring.KeyDestroyed:
        voted = set()
    return only_statements(full, voted)


def only_statements(full: dict, wanted: set[int]) -> dict:
    """The map restricted to some statements (the rest are not listed at all)."""
    return {
        **full,
        "statements": [s for s in full["statements"] if s["id"] in wanted],
        "common_ground": [i for i in full["common_ground"] if i in wanted],
        "divisive": [i for i in full["divisive"] if i in wanted],
        "bridging": [i for i in full["bridging"] if i in wanted],
    }
