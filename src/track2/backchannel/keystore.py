"""The client's encrypted keystore, and keys derived from an offline contact's passphrase.

Keystore file (wire version 1):
    "T2KS" | version | kind "K" | t_cost u32 | m_cost KiB u32 | parallelism u8 | salt 16 |
    nonce 24 | XChaCha20-Poly1305 ciphertext (header as associated data) | BLAKE2b-256 of all before
The key is Argon2id (RFC 9106, argon2-cffi) of the passphrase; the cost is an argument (settings
give production values, tests lower them). The trailing checksum tells a damaged file
(CorruptKeystore) apart from a wrong passphrase (BadPassphrase): without it both would look like
an authentication failure.

Offline contacts: an intermediary hands a government contact 12 BIP-39 words (128 bits of
entropy; a word outside the list is always caught, a wrong-but-valid one by the 4-bit checksum
15 times in 16) out of band; Argon2id of the words gives
the seed of a deterministic identity, so the contact can read and reply with the CLI alone.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import argon2.low_level
import nacl.bindings
import nacl.exceptions
from mnemonic import Mnemonic

from track2.backchannel import wire
from track2.backchannel.crypto import Identity, identity_from_seed
from track2.backchannel.errors import (
    BadPassphrase,
    CorruptKeystore,
    DowngradeRefused,
    MalformedInput,
    UnsupportedVersion,
)

__all__ = [
    "CONTACT_COST",
    "KdfCost",
    "keys_from_passphrase",
    "new_contact_passphrase",
    "open_keystore",
    "read_keystore",
    "seal_keystore",
    "write_keystore",
]

_MAGIC = b"T2KS"
_KIND = ord("K")
_SALT = 16
_NONCE = nacl.bindings.crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
_CHECKSUM = 32
_HEADER = len(_MAGIC) + 2 + 4 + 4 + 1 + _SALT + _NONCE
# Refuse costs no honest file has: they would let a crafted file exhaust memory or time.
_MAX_MEMORY_KIB = 4 * 1024 * 1024
_MAX_TIME = 64


@dataclass(frozen=True)
class KdfCost:
    """Argon2id cost: passes, memory in KiB, lanes. RFC 9106's second recommended option is
    t=3, m=64 MiB, p=4; the default here follows it."""

    time_cost: int = 3
    memory_kib: int = 64 * 1024
    parallelism: int = 4

    def __post_init__(self) -> None:
        if not 1 <= self.time_cost <= _MAX_TIME:
            raise MalformedInput(f"Argon2 time cost must be between 1 and {_MAX_TIME}.")
        if not 8 * self.parallelism <= self.memory_kib <= _MAX_MEMORY_KIB:
            raise MalformedInput("Argon2 memory must be at least 8 KiB per lane and at most 4 GiB.")
        if not 1 <= self.parallelism <= 255:
            raise MalformedInput("Argon2 parallelism must be between 1 and 255.")


# The offline contact's words are the only secret: a fixed, high cost slows guessing them further.
CONTACT_COST = KdfCost(time_cost=3, memory_kib=64 * 1024, parallelism=4)


def _normalise(passphrase: str) -> bytes:
    try:
        return unicodedata.normalize("NFC", passphrase).encode("utf-8")
    except UnicodeEncodeError as error:
        raise BadPassphrase("The passphrase is not valid Unicode.") from error


def _derive(secret: bytes, salt: bytes, cost: KdfCost, length: int = 32) -> bytes:
    return argon2.low_level.hash_secret_raw(
        secret=secret,
        salt=salt,
        time_cost=cost.time_cost,
        memory_cost=cost.memory_kib,
        parallelism=cost.parallelism,
        hash_len=length,
        type=argon2.low_level.Type.ID,
    )


def seal_keystore(identity: Identity, passphrase: str, cost: KdfCost) -> bytes:
    """Encrypt the identity's secret keys under the passphrase."""
    if not passphrase:
        raise BadPassphrase("The passphrase is empty; choose a long one.")
    salt = secrets.token_bytes(_SALT)
    nonce = secrets.token_bytes(_NONCE)
    header = (
        _MAGIC
        + wire.header(_KIND)
        + wire.u32(cost.time_cost)
        + wire.u32(cost.memory_kib)
        + wire.u8(cost.parallelism)
        + salt
        + nonce
    )
    key = _derive(_normalise(passphrase), salt, cost)
    ciphertext = nacl.bindings.crypto_aead_xchacha20poly1305_ietf_encrypt(
        identity.to_bytes(), header, nonce, key
    )
    body = header + ciphertext
    return body + hashlib.blake2b(body, digest_size=_CHECKSUM).digest()


def open_keystore(blob: bytes, passphrase: str) -> Identity:
    """Decrypt a keystore; CorruptKeystore if the file is damaged, BadPassphrase if it is not."""
    if len(blob) < _HEADER + 16 + _CHECKSUM or blob[: len(_MAGIC)] != _MAGIC:
        raise CorruptKeystore("This file is not a Track2 keystore, or it is truncated.")
    body, checksum = blob[:-_CHECKSUM], blob[-_CHECKSUM:]
    if not hmac.compare_digest(hashlib.blake2b(body, digest_size=_CHECKSUM).digest(), checksum):
        raise CorruptKeystore(
            "The keystore file is damaged (its checksum does not match). Restore it from a backup."
        )
    try:
        wire.check_header(body[len(_MAGIC) :], _KIND, "keystore")
    except (DowngradeRefused, UnsupportedVersion):
        raise
    except MalformedInput as error:
        raise CorruptKeystore("This file is not a Track2 keystore.") from error
    reader = wire.Reader(body, "keystore", offset=len(_MAGIC) + 2)
    try:
        cost = KdfCost(reader.u32(), reader.u32(), reader.u8())
    except MalformedInput as error:
        raise CorruptKeystore(f"The keystore's key-derivation cost is invalid: {error}") from error
    salt = reader.take(_SALT)
    nonce = reader.take(_NONCE)
    header = body[: reader.offset]
    key = _derive(_normalise(passphrase), salt, cost)
    try:
        secret = nacl.bindings.crypto_aead_xchacha20poly1305_ietf_decrypt(
            reader.rest(), header, nonce, key
        )
    except nacl.exceptions.CryptoError as error:
        raise BadPassphrase("The passphrase is wrong: it does not open this keystore.") from error
    try:
        return Identity.from_bytes(secret)
    except MalformedInput as error:
        raise CorruptKeystore("The keystore opened but its contents are damaged.") from error


def write_keystore(path: Path, identity: Identity, passphrase: str, cost: KdfCost) -> None:
    """Write atomically (temporary file, fsync, rename) so a crash never leaves half a keystore."""
    write_private(path, seal_keystore(identity, passphrase, cost))


def write_private(path: Path, blob: bytes) -> None:
    """Replace `path` with `blob` atomically, readable by its owner only (0600)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(blob)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def read_keystore(path: Path, passphrase: str) -> Identity:
    try:
        blob = path.read_bytes()
    except FileNotFoundError as error:
        raise CorruptKeystore(f"There is no keystore at {path}; run keygen first.") from error
    return open_keystore(blob, passphrase)


_WORDS = Mnemonic("english")
_CONTACT_SALT = b"track2/backchannel/v1/offline-contact"


def new_contact_passphrase() -> str:
    """Twelve English BIP-39 words (128 bits of entropy and a 4-bit checksum)."""
    return str(_WORDS.generate(strength=128))


def normalise_words(words: str) -> str:
    """Lower case, single spaces; refuse a phrase whose checksum fails (a mistyped word)."""
    phrase = " ".join(words.lower().split())
    if len(phrase.split()) != 12 or not _WORDS.check(phrase):
        raise BadPassphrase(
            "These are not the 12 words you were given (a word is missing, misspelt or out of "
            "order). Check them against the paper and type them again."
        )
    return phrase


def keys_from_passphrase(words: str, cost: KdfCost = CONTACT_COST) -> Identity:
    """The offline contact's identity, derived from the words alone (same words, same keys)."""
    phrase = normalise_words(words)
    seed = _derive(phrase.encode("ascii"), _CONTACT_SALT, cost, length=32)
    return identity_from_seed(seed)
