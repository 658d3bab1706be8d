"""What a viewer reads of a meeting's floor: one dict for the console page and the API alike.

Names appear only where `ctx.sees_names` allows (the attribution mode and who is present);
otherwise a hand or a turn shows its delegation, and off the record not even that to outsiders
of the room: a queue entry is then a place and a flag.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from track2.access import NotFound
from track2.access.facilitation import FloorAccess
from track2.dialogues.models import AttributionMode
from track2.disclosure.status import STATUS_LINE
from track2.facilitation import actions
from track2.facilitation.models import Floor, Hand, ItemInterval, Turn
from track2.meetings.models import AgendaItem


def clock(seconds: int) -> str:
    """Seconds as minutes:seconds ("27:52", "61:01"), as clock.js writes them between updates:
    the page shows the same figure before and after the script takes over."""
    seconds = max(0, int(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


def spoken_seconds(turn: Turn, now: datetime | None = None) -> int:
    """A turn's length, up to now while it runs."""
    return round(((turn.ended_at or now or timezone.now()) - turn.started_at).total_seconds())


def _shows(ctx: FloorAccess) -> tuple[bool, bool]:
    """Whether this viewer reads names, and delegations, in the queue and of the speaker."""
    show_names = ctx.sees_names
    # Off the record, those outside the room do not even learn which side waits to speak.
    return show_names, show_names or ctx.meeting.attribution_mode != AttributionMode.OFF_RECORD


def who(ctx: FloorAccess, row, delegations: dict[int, str]) -> dict:
    """A hand or a turn as this viewer may read it: name and delegation, or less."""
    show_names, show_sides = _shows(ctx)
    own_person = ctx.own_seat.person_id if ctx.own_seat else None
    return {
        "name": row.person.full_name if show_names else None,
        "delegation": delegations.get(row.delegation_id) if show_sides else None,
        "is_you": row.person_id == own_person,
    }


def who_words(ctx: FloorAccess, row) -> str:
    """A hand or a turn in a sentence ("Floor given to …"), naming only what `who` shows."""
    found = who(ctx, row, {d.pk: d.name for d in ctx.dialogue.delegations.all()})
    if found["name"] and found["delegation"]:
        return f"{found['name']} ({found['delegation']})"
    if found["name"]:
        return found["name"]
    if found["delegation"]:
        return _("a member of %(delegation)s") % {"delegation": found["delegation"]}
    return _("a participant")


def hand_words(ctx: FloorAccess, hand_id: int) -> str:
    """A raised hand in a sentence, by its id (a hand lowered meanwhile: "a participant")."""
    hand = Hand.objects.filter(meeting=ctx.meeting, pk=hand_id).select_related("person").first()
    return who_words(ctx, hand) if hand is not None else _("a participant")


def closing_keeps(meeting) -> str:
    """What closing the floor keeps of the turns, in the meeting's attribution mode (said before
    the button and after the act)."""
    mode = meeting.attribution_mode
    if mode == AttributionMode.CHATHAM_HOUSE:
        return _(
            "Who spoke is deleted: only seconds and turns per delegation and per agenda item are "
            "kept."
        )
    if mode == AttributionMode.OFF_RECORD:
        return _("Who spoke is deleted: only seconds and turns per delegation are kept.")
    return _("Every turn is kept (who spoke, when, on which item): the meeting is on the record.")


def _item(item: AgendaItem | None, now: datetime) -> dict | None:
    if item is None:
        return None
    elapsed = round(actions.elapsed_seconds(item.pk, now))
    planned = item.duration_minutes * 60
    return {
        "id": item.pk,
        "position": item.position,
        "title": item.title,
        "planned_seconds": planned,
        "planned_minutes": item.duration_minutes,
        "elapsed_seconds": elapsed,
        "overrun_seconds": max(0, elapsed - planned),
    }


def floor_for(ctx: FloorAccess, now: datetime | None = None) -> dict:
    now = now or timezone.now()
    meeting = ctx.meeting
    floor = Floor.objects.filter(meeting=meeting).select_related("current_item").first()
    current = floor.current_item if floor else None
    running = bool(
        current and current.intervals.filter(ended_at__isnull=True).exists()  # type: ignore[attr-defined]  # a reverse relation the stubs do not see
    )
    if current is not None:
        next_item = actions._next_item(meeting, current)
    elif ItemInterval.objects.filter(meeting=meeting).exists():
        next_item = None  # the agenda has been gone through
    else:
        next_item = actions._next_item(meeting, None)
    names = {d.pk: d.name for d in ctx.dialogue.delegations.all()}
    queue = [
        {
            "id": hand.pk,
            "place": place,
            "direct_response": hand.is_direct_response,
            **who(ctx, hand, names),
        }
        for place, hand in enumerate(
            Hand.objects.filter(meeting=meeting).select_related("person").order_by("position"), 1
        )
    ]
    turn = (
        Turn.objects.filter(meeting=meeting, ended_at__isnull=True).select_related("person").first()
    )
    limit = floor.turn_limit_seconds if floor else None
    speaking = None
    if turn is not None:
        spoken = spoken_seconds(turn, now)
        speaking = {
            **who(ctx, turn, names),
            "seconds": spoken,
            "over_limit": limit is not None and spoken > limit,
        }
    until = floor.caucus_break_until if floor else None
    over = actions.is_over(ctx, floor, now)
    has_started = meeting.starts_at <= now
    state = {
        "caucus_break": {
            "until": until.isoformat(),
            "seconds_left": max(0, round((until - now).total_seconds())),
        }
        if until and until > now
        else None,
        "own_caucus_delegation_id": own_caucus(ctx),
        "invited_caucuses": invited_caucuses(ctx),
        "is_over": over,
        "is_closed": bool(floor and floor.closed_at),
        # Before its start a meeting has nobody present: `present` then lists who confirmed.
        "has_started": has_started,
        "may_close": ctx.may_facilitate and actions.close_refusal(ctx, floor, now) is None,
        "current_item": _item(current, now),
        "is_running": running,
        "next_item": _item(next_item, now) if next_item else None,
        "turn_limit_seconds": limit,
        "speaking": speaking,
        "queue": queue,
        "your_hand": next((h for h in queue if h["is_you"]), None),
        "may_raise_hand": ctx.may_speak,
        # Who is present is the live meeting's: once it is over the floor names nobody.
        "present": present_list(ctx, names) if ctx.sees_present and not over else None,
        "balance": balance_dict(ctx, now) if ctx.sees_balance else None,
        "status_line": STATUS_LINE,
    }
    return state


def present_list(ctx: FloorAccess, delegations: dict[int, str]) -> list[dict]:
    """Who is present (on the list, confirmed or attended: not invited only, declined or absent),
    by delegation then name; before the meeting starts, who has confirmed."""
    from track2.access.meetings import CONFIRMED_STATUSES
    from track2.dialogues.models import DelegationMember
    from track2.meetings.models import MeetingParticipant

    delegation_of = dict(
        DelegationMember.objects.filter(dialogue=ctx.dialogue).values_list(
            "person_id", "delegation_id"
        )
    )
    rows = [
        {"name": name, "delegation": delegations.get(delegation_of.get(pid, 0))}
        for pid, name in MeetingParticipant.objects.filter(
            meeting=ctx.meeting, status__in=CONFIRMED_STATUSES
        ).values_list("person_id", "person__full_name")
    ]
    return sorted(rows, key=lambda r: (r["delegation"] or "", r["name"]))


def balance_dict(ctx: FloorAccess, now: datetime | None = None) -> dict:
    found = actions.balance_of(ctx.meeting, now)
    titles = {str(i.pk): i.title for i in AgendaItem.objects.filter(meeting=ctx.meeting)}

    def by_side(key: str) -> list[dict]:
        """The item's figures in the sides' order (a table row; the dicts below are keyed)."""
        seconds, turns = found.seconds_by_item.get(key, {}), found.turns_by_item.get(key, {})
        return [
            {
                "delegation": s.side,
                "seconds": round(seconds.get(s.side, 0)),
                "turns": turns.get(s.side, 0),
            }
            for s in found.sides
        ]

    return {
        "sides": [
            {
                "delegation": s.side,
                "seconds": round(s.seconds),
                "turns": s.turns,
                "present": s.present,
                "share_of_time": round(s.share_of_time, 3),
                "share_of_turns": round(s.share_of_turns, 3),
                "share_present": round(s.share_present, 3),
                "dominates": s.dominates,
            }
            for s in found.sides
        ],
        "by_item": [
            {
                "item": titles.get(key, key),
                "seconds": {side: round(v) for side, v in row.items()},
                "turns": dict(found.turns_by_item.get(key, {})),
                "by_side": by_side(key),
            }
            for key, row in found.seconds_by_item.items()
        ],
        "outside_agenda_seconds": round(found.outside_agenda),
        "warning": _warning(found.dominant),
    }


def _warning(dominant: tuple[str, ...]) -> str | None:
    if not dominant:
        return None
    return _(
        "%(sides)s has spoken well beyond its share of the people present: consider giving "
        "the floor to the other side(s)."
    ) % {"sides": ", ".join(dominant)}


def own_caucus(ctx: FloorAccess) -> int | None:
    """The delegation whose caucus this viewer may enter (a side they are seated in), or None."""
    from track2.dialogues.models import Delegation

    seat = ctx.meeting_access.dialogue_access.own_seat
    if seat is None or seat.delegation.kind != Delegation.Kind.SIDE:
        return None
    return seat.delegation_id


def invited_caucuses(ctx: FloorAccess) -> list[dict]:
    """The caucuses whose delegations invited the facilitators in (facilitators only)."""
    from track2.facilitation.models import Caucus

    if not ctx.may_facilitate:
        return []
    return [
        {"delegation_id": c.delegation_id, "delegation": c.delegation.name}
        for c in Caucus.objects.filter(meeting=ctx.meeting, are_facilitators_invited=True)
        .select_related("delegation")
        .order_by("delegation__name")
    ]


def room_panel(ctx: FloorAccess, user) -> dict | None:
    """The room's statements and map as the facilitator's console embeds them: loaded through
    `access_room` and `map_data.map_for` — the same access and small-cell path as the room's
    own map page — or None for a viewer who does not run the floor or may not read the room."""
    from track2.access.room import access_room
    from track2.deliberation import map_data
    from track2.deliberation import queries as room_queries
    from track2.deliberation.chart import chart_of
    from track2.errors import NotPermitted

    if not ctx.may_facilitate:
        return None
    try:
        room_ctx = access_room(user, ctx.dialogue.pk, ctx.meeting.pk, need="facilitator")
    except NotFound:
        return None
    shown, refusal = None, None
    try:
        shown = map_data.map_for(room_ctx)
    except NotPermitted as err:
        refusal = err.message
    return {
        "room": room_ctx.room,
        "map": shown,
        "refusal": refusal,
        "chart": chart_of(shown) if shown else None,
        "waiting": room_queries.moderation_queue(room_ctx.meeting).count(),
    }
