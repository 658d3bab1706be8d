"""Retention for outcome documents (track2.operations.retention), registered as an eraser.

Outcome documents are the dialogue's product and stay, with the responses they count. The
responses their givers replaced are not part of it: they are each person's own earlier words, so
the whole dialogue's content due for deletion takes them. A meeting's "aggregates only" leaves
them alone: a document's responses belong to no meeting.
"""

from __future__ import annotations

from track2.operations.retention import register_eraser
from track2.outcomes.models import ReplacedEndorsement


@register_eraser("replaced endorsements")
def erase_replaced_endorsements(dialogue, *, meeting=None, aggregates_only=False) -> int:
    if meeting is not None:
        return 0
    return ReplacedEndorsement.objects.filter(document__dialogue=dialogue).delete()[0]
