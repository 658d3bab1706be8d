"""Reads the room's pages, API and exports share."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from track2.deliberation.models import Moderation, Room, Statement, Vote, room_order
from track2.meetings.models import Meeting

VOTED_ON = (Statement.Status.ACCEPTED,)


def room_of(meeting: Meeting) -> Room:
    """The meeting's room settings, made with the defaults on first use."""
    try:
        return Room.objects.get(meeting=meeting)
    except Room.DoesNotExist:
        pass
    try:
        with transaction.atomic():
            return Room.objects.create(meeting=meeting)
    except IntegrityError:  # another request made it first
        return Room.objects.get(meeting=meeting)


def room_statements(meeting: Meeting):
    """Statements the room votes on, in the facilitator's order then by (random) id."""
    return (
        Statement.objects.filter(meeting=meeting, status__in=VOTED_ON, is_for_facilitator=False)
        .annotate(
            agrees=Count("votes", filter=Q(votes__value=Vote.AGREE)),
            disagrees=Count("votes", filter=Q(votes__value=Vote.DISAGREE)),
            passes=Count("votes", filter=Q(votes__value=Vote.PASS)),
        )
        .order_by(*room_order())
    )


def has_ended(meeting: Meeting, now=None) -> bool:
    """The meeting's time is over (its end has passed, or it is archived). Its room stays open
    until the facilitators close it (docs/dialogue-room.md): this only lets the room say so."""
    from django.utils import timezone

    now = now or timezone.now()
    return meeting.archived_at is not None or meeting.ends_at <= now


def own_votes(meeting: Meeting, pseudonym: str) -> dict[int, int]:
    """Statement id → the caller's answer, for the statements they voted on."""
    return dict(
        Vote.objects.filter(meeting=meeting, pseudonym=pseudonym).values_list(
            "statement_id", "value"
        )
    )


def own_statements(meeting: Meeting, pseudonym: str):
    """The caller's own statements with every moderation decision and typo fix on them."""
    return (
        Statement.objects.filter(meeting=meeting, author=pseudonym)
        .prefetch_related("moderations", "edits")
        .select_related("merged_into")
        .order_by("id")
    )


def moderation_queue(meeting: Meeting):
    """What waits for a facilitator: pending and held statements (held first)."""
    return (
        Statement.objects.filter(
            meeting=meeting,
            status__in=(Statement.Status.HELD, Statement.Status.PENDING),
            is_for_facilitator=False,
        )
        .prefetch_related("moderations")
        .order_by("-status", "id")
    )


def facilitator_notes(meeting: Meeting):
    """Statements sent to the facilitator only."""
    return Statement.objects.filter(meeting=meeting, is_for_facilitator=True).order_by("id")


def last_reason(statement: Statement) -> str:
    decisions = [m for m in statement.moderations.all() if m.reason]
    return decisions[-1].reason if decisions else ""


def next_number(statement: Statement, model=Moderation) -> int:
    last = model.objects.filter(statement=statement).order_by("-number").first()
    return 1 if last is None else last.number + 1


# --- what each reader gets of a statement ------------------------------------------------------


def _edits(statement: Statement) -> list[dict]:
    return [{"before": e.before, "after": e.after} for e in statement.edits.all()]


def _shown(statement: Statement, *fields: str) -> dict:
    """What every reader gets (id, text, status) and the reader's own `fields`."""
    extra = {
        "position": lambda: statement.position,
        "to_facilitator": lambda: statement.is_for_facilitator,
        "reason": lambda: last_reason(statement),
        "merged_into": lambda: statement.merged_into.text if statement.merged_into else None,
        # The wording before a facilitator's fix is for the author and the facilitators only:
        # a fix is how a statement held for naming someone loses the name, so the room learns
        # that the text was corrected, never what it said before.
        "edits": lambda: _edits(statement),
        "edited": lambda: len(statement.edits.all()),
    }
    return {
        "id": statement.pk,
        "text": statement.text,
        "status": statement.status,
        **{name: extra[name]() for name in fields},
    }


def statement_for_room(statement: Statement, your_vote: int | None) -> dict:
    shown = _shown(statement, "position", "edited")
    shown["your_vote"] = VOTE_NAMES.get(your_vote) if your_vote is not None else None
    return shown


def statement_for_author(statement: Statement) -> dict:
    """The submitter's own view: the status and the reason given (only they read it)."""
    return _shown(statement, "to_facilitator", "reason", "merged_into", "edits")


def statement_for_facilitator(statement: Statement) -> dict:
    """What a facilitator moderates: the text, its status and decisions — never the author."""
    return _shown(statement, "to_facilitator", "position", "reason", "edits")


VOTE_NAMES = {Vote.AGREE: "agree", Vote.DISAGREE: "disagree", Vote.PASS: "pass"}


@dataclass(frozen=True)
class Listing:
    rows: QuerySet
    render: Callable[[Statement], dict]


def listing_for(user, dialogue_id, meeting_id, view: str) -> Listing:
    """One of the room's lists for the caller (access checked here, through track2.access)."""
    from track2.access.room import access_room
    from track2.errors import NotPermitted

    ctx = access_room(user, dialogue_id, meeting_id)
    if view in ("queue", "notes"):
        if not ctx.is_facilitator:
            raise NotPermitted(
                _("Only the meeting's facilitators see the moderation queue and notes.")
            )
        rows = moderation_queue(ctx.meeting) if view == "queue" else facilitator_notes(ctx.meeting)
        return Listing(rows.prefetch_related("edits"), statement_for_facilitator)
    if view == "mine":
        if not ctx.is_participant:
            raise NotPermitted(_("Only the meeting's participants have statements of their own."))
        pseudonym = _pseudonym_or_refuse(ctx)
        return Listing(own_statements(ctx.meeting, pseudonym), statement_for_author)
    mine: dict[int, int] = {}
    if ctx.is_participant:
        mine = own_votes(ctx.meeting, _pseudonym_or_refuse(ctx))
    rows = room_statements(ctx.meeting).prefetch_related("edits")
    return Listing(rows, lambda s: statement_for_room(s, mine.get(s.pk)))


def _pseudonym_or_refuse(ctx) -> str:
    from track2 import keyring
    from track2.errors import NotPermitted

    try:
        return ctx.pseudonym()
    except keyring.KeyDestroyed:
        raise NotPermitted(
            _(
                "This dialogue's pseudonym key was destroyed: nobody's own statements or votes can be found any more."
            )
        ) from None
