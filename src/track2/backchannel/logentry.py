"""What a transparency-log leaf commits to: the kind of event and the SHA-256 of its object (a key
bundle, an envelope, a receipt), in `merkle.log_entry`'s format. Shared by the server, which
stores the kind as a number, and the client, which recomputes the leaves of what it did and asks
the log to prove them."""

from __future__ import annotations

from track2.backchannel import merkle

KEY_BUNDLE = 1
POSTED = 2
RECEIPT = 3
ACKNOWLEDGED = 4
DELETED = 5


# The stored number of each kind → its name in the leaf (merkle.LOG_KINDS).
NAMES = {
    KEY_BUNDLE: "bundle",
    POSTED: "envelope",
    RECEIPT: "receipt",
    ACKNOWLEDGED: "acknowledgement",
    DELETED: "deletion",
}


def leaf_data(kind: int, digest: bytes) -> bytes:
    return merkle.log_entry(NAMES[kind], digest)


def leaf_hash(kind: int, digest: bytes) -> bytes:
    return merkle.leaf_hash(leaf_data(kind, digest))
