"""A dialogue's venues. Another dialogue's venue is unknown here: its address may be a private
home's, kept for that dialogue's conveners and confirmed members only."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _

from track2.access import DialogueAccess, access_dialogue, one_of
from track2.dialogues.models import Dialogue, Venue
from track2.errors import ActionRefused


def venues_of(dialogue: Dialogue):
    """The venue list of a dialogue: its own venues, and any venue one of its meetings uses.
    Never another dialogue's venues (their addresses may be confidential)."""
    return (
        Venue.objects.filter(Q(dialogue=dialogue) | Q(meetings__dialogue=dialogue))
        .distinct()
        .order_by("name")
    )


def access_venue(
    user, dialogue_id, venue_id, need: str = "convener"
) -> tuple[DialogueAccess, Venue]:
    """A venue of the dialogue's list, with the dialogue, for someone with `need` in it."""
    ctx = access_dialogue(user, dialogue_id, need=need)
    return ctx, one_of(venues_of(ctx.dialogue), venue_id)


def venue_named(ctx: DialogueAccess, venue_id: int | None, field: str = "venue_id") -> Venue | None:
    """A venue a request refers to in its body: a refusal on that field when it is not on the
    dialogue's list."""
    if venue_id is None:
        return None
    venue = venues_of(ctx.dialogue).filter(pk=venue_id).first()
    if venue is None:
        raise ActionRefused(_("This dialogue has no venue with that id."), field=field)
    return venue
