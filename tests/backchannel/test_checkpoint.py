"""Checkpoints: the C2SP signed-note worked examples, cosignatures, and a client's pinned view
refusing a log that shrank or forked."""

from __future__ import annotations

import base64

import pytest

from tests.backchannel.vectors import c2sp
from track2.backchannel.checkpoint import (
    Checkpoint,
    NoteSigner,
    NoteVerifier,
    PinnedCheckpoint,
    cosign,
    open_checkpoint,
    open_note,
    sign_note,
)
from track2.backchannel.errors import BadCheckpoint, LogForked, LogShrank
from track2.backchannel.merkle import MerkleTree

GO = c2sp("go-sumdb-note-example.json")
SPEC = c2sp("signed-note-spec-example.json")


def test_go_reference_example_is_reproduced_byte_for_byte():
    signer = NoteSigner.decode(GO["signer_key"])
    verifier = NoteVerifier.decode(GO["verifier_key"])
    assert signer.verifier == verifier
    assert signer.encode() == GO["signer_key"]
    assert verifier.encode() == GO["verifier_key"]
    # Ed25519 is deterministic: the same key and text give the published note exactly.
    assert sign_note(GO["text"], signer) == GO["note"]
    assert open_note(GO["note"], [verifier]).text == GO["text"]


def test_go_reference_example_refuses_any_edit():
    verifier = NoteVerifier.decode(GO["verifier_key"])
    with pytest.raises(BadCheckpoint, match="altered"):
        open_note(GO["note"].replace("cryptography", "cryptographY"), [verifier])


def test_spec_example_parses_and_is_refused_without_its_key():
    # The spec's example comes without a public key: it must parse, and with only unrelated
    # trusted keys it must be refused ("MUST reject ... if no signature from a known key").
    unrelated = NoteVerifier.decode(GO["verifier_key"])
    with pytest.raises(BadCheckpoint, match="not signed by any trusted key"):
        open_note(SPEC["note"], [unrelated])
    # A key with the same name but another id is "unknown" and ignored, not a failure.
    same_name = NoteSigner.generate(SPEC["key_name"]).verifier
    with pytest.raises(BadCheckpoint, match="not signed by any trusted key"):
        open_note(SPEC["note"], [same_name])


@pytest.mark.parametrize(
    "mangled",
    [
        GO["verifier_key"][:-1],
        GO["verifier_key"].replace("c74f20a3", "c74f20a4"),
        "PeterNeumann",
        "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "PeterNeumann+c74f20a3+!!!",
    ],
)
def test_mangled_verifier_keys_are_refused(mangled):
    with pytest.raises(BadCheckpoint):
        NoteVerifier.decode(mangled)


LOG = NoteSigner.generate("track2.example/backchannel-log")
WITNESS = NoteSigner.generate("witness.example/w1", kind=0x04)


def _log_with(entries: int) -> MerkleTree:
    tree = MerkleTree()
    for i in range(entries):
        tree.append_data(f"entry {i}".encode())
    return tree


def _checkpoint(tree: MerkleTree, size: int | None = None) -> Checkpoint:
    return Checkpoint(LOG.name, tree.size if size is None else size, tree.root(size))


def test_checkpoint_text_signs_and_verifies():
    tree = _log_with(10)
    note = _checkpoint(tree).sign(LOG)
    lines = note.split("\n")
    assert lines[:3] == [LOG.name, "10", base64.b64encode(tree.root()).decode()]
    assert open_checkpoint(note, LOG.verifier) == _checkpoint(tree)


def test_cosignature_by_a_witness_verifies_and_binds_the_text():
    note = _checkpoint(_log_with(3)).sign(LOG)
    cosigned = cosign(note, WITNESS, timestamp=1_764_633_600)
    opened = open_note(cosigned, [LOG.verifier, WITNESS.verifier])
    assert opened.verified_by == (LOG.verifier,)
    assert opened.cosigned_at == ((WITNESS.verifier, 1_764_633_600),)
    # The witness signature does not verify over another checkpoint.
    other = _checkpoint(_log_with(4)).sign(LOG)
    witness_line = cosigned.rsplit("\n", 2)[-2] + "\n"
    with pytest.raises(BadCheckpoint):
        open_note(other + witness_line, [LOG.verifier, WITNESS.verifier])


def test_checkpoint_for_another_log_or_key_is_refused():
    other_log = NoteSigner.generate("elsewhere.example/log")
    note = Checkpoint("elsewhere.example/log", 1, b"\x00" * 32).sign(other_log)
    with pytest.raises(BadCheckpoint):
        open_checkpoint(note, LOG.verifier)
    wrong_origin = Checkpoint("elsewhere.example/log", 1, b"\x00" * 32).sign(LOG)
    with pytest.raises(BadCheckpoint, match="for the log"):
        open_checkpoint(wrong_origin, LOG.verifier)


@pytest.mark.parametrize(
    "text",
    [
        "origin\n012\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",
        "origin\n-1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",
        "origin\n18446744073709551616\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",
        "origin\n1\nAAAA\n",
        "origin\n1\n",
        "\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",
        "origin\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        "origin\n\u0661\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",
    ],
)
def test_malformed_checkpoints_are_refused(text):
    with pytest.raises(BadCheckpoint):
        Checkpoint.parse(text)


@pytest.mark.parametrize(
    "note",
    [
        "text\n\n— name AAAA\n",  # signature too short for a key id
        "text\n\n- name AAAAAAAA\n",  # hyphen, not an em dash
        "text\x07\n\n— name AAAAAAAA\n",  # control character
        "text\n",  # no signatures
        "text\n\n— name AAAAAAAA",  # no final newline
        "text\n\n" + "— name AAAAAAAA\n" * 40,  # too many signatures
        "text\ud800\n\n— name AAAAAAAA\n",  # lone surrogate
        "x" * 70_000 + "\n\n— name AAAAAAAA\n",  # oversized
    ],
)
def test_malformed_notes_are_refused(note):
    with pytest.raises(BadCheckpoint):
        open_note(note, [LOG.verifier])


def test_pinned_checkpoint_accepts_only_extensions():
    tree = _log_with(1000)
    pinned = PinnedCheckpoint.trust_first(_checkpoint(tree, 600))
    grown = pinned.advance(_checkpoint(tree), tree.consistency_proof(600))
    assert (grown.size, grown.root) == (1000, tree.root())
    # Same checkpoint again is fine (nothing new).
    assert grown.advance(_checkpoint(tree), []) == grown
    assert PinnedCheckpoint.from_json(grown.to_json()) == grown


def test_rollback_to_a_smaller_checkpoint_is_refused():
    tree = _log_with(50)
    pinned = PinnedCheckpoint.trust_first(_checkpoint(tree))
    with pytest.raises(LogShrank, match="rolled back"):
        pinned.advance(_checkpoint(tree, 40), [])


def test_a_fork_at_the_same_size_is_refused():
    tree = _log_with(50)
    pinned = PinnedCheckpoint.trust_first(_checkpoint(tree))
    forked = MerkleTree()
    for i in range(50):
        forked.append_data(f"entry {i}".encode() if i != 17 else b"rewritten")
    with pytest.raises(LogForked):
        pinned.advance(_checkpoint(forked), [])


def test_a_larger_log_that_rewrote_history_is_refused():
    tree = _log_with(50)
    pinned = PinnedCheckpoint.trust_first(_checkpoint(tree))
    forked = MerkleTree()
    for i in range(80):
        forked.append_data(f"entry {i}".encode() if i != 3 else b"deleted and replaced")
    with pytest.raises(LogForked, match="rewritten"):
        pinned.advance(_checkpoint(forked), forked.consistency_proof(50))
    # Nor can the forked log borrow the honest log's proof.
    honest = _log_with(80)
    with pytest.raises(LogForked):
        pinned.advance(_checkpoint(forked), honest.consistency_proof(50))


@pytest.mark.parametrize(
    "text",
    [
        "",
        "{}",
        '{"origin": 1, "size": 1, "root": "x"}',
        "[1]",
        '{"origin": "o", "size": -1, "root": "AAAA"}',
    ],
)
def test_a_damaged_pin_file_is_refused(text):
    with pytest.raises(BadCheckpoint):
        PinnedCheckpoint.from_json(text)
