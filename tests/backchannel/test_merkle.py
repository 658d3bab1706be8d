"""The Merkle log against transparency-dev/merkle's published test data, a from-the-RFC reference,
and tamper tests (edit, insert, delete, reorder are all detected)."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.backchannel.vectors import RFC6962_LEAVES, b64, merkle_cases
from track2.backchannel.errors import BadProof
from track2.backchannel.merkle import (
    MemoryStore,
    MerkleTree,
    empty_root,
    leaf_hash,
    log_entry,
    node_hash,
    verify_consistency,
    verify_inclusion,
)


def _proof(case) -> list[bytes]:
    return [b64(p) for p in case["proof"] or []]


@pytest.mark.parametrize(
    ("name", "case"), merkle_cases("inclusion"), ids=lambda v: v if isinstance(v, str) else ""
)
def test_transparency_dev_inclusion_data(name, case):
    args = (
        b64(case["leafHash"]),
        case["leafIdx"],
        case["treeSize"],
        _proof(case),
        b64(case["root"]),
    )
    if case["wantErr"]:
        with pytest.raises(BadProof):
            verify_inclusion(*args)
    else:
        verify_inclusion(*args)


@pytest.mark.parametrize(
    ("name", "case"), merkle_cases("consistency"), ids=lambda v: v if isinstance(v, str) else ""
)
def test_transparency_dev_consistency_data(name, case):
    args = (case["size1"], case["size2"], b64(case["root1"]), b64(case["root2"]), _proof(case))
    if case["wantErr"]:
        with pytest.raises(BadProof):
            verify_consistency(*args)
    else:
        verify_consistency(*args)


@pytest.fixture(scope="module")
def rfc6962_tree() -> MerkleTree:
    tree = MerkleTree()
    for leaf in RFC6962_LEAVES:
        tree.append_data(leaf)
    return tree


def test_our_tree_produces_the_published_roots_and_proofs(rfc6962_tree):
    """The happy paths were made from the RFC 6962 test leaves: we must produce the same bytes."""
    for _name, case in merkle_cases("inclusion"):
        if case["wantErr"]:
            continue
        assert rfc6962_tree.root(case["treeSize"]) == b64(case["root"])
        assert rfc6962_tree.store.leaf_hash(case["leafIdx"]) == b64(case["leafHash"])
        assert rfc6962_tree.inclusion_proof(case["leafIdx"], case["treeSize"]) == _proof(case)
    for _name, case in merkle_cases("consistency"):
        if case["wantErr"]:
            continue
        assert rfc6962_tree.root(case["size1"]) == b64(case["root1"])
        assert rfc6962_tree.root(case["size2"]) == b64(case["root2"])
        assert rfc6962_tree.consistency_proof(case["size1"], case["size2"]) == _proof(case)


def test_empty_tree_and_hash_prefixes():
    assert MerkleTree().root() == hashlib.sha256(b"").digest() == empty_root()
    assert leaf_hash(b"") == hashlib.sha256(b"\x00").digest()
    assert (
        node_hash(b"a" * 32, b"b" * 32) == hashlib.sha256(b"\x01" + b"a" * 32 + b"b" * 32).digest()
    )
    # The domain separation is what stops a node from passing as a leaf (second preimage).
    assert leaf_hash(b"a" * 32 + b"b" * 32) != node_hash(b"a" * 32, b"b" * 32)


# A direct transcription of RFC 9162 2.1.1-2.1.4 (recursive, O(n)), as an independent reference.
def _mth(leaves: list[bytes]) -> bytes:
    n = len(leaves)
    if n == 0:
        return empty_root()
    if n == 1:
        return leaf_hash(leaves[0])
    k = 1 << ((n - 1).bit_length() - 1)
    return node_hash(_mth(leaves[:k]), _mth(leaves[k:]))


def _path(m: int, leaves: list[bytes]) -> list[bytes]:
    n = len(leaves)
    if n <= 1:
        return []
    k = 1 << ((n - 1).bit_length() - 1)
    if m < k:
        return _path(m, leaves[:k]) + [_mth(leaves[k:])]
    return _path(m - k, leaves[k:]) + [_mth(leaves[:k])]


def _subproof(m: int, leaves: list[bytes], whole: bool) -> list[bytes]:
    n = len(leaves)
    if m == n:
        return [] if whole else [_mth(leaves)]
    k = 1 << ((n - 1).bit_length() - 1)
    if m <= k:
        return _subproof(m, leaves[:k], whole) + [_mth(leaves[k:])]
    return _subproof(m - k, leaves[k:], False) + [_mth(leaves[:k])]


def test_against_the_rfc_reference_for_every_size_index_and_prefix_up_to_40():
    leaves = [i.to_bytes(2, "big") for i in range(40)]
    tree = MerkleTree()
    for leaf in leaves:
        tree.append_data(leaf)
    for n in range(0, 41):
        root = tree.root(n)
        assert root == _mth(leaves[:n])
        for i in range(n):
            proof = tree.inclusion_proof(i, n)
            assert proof == _path(i, leaves[:n])
            verify_inclusion(leaf_hash(leaves[i]), i, n, proof, root)
        for m in range(1, n):
            proof = tree.consistency_proof(m, n)
            assert proof == _subproof(m, leaves[:n], True)
            verify_consistency(m, n, tree.root(m), root, proof)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.binary(max_size=8), min_size=1, max_size=200), st.data())
def test_random_trees_prove_and_refuse(leaves, data):
    tree = MerkleTree()
    for leaf in leaves:
        tree.append_data(leaf)
    n = len(leaves)
    index = data.draw(st.integers(0, n - 1))
    proof = tree.inclusion_proof(index)
    verify_inclusion(leaf_hash(leaves[index]), index, n, proof, tree.root())
    assert len(proof) <= max(1, (n - 1).bit_length())
    with pytest.raises(BadProof):
        verify_inclusion(leaf_hash(leaves[index] + b"!"), index, n, proof, tree.root())
    first = data.draw(st.integers(0, n))
    proof = tree.consistency_proof(first)
    verify_consistency(first, n, tree.root(first), tree.root(), proof)
    if 0 < first < n:
        with pytest.raises(BadProof):
            verify_consistency(first, n, tree.root(first), leaf_hash(b"forged root"), proof)


def test_the_memoised_store_gives_the_same_answers_as_a_cold_one():
    warm = MerkleTree()
    for i in range(1000):
        warm.append_data(i.to_bytes(4, "big"))

    class LeavesOnly(MemoryStore):
        """A store that never remembers a subtree: every hash is recomputed from the leaves."""

        def remember(self, level: int, index: int, digest: bytes) -> None:
            return None

    cold = MerkleTree(LeavesOnly())
    for i in range(1000):
        cold.append_data(i.to_bytes(4, "big"))
    for size in (1, 2, 3, 511, 512, 513, 999, 1000):
        assert warm.root(size) == cold.root(size)
        assert warm.inclusion_proof(size - 1, size) == cold.inclusion_proof(size - 1, size)
        assert warm.consistency_proof(size // 3, size) == cold.consistency_proof(size // 3, size)


def _log(entries: list[bytes]) -> MerkleTree:
    tree = MerkleTree()
    for entry in entries:
        tree.append_data(entry)
    return tree


ENTRIES = [f"envelope-hash-{i}".encode() for i in range(23)]


@pytest.mark.parametrize(
    "rewrite",
    [
        pytest.param(lambda e: e[:9] + [b"edited"] + e[10:], id="edit"),
        pytest.param(lambda e: e[:9] + [b"inserted"] + e[9:], id="insert"),
        pytest.param(lambda e: e[:9] + e[10:], id="delete"),
        pytest.param(lambda e: e[:9] + [e[10], e[9]] + e[11:], id="reorder"),
    ],
)
def test_rewriting_history_is_detected(rewrite):
    honest = _log(ENTRIES[:15])
    pinned_size, pinned_root = honest.size, honest.root()
    rewritten = _log(rewrite(ENTRIES))
    # A client that pinned the 15-entry root cannot be shown a consistent extension.
    with pytest.raises(BadProof):
        verify_consistency(
            pinned_size,
            rewritten.size,
            pinned_root,
            rewritten.root(),
            rewritten.consistency_proof(pinned_size),
        )
    # And an entry's old inclusion proof no longer leads to the new root.
    with pytest.raises(BadProof):
        verify_inclusion(
            leaf_hash(ENTRIES[9]),
            9,
            rewritten.size,
            honest.inclusion_proof(9),
            rewritten.root(),
        )


def test_bad_sizes_and_indices_are_refused_with_a_clear_message():
    tree = _log(ENTRIES)
    with pytest.raises(BadProof, match="no tree of size 24"):
        tree.root(24)
    with pytest.raises(BadProof, match="Entry 23"):
        tree.inclusion_proof(23)
    with pytest.raises(BadProof):
        tree.consistency_proof(5, 3)
    with pytest.raises(BadProof):
        verify_inclusion(leaf_hash(b"x"), 0, 0, [], empty_root())
    with pytest.raises(BadProof, match="longer"):
        verify_inclusion(leaf_hash(b"x"), 0, 2**64, [b"\x00" * 32] * 200, empty_root())
    with pytest.raises(BadProof):
        tree.append(b"short")


def test_log_entries_name_their_kind():
    digest = hashlib.sha256(b"an envelope").digest()
    assert log_entry("envelope", digest) == b"envelope\x00" + digest
    assert leaf_hash(log_entry("envelope", digest)) != leaf_hash(log_entry("receipt", digest))
    with pytest.raises(BadProof):
        log_entry("plaintext", digest)
    with pytest.raises(BadProof):
        log_entry("envelope", b"short")
