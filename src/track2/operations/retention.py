"""Applying retention policies: the content apps register what "delete content" means for them.

The room (statements, votes) and the back channel register erasers when they land:

    from track2.operations.retention import register_eraser

    @register_eraser("room statements")
    def erase(dialogue, *, meeting=None, aggregates_only=False) -> int: …   # rows removed

`meeting` is given when a meeting closed under an "aggregates only" policy; without it, the whole
dialogue's content is due for deletion.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Max

from track2.dialogues.models import Dialogue
from track2.meetings.models import Meeting
from track2.operations.models import RetentionPolicy
from track2.operations.registry import Registry

Eraser = Callable[..., int]
ERASERS: Registry[Eraser] = Registry("retention eraser")
register_eraser = ERASERS.register
unregister_eraser = ERASERS.unregister
CLOSED = (Dialogue.Status.CONCLUDED, Dialogue.Status.ARCHIVED)


@dataclass(frozen=True)
class RetentionDone:
    erased: dict[str, int]
    keys_due: list[int]  # closed dialogues whose policy asks to destroy the key


def closed_since(dialogue: Dialogue) -> datetime | None:
    """When a closed dialogue closed: the end of its last meeting (or its creation)."""
    if dialogue.status not in CLOSED:
        return None
    last = dialogue.meetings.aggregate(last=Max("ends_at"))["last"]
    return last or dialogue.created_at


def apply(now: datetime) -> RetentionDone:
    erased: dict[str, int] = {}
    keys_due = []
    policies = RetentionPolicy.objects.select_related("dialogue", "dialogue__key_destruction")
    for policy in policies.exclude(
        on_meeting_close=RetentionPolicy.OnClose.KEEP,
        delete_content_after_days__isnull=True,
        destroy_key_on_close=False,
    ):
        dialogue = policy.dialogue
        if policy.on_meeting_close == RetentionPolicy.OnClose.AGGREGATES:
            for meeting in Meeting.objects.filter(dialogue=dialogue, ends_at__lte=now):
                for name, eraser in ERASERS.items():
                    erased[name] = erased.get(name, 0) + eraser(
                        dialogue, meeting=meeting, aggregates_only=True
                    )
        since = closed_since(dialogue)
        if since is None:
            continue
        days = policy.delete_content_after_days
        if days is not None and since + timedelta(days=days) <= now:
            for name, eraser in ERASERS.items():
                erased[name] = erased.get(name, 0) + eraser(dialogue)
        destroyed = getattr(dialogue, "key_destruction", None)
        if policy.destroy_key_on_close and not (destroyed and destroyed.destroyed_at):
            keys_due.append(dialogue.pk)
    return RetentionDone(erased, keys_due)
