"""The back channel under operations (issue 16): housekeeping erases expired envelopes in
mailboxes nobody touches, and a dialogue's "delete content" retention deletes its envelopes;
every erasure is logged, so the log still matches its signed checkpoint."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from track2.backchannel import log
from track2.backchannel.consistency import log_problems
from track2.backchannel.models import Envelope, LogLeaf
from track2.dialogues.models import Dialogue
from track2.operations import actions, housekeeping, retention

from .conftest import b64, seal_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_held(world, api_as, keys, open_box):
    """Two envelopes held in one of the dialogue's mailboxes, and a signed checkpoint."""
    address = open_box(world.users["participant"], keys("a"), keys("b"))
    for text in (b"first", b"second"):
        posted = api_as(
            None,
            "post",
            f"/mailboxes/{address.mailbox_id}/envelopes",
            {"envelope": b64(seal_for(world, keys("a"), keys("b"), address, text))},
            **{"Track2-Delivery-Token": address.delivery_token},
        )
        assert posted.status_code == 201, posted.content
    log.signed_checkpoint()
    return list(Envelope.objects.order_by("envelope_id"))


def deleted_leaves() -> int:
    return LogLeaf.objects.filter(kind=LogLeaf.Kind.DELETED).count()


def test_housekeeping_erases_expired_envelopes_nobody_came_for(two_held):
    late, fresh = two_held
    Envelope.objects.filter(pk=late.pk).update(expires_on=late.posted_on - timedelta(days=1))
    done = housekeeping.run(timezone.now())
    assert done.messages_expired == 1
    assert bytes(Envelope.objects.get(pk=late.pk).ciphertext) == b""
    assert bytes(Envelope.objects.get(pk=fresh.pk).ciphertext) == bytes(fresh.ciphertext)
    assert deleted_leaves() == 1
    # A second run has nothing more to erase, and logs nothing twice.
    assert housekeeping.run(timezone.now()).messages_expired == 0 and deleted_leaves() == 1
    log.signed_checkpoint()
    assert log_problems(keys_restored=True) == []


def test_housekeeping_on_a_later_day_erases_by_that_day(two_held):
    expiry = max(e.expires_on for e in two_held)
    on_expiry = timezone.now().replace(year=expiry.year, month=expiry.month, day=expiry.day)
    assert housekeeping.run(on_expiry).messages_expired == 0
    assert housekeeping.run(on_expiry + timedelta(days=1)).messages_expired == 2
    assert not Envelope.objects.exclude(ciphertext=b"").exists()


def test_deleting_a_dialogues_content_deletes_its_envelopes(world, two_held, make_user):
    late, _fresh = two_held
    # One already expired and emptied (logged then), one still held.
    Envelope.objects.filter(pk=late.pk).update(expires_on=late.posted_on - timedelta(days=1))
    housekeeping.run(timezone.now())
    assert deleted_leaves() == 1
    actions.do_set_retention(
        world.users["convener"],
        world.dialogue,
        on_meeting_close="aggregates",
        delete_content_after_days=0,
        destroy_key_on_close=False,
    )
    # Open dialogue: "aggregates only" at a meeting's end leaves the back channel alone.
    done = retention.apply(timezone.now() + timedelta(days=400))
    assert done.erased.get("back-channel messages", 0) == 0 and Envelope.objects.count() == 2
    Dialogue.objects.filter(pk=world.dialogue.pk).update(status=Dialogue.Status.CONCLUDED)
    done = retention.apply(timezone.now() + timedelta(days=400))
    assert done.erased["back-channel messages"] == 2
    assert not Envelope.objects.exists()
    assert deleted_leaves() == 2  # the held one logged now; the emptied one not again
    log.signed_checkpoint()
    assert log_problems(keys_restored=True) == []
