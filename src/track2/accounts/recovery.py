"""One-time recovery codes for the second sign-in step.

A code is 16 characters of Crockford's base-32 alphabet (80 random bits), shown in four
groups. Crockford's alphabet has no I, L, O or U, so a code copied by hand from paper reads
back the same; input is forgiving about case, spaces, hyphens and the look-alikes.
"""

from __future__ import annotations

import hashlib
import secrets

ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
LENGTH = 16
GROUP = 4
COUNT = 10
# What people type for the letters the alphabet leaves out.
_LOOK_ALIKES = str.maketrans({"o": "0", "i": "1", "l": "1"})


def new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return "-".join(raw[i : i + GROUP] for i in range(0, LENGTH, GROUP))


def normalise(typed: str) -> str | None:
    """The canonical form of a typed code, or None when it cannot be a recovery code."""
    compact = "".join(ch for ch in typed.lower() if ch not in " -\t").translate(_LOOK_ALIKES)
    if len(compact) != LENGTH or any(ch not in ALPHABET for ch in compact):
        return None
    return compact


def digest(code: str) -> str:
    """SHA-256 of the canonical form (see RecoveryCode for why a fast hash is enough)."""
    canonical = normalise(code)
    if canonical is None:
        raise ValueError("not a recovery code")
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


def looks_like_recovery_code(typed: str) -> bool:
    return normalise(typed) is not None
