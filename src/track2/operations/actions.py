"""Every write of operations that a person makes: retention policies and key destruction.

Destroying a dialogue's key is irreversible, so it takes two conveners of that dialogue: one
asks, another confirms; both steps are in the audit trail (the rules both this and deleting a
whole dialogue follow are in two_conveners.py).
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from track2 import keyring, live
from track2.access import NotFound, access_dialogue
from track2.audit.record import record
from track2.dialogues.models import Dialogue
from track2.errors import ActionRefused, Problems
from track2.operations.models import KeyDestruction, RetentionPolicy
from track2.operations.two_conveners import lock_dialogue

MAX_RETENTION_DAYS = 36500


def retention_days_range() -> str:
    """What retention's days may be, in the words the page and the API's schema both say."""
    return f"give a number of days from 0 to {MAX_RETENTION_DAYS}, or none to keep the content."


def check_set_retention(
    by,
    dialogue_id,
    *,
    on_meeting_close: str,
    delete_content_after_days: int | None,
    destroy_key_on_close: bool,
) -> Dialogue:
    dialogue = access_dialogue(by, dialogue_id, need="convener").dialogue
    problems = Problems()
    if on_meeting_close not in RetentionPolicy.OnClose.values:
        problems.add(
            f"choose one of: {', '.join(RetentionPolicy.OnClose.values)}.", "on_meeting_close"
        )
    if delete_content_after_days is not None and not (
        0 <= delete_content_after_days <= MAX_RETENTION_DAYS
    ):
        problems.add(retention_days_range(), "delete_content_after_days")
    problems.raise_any()
    return dialogue


def do_set_retention(by, dialogue: Dialogue, **fields) -> RetentionPolicy:
    with transaction.atomic():
        policy, _created = RetentionPolicy.objects.update_or_create(
            dialogue=dialogue, defaults=fields
        )
        record(by, "update", policy, fields=fields, dialogue=dialogue)
    return policy


def check_request_key_destruction(by, dialogue_id) -> Dialogue:
    dialogue = access_dialogue(by, dialogue_id, need="convener").dialogue
    existing = KeyDestruction.objects.filter(dialogue=dialogue).first()
    if keyring.is_destroyed(dialogue.pk) or (existing and existing.destroyed_at):
        raise ActionRefused("this dialogue's key is already destroyed.")
    if existing:
        raise ActionRefused(
            "the destruction of this dialogue's key was already asked for; another convener confirms it."
        )
    return dialogue


def do_request_key_destruction(by, dialogue: Dialogue) -> KeyDestruction:
    with transaction.atomic():
        # Two conveners asking at the same moment: the second is told it was asked for.
        lock_dialogue(dialogue.pk)
        if KeyDestruction.objects.filter(dialogue=dialogue).exists():
            check_request_key_destruction(by, dialogue.pk)  # raises, saying which
        request = KeyDestruction.objects.create(dialogue=dialogue, requested_by=by)
        record(by, "request", request, dialogue=dialogue)
    return request


def check_confirm_key_destruction(by, dialogue_id) -> KeyDestruction:
    dialogue = access_dialogue(by, dialogue_id, need="convener").dialogue
    request = KeyDestruction.objects.filter(dialogue=dialogue).first()
    if request is None:
        raise ActionRefused("nobody has asked to destroy this dialogue's key; ask first.")
    if request.destroyed_at:
        raise ActionRefused("this dialogue's key is already destroyed.")
    if request.requested_by_id == by.pk:
        raise ActionRefused(
            "you asked for this destruction; a second convener of the dialogue must confirm it."
        )
    return request


def do_confirm_key_destruction(by, request: KeyDestruction) -> KeyDestruction:
    with transaction.atomic():
        # The dialogue first, as deleting the dialogue locks it: the same order, or the two
        # deadlock; deleted meanwhile, it is not found.
        if lock_dialogue(request.dialogue_id) is None:
            raise NotFound
        request = KeyDestruction.objects.select_for_update().get(pk=request.pk)
        if request.destroyed_at:
            raise ActionRefused("this dialogue's key is already destroyed.")
        request.confirmed_by = by
        request.destroyed_at = timezone.now()
        request.save(update_fields=["confirmed_by", "destroyed_at"])
        record(by, "destroy", request, dialogue=request.dialogue)
        # Last, inside the transaction: if the key cannot be destroyed, nothing is recorded.
        keyring.destroy_dialogue_key(request.dialogue_id)
        live.announce(live.key_gone_topic(request.dialogue_id))  # every process lets go of it
    return request
