"""The per-dialogue pseudonym keys, kept in TRACK2_HOME/keys and never in the database.

Statements and votes carry `pseudonym(dialogue, person)` = HMAC-SHA256(key, "dialogue|person"),
so a database dump alone cannot tell who voted what (ARCHITECTURE.md, "Confidentiality by
construction"). The operations backup copies `keys/` apart from the database.

Files: `keys/dialogue-<id>.key` (32 random bytes, 0600, created with O_EXCL so two processes
racing to create it agree on one key) and, once destroyed, `keys/dialogue-<id>.destroyed`, a
tombstone that refuses a new key: a new key would silently start new pseudonyms and split
each person's votes in two.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import threading
from pathlib import Path

from django.conf import settings

from track2.idle_sweep import IdleSweep

KEY_BYTES = 32


class KeyringError(Exception):
    """A dialogue key cannot be used."""


class KeyDestroyed(KeyringError):
    """The dialogue's key was destroyed: nobody can link its pseudonyms to people any more."""


class KeyMissing(KeyringError):
    """No key exists yet and the caller asked not to create one."""


# One process reads a key once; HMACs are cached by (keys folder, dialogue, person). The folder is
# part of the cache key so that two data folders in one process (tests) never share a key.
_keys: dict[tuple[str, int], bytes] = {}
_pseudonyms: dict[tuple[str, int, int], str] = {}
# While a key is cached, a sweep each SWEEP_SECONDS lets go of every cached key whose tombstone
# has appeared since: a key destroyed by another process leaves this one's memory within a
# minute even unheard (live.key_gone_topic does not cross processes on SQLite, where
# `track2 destroy-key` or `delete-dialogue` run beside the server tell it nothing). One stat
# per cached key a minute.
SWEEP_SECONDS = 60.0
_sweep_lock = threading.Lock()


def _folder() -> Path:
    return Path(settings.TRACK2_HOME) / "keys"


def keys_dir() -> Path:
    """TRACK2_HOME/keys, created private (0700) on first use. Only writing a key creates it:
    reading or checking must not, or `restore-keys` would find a site that looks keyed."""
    folder = _folder()
    if not folder.is_dir():
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def _key_path(dialogue_id: int) -> Path:
    return _folder() / f"dialogue-{int(dialogue_id)}.key"


def _tombstone_path(dialogue_id: int, folder: Path | None = None) -> Path:
    return (folder or _folder()) / f"dialogue-{int(dialogue_id)}.destroyed"


def is_destroyed(dialogue_id: int) -> bool:
    return _tombstone_path(dialogue_id).exists()


def _read(path: Path) -> bytes:
    data = path.read_bytes()
    if len(data) != KEY_BYTES:
        raise KeyringError(
            f"{path}: a dialogue key is {KEY_BYTES} bytes, this file has {len(data)}"
        )
    return data


def dialogue_key(dialogue_id: int, *, create: bool = True) -> bytes:
    """The dialogue's 32-byte key, made on first use unless `create` is False."""
    folder = str(_folder())
    cache_key = (folder, int(dialogue_id))
    # A key destroyed by another process is refused here too: the tombstone is checked each time
    # (one stat), the key itself is read once.
    if is_destroyed(dialogue_id):
        forget(dialogue_id)
        raise KeyDestroyed(f"the key of dialogue {dialogue_id} was destroyed")
    if cache_key in _keys:
        return _keys[cache_key]
    path = _key_path(dialogue_id)
    try:
        key = _read(path)
    except FileNotFoundError:
        if not create:
            raise KeyMissing(f"dialogue {dialogue_id} has no key yet") from None
        key = _create(path)
    _keys[cache_key] = key
    with _sweep_lock:
        _sweeper.later(True)
    return key


def _create(path: Path) -> bytes:
    keys_dir()
    key = secrets.token_bytes(KEY_BYTES)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read(path)  # another process made it first: use theirs
    try:
        os.write(fd, key)
        os.fsync(fd)
    finally:
        os.close(fd)
    return key


def destroy_dialogue_key(dialogue_id: int) -> None:
    """Overwrite and unlink the key, leaving a tombstone. Irreversible by design."""
    keys_dir()
    tombstone = _tombstone_path(dialogue_id)
    # The tombstone first: if the process dies half-way, no new key can be made meanwhile.
    fd = os.open(tombstone, os.O_WRONLY | os.O_CREAT, 0o600)
    os.close(fd)
    path = _key_path(dialogue_id)
    if path.exists():
        with path.open("r+b") as f:
            f.write(secrets.token_bytes(KEY_BYTES))
            f.flush()
            os.fsync(f.fileno())
        path.unlink()
    forget(dialogue_id)


def forget(dialogue_id: int) -> None:
    """Let go of the dialogue's key and the pseudonyms made with it, in this process (called on
    hearing live.key_gone_topic from whichever process destroyed it: without it, another
    process would keep the bytes until it next touched the dialogue, which a deleted one never
    is)."""
    _let_go(lambda held: held[1] == int(dialogue_id))


def _let_go(belongs) -> None:
    """Drop every cached key and pseudonym whose (folder, dialogue, …) tuple `belongs`. pop, not
    del: a sweep and a heard announcement may let go of the same one at once."""
    caches: tuple[dict, dict] = (_keys, _pseudonyms)
    for cache in caches:
        for name in [name for name in list(cache) if belongs(name)]:
            cache.pop(name, None)


def _sweep() -> None:
    """Let go of the cached keys destroyed since they were read (their pseudonyms with them);
    come back while any key is cached."""
    with _sweep_lock:
        _sweeper.ran()
        cached = list(_keys)
    for folder, dialogue_id in cached:
        if _tombstone_path(dialogue_id, Path(folder)).exists():
            _let_go(lambda held, gone=(folder, dialogue_id): held[:2] == gone)
    with _sweep_lock:
        _sweeper.later(bool(_keys))


_sweeper = IdleSweep(lambda: SWEEP_SECONDS, _sweep)


def pseudonyms(dialogue_id: int, person_ids) -> list[str]:
    """`pseudonym` of each person, with the key and its tombstone checked once for all (a
    room's map reads thousands at a time)."""
    folder = str(_folder())
    key = dialogue_key(dialogue_id)  # KeyDestroyed once the key is gone
    out = []
    for person_id in person_ids:
        cache_key = (folder, int(dialogue_id), int(person_id))
        found = _pseudonyms.get(cache_key)
        if found is None:
            message = f"{int(dialogue_id)}|{int(person_id)}".encode()
            found = hmac.new(key, message, hashlib.sha256).hexdigest()
            _pseudonyms[cache_key] = found
        out.append(found)
    return out


def pseudonym(dialogue_id: int, person_id: int) -> str:
    """hex(HMAC-SHA256(key, "dialogue_id|person_id")): the same for one person across the
    dialogue's meetings, unlinkable to them without the key."""
    folder = str(_folder())
    if is_destroyed(dialogue_id):
        forget(dialogue_id)
        raise KeyDestroyed(f"the key of dialogue {dialogue_id} was destroyed")
    cache_key = (folder, int(dialogue_id), int(person_id))
    found = _pseudonyms.get(cache_key)
    if found is None:
        key = dialogue_key(dialogue_id)
        message = f"{int(dialogue_id)}|{int(person_id)}".encode()
        found = hmac.new(key, message, hashlib.sha256).hexdigest()
        _pseudonyms[cache_key] = found
    return found
