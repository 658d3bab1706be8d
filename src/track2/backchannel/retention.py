"""Retention for the back channel (track2.operations.retention), registered as an eraser.

The back channel runs between meetings, so "aggregates only" when a meeting ends leaves it alone.
The whole dialogue's content due for deletion: every envelope still held in the dialogue's
mailboxes goes, and each one not yet logged as gone is logged as deleted (the log must keep
matching its signed checkpoints). Mailboxes and the key directory stay: they hold no content.
"""

from __future__ import annotations

from django.db import transaction

from track2.backchannel import log
from track2.backchannel.models import Envelope, LogLeaf
from track2.operations.retention import register_eraser


@register_eraser("back-channel messages")
@transaction.atomic
def erase_backchannel(dialogue, *, meeting=None, aggregates_only=False) -> int:
    if meeting is not None:
        return 0
    held = Envelope.objects.filter(mailbox__dialogue=dialogue)
    # An emptied envelope (expired) was logged as deleted when it was emptied.
    full = held.select_for_update().exclude(ciphertext=b"").values_list("digest", flat=True)
    for digest in list(full):
        log.append(LogLeaf.Kind.DELETED, bytes(digest))
    return held.delete()[0]
