"""What a transparency-log leaf commits to: one byte for the kind of event, then the SHA-256 of
its object (a key bundle, an envelope, a receipt). Shared by the server and the client, which
recomputes the leaves of what it did and asks the log to prove them."""

from __future__ import annotations

from track2.backchannel import merkle

KEY_BUNDLE = 1
POSTED = 2
RECEIPT = 3
ACKNOWLEDGED = 4
DELETED = 5


def leaf_data(kind: int, digest: bytes) -> bytes:
    return bytes([kind]) + digest


def leaf_hash(kind: int, digest: bytes) -> bytes:
    return merkle.leaf_hash(leaf_data(kind, digest))
