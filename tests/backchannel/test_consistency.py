"""A restored log is checked against its signed checkpoints, recomputed from the entries: an
altered, deleted or reordered entry, a checkpoint of another key, or a missing key is named."""

from __future__ import annotations

import hashlib

import pytest
from django.conf import settings

from track2.backchannel import consistency, log, logentry
from track2.backchannel.models import Checkpoint, LogHead, LogLeaf
from track2.operations import verification

pytestmark = pytest.mark.django_db


def fill(count: int) -> None:
    for i in range(count):
        log.append(logentry.POSTED, hashlib.sha256(str(i).encode()).digest())


@pytest.mark.parametrize("size", [0, 1, 2, 7, 16, 37])
def test_a_sound_log_passes_at_every_size(size):
    fill(size)
    log.signed_checkpoint()
    assert consistency.log_problems(keys_restored=True) == []
    # The folded root is the stored tree's (RFC 9162), whatever the shape of the tree.
    assert consistency._stored_roots({size})[1][size] == log.tree().root(size)


def test_the_check_is_registered_for_restores():
    assert verification.registered()[consistency.NAME] is consistency.restore_check


def test_an_altered_entry_is_named():
    fill(9)
    log.signed_checkpoint()
    LogLeaf.objects.filter(index=4).update(digest=hashlib.sha256(b"forged").digest())
    assert consistency.log_problems(keys_restored=True) == [
        "entry 4 was altered (it no longer hashes to its leaf)"
    ]


def test_an_altered_entry_with_a_matching_leaf_hash_breaks_the_root():
    fill(9)
    log.signed_checkpoint()
    forged = hashlib.sha256(b"forged").digest()
    LogLeaf.objects.filter(index=4).update(
        digest=forged, leaf_hash=logentry.leaf_hash(logentry.POSTED, forged)
    )
    assert consistency.log_problems(keys_restored=True) == [
        "the checkpoint at 9 entries has another root than the stored entries: the log was altered"
    ]


def test_deleted_entries_are_named():
    fill(9)
    log.signed_checkpoint()
    LogLeaf.objects.filter(index=3).delete()
    assert consistency.log_problems(keys_restored=True) == [
        "entry 3 is missing from the stored log"
    ]
    LogLeaf.objects.filter(index__gte=3).delete()
    LogHead.objects.update(size=3)
    assert consistency.log_problems(keys_restored=True) == [
        "the checkpoint at 9 entries signs more entries than the 3 stored: entries were deleted"
    ]


def test_a_checkpoint_signed_by_another_key_fails():
    fill(5)
    log.signed_checkpoint()
    key = settings.TRACK2_BACKCHANNEL_LOG_KEY
    key.unlink()
    log.log_signer()  # a new key, as on a site whose keys were lost and remade
    (problem,) = consistency.log_problems(keys_restored=True)
    assert problem == "the restored log key is not the key that signed the checkpoint at 5 entries"


def test_a_forged_note_fails_with_the_stored_public_key():
    fill(5)
    checkpoint = log.signed_checkpoint()
    settings.TRACK2_BACKCHANNEL_LOG_KEY.unlink()  # right after `track2 restore`: no keys yet
    assert consistency.log_problems(keys_restored=False) == []
    Checkpoint.objects.filter(pk=checkpoint.pk).update(
        note=checkpoint.note.replace("5\n", "6\n", 1)
    )
    (problem,) = consistency.log_problems(keys_restored=False)
    assert problem.startswith(
        "the checkpoint at 5 entries does not verify with the log's public key"
    )


def test_without_the_log_key_after_restore_keys():
    fill(3)
    log.signed_checkpoint()
    settings.TRACK2_BACKCHANNEL_LOG_KEY.unlink()
    (problem,) = consistency.log_problems(keys_restored=True)
    assert "there is no log key" in problem and "restore the keys backup" in problem


def test_a_head_that_disagrees_with_the_entries():
    fill(4)
    LogHead.objects.update(size=6)
    assert consistency.log_problems(keys_restored=True) == [
        "the log's head counts 6 entries but 4 are stored"
    ]
