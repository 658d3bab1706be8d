"""The transparency log as stored in the database: roots and proofs agree with the pure tree,
checkpoints verify with the site's key, bad requests are refused, the key file is private."""

from __future__ import annotations

import base64
import hashlib
import os

import pytest
from django.core.exceptions import ImproperlyConfigured

from track2.backchannel import log, logentry, merkle
from track2.backchannel.checkpoint import NoteVerifier, open_checkpoint
from track2.backchannel.models import LogSubtree

pytestmark = pytest.mark.django_db


def fill(count: int) -> list[bytes]:
    leaves = []
    for i in range(count):
        digest = hashlib.sha256(str(i).encode()).digest()
        log.append(logentry.POSTED, digest)
        leaves.append(logentry.leaf_hash(logentry.POSTED, digest))
    return leaves


def test_stored_tree_matches_the_pure_tree_and_its_proofs_verify(api_as):
    leaves = fill(37)
    reference = merkle.MerkleTree()
    for leaf in leaves:
        reference.append(leaf)
    stored = log.tree()
    for size in (1, 2, 5, 16, 31, 37):
        assert stored.root(size) == reference.root(size)
    # Complete subtrees are memoised: 37 leaves close 18 + 9 + 4 + 2 + 1 of them.
    assert LogSubtree.objects.count() >= 34
    checkpoint = api_as(None, "get", "/log/checkpoint").json()
    verifier = NoteVerifier.decode(checkpoint["public_key"])
    opened = open_checkpoint(checkpoint["note"], verifier)
    assert opened.size == 37 and opened.root == reference.root()
    for index in (0, 17, 36):
        proof = api_as(
            None, "get", f"/log/inclusion?leaf_hash={leaves[index].hex()}&size=37"
        ).json()
        assert proof["index"] == index
        merkle.verify_inclusion(
            leaves[index], index, 37, [base64.b64decode(p) for p in proof["proof"]], opened.root
        )
    consistency = api_as(None, "get", "/log/consistency?old_size=13&size=37").json()
    merkle.verify_consistency(
        13, 37, reference.root(13), opened.root, [base64.b64decode(p) for p in consistency["proof"]]
    )


def test_bad_proof_requests(api_as):
    leaves = fill(3)
    unknown = hashlib.sha256(b"never logged").hexdigest()
    assert api_as(None, "get", f"/log/inclusion?leaf_hash={unknown}&size=3").status_code == 404
    # A leaf past the requested size is not in that tree.
    late = leaves[2].hex()
    assert api_as(None, "get", f"/log/inclusion?leaf_hash={late}&size=2").status_code == 404
    too_big = api_as(None, "get", f"/log/inclusion?leaf_hash={late}&size=99")
    assert too_big.status_code == 400 and too_big.json()["field"] == "size"
    not_hex = api_as(None, "get", "/log/inclusion?leaf_hash=zz&size=3")
    assert not_hex.status_code == 400 and not_hex.json()["field"] == "leaf_hash"
    backwards = api_as(None, "get", "/log/consistency?old_size=3&size=2")
    assert backwards.status_code == 400 and backwards.json()["field"] == "old_size"
    assert api_as(None, "get", "/log/consistency?old_size=1&size=99").status_code == 400
    huge = api_as(None, "get", f"/log/consistency?old_size=1&size={2**70}")
    assert huge.status_code == 422


def test_checkpoint_is_signed_once_per_size(api_as):
    fill(2)
    first = api_as(None, "get", "/log/checkpoint").json()
    assert api_as(None, "get", "/log/checkpoint").json() == first
    fill(1)
    assert api_as(None, "get", "/log/checkpoint").json()["size"] == 3


def test_log_key_file_is_private(settings):
    key_file = settings.TRACK2_BACKCHANNEL_LOG_KEY
    signer = log.log_signer()
    assert os.stat(key_file).st_mode & 0o777 == 0o600
    assert log.log_signer().encode() == signer.encode()
    os.chmod(key_file, 0o644)
    with pytest.raises(ImproperlyConfigured, match="chmod 600"):
        log.log_signer()
