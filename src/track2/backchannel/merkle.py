"""The transparency log's Merkle tree: RFC 9162 (RFC 6962) hashing, proofs and their verification.

The log holds hashes only (of key bundles, envelopes posted, receipts, acknowledgements and
deletions), never content. The tree reads leaf hashes through a small storage protocol and keeps
the hash of every complete subtree (aligned, power-of-two sized) in the store as leaves arrive, so
that a root or a proof at a million entries costs O(log n) reads and hashes, not O(n).
Algorithms: RFC 9162 section 2.1 (MTH, PATH, SUBPROOF and the two verification procedures).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from typing import Protocol

from track2.backchannel.errors import BadProof

__all__ = [
    "HASH_SIZE",
    "MemoryStore",
    "MerkleTree",
    "TreeStore",
    "empty_root",
    "LOG_KINDS",
    "leaf_hash",
    "log_entry",
    "node_hash",
    "verify_consistency",
    "verify_inclusion",
]

HASH_SIZE = 32
# A proof for a tree of at most 2^64 leaves has at most 64 (inclusion) or 128 (consistency)
# hashes; anything longer is refused before any hashing.
_MAX_PROOF = 130


def leaf_hash(data: bytes) -> bytes:
    """RFC 9162 2.1.1: MTH({d}) = SHA-256(0x00 || d)."""
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """RFC 9162 2.1.1: SHA-256(0x01 || left || right)."""
    return hashlib.sha256(b"\x01" + left + right).digest()


# What the back channel's log records, each as the hash of a thing, never the thing itself.
LOG_KINDS = ("bundle", "envelope", "receipt", "acknowledgement", "deletion", "statement")


def log_entry(kind: str, digest: bytes) -> bytes:
    """The leaf data for one log entry: its kind, a zero byte, and the SHA-256 of the thing.

    Naming the kind stops an entry of one kind being presented as another (a receipt's hash
    shown as an envelope's).
    """
    if kind not in LOG_KINDS:
        raise BadProof(f"{kind!r} is not a kind of log entry ({', '.join(LOG_KINDS)}).")
    _check_hash(digest, f"{kind} hash")
    return kind.encode("ascii") + b"\x00" + digest


def empty_root() -> bytes:
    """RFC 9162 2.1.1: the hash of an empty list is SHA-256 of the empty string."""
    return hashlib.sha256(b"").digest()


class TreeStore(Protocol):
    """Where the log's leaf hashes and complete-subtree hashes live (memory, or the database).

    `subtree(level, index)` returns the remembered hash of leaves [index * 2^level,
    (index + 1) * 2^level) or None; `remember` stores one. Level 0 is the leaves themselves.
    """

    def count(self) -> int: ...

    def leaf_hash(self, index: int) -> bytes: ...

    def append_leaf(self, digest: bytes) -> None: ...

    def subtree(self, level: int, index: int) -> bytes | None: ...

    def remember(self, level: int, index: int, digest: bytes) -> None: ...


class MemoryStore:
    """An in-memory TreeStore: one list per level (level 0 holds the leaf hashes)."""

    def __init__(self) -> None:
        self.levels: list[list[bytes]] = [[]]

    def count(self) -> int:
        return len(self.levels[0])

    def leaf_hash(self, index: int) -> bytes:
        return self.levels[0][index]

    def append_leaf(self, digest: bytes) -> None:
        self.levels[0].append(digest)

    def subtree(self, level: int, index: int) -> bytes | None:
        if level < len(self.levels) and index < len(self.levels[level]):
            return self.levels[level][index]
        return None

    def remember(self, level: int, index: int, digest: bytes) -> None:
        while len(self.levels) <= level:
            self.levels.append([])
        row = self.levels[level]
        # Complete subtrees are filled left to right as the log grows; a lazily computed one past
        # the end of its row is simply not kept.
        if index == len(row):
            row.append(digest)


def _split(n: int) -> int:
    """The largest power of two strictly smaller than n (n >= 2): RFC 9162's k."""
    return 1 << ((n - 1).bit_length() - 1)


def _check_hash(value: bytes, what: str) -> None:
    if len(value) != HASH_SIZE:
        raise BadProof(f"The {what} is not a {HASH_SIZE}-byte SHA-256 hash.")


class MerkleTree:
    """An append-only Merkle tree over a TreeStore."""

    def __init__(self, store: TreeStore | None = None) -> None:
        self.store: TreeStore = store if store is not None else MemoryStore()

    @property
    def size(self) -> int:
        return self.store.count()

    def append(self, digest: bytes) -> int:
        """Add a leaf hash (see `leaf_hash`); return its index. Amortised one node hash."""
        _check_hash(digest, "leaf hash")
        index = self.store.count()
        self.store.append_leaf(digest)
        size = index + 1
        level, right = 0, digest
        # Each complete subtree this leaf closes is remembered, bottom up.
        while size % (2 << level) == 0:
            position = (size >> level) - 1  # index of `right` in its level
            left = self._complete(level, position - 1)
            right = node_hash(left, right)
            level += 1
            self.store.remember(level, position >> 1, right)
        return index

    def append_data(self, data: bytes) -> int:
        return self.append(leaf_hash(data))

    def _complete(self, level: int, index: int) -> bytes:
        if level == 0:
            return self.store.leaf_hash(index)
        known = self.store.subtree(level, index)
        if known is not None:
            return known
        digest = node_hash(
            self._complete(level - 1, 2 * index), self._complete(level - 1, 2 * index + 1)
        )
        self.store.remember(level, index, digest)
        return digest

    def _range(self, lo: int, hi: int) -> bytes:
        """MTH(D[lo:hi]); in RFC 9162's recursion `lo` is always aligned to the left part."""
        n = hi - lo
        if n == 0:
            return empty_root()
        if n & (n - 1) == 0 and lo % n == 0:
            return self._complete(n.bit_length() - 1, lo // n)
        k = _split(n)
        return node_hash(self._range(lo, lo + k), self._range(lo + k, hi))

    def _size(self, size: int | None) -> int:
        current = self.store.count()
        if size is None:
            return current
        if size < 0 or size > current:
            raise BadProof(f"The log has {current:,} entries; there is no tree of size {size:,}.")
        return size

    def root(self, size: int | None = None) -> bytes:
        """The root hash of the first `size` entries (default: all)."""
        return self._range(0, self._size(size))

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        """RFC 9162 2.1.3.1 PATH(m, D[n]): the audit path of leaf `index` in the tree of `size`."""
        n = self._size(size)
        if not 0 <= index < n:
            raise BadProof(f"Entry {index:,} is not in a log of {n:,} entries.")
        proof: list[bytes] = []
        lo, hi = 0, n
        # Walk down from the root, collecting siblings; the RFC builds the list leaf first.
        while hi - lo > 1:
            k = _split(hi - lo)
            if index < lo + k:
                proof.append(self._range(lo + k, hi))
                hi = lo + k
            else:
                proof.append(self._range(lo, lo + k))
                lo = lo + k
        proof.reverse()
        return proof

    def consistency_proof(self, first: int, second: int | None = None) -> list[bytes]:
        """RFC 9162 2.1.4.1 PROOF(m, D[n]) = SUBPROOF(m, D[n], true)."""
        n = self._size(second)
        if not 0 <= first <= n:
            raise BadProof(f"A log of {n:,} entries cannot extend one of {first:,}.")
        if first == 0 or first == n:
            return []
        proof: list[bytes] = []
        lo, hi, m, whole = 0, n, first, True
        while True:
            if m == hi - lo:
                if not whole:
                    proof.append(self._range(lo, hi))
                break
            k = _split(hi - lo)
            if m <= k:
                proof.append(self._range(lo + k, hi))
                hi = lo + k
            else:
                proof.append(self._range(lo, lo + k))
                lo, m, whole = lo + k, m - k, False
        proof.reverse()
        return proof


def verify_inclusion(
    digest: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> None:
    """RFC 9162 2.1.3.2: raise BadProof unless leaf hash `digest` is entry `index` under `root`."""
    _check_hash(digest, "leaf hash")
    _check_hash(root, "root hash")
    if not 0 <= index < size:
        raise BadProof(f"Entry {index:,} cannot be in a log of {size:,} entries.")
    if len(proof) > _MAX_PROOF:
        raise BadProof("The inclusion proof is longer than any valid proof.")
    fn, sn, r = index, size - 1, digest
    for p in proof:
        _check_hash(p, "proof hash")
        if sn == 0:
            raise BadProof("The inclusion proof has more hashes than the tree has levels.")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise BadProof("The inclusion proof is too short for the tree's size.")
    if not hmac.compare_digest(r, root):
        raise BadProof("The inclusion proof does not lead to the root: the entry is not there.")


def verify_consistency(
    first: int, second: int, first_root: bytes, second_root: bytes, proof: Sequence[bytes]
) -> None:
    """RFC 9162 2.1.4.2: raise BadProof unless the tree of `second` extends the one of `first`."""
    _check_hash(first_root, "first root")
    _check_hash(second_root, "second root")
    if not 0 <= first <= second:
        raise BadProof(f"A log of {second:,} entries cannot extend one of {first:,}.")
    if len(proof) > _MAX_PROOF:
        raise BadProof("The consistency proof is longer than any valid proof.")
    for p in proof:
        _check_hash(p, "proof hash")
    if first == second:
        if proof:
            raise BadProof("Two checkpoints of the same size need an empty consistency proof.")
        if not hmac.compare_digest(first_root, second_root):
            raise BadProof("Two checkpoints of the same size have different roots: a fork.")
        return
    if first == 0:
        # Every tree extends the empty one; a proof carries nothing to check.
        if proof:
            raise BadProof("A consistency proof from the empty log must be empty.")
        return
    if not proof:
        raise BadProof("The consistency proof is empty.")
    path = list(proof)
    if first & (first - 1) == 0:
        path.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise BadProof("The consistency proof has more hashes than the tree has levels.")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise BadProof("The consistency proof is too short for the tree's size.")
    if not (hmac.compare_digest(fr, first_root) and hmac.compare_digest(sr, second_root)):
        raise BadProof("The consistency proof does not join the two roots: the log was rewritten.")
