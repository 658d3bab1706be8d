"""The sealed pouch: one file encrypted and authenticated as a stream (diplomatic bags travel sealed).

Format (all integers big-endian):

    magic "T2POUCH1" | kdf (1 byte: 1 = Argon2id from a passphrase, 2 = a raw 32-byte key)
    | salt (16) | opslimit (u32) | memlimit (u64, bytes) | label length (u16) | label (UTF-8 JSON)
    | secretstream header (24)
    then chunks: length (u32) | libsodium secretstream XChaCha20-Poly1305 ciphertext

The whole header is the additional data of the first chunk, so a changed label or cost is
refused like a changed byte of content. The last chunk carries TAG_FINAL: a truncated file
fails, and so does anything after it. This module imports no Django (mypy checks it).
"""

from __future__ import annotations

import json
import os
import struct
from dataclasses import dataclass
from typing import BinaryIO

from nacl import bindings, pwhash
from nacl.exceptions import CryptoError

MAGIC = b"T2POUCH1"
KDF_ARGON2ID = 1
KDF_RAW_KEY = 2
CHUNK = 64 * 1024
KEY_BYTES = bindings.crypto_secretstream_xchacha20poly1305_KEYBYTES
# A reader never spends more than this on a header's Argon2id, whatever the file says:
# a forged header must not make `track2 restore` allocate gigabytes.
MAX_MEMLIMIT = 1024 * 1024 * 1024
MAX_OPSLIMIT = 20
_FIXED = struct.Struct(">8sB16sIQH")
_LENGTH = struct.Struct(">I")
_ABYTES = bindings.crypto_secretstream_xchacha20poly1305_ABYTES
_TAG_MESSAGE = bindings.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE
_TAG_FINAL = bindings.crypto_secretstream_xchacha20poly1305_TAG_FINAL


class PouchError(Exception):
    """The file is not a pouch, is damaged or truncated, or the passphrase or key is wrong."""


@dataclass(frozen=True)
class Cost:
    """Argon2id cost (libsodium's units: passes, bytes)."""

    opslimit: int = pwhash.argon2id.OPSLIMIT_MODERATE
    memlimit: int = pwhash.argon2id.MEMLIMIT_MODERATE


def derive_key(passphrase: str, salt: bytes, cost: Cost) -> bytes:
    return pwhash.argon2id.kdf(
        KEY_BYTES, passphrase.encode("utf-8"), salt, opslimit=cost.opslimit, memlimit=cost.memlimit
    )


class PouchWriter:
    """A write-only file object: what is written is encrypted in chunks; close() seals it."""

    def __init__(
        self,
        out: BinaryIO,
        label: dict,
        *,
        passphrase: str | None = None,
        key: bytes | None = None,
        cost: Cost | None = None,
    ) -> None:
        if (passphrase is None) == (key is None):
            raise ValueError("give exactly one of a passphrase or a key")
        salt = os.urandom(16)
        if passphrase is not None:
            cost = cost or Cost()
            key = derive_key(passphrase, salt, cost)
            kdf = KDF_ARGON2ID
        else:
            if key is None or len(key) != KEY_BYTES:
                raise ValueError(f"a pouch key is {KEY_BYTES} bytes")
            cost, kdf = Cost(0, 0), KDF_RAW_KEY
        label_bytes = json.dumps(label, sort_keys=True).encode("utf-8")
        self._state = bindings.crypto_secretstream_xchacha20poly1305_state()
        stream_header = bindings.crypto_secretstream_xchacha20poly1305_init_push(self._state, key)
        self._header = (
            _FIXED.pack(MAGIC, kdf, salt, cost.opslimit, cost.memlimit, len(label_bytes))
            + label_bytes
            + stream_header
        )
        self._out = out
        self._out.write(self._header)
        self._buffer = bytearray()
        self._first = True
        self.closed = False

    def _push(self, data: bytes, tag: int) -> None:
        ad = self._header if self._first else None
        self._first = False
        sealed = bindings.crypto_secretstream_xchacha20poly1305_push(self._state, data, ad, tag)
        self._out.write(_LENGTH.pack(len(sealed)) + sealed)

    def write(self, data: bytes) -> int:
        self._buffer += data
        while len(self._buffer) > CHUNK:
            self._push(bytes(self._buffer[:CHUNK]), _TAG_MESSAGE)
            del self._buffer[:CHUNK]
        return len(data)

    def close(self) -> None:
        if not self.closed:
            self._push(bytes(self._buffer), _TAG_FINAL)
            self._buffer.clear()
            self.closed = True


def read_label(source: BinaryIO) -> tuple[dict, bytes, int, bytes, Cost]:
    """(label, whole header, kdf, salt, cost) — the label is not yet authenticated."""
    fixed = source.read(_FIXED.size)
    if len(fixed) < _FIXED.size or not fixed.startswith(MAGIC):
        raise PouchError("this is not a Track2 encrypted file (or its beginning is damaged)")
    _, kdf, salt, opslimit, memlimit, label_length = _FIXED.unpack(fixed)
    label_bytes = source.read(label_length)
    stream_header = source.read(bindings.crypto_secretstream_xchacha20poly1305_HEADERBYTES)
    if len(stream_header) != bindings.crypto_secretstream_xchacha20poly1305_HEADERBYTES:
        raise PouchError("the file is truncated (its header is incomplete)")
    try:
        label = json.loads(label_bytes.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise PouchError("the file's header is damaged") from None
    if kdf not in (KDF_ARGON2ID, KDF_RAW_KEY) or not isinstance(label, dict):
        raise PouchError("the file's header is damaged")
    return label, fixed + label_bytes + stream_header, kdf, salt, Cost(opslimit, memlimit)


class PouchReader:
    """A read-only file object over a pouch; every chunk is authenticated before it is handed out.

    Reaching the end without the final tag raises PouchError: a caller that reads to the end
    (tarfile does) has then seen the whole, authenticated content or an error."""

    def __init__(
        self, source: BinaryIO, *, passphrase: str | None = None, key: bytes | None = None
    ) -> None:
        self.label, self._header, kdf, salt, cost = read_label(source)
        if kdf == KDF_ARGON2ID:
            if passphrase is None:
                raise PouchError("this file is sealed with a passphrase; give the passphrase")
            if not (0 < cost.opslimit <= MAX_OPSLIMIT and 0 < cost.memlimit <= MAX_MEMLIMIT):
                raise PouchError("the file's header asks for an unreasonable key-derivation cost")
            key = derive_key(passphrase, salt, cost)
        elif key is None:
            raise PouchError("this file is sealed with a key, not a passphrase")
        stream_header = self._header[-bindings.crypto_secretstream_xchacha20poly1305_HEADERBYTES :]
        self._state = bindings.crypto_secretstream_xchacha20poly1305_state()
        bindings.crypto_secretstream_xchacha20poly1305_init_pull(self._state, stream_header, key)
        self._source = source
        self._buffer = bytearray()
        self._first = True
        self.finished = False

    def _pull(self) -> None:
        raw_length = self._source.read(_LENGTH.size)
        if len(raw_length) < _LENGTH.size:
            raise PouchError("the file is truncated (it ends before its final seal)")
        (length,) = _LENGTH.unpack(raw_length)
        if not _ABYTES <= length <= CHUNK + _ABYTES:
            raise PouchError("the file is damaged (a chunk has an impossible length)")
        sealed = self._source.read(length)
        if len(sealed) < length:
            raise PouchError("the file is truncated (it ends inside a chunk)")
        ad = self._header if self._first else None
        try:
            data, tag = bindings.crypto_secretstream_xchacha20poly1305_pull(self._state, sealed, ad)
        except CryptoError:
            if self._first:
                raise PouchError("the passphrase or key is wrong, or the file is damaged") from None
            raise PouchError("the file is damaged (a chunk fails its authentication)") from None
        self._first = False
        self._buffer += data
        if tag == _TAG_FINAL:
            self.finished = True
            if self._source.read(1):
                raise PouchError("the file is damaged (bytes follow its final seal)")

    def read(self, size: int = -1) -> bytes:
        while not self.finished and (size < 0 or len(self._buffer) < size):
            self._pull()
        if size < 0:
            size = len(self._buffer)
        out = bytes(self._buffer[:size])
        del self._buffer[:size]
        return out

    def read_to_end(self) -> None:
        """Authenticate what is left (tarfile may stop before the final chunk)."""
        while not self.finished:
            self._pull()
            self._buffer.clear()
