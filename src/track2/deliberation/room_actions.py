"""The facilitators' and conveners' writes on a room as a whole: its settings, the
facilitator's order of statements, closing it, and destroying the dialogue's pseudonym key."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from track2 import keyring, live
from track2.access import access_dialogue, parse_id
from track2.access.room import RoomAccess, access_room
from track2.audit import record as audit
from track2.deliberation import map_data, plain_text
from track2.deliberation.models import Room, Statement, Vote
from track2.deliberation.queries import room_statements
from track2.dialogues.models import Dialogue
from track2.errors import ActionRefused, Problems
from track2.meetings.models import Meeting
from track2.operations import actions as operations
from track2.operations.models import KeyDestruction as KeyDestructionRequest

SETTINGS = {
    "moderation": Room.Moderation,
    "results": Room.Results,
    "order": Room.Order,
}


def check_room_settings(user, dialogue_id, meeting_id, fields: dict) -> tuple[RoomAccess, dict]:
    ctx = access_room(user, dialogue_id, meeting_id, need="facilitator")
    problems = Problems()
    cleaned = {}
    for name, value in fields.items():
        if name not in SETTINGS:
            problems.add(_("Unknown setting “%(name)s”.") % {"name": name}, name)
        elif value not in SETTINGS[name].values:
            problems.add(
                _("Choose one of: %(choices)s.") % {"choices": ", ".join(SETTINGS[name].values)},
                name,
            )
        else:
            cleaned[name] = value
    problems.raise_any()
    return ctx, cleaned


@transaction.atomic
def do_room_settings(by, ctx: RoomAccess, cleaned: dict) -> Room:
    room = Room.objects.select_for_update().get(pk=ctx.room.pk)
    before = audit.snapshot(room)
    for name, value in cleaned.items():
        setattr(room, name, value)
    room.save()
    audit.record(by, "update", room, fields=audit.changed(before, room), dialogue=ctx.dialogue)
    live.announce(live.meeting_topic(ctx.meeting.pk))
    return room


MAX_ORDERED = 5000  # ids in one order: far above a room's statements, far below a flood


def _shown_token(value: object) -> str:
    shown = str(value)
    return shown if len(shown) <= 24 else shown[:20] + "…"


def check_order(
    user, dialogue_id, meeting_id, statement_ids: str | list
) -> tuple[RoomAccess, list[int]]:
    """The facilitator's order: the given statements first, in that order (the rest follow).
    `statement_ids`: ids as typed (text separated by spaces or lines) or as a list. Every id
    that is not an accepted statement of the meeting is named at once."""
    ctx = access_room(user, dialogue_id, meeting_id, need="facilitator")
    if isinstance(statement_ids, str):
        problem = plain_text.problem(statement_ids, multiline=True)
        if problem:
            raise ActionRefused(problem, field="order")
        statement_ids = statement_ids.split()
    if len(statement_ids) > MAX_ORDERED:
        raise ActionRefused(
            _("That is %(n)d ids: give at most %(max)d.")
            % {"n": len(statement_ids), "max": MAX_ORDERED},
            field="order",
        )
    known = set(map_data.accepted(ctx.meeting).values_list("id", flat=True))
    ids: list[int] = []
    unknown: list[str] = []
    for value in statement_ids:
        text = str(value).strip().lstrip("#")
        try:
            sid = int(text) if text.isdigit() and len(text) <= 20 else 0
        except ValueError:
            sid = 0  # no statement has id 0
        if sid not in known:
            unknown.append(_shown_token(value))
        elif sid not in ids:
            ids.append(sid)
    if unknown:
        shown = ", ".join(f"“{token}”" for token in unknown[:10])
        if len(unknown) > 10:
            shown += _(" and %(n)d more") % {"n": len(unknown) - 10}
        raise ActionRefused(
            ngettext(
                "%(ids)s is not an accepted statement of this meeting: use the numbers shown "
                "beside the statements in the room (or the arrows).",
                "%(ids)s are not accepted statements of this meeting: use the numbers shown "
                "beside the statements in the room (or the arrows).",
                len(unknown),
            )
            % {"ids": shown},
            field="order",
        )
    return ctx, ids


@transaction.atomic
def do_order(by, ctx: RoomAccess, ids: list[int]) -> None:
    Statement.objects.filter(meeting=ctx.meeting).update(position=None)
    for position, sid in enumerate(ids, start=1):
        Statement.objects.filter(pk=sid, meeting=ctx.meeting).update(position=position)
    audit.record(by, "reorder", ctx.room, fields=["position"], dialogue=ctx.dialogue)
    live.announce(live.meeting_topic(ctx.meeting.pk))


@dataclass(frozen=True)
class Move:
    ctx: RoomAccess
    statement_id: int
    direction: str


def check_move(user, dialogue_id, meeting_id, statement_id, direction) -> Move:
    """Move one statement of the room up or down the facilitator's order (the arrows)."""
    ctx = access_room(user, dialogue_id, meeting_id, need="facilitator")
    problems = Problems()
    if direction not in ("up", "down"):
        problems.add(_("Move a statement up or down."), "direction")
    statement = map_data.accepted(ctx.meeting).filter(pk=parse_id(statement_id)).only("pk").first()
    if statement is None:
        problems.add(_("This statement is not in the room: only its statements are ordered."))
    problems.raise_any()
    assert statement is not None  # noqa: S101  (raise_any raised otherwise)
    return Move(ctx, statement.pk, str(direction))


@transaction.atomic
def do_move(by, move: Move) -> int:
    """Swap the statement with its neighbour in the order the room reads; every statement of the
    room then has its place (statements accepted later follow them). Returns the new place."""
    # One move at a time per meeting, on the order the move before it left: two facilitators
    # moving at once would otherwise each swap from the same stale order.
    Meeting.objects.select_for_update(of=("self",)).filter(pk=move.ctx.meeting.pk).first()
    move = check_move(by, move.ctx.dialogue.pk, move.ctx.meeting.pk, move.statement_id,
                      move.direction)  # fmt: skip
    order = list(room_statements(move.ctx.meeting).values_list("pk", flat=True))
    at = order.index(move.statement_id)
    to = at - 1 if move.direction == "up" else at + 1
    if not 0 <= to < len(order):
        raise ActionRefused(
            _("This statement is already first.")
            if move.direction == "up"
            else _("This statement is already last."),
            field="direction",
        )
    order[at], order[to] = order[to], order[at]
    do_order(by, move.ctx, order)
    return to + 1


# --- closing --------------------------------------------------------------------------------


def keep_aggregates_only(room: Room) -> int:
    """Keep each statement's counts and the map as shown; delete every per-pseudonym row and the
    statements' submitters. Also the retention policy's "aggregates only" (track2.operations).
    Returns the rows deleted or made anonymous; a second call finds nothing left to do."""
    meeting = room.meeting
    votes = Vote.objects.filter(meeting=meeting)
    authored = Statement.objects.filter(meeting=meeting).exclude(author="")
    if room.kept_map is not None and not votes.exists() and not authored.exists():
        return 0
    room.kept_map = map_data.room_map(meeting, settled=True)
    made_anonymous = authored.count()
    for statement in Statement.objects.filter(meeting=meeting):
        own = votes.filter(statement=statement)
        statement.kept_agrees = own.filter(value=Vote.AGREE).count()
        statement.kept_disagrees = own.filter(value=Vote.DISAGREE).count()
        statement.kept_passes = own.filter(value=Vote.PASS).count()
        statement.author = ""
        statement.save(update_fields=["kept_agrees", "kept_disagrees", "kept_passes", "author"])
    return made_anonymous + votes.delete()[0]


def check_close(user, dialogue_id, meeting_id) -> RoomAccess:
    ctx = access_room(user, dialogue_id, meeting_id, need="facilitator")
    if not ctx.room.is_open:
        raise ActionRefused(_("This meeting's room is already closed."))
    return ctx


@transaction.atomic
def do_close(by, ctx: RoomAccess) -> Room:
    """Close the room. Off the record, only aggregates survive: each statement's counts and the
    map as shown (already through the small-cell rule); every per-pseudonym row is deleted and
    statements forget their submitter."""
    room = Room.objects.select_for_update().get(pk=ctx.room.pk)
    room.status = Room.Status.CLOSED
    fields = ["status"]
    if ctx.meeting.attribution_mode == "off_record":
        keep_aggregates_only(room)
        fields.append("kept_map")
    room.save()
    audit.record(by, "close", room, fields=fields, dialogue=ctx.dialogue)
    # The meeting is over: its floor keeps only what the attribution mode allows (facilitation).
    from track2.facilitation.actions import close_floor_with_room

    close_floor_with_room(by, ctx.meeting)
    live.announce(live.meeting_topic(ctx.meeting.pk))
    return room


# --- the key --------------------------------------------------------------------------------


@dataclass(frozen=True)
class KeyDestruction:
    dialogue: Dialogue
    # Two conveners (issue 16, track2.operations): the first asks, another confirms; set when
    # this call confirms a request that another convener made.
    pending: KeyDestructionRequest | None = None


def check_destroy_key(user, dialogue_id, confirmation: str) -> KeyDestruction:
    """Conveners only, and only with the dialogue's title typed as confirmation."""
    dialogue = access_dialogue(user, dialogue_id, need="convener").dialogue
    if keyring.is_destroyed(dialogue.pk):
        raise ActionRefused(_("This dialogue's key is already destroyed."))
    if " ".join(str(confirmation or "").split()) != dialogue.title:
        raise ActionRefused(
            _(
                "To confirm, type the dialogue's title exactly (“%(title)s”). Destroying the key "
                "cannot be undone: nobody will ever link a statement or vote to a person, and "
                "the dialogue's rooms become read-only."
            )
            % {"title": dialogue.title},
            field="confirmation",
        )
    if KeyDestructionRequest.objects.filter(dialogue=dialogue).exists():
        return KeyDestruction(dialogue, operations.check_confirm_key_destruction(user, dialogue.pk))
    operations.check_request_key_destruction(user, dialogue.pk)
    return KeyDestruction(dialogue)


@transaction.atomic
def do_destroy_key(by, request: KeyDestruction) -> bool:
    """Ask for the destruction (False), or confirm another convener's request and destroy (True);
    operations records both in the audit trail, in this transaction."""
    if request.pending is None:
        operations.do_request_key_destruction(by, request.dialogue)
        return False
    operations.do_confirm_key_destruction(by, request.pending)
    return True
