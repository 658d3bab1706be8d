"""Destroying a dialogue's pseudonym key (crypto-shredding).

The contract with the dialogue room: its key is `keys/dialogue-<id>.key` (32 bytes, 0600); a
destroyed key leaves `keys/dialogue-<id>.destroyed`, a tombstone that stops the room from ever
making a new key for that dialogue (a new key would give new pseudonyms, not the old links).
When the room's `track2.keyring` is installed its own function does this; until then this one.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings
from django.utils import timezone


def key_path(dialogue_id: int) -> Path:
    return Path(settings.TRACK2_KEYS_DIR) / f"dialogue-{dialogue_id}.key"


def tombstone_path(dialogue_id: int) -> Path:
    return Path(settings.TRACK2_KEYS_DIR) / f"dialogue-{dialogue_id}.destroyed"


def destroy_dialogue_key(dialogue_id: int) -> None:
    try:
        from track2.keyring import destroy_dialogue_key as room_destroy  # the room's, when merged
    except ImportError:
        room_destroy = None
    if room_destroy is not None:
        room_destroy(dialogue_id)
        return
    keys = Path(settings.TRACK2_KEYS_DIR)
    keys.mkdir(mode=0o700, parents=True, exist_ok=True)
    # Tombstone first: if we stop between the two steps, the key is refused, never remade.
    tombstone = tombstone_path(dialogue_id)
    fd = os.open(tombstone, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(f"destroyed at {timezone.now().isoformat()}\n")
        handle.flush()
        os.fsync(handle.fileno())
    key = key_path(dialogue_id)
    if key.exists():
        # Overwrite before unlinking: on a plain disk the old bytes are gone; on SSDs and
        # copy-on-write file systems they may survive, which docs/operations.md says.
        size = key.stat().st_size
        with key.open("r+b") as handle:
            handle.write(os.urandom(size))
            handle.flush()
            os.fsync(handle.fileno())
        key.unlink()
    directory = os.open(keys, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
