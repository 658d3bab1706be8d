"""Retention for the dialogue room's content (track2.deliberation), registered as an eraser."""

from __future__ import annotations

from track2 import live
from track2.deliberation.models import Room, Statement
from track2.operations.retention import register_eraser


@register_eraser("room statements and votes")
def erase_room_content(dialogue, *, meeting=None, aggregates_only=False) -> int:
    """A meeting that ended under "aggregates only": its room keeps counts and the map as shown.
    The whole dialogue's content due for deletion: statements and votes go, with their edits
    and moderation, and so do the maps kept from closed rooms."""
    if meeting is not None:
        # Imported here: the room's actions bring the common-ground engine (numpy, scipy), which
        # every `track2` process would otherwise import at start for an eraser it rarely runs.
        from track2.deliberation.room_actions import keep_aggregates_only

        room = Room.objects.filter(meeting=meeting).first()
        if room is None:
            return 0
        done = keep_aggregates_only(room)
        if done:
            room.save(update_fields=["kept_map"])
        return done
    statements = Statement.objects.filter(meeting__dialogue=dialogue)
    rooms = set(statements.values_list("meeting_id", flat=True).distinct())
    deleted = statements.delete()[0]
    # Once this commits, no server process keeps these rooms' votes in memory (map_data).
    for meeting_id in sorted(rooms):
        live.announce(live.votes_gone_topic(meeting_id))
    deleted += Room.objects.filter(meeting__dialogue=dialogue, kept_map__isnull=False).update(
        kept_map=None
    )
    return deleted
