"""The facilitators' and conveners' writes on a room as a whole: its settings, the
facilitator's order of statements, closing it, and destroying the dialogue's pseudonym key."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from track2 import keyring
from track2.access import access_dialogue
from track2.access.room import RoomAccess, access_room
from track2.audit import record as audit
from track2.deliberation import map_data
from track2.deliberation.models import Room, Statement, Vote
from track2.dialogues.models import Dialogue
from track2.errors import ActionRefused, Problems

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
    return room


def check_order(user, dialogue_id, meeting_id, statement_ids: list) -> tuple[RoomAccess, list[int]]:
    """The facilitator's order: the given statements first, in that order."""
    ctx = access_room(user, dialogue_id, meeting_id, need="facilitator")
    known = set(map_data.accepted(ctx.meeting).values_list("id", flat=True))
    ids: list[int] = []
    for value in statement_ids:
        try:
            sid = int(value)
        except (TypeError, ValueError):
            sid = 0  # no statement has id 0
        if sid not in known:
            raise ActionRefused(
                _("“%(id)s” is not an accepted statement of this meeting.")
                % {"id": str(value)[:24]},
                field="order",
            )
        if sid not in ids:
            ids.append(sid)
    return ctx, ids


@transaction.atomic
def do_order(by, ctx: RoomAccess, ids: list[int]) -> None:
    Statement.objects.filter(meeting=ctx.meeting).update(position=None)
    for position, sid in enumerate(ids, start=1):
        Statement.objects.filter(pk=sid, meeting=ctx.meeting).update(position=position)
    audit.record(by, "reorder", ctx.room, fields=["position"], dialogue=ctx.dialogue)


# --- closing --------------------------------------------------------------------------------


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
        room.kept_map = map_data.room_map(ctx.meeting)
        for statement in Statement.objects.filter(meeting=ctx.meeting):
            votes = Vote.objects.filter(statement=statement)
            statement.kept_agrees = votes.filter(value=Vote.AGREE).count()
            statement.kept_disagrees = votes.filter(value=Vote.DISAGREE).count()
            statement.kept_passes = votes.filter(value=Vote.PASS).count()
            statement.author = ""
            statement.save(update_fields=["kept_agrees", "kept_disagrees", "kept_passes", "author"])
        Vote.objects.filter(meeting=ctx.meeting).delete()
        fields.append("kept_map")
    room.save()
    audit.record(by, "close", room, fields=fields, dialogue=ctx.dialogue)
    return room


# --- the key --------------------------------------------------------------------------------


@dataclass(frozen=True)
class KeyDestruction:
    dialogue: Dialogue


def check_destroy_key(user, dialogue_id, confirmation: str) -> KeyDestruction:
    """Conveners only, and only with the dialogue's title typed as confirmation."""
    dialogue = access_dialogue(user, dialogue_id, need="convener")
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
    return KeyDestruction(dialogue)


@transaction.atomic
def do_destroy_key(by, request: KeyDestruction) -> None:
    # The audit entry first, in the same transaction: if recording fails the key survives.
    audit.record(by, "destroy_key", request.dialogue, fields=["pseudonym_key"])
    keyring.destroy_dialogue_key(request.dialogue.pk)
