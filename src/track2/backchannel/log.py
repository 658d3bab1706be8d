"""The transparency log as the server keeps it: leaves, memoised subtrees, signed checkpoints.

Hashing and proofs are `merkle`'s (RFC 9162), the checkpoint format `checkpoint`'s (C2SP); here
is only where they are stored. An append takes the head row's lock, so indices are dense and
no two processes take the same one; every complete subtree's hash is written once, so a root or
a proof at a million leaves reads O(log n) rows.
"""

from __future__ import annotations

import base64
import os
import stat
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils.translation import gettext as _

from track2.access import NotFound
from track2.backchannel import checkpoint as notes
from track2.backchannel import logentry, merkle
from track2.backchannel.errors import BackchannelError
from track2.backchannel.models import Checkpoint, LogHead, LogLeaf, LogSubtree
from track2.backchannel.relay import today
from track2.errors import ActionRefused


class StoredTree:
    """`merkle.TreeStore` over the database. `entry` is the (kind, digest) the next appended
    leaf stands for, set by `append` just before the tree asks to store the leaf."""

    def __init__(self, head: LogHead | None = None):
        self.head = head
        self.entry: tuple[int, bytes] | None = None

    def count(self) -> int:
        if self.head is None:
            self.head = LogHead.objects.filter(pk=1).first() or LogHead(pk=1, size=0)
        return self.head.size

    def leaf_hash(self, index: int) -> bytes:
        return bytes(LogLeaf.objects.values_list("leaf_hash", flat=True).get(index=index))

    def append_leaf(self, digest: bytes) -> None:
        assert self.head is not None and self.entry is not None  # noqa: S101  (append sets both)
        kind, entry_digest = self.entry
        LogLeaf.objects.create(
            index=self.head.size, kind=kind, digest=entry_digest, leaf_hash=digest
        )
        self.head.size += 1
        self.head.save(update_fields=["size"])

    def subtree(self, level: int, index: int) -> bytes | None:
        found = (
            LogSubtree.objects.filter(level=level, position=index)
            .values_list("node_hash", flat=True)
            .first()
        )
        return bytes(found) if found is not None else None

    def remember(self, level: int, index: int, digest: bytes) -> None:
        # A complete subtree never changes: a second writer of the same one writes the same hash.
        LogSubtree.objects.bulk_create(
            [LogSubtree(level=level, position=index, node_hash=digest)], ignore_conflicts=True
        )


def tree(size_lock: bool = False) -> merkle.MerkleTree:
    head = None
    if size_lock:
        head, _created = LogHead.objects.select_for_update().get_or_create(pk=1)
    return merkle.MerkleTree(StoredTree(head))


@transaction.atomic
def append(kind: int, digest: bytes) -> int:
    """Add one leaf; returns its index."""
    log = tree(size_lock=True)
    store = log.store
    assert isinstance(store, StoredTree)  # noqa: S101  (tree() builds one)
    store.entry = (kind, digest)
    return log.append(logentry.leaf_hash(kind, digest))


def size() -> int:
    return tree().size


# --- checkpoints -----------------------------------------------------------------------------


def origin() -> str:
    """The log's name in its checkpoints: the site's host (the passkeys' relying party)."""
    return f"{settings.PASSKEY_RP_ID}/track2/backchannel"


def log_signer() -> notes.NoteSigner:
    """The site's log key, made on first use in TRACK2_HOME/keys (0600), beside the pseudonym
    keys and like them kept out of database backups: a leaked database cannot sign checkpoints."""
    path = Path(settings.TRACK2_BACKCHANNEL_LOG_KEY)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            raise ImproperlyConfigured(
                f"{path} is readable by other users (mode {mode:o}); run: chmod 600 {path}"
            ) from None
        return notes.NoteSigner.decode(path.read_text())
    with os.fdopen(descriptor, "w") as handle:
        handle.write(notes.NoteSigner.generate(origin()).encode() + "\n")
    return notes.NoteSigner.decode(path.read_text())


def signed_checkpoint() -> Checkpoint:
    """A checkpoint of the whole log as it is now, signed once per size and kept."""
    log = tree()
    size = log.size
    known = Checkpoint.objects.filter(size=size).first()
    if known is not None:
        return known
    signer = log_signer()
    root = log.root(size)
    note = notes.Checkpoint(signer.name, size, root).sign(signer)
    checkpoint, _created = Checkpoint.objects.get_or_create(
        size=size,
        defaults={
            "root_hash": root,
            "note": note,
            "verifier": signer.verifier.encode(),
            "signed_on": today(),
        },
    )
    return checkpoint


def latest_checkpoint_out() -> dict:
    checkpoint = signed_checkpoint()
    return {
        "size": checkpoint.size,
        "root_hash": base64.b64encode(bytes(checkpoint.root_hash)).decode("ascii"),
        "note": checkpoint.note,
        "public_key": log_signer().verifier.encode(),
    }


def _hashes(proof: list[bytes]) -> list[str]:
    return [base64.b64encode(node).decode("ascii") for node in proof]


def inclusion_out(leaf_hash_hex: str, size: int) -> dict:
    """The audit path of a leaf (found by its hash) in the tree of `size` leaves."""
    try:
        wanted = bytes.fromhex(leaf_hash_hex)
    except ValueError:
        wanted = b""
    if len(wanted) != merkle.HASH_SIZE:
        raise ActionRefused(
            _("leaf_hash is the leaf's SHA-256 (RFC 9162 leaf hash) in 64 hex digits."),
            field="leaf_hash",
        )
    index = (
        LogLeaf.objects.filter(leaf_hash=wanted, index__lt=size)
        .order_by("index")
        .values_list("index", flat=True)
        .first()
    )
    if index is None:
        raise NotFound
    try:
        proof = tree().inclusion_proof(index, size)
    except BackchannelError as error:
        raise ActionRefused(str(error), field="size") from None
    return {"index": index, "size": size, "proof": _hashes(proof)}


def consistency_out(old_size: int, size: int) -> dict:
    if old_size > size:
        raise ActionRefused(_("old_size must not exceed size: a log only grows."), field="old_size")
    try:
        proof = tree().consistency_proof(old_size, size)
    except BackchannelError as error:
        raise ActionRefused(str(error), field="size") from None
    return {"old_size": old_size, "size": size, "proof": _hashes(proof)}
