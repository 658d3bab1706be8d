"""Is the stored transparency log the one its signed checkpoints describe? Asked after a restore.

Everything is recomputed from the entries themselves (kind and digest), not from the stored leaf
hashes or memoised subtrees, which a damaged or altered database could carry along consistently.
The root is folded from a stack of complete subtrees (RFC 9162 §2.1.1: the tree of n leaves
splits at the largest power of two below n), so a million entries need O(log n) memory.

The checkpoints' signature is checked with the log key in TRACK2_HOME/keys when it is there, else
with the public key stored beside each checkpoint: right after `track2 restore` the keys are not
back yet, and after `track2 restore-keys` the restored key must be the one that signed.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from track2.backchannel import checkpoint as notes
from track2.backchannel import logentry, merkle
from track2.backchannel.errors import BackchannelError
from track2.backchannel.models import Checkpoint, LogHead, LogLeaf

NAME = "back-channel log"


class _Roots:
    """The running root of an append-only stream of leaf hashes."""

    def __init__(self) -> None:
        self.size = 0
        # (leaf count, hash) of complete subtrees, left to right, sizes strictly decreasing.
        self._stack: list[tuple[int, bytes]] = []

    def append(self, leaf: bytes) -> None:
        self.size += 1
        self._stack.append((1, leaf))
        while len(self._stack) > 1 and self._stack[-1][0] == self._stack[-2][0]:
            (count, right), (_, left) = self._stack.pop(), self._stack.pop()
            self._stack.append((2 * count, merkle.node_hash(left, right)))

    def root(self) -> bytes:
        if not self._stack:
            return merkle.empty_root()
        digest = self._stack[-1][1]
        for _count, left in reversed(self._stack[:-1]):
            digest = merkle.node_hash(left, digest)
        return digest


def _stored_roots(sizes: set[int]) -> tuple[int, dict[int, bytes], list[str]]:
    """Walk the entries in order: their count, the root at each asked size, and what is wrong."""
    roots = _Roots()
    found: dict[int, bytes] = {}
    if 0 in sizes:
        found[0] = roots.root()
    rows = LogLeaf.objects.order_by("index").values_list("index", "kind", "digest", "leaf_hash")
    for index, kind, digest, stored in rows.iterator(chunk_size=2000):
        if index != roots.size:
            return roots.size, found, [f"entry {roots.size} is missing from the stored log"]
        try:
            leaf = logentry.leaf_hash(kind, bytes(digest))
        except (KeyError, BackchannelError):
            return roots.size, found, [f"entry {index} is not a well-formed log entry"]
        if leaf != bytes(stored):
            return (
                roots.size,
                found,
                [f"entry {index} was altered (it no longer hashes to its leaf)"],
            )
        roots.append(leaf)
        if roots.size in sizes:
            found[roots.size] = roots.root()
    return roots.size, found, []


def _site_verifier() -> notes.NoteVerifier | None:
    path = Path(settings.TRACK2_BACKCHANNEL_LOG_KEY)
    if not path.exists():
        return None
    return notes.NoteSigner.decode(path.read_text()).verifier


def log_problems(*, keys_restored: bool) -> list[str]:
    """What is wrong with the stored log against its checkpoints ([] when all is well).

    `keys_restored`: the keys are back, so a checkpoint without the log key is a problem."""
    checkpoints = list(Checkpoint.objects.order_by("size"))
    size, roots, problems = _stored_roots({c.size for c in checkpoints})
    if problems:
        return problems  # the entries after a broken one prove nothing
    head = LogHead.objects.filter(pk=1).values_list("size", flat=True).first() or 0
    if head != size:
        problems.append(f"the log's head counts {head} entries but {size} are stored")
    if not checkpoints:
        return problems
    try:
        site_key = _site_verifier()
    except (BackchannelError, OSError, UnicodeDecodeError) as error:
        return [f"the log key {settings.TRACK2_BACKCHANNEL_LOG_KEY} is unreadable: {error}"]
    if site_key is None and keys_restored:
        problems.append(
            f"the log has signed checkpoints but there is no log key "
            f"({settings.TRACK2_BACKCHANNEL_LOG_KEY}); restore the keys backup"
        )
    for stored in reversed(checkpoints):  # the last checkpoint first: it covers the most
        problems += _checkpoint_problems(stored, roots, size, site_key)
        if problems:
            break
    return problems


def _checkpoint_problems(
    stored: Checkpoint, roots: dict[int, bytes], size: int, site_key: notes.NoteVerifier | None
) -> list[str]:
    where = f"the checkpoint at {stored.size} entries"
    if stored.size > size:
        return [f"{where} signs more entries than the {size} stored: entries were deleted"]
    if bytes(stored.root_hash) != roots[stored.size]:
        return [f"{where} has another root than the stored entries: the log was altered"]
    keys = []
    if stored.verifier:
        try:
            keys.append(notes.NoteVerifier.decode(stored.verifier))
        except BackchannelError:
            return [f"{where} has an unreadable public key"]
    if site_key is not None:
        if keys and keys[0] != site_key:
            return [f"the restored log key is not the key that signed {where}"]
        keys = [site_key]
    if not keys:
        return []  # signed before public keys were stored, and the keys are not back yet
    try:
        signed = notes.open_checkpoint(stored.note, keys[0])
    except BackchannelError as error:
        return [f"{where} does not verify with the log's public key: {error}"]
    if signed.size != stored.size or signed.root != roots[stored.size]:
        return [f"{where}'s signed note names another size or root than the stored entries"]
    return []


def restore_check(context) -> list[str]:
    """The operations restore check (registered in BackchannelConfig.ready). `context.contents`
    is None after `restore-keys`, when the log key must be back."""
    return log_problems(keys_restored=context.contents is None)
