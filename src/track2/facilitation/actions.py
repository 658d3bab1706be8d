"""Every write on a meeting's floor, each a `check_*` (load through access, enforce every rule,
collect every problem) and a `do_*` (write, in one transaction, announce on the meeting's topic).

Hands and turns are not written to the audit trail: under the Chatham House Rule who spoke is
deleted when the floor closes, and an audit entry would keep it. Timer changes, the turn limit
and closing the floor are facilitators' acts and are recorded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from track2 import live
from track2.access.facilitation import FloorAccess, access_floor
from track2.access.meetings import CONFIRMED_STATUSES
from track2.audit import record as audit
from track2.dialogues.models import AttributionMode
from track2.errors import ActionRefused, NotPermitted, Problems
from track2.facilitation import balance as balance_maths
from track2.facilitation.models import (
    MAX_TURN_LIMIT,
    Floor,
    Hand,
    ItemInterval,
    SpeakingTotal,
    Turn,
)
from track2.meetings.models import AgendaItem, MeetingParticipant
from track2.validation import MAX_ID

TIMER_ACTIONS = ("start", "pause", "resume", "next")
MAX_HANDS_ORDERED = 500


def floor_of(meeting) -> Floor:
    return Floor.objects.get_or_create(meeting=meeting)[0]


def _locked_floor(meeting) -> Floor:
    floor_of(meeting)
    return Floor.objects.select_for_update().get(meeting=meeting)


def is_over(ctx: FloorAccess, floor: Floor | None = None, now: datetime | None = None) -> bool:
    """The meeting has ended (its end has passed, it is archived) or its floor is closed."""
    meeting = ctx.meeting
    now = now or timezone.now()
    if meeting.archived_at is not None or meeting.ends_at <= now:
        return True
    floor = floor or Floor.objects.filter(meeting=meeting).first()
    return floor is not None and floor.closed_at is not None


def _refuse_if_over(ctx: FloorAccess, problems: Problems, what: str) -> None:
    if is_over(ctx):
        problems.add(
            _(
                "This meeting is over: %(what)s is no longer possible. Its record and totals "
                "remain on the meeting's page."
            )
            % {"what": what}
        )


def _int_id(value, field: str, problems: Problems) -> int | None:
    if isinstance(value, bool):
        value = None
    try:
        pk = int(value)
    except (TypeError, ValueError):
        problems.add(_("Give a whole-number id."), field)
        return None
    if not 1 <= pk <= MAX_ID:
        problems.add(_("No such id: ids run from 1 to %(max)s.") % {"max": MAX_ID}, field)
        return None
    return pk


def _facilitator(user, dialogue_id, meeting_id) -> FloorAccess:
    ctx = access_floor(user, dialogue_id, meeting_id)
    if not ctx.may_facilitate:
        raise NotPermitted(_("Only the meeting's facilitators and conveners run the floor."))
    return ctx


# --- the agenda timer ------------------------------------------------------------------------


@dataclass(frozen=True)
class TimerChange:
    ctx: FloorAccess
    action: str
    item: AgendaItem | None


def _next_item(meeting, after: AgendaItem | None) -> AgendaItem | None:
    items = AgendaItem.objects.filter(meeting=meeting).order_by("position")
    if after is not None:
        items = items.filter(position__gt=after.position)
    return items.first()


def check_timer(user, dialogue_id, meeting_id, action, item_id=None) -> TimerChange:
    """start (the given item, or the first), pause, resume, next (move on to the next item)."""
    ctx = _facilitator(user, dialogue_id, meeting_id)
    problems = Problems()
    _refuse_if_over(ctx, problems, _("running the agenda timer"))
    if action not in TIMER_ACTIONS:
        problems.add(
            _("Choose one of: %(choices)s.") % {"choices": ", ".join(TIMER_ACTIONS)}, "action"
        )
        problems.raise_any()
    floor = Floor.objects.filter(meeting=ctx.meeting).first() or Floor(meeting=ctx.meeting)
    running = ItemInterval.objects.filter(meeting=ctx.meeting, ended_at__isnull=True).first()
    item: AgendaItem | None = None
    if action == "start":
        if item_id is not None:
            pk = _int_id(item_id, "item_id", problems)
            if pk is not None:
                item = AgendaItem.objects.filter(meeting=ctx.meeting, pk=pk).first()
                if item is None:
                    problems.add(_("That is not an item of this meeting's agenda."), "item_id")
        else:
            item = floor.current_item or _next_item(ctx.meeting, None)
            if item is None:
                problems.add(_("This meeting has no agenda yet: add an item first."), "item_id")
    elif action == "pause":
        if running is None:
            problems.add(_("No timer is running: there is nothing to pause."), "action")
    elif action == "resume":
        if running is not None:
            problems.add(_("The timer is already running."), "action")
        elif floor.current_item is None:
            problems.add(_("No item is in progress: start one first."), "action")
        item = floor.current_item
    elif action == "next":
        if floor.current_item is None:
            problems.add(_("No item is in progress: start one first."), "action")
        else:
            item = _next_item(ctx.meeting, floor.current_item)
    problems.raise_any()
    return TimerChange(ctx, action, item)


@transaction.atomic
def do_timer(by, change: TimerChange) -> Floor:
    meeting = change.ctx.meeting
    floor = _locked_floor(meeting)
    now = timezone.now()
    # Every change stops what runs; start, resume and next then run their item.
    ItemInterval.objects.filter(meeting=meeting, ended_at__isnull=True).update(ended_at=now)
    if change.action in ("start", "resume", "next"):
        floor.current_item = change.item
        if change.item is not None:
            ItemInterval.objects.create(item=change.item, meeting=meeting, started_at=now)
    floor.save()
    audit.record(
        by, f"timer_{change.action}", floor, fields=["current_item"], dialogue=meeting.dialogue
    )
    live.announce(live.meeting_topic(meeting.pk))
    return floor


def elapsed_seconds(item_id: int, now: datetime | None = None) -> float:
    """An item's elapsed time: the sum of its intervals, the running one up to now."""
    now = now or timezone.now()
    total = 0.0
    for started, ended in ItemInterval.objects.filter(item_id=item_id).values_list(
        "started_at", "ended_at"
    ):
        total += ((ended or now) - started).total_seconds()
    return total


# --- the turn limit --------------------------------------------------------------------------


def turn_limit_range() -> str:
    """What a turn limit may be, in the words the page and the API's schema both say."""
    return _("A turn limit runs from 10 to %(max)s seconds; leave it empty for none.") % {
        "max": MAX_TURN_LIMIT
    }


def check_turn_limit(user, dialogue_id, meeting_id, seconds) -> tuple[FloorAccess, int | None]:
    ctx = _facilitator(user, dialogue_id, meeting_id)
    problems = Problems()
    _refuse_if_over(ctx, problems, _("setting a turn limit"))
    limit = None
    if seconds is not None:
        if isinstance(seconds, bool) or not isinstance(seconds, int):
            problems.add(_("Give the limit as a whole number of seconds, or none."), "seconds")
        elif not 10 <= seconds <= MAX_TURN_LIMIT:
            problems.add(turn_limit_range(), "seconds")
        else:
            limit = seconds
    problems.raise_any()
    return ctx, limit


@transaction.atomic
def do_turn_limit(by, ctx: FloorAccess, limit: int | None) -> Floor:
    floor = _locked_floor(ctx.meeting)
    floor.turn_limit_seconds = limit
    floor.save(update_fields=["turn_limit_seconds"])
    audit.record(by, "update", floor, fields=["turn_limit_seconds"], dialogue=ctx.dialogue)
    live.announce(live.meeting_topic(ctx.meeting.pk))
    return floor


# --- hands -----------------------------------------------------------------------------------


def check_raise(user, dialogue_id, meeting_id, direct_response=False) -> FloorAccess:
    ctx = access_floor(user, dialogue_id, meeting_id)
    if not ctx.may_speak:
        raise NotPermitted(
            _("Only participants present at this meeting raise a hand in its speaking queue.")
        )
    problems = Problems()
    _refuse_if_over(ctx, problems, _("raising a hand"))
    if not isinstance(direct_response, bool):
        problems.add(_("Say true or false."), "direct_response")
    seat = ctx.own_seat
    if seat is not None and Hand.objects.filter(meeting=ctx.meeting, person=seat.person).exists():
        problems.add(_("Your hand is already raised: wait for the floor, or lower it."))
    problems.raise_any()
    return ctx


@transaction.atomic
def do_raise(ctx: FloorAccess, direct_response: bool = False) -> Hand:
    _locked_floor(ctx.meeting)  # serialises positions
    seat = ctx.own_seat
    if seat is None:  # check_raise refused it; a caller that skipped it is refused here too
        raise NotPermitted(_("Only participants present at this meeting raise a hand."))
    # Asked again under the floor's lock: the same hand raised twice at once (a double click,
    # two tabs, two workers) passed check_raise in both requests, and the second would break
    # one_hand_per_person with a server error instead of this message.
    if Hand.objects.filter(meeting=ctx.meeting, person_id=seat.person_id).exists():
        raise ActionRefused(_("Your hand is already raised: wait for the floor, or lower it."))
    last = Hand.objects.filter(meeting=ctx.meeting).aggregate(m=Max("position"))["m"] or 0
    hand = Hand.objects.create(
        meeting=ctx.meeting,
        person_id=seat.person_id,
        delegation_id=ctx.own_delegation_id,
        is_direct_response=direct_response,
        position=last + 1,
    )
    live.announce(live.meeting_topic(ctx.meeting.pk))
    return hand


def check_lower(user, dialogue_id, meeting_id) -> Hand:
    ctx = access_floor(user, dialogue_id, meeting_id)
    seat = ctx.own_seat
    hand = (
        Hand.objects.filter(meeting=ctx.meeting, person_id=seat.person_id).first() if seat else None
    )
    if hand is None:
        raise ActionRefused(_("Your hand is not raised."))
    return hand


@transaction.atomic
def do_lower(hand: Hand) -> None:
    meeting_id = hand.meeting_id
    hand.delete()
    live.announce(live.meeting_topic(meeting_id))


def check_order(user, dialogue_id, meeting_id, hand_ids) -> tuple[FloorAccess, list[int]]:
    """The facilitator's order: the given hands first, in that order; the rest after them."""
    ctx = _facilitator(user, dialogue_id, meeting_id)
    problems = Problems()
    _refuse_if_over(ctx, problems, _("ordering the queue"))
    if not isinstance(hand_ids, list) or len(hand_ids) > MAX_HANDS_ORDERED:
        problems.add(
            _("Send a list of at most %(n)s hand ids.") % {"n": MAX_HANDS_ORDERED}, "hand_ids"
        )
        problems.raise_any()
    known = set(Hand.objects.filter(meeting=ctx.meeting).values_list("pk", flat=True))
    ids: list[int] = []
    for value in hand_ids:
        pk = _int_id(value, "hand_ids", problems)
        if pk is None:
            continue
        if pk not in known:
            problems.add(
                _("Hand %(id)s is not in this meeting's queue (it may have been lowered).")
                % {"id": pk},
                "hand_ids",
            )
        elif pk not in ids:
            ids.append(pk)
    problems.raise_any()
    return ctx, ids


@transaction.atomic
def do_order(ctx: FloorAccess, ids: list[int]) -> None:
    _locked_floor(ctx.meeting)
    rest = Hand.objects.filter(meeting=ctx.meeting).exclude(pk__in=ids).order_by("position")
    ordered = ids + list(rest.values_list("pk", flat=True))
    for position, pk in enumerate(ordered, start=1):
        Hand.objects.filter(pk=pk, meeting=ctx.meeting).update(position=position)
    live.announce(live.meeting_topic(ctx.meeting.pk))


# --- the floor -------------------------------------------------------------------------------


def check_give_floor(user, dialogue_id, meeting_id, hand_id) -> tuple[FloorAccess, Hand]:
    ctx = _facilitator(user, dialogue_id, meeting_id)
    problems = Problems()
    _refuse_if_over(ctx, problems, _("giving the floor"))
    hand = None
    pk = _int_id(hand_id, "hand_id", problems)
    if pk is not None:
        hand = Hand.objects.filter(meeting=ctx.meeting, pk=pk).select_related("person").first()
        if hand is None:
            problems.add(
                _("That person is not in the queue: the floor goes to a raised hand."), "hand_id"
            )
        elif not MeetingParticipant.objects.filter(
            meeting=ctx.meeting, person_id=hand.person_id, status__in=CONFIRMED_STATUSES
        ).exists():
            problems.add(
                _(
                    "That person is no longer present (marked absent or declined): lower their "
                    "hand or mark them present first."
                ),
                "hand_id",
            )
    if Turn.objects.filter(meeting=ctx.meeting, ended_at__isnull=True).exists():
        problems.add(_("Someone has the floor: end their turn first."), "hand_id")
    problems.raise_any()
    if hand is None:  # _int_id added a problem, raised above
        raise ActionRefused(_("Give the id of a raised hand."), field="hand_id")
    return ctx, hand


@transaction.atomic
def do_give_floor(ctx: FloorAccess, hand: Hand) -> Turn:
    floor = _locked_floor(ctx.meeting)
    turn = Turn.objects.create(
        meeting=ctx.meeting,
        person_id=hand.person_id,
        delegation_id=hand.delegation_id,
        agenda_item=floor.current_item,
        started_at=timezone.now(),
    )
    hand.delete()
    live.announce(live.meeting_topic(ctx.meeting.pk))
    return turn


def check_end_turn(user, dialogue_id, meeting_id) -> tuple[FloorAccess, Turn]:
    ctx = _facilitator(user, dialogue_id, meeting_id)
    turn = Turn.objects.filter(meeting=ctx.meeting, ended_at__isnull=True).first()
    if turn is None:
        raise ActionRefused(_("Nobody has the floor: that turn has already ended."))
    return ctx, turn


@transaction.atomic
def do_end_turn(ctx: FloorAccess, turn: Turn) -> Turn:
    _locked_floor(ctx.meeting)
    updated = Turn.objects.filter(pk=turn.pk, ended_at__isnull=True).update(ended_at=timezone.now())
    if not updated:
        raise ActionRefused(_("Nobody has the floor: that turn has already ended."))
    live.announce(live.meeting_topic(ctx.meeting.pk))
    turn.refresh_from_db()
    return turn


# --- closing the floor -----------------------------------------------------------------------


def close_refusal(ctx: FloorAccess, floor: Floor | None, now: datetime | None = None) -> str | None:
    """Why the floor may not be closed now, or None. The console offers "Close the floor" only
    when this is None, and check_close_floor refuses with it: one rule for both.

    Closing is for good (nobody raises a hand or gets the floor again), so a meeting that has not
    started is refused rather than asked twice (docs/decisions.md): before its start its floor
    holds nothing to reduce, and once it has begun the floor closes with the room or, at its
    end, by `track2 housekeeping`. An ended meeting whose floor was never used holds nothing."""
    now = now or timezone.now()
    if floor is not None and floor.closed_at is not None:
        return _("This meeting's floor is already closed.")
    if ctx.meeting.starts_at > now:
        return _(
            "This meeting has not started yet: its floor cannot be closed before it begins. "
            "Closing is for good — nobody could raise a hand or be given the floor in it."
        )
    if floor is None and is_over(ctx, floor, now):
        return _(
            "This meeting is over and nothing happened on its floor: there is nothing to close."
        )
    return None


def check_close_floor(user, dialogue_id, meeting_id) -> FloorAccess:
    ctx = _facilitator(user, dialogue_id, meeting_id)
    refusal = close_refusal(ctx, Floor.objects.filter(meeting=ctx.meeting).first())
    if refusal is not None:
        raise ActionRefused(refusal)
    return ctx


def _seconds(turn_start, turn_end) -> int:
    return round((turn_end - turn_start).total_seconds())


def present_by_delegation(meeting) -> dict[int | None, int]:
    """People present per side's delegation: the balance is between the sides, so the
    facilitation team and people in no delegation are not counted (their turns still are)."""
    from track2.dialogues.models import Delegation, DelegationMember

    seats = DelegationMember.objects.filter(
        dialogue_id=meeting.dialogue_id, delegation__kind=Delegation.Kind.SIDE
    )
    delegation_of = dict(seats.values_list("person_id", "delegation_id"))
    counts: dict[int | None, int] = {}
    for person_id in MeetingParticipant.objects.filter(
        meeting=meeting, status__in=CONFIRMED_STATUSES
    ).values_list("person_id", flat=True):
        key = delegation_of.get(person_id)
        if key is not None:
            counts[key] = counts.get(key, 0) + 1
    return counts


@transaction.atomic
def do_close_floor(by, ctx: FloorAccess) -> Floor:
    """Stop the timer and any turn, empty the queue, and keep of the turns what the attribution
    mode allows: on the record and closed meetings keep every turn; the Chatham House Rule keeps
    seconds and turns per delegation and agenda item; off the record per delegation only."""
    return close_floor(by, ctx.meeting)


def close_floor_with_room(by, meeting) -> None:
    """Closing a meeting's room closes its floor too (track2.deliberation.room_actions.do_close),
    so that per-person turns do not outlive the meeting when nobody closed the floor."""
    floor = Floor.objects.filter(meeting=meeting).first()
    if floor is not None and floor.closed_at is None:
        close_floor(by, meeting)


def close_ended_floors(now: datetime) -> int:
    """Close the floor of every meeting that has ended (its end passed, or archived) with its
    floor still open — `track2 housekeeping` runs it — so that per-person turns do not outlive
    the meeting when nobody closed the floor or the room. A turn or timer still running ends at
    the meeting's end. Returns the floors closed."""
    from django.db.models import Q

    ended = Floor.objects.filter(closed_at__isnull=True).filter(
        Q(meeting__ends_at__lte=now) | Q(meeting__archived_at__isnull=False)
    )
    closed = 0
    for floor in ended.select_related("meeting__dialogue"):
        close_floor(None, floor.meeting, at=min(now, floor.meeting.ends_at))
        closed += 1
    return closed


@transaction.atomic
def close_floor(by, meeting, at: datetime | None = None) -> Floor:
    """Close the floor now (or `at`, when turns and timers still running should end earlier:
    at the end of a meeting that nobody closed)."""
    floor = _locked_floor(meeting)
    now = at or timezone.now()
    ItemInterval.objects.filter(meeting=meeting, ended_at__isnull=True).update(ended_at=now)
    Turn.objects.filter(meeting=meeting, ended_at__isnull=True).update(ended_at=now)
    Hand.objects.filter(meeting=meeting).delete()
    mode = meeting.attribution_mode
    if mode in (AttributionMode.CHATHAM_HOUSE, AttributionMode.OFF_RECORD):
        aggregate_turns(meeting, by_item=mode == AttributionMode.CHATHAM_HOUSE)
    floor.closed_at = now
    floor.save()
    audit.record(by, "close", floor, fields=["closed_at"], dialogue=meeting.dialogue)
    live.announce(live.meeting_topic(meeting.pk))
    return floor


def aggregate_turns(meeting, *, by_item: bool) -> int:
    """Replace a meeting's turns by seconds and turns per delegation (and per agenda item when
    `by_item`), with the people present per delegation; returns the turns deleted. A meeting
    with no turn left is left as it is (a second call changes nothing)."""
    turns = list(Turn.objects.filter(meeting=meeting, ended_at__isnull=False))
    if not turns:
        return 0
    present = present_by_delegation(meeting)
    totals: dict[tuple[int | None, int | None], list[int]] = {}
    for turn in turns:
        key = (turn.delegation_id, turn.agenda_item_id if by_item else None)
        row = totals.setdefault(key, [0, 0])
        row[0] += _seconds(turn.started_at, turn.ended_at)
        row[1] += 1
    for delegation_id in present:
        if not any(k[0] == delegation_id for k in totals):
            totals[(delegation_id, None)] = [0, 0]
    SpeakingTotal.objects.bulk_create(
        SpeakingTotal(
            meeting=meeting,
            delegation_id=delegation_id,
            agenda_item_id=item_id,
            seconds=seconds,
            turns=count,
            present=present.get(delegation_id, 0),
        )
        for (delegation_id, item_id), (seconds, count) in totals.items()
    )
    return Turn.objects.filter(pk__in=[t.pk for t in turns]).delete()[0]


# --- the balance -----------------------------------------------------------------------------


def balance_of(meeting, now: datetime | None = None) -> balance_maths.Balance:
    """The balance of a live floor (from turns) or of a closed one (from the kept totals)."""
    now = now or timezone.now()
    names = {d.pk: d.name for d in meeting.dialogue.delegations.all()}

    def side(delegation_id) -> str:
        return names.get(delegation_id, _("no delegation"))

    origin = meeting.starts_at
    turns = [
        balance_maths.Turn(
            side(t.delegation_id),
            (t.started_at - origin).total_seconds(),
            ((t.ended_at or now) - origin).total_seconds(),
        )
        for t in Turn.objects.filter(meeting=meeting)
    ]
    kept = list(SpeakingTotal.objects.filter(meeting=meeting))
    if kept and not turns:
        return _from_totals(kept, side)
    present: dict[str, int] = {}
    for delegation_id, count in present_by_delegation(meeting).items():
        present[side(delegation_id)] = count
    intervals = [
        balance_maths.ItemInterval(
            str(item_id),
            (started - origin).total_seconds(),
            ((ended or now) - origin).total_seconds(),
        )
        for item_id, started, ended in ItemInterval.objects.filter(meeting=meeting).values_list(
            "item_id", "started_at", "ended_at"
        )
    ]
    return balance_maths.balance(turns, present, intervals)


def _from_totals(kept: list[SpeakingTotal], side) -> balance_maths.Balance:
    """A closed floor's balance from the totals it kept (no per-person rows are left)."""
    present: dict[str, int] = {}
    seconds: dict[str, float] = {}
    turns: dict[str, int] = {}
    by_item: dict[str, dict[str, float]] = {}
    turns_by_item: dict[str, dict[str, int]] = {}
    for row in kept:
        name = side(row.delegation_id)
        present[name] = max(present.get(name, 0), row.present)
        seconds[name] = seconds.get(name, 0) + row.seconds
        turns[name] = turns.get(name, 0) + row.turns
        if row.agenda_item_id is not None:
            key = str(row.agenda_item_id)
            by_item.setdefault(key, {})[name] = float(row.seconds)
            turns_by_item.setdefault(key, {})[name] = row.turns
    return balance_maths.from_totals(present, seconds, turns, by_item, turns_by_item)
