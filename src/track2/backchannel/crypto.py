"""Per-person keys, public key bundles and the two-layer envelope of the back channel.

The design follows the SecureDrop Protocol's split:
- the inner layer is a NaCl Box (X25519 + XSalsa20-Poly1305) from the sender's long-term box key to
  the recipient's: it authenticates the sender to the recipient only, and is deniable to third
  parties (the recipient could have computed the same tag);
- the outer layer is HPKE (RFC 9180, single-shot base mode) to one of the recipient's signed
  prekeys, with the hybrid post-quantum KEM ML-KEM-768 + X25519 that `cryptography` (>= 47)
  provides, HKDF-SHA256 and ChaCha20-Poly1305. It hides who sent the message from the server.
The dialogue id, the mailbox id, the prekey id and the recipient's identity key are bound into the
HPKE `info`, so an envelope opened under any other context fails. Plaintexts are padded to fixed
buckets (1, 4, 16, 64 KiB) so that the server learns only a bucket, never a length.

No primitive is written here: PyNaCl (libsodium) and `cryptography` (OpenSSL / Rust) do the maths.
"""

from __future__ import annotations

import functools
import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field

import nacl.exceptions
import nacl.public
import nacl.signing
import nacl.utils
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hpke
from cryptography.hazmat.primitives.asymmetric import mlkem, x25519

from track2.backchannel import wire
from track2.backchannel.errors import (
    BackchannelError,
    BadBundle,
    BadSignature,
    DowngradeRefused,
    MalformedInput,
    TamperedEnvelope,
    UnexpectedSender,
    UnknownPrekey,
    UnsupportedVersion,
    WrongRecipient,
)

__all__ = [
    "BUCKETS",
    "ENVELOPE_OVERHEAD",
    "MAX_MESSAGE",
    "BackchannelError",
    "BadBundle",
    "BadSignature",
    "Context",
    "DowngradeRefused",
    "Identity",
    "KeyBundle",
    "MalformedInput",
    "OpenedEnvelope",
    "SignedPrekey",
    "TamperedEnvelope",
    "UnexpectedSender",
    "UnknownPrekey",
    "UnsupportedVersion",
    "WrongRecipient",
    "check_envelope",
    "envelope_sizes",
    "fingerprint",
    "generate_identity",
    "open_envelope",
    "seal",
    "verify_bundle",
]

# Padded plaintext sizes. The server sees only which bucket an envelope is in.
BUCKETS: tuple[int, ...] = (1024, 4096, 16384, 65536)

# Domain-separation labels: one per thing signed or derived, so that no signature or key made for
# one purpose is valid for another.
_DS_BOX_KEY = b"track2/backchannel/v1/box-key\x00"
_DS_PREKEY = b"track2/backchannel/v1/prekey\x00"
_DS_OUTER = b"track2/backchannel/v1/outer\x00"
_DS_INNER = b"track2/backchannel/v1/inner\x00"
_DS_FINGERPRINT = b"track2/backchannel/v1/fingerprint\x00"

# The one HPKE suite of wire version 1: the hybrid KEM (RFC 9180 ids: KEM 0x647a, KDF 0x0001,
# AEAD 0x0003). A suite byte keeps room for another without a new envelope format.
SUITE_HYBRID = 1
_SUITE = hpke.Suite(hpke.KEM.MLKEM768_X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.CHACHA20_POLY1305)
_HPKE_ENC = 1120  # ML-KEM-768 ciphertext (1088) + X25519 ephemeral share (32)
_HPKE_TAG = 16

PREKEY_ID_BYTES = 16
ONE_TIME = 1
FALLBACK = 2
_MLKEM_PUBLIC = 1184
_MLKEM_SEED = 64
_KEY = 32
_SIG = 64

# Clear header: version, kind, suite, bucket index, prekey id.
_HEADER = 4 + PREKEY_ID_BYTES
# Outer plaintext: sender identity key, sender box key, its signature, Box nonce, then the Box.
_SENDER_BLOCK = _KEY + _KEY + _SIG
_BOX_NONCE = nacl.public.Box.NONCE_SIZE
_BOX_MAC = 16
ENVELOPE_OVERHEAD = _HEADER + _HPKE_ENC + _HPKE_TAG + _SENDER_BLOCK + _BOX_NONCE + _BOX_MAC
# Inside the Box: the message length and a digest of the context, then the message and zeros.
_INNER_PREFIX = 4 + 32
MAX_MESSAGE = BUCKETS[-1] - _INNER_PREFIX


def envelope_sizes() -> tuple[int, ...]:
    """The only sizes a well-formed envelope can have (one per bucket)."""
    return tuple(bucket + ENVELOPE_OVERHEAD for bucket in BUCKETS)


@dataclass(frozen=True)
class Context:
    """What an envelope is bound to: opening it under another dialogue or mailbox fails."""

    dialogue_id: str
    mailbox_id: str

    def to_bytes(self) -> bytes:
        return wire.text16(self.dialogue_id) + wire.text16(self.mailbox_id)


@dataclass(frozen=True)
class SignedPrekey:
    """A public prekey (ML-KEM-768 + X25519) signed by its owner's identity key."""

    prekey_id: bytes
    kind: int  # ONE_TIME or FALLBACK
    mlkem_public: bytes
    x25519_public: bytes
    signature: bytes

    def signed_bytes(self) -> bytes:
        return (
            _DS_PREKEY
            + wire.u8(self.kind)
            + self.prekey_id
            + self.mlkem_public
            + self.x25519_public
        )

    def hpke_public(self) -> hpke.MLKEM768X25519PublicKey:
        try:
            return hpke.MLKEM768X25519PublicKey(
                mlkem.MLKEM768PublicKey.from_public_bytes(self.mlkem_public),
                x25519.X25519PublicKey.from_public_bytes(self.x25519_public),
            )
        except ValueError as error:
            raise BadBundle("A prekey in the bundle is not a valid public key.") from error


@dataclass(frozen=True)
class KeyBundle:
    """A person's public keys, as published in a dialogue's key directory.

    Every part is signed by the Ed25519 identity key, part by part, so that the directory may hand
    out a bundle with only some of the one-time prekeys (`with_prekeys`) and it still verifies.
    """

    identity_key: bytes  # Ed25519 public key
    box_key: bytes  # X25519 public key of the inner layer
    box_signature: bytes
    prekeys: tuple[SignedPrekey, ...]

    def to_bytes(self) -> bytes:
        parts = [
            wire.header(wire.KIND_BUNDLE),
            self.identity_key,
            self.box_key,
            self.box_signature,
            wire.u16(len(self.prekeys)),
        ]
        for prekey in self.prekeys:
            parts += [
                wire.u8(prekey.kind),
                prekey.prekey_id,
                prekey.mlkem_public,
                prekey.x25519_public,
                prekey.signature,
            ]
        return b"".join(parts)

    @classmethod
    def from_bytes(cls, data: bytes) -> KeyBundle:
        """Parse (not verify: call `verify_bundle`) a bundle written by `to_bytes`."""
        wire.check_header(data, wire.KIND_BUNDLE, "key bundle")
        reader = wire.Reader(data, "key bundle", offset=2)
        identity_key = reader.take(_KEY)
        box_key = reader.take(_KEY)
        box_signature = reader.take(_SIG)
        prekeys = []
        for _ in range(reader.u16()):
            prekeys.append(
                SignedPrekey(
                    kind=reader.u8_in((ONE_TIME, FALLBACK), "kind of prekey"),
                    prekey_id=reader.take(PREKEY_ID_BYTES),
                    mlkem_public=reader.take(_MLKEM_PUBLIC),
                    x25519_public=reader.take(_KEY),
                    signature=reader.take(_SIG),
                )
            )
        reader.end()
        return cls(identity_key, box_key, box_signature, tuple(prekeys))

    def with_prekeys(self, prekey_ids: Iterable[bytes]) -> KeyBundle:
        """The same bundle with only the named one-time prekeys (the fallback is always kept)."""
        wanted = set(prekey_ids)
        kept = tuple(p for p in self.prekeys if p.kind == FALLBACK or p.prekey_id in wanted)
        return KeyBundle(self.identity_key, self.box_key, self.box_signature, kept)

    def prekey(self, prekey_id: bytes | None = None) -> SignedPrekey:
        """The named prekey, or the first one-time prekey, or else the fallback prekey."""
        if prekey_id is not None:
            for prekey in self.prekeys:
                if prekey.prekey_id == prekey_id:
                    return prekey
            raise UnknownPrekey("The key bundle has no prekey with that id; fetch a fresh bundle.")
        for kind in (ONE_TIME, FALLBACK):
            for prekey in self.prekeys:
                if prekey.kind == kind:
                    return prekey
        raise BadBundle("The key bundle has no prekey at all; its owner must publish new keys.")


def _verify(identity_key: bytes, message: bytes, signature: bytes) -> bool:
    try:
        nacl.signing.VerifyKey(identity_key).verify(message, signature)
    except (nacl.exceptions.BadSignatureError, nacl.exceptions.ValueError, ValueError):
        return False
    return True


@functools.lru_cache(maxsize=1024)
def _box_key_is_signed(identity_key: bytes, box_key: bytes, signature: bytes) -> bool:
    # A box key lives as long as its identity, and every envelope from or to it re-checks the same
    # signature; the answer of a pure check on these exact bytes can be remembered.
    return _verify(identity_key, _DS_BOX_KEY + box_key, signature)


def _check_box_key(bundle: KeyBundle) -> None:
    if not _box_key_is_signed(bundle.identity_key, bundle.box_key, bundle.box_signature):
        raise BadBundle(
            "The key bundle's box key is not signed by its identity key: it may have been "
            "substituted. Do not send to it; compare fingerprints with its owner."
        )


def _check_prekey(bundle: KeyBundle, prekey: SignedPrekey) -> None:
    if not _verify(bundle.identity_key, prekey.signed_bytes(), prekey.signature):
        raise BadBundle(
            "A prekey in the key bundle is not signed by its identity key: it may have been "
            "substituted. Do not send to it."
        )


def verify_bundle(bundle: KeyBundle) -> None:
    """Check every signature of the bundle; raise BadBundle on the first that fails."""
    _check_box_key(bundle)
    fallbacks = 0
    seen: set[bytes] = set()
    for prekey in bundle.prekeys:
        if prekey.prekey_id in seen:
            raise BadBundle("The key bundle lists the same prekey twice.")
        seen.add(prekey.prekey_id)
        fallbacks += prekey.kind == FALLBACK
        _check_prekey(bundle, prekey)
    if fallbacks > 1:
        raise BadBundle("The key bundle has more than one fallback prekey.")


def fingerprint(bundle: KeyBundle | bytes) -> str:
    """Twelve groups of five digits derived from the identity key, to compare out of band.

    Only the identity key is fingerprinted: it signs everything else in the bundle, so a new
    prekey does not change the fingerprint but a new identity does.
    """
    identity_key = bundle.identity_key if isinstance(bundle, KeyBundle) else bundle
    digest = hashlib.sha512(_DS_FINGERPRINT + identity_key).digest()
    # 5 bytes (40 bits) per group reduced mod 10^5: the bias is below 2^-23, and 12 groups carry
    # about 199 bits, far beyond what anyone can grind for a look-alike.
    groups = [f"{int.from_bytes(digest[i * 5 : i * 5 + 5], 'big') % 100000:05d}" for i in range(12)]
    return " ".join(groups)


@dataclass
class _PrekeySecret:
    prekey_id: bytes
    kind: int
    mlkem_seed: bytes
    x25519_secret: bytes
    _private: hpke.MLKEM768X25519PrivateKey | None = field(default=None, repr=False)

    def hpke_private(self) -> hpke.MLKEM768X25519PrivateKey:
        if self._private is None:
            self._private = hpke.MLKEM768X25519PrivateKey(
                mlkem.MLKEM768PrivateKey.from_seed_bytes(self.mlkem_seed),
                x25519.X25519PrivateKey.from_private_bytes(self.x25519_secret),
            )
        return self._private

    def public(self, signing_key: nacl.signing.SigningKey) -> SignedPrekey:
        mlkem_public = (
            mlkem.MLKEM768PrivateKey.from_seed_bytes(self.mlkem_seed)
            .public_key()
            .public_bytes_raw()
        )
        x25519_public = (
            x25519.X25519PrivateKey.from_private_bytes(self.x25519_secret)
            .public_key()
            .public_bytes_raw()
        )
        unsigned = SignedPrekey(self.prekey_id, self.kind, mlkem_public, x25519_public, b"")
        signature = signing_key.sign(unsigned.signed_bytes()).signature
        return SignedPrekey(self.prekey_id, self.kind, mlkem_public, x25519_public, signature)


def _new_prekey(kind: int, seed: bytes | None = None) -> _PrekeySecret:
    """A fresh prekey; from `seed` (96 bytes) when it must be reproducible (offline contacts)."""
    if seed is None:
        seed = secrets.token_bytes(PREKEY_ID_BYTES + _MLKEM_SEED + _KEY)
    return _PrekeySecret(
        prekey_id=seed[:PREKEY_ID_BYTES],
        kind=kind,
        mlkem_seed=seed[PREKEY_ID_BYTES : PREKEY_ID_BYTES + _MLKEM_SEED],
        x25519_secret=seed[PREKEY_ID_BYTES + _MLKEM_SEED :],
    )


class Identity:
    """A person's secret keys. Held by the client only (in the keystore), never by the server."""

    def __init__(
        self,
        signing_seed: bytes,
        box_secret: bytes,
        prekeys: Iterable[_PrekeySecret] = (),
        retired: Iterable[bytes] = (),
    ) -> None:
        self.signing_key = nacl.signing.SigningKey(signing_seed)
        self.box_key = nacl.public.PrivateKey(box_secret)
        self._prekeys: dict[bytes, _PrekeySecret] = {p.prekey_id: p for p in prekeys}
        # Ids (not keys) of one-time prekeys already used, to tell a replay from a stray envelope.
        self.retired: set[bytes] = set(retired)
        self._bundle_cache: dict[bytes, SignedPrekey] = {}
        self._box_signature: bytes | None = None

    @property
    def identity_key(self) -> bytes:
        return bytes(self.signing_key.verify_key)

    @property
    def box_public(self) -> bytes:
        return bytes(self.box_key.public_key)

    def box_signature(self) -> bytes:
        # Ed25519 is deterministic: the same signature every time, so it is made once.
        if self._box_signature is None:
            self._box_signature = self.signing_key.sign(_DS_BOX_KEY + self.box_public).signature
        return self._box_signature

    def prekey_ids(self, kind: int | None = None) -> list[bytes]:
        return [p.prekey_id for p in self._prekeys.values() if kind is None or p.kind == kind]

    def add_prekeys(self, count: int) -> list[bytes]:
        """Make `count` new one-time prekeys; return their ids (publish a new bundle after)."""
        made = [_new_prekey(ONE_TIME) for _ in range(count)]
        for prekey in made:
            self._prekeys[prekey.prekey_id] = prekey
        return [p.prekey_id for p in made]

    def rotate_fallback(self) -> bytes:
        """Replace the fallback prekey (forward secrecy for messages sealed to the old one)."""
        for prekey_id in self.prekey_ids(FALLBACK):
            self.retire_prekey(prekey_id)
        fresh = _new_prekey(FALLBACK)
        self._prekeys[fresh.prekey_id] = fresh
        return fresh.prekey_id

    def retire_prekey(self, prekey_id: bytes) -> None:
        """Delete a prekey's secret for good; envelopes sealed to it can never be opened again."""
        self._prekeys.pop(prekey_id, None)
        self._bundle_cache.pop(prekey_id, None)
        self.retired.add(prekey_id)

    def prekey_secret(self, prekey_id: bytes) -> _PrekeySecret:
        prekey = self._prekeys.get(prekey_id)
        if prekey is not None:
            return prekey
        if prekey_id in self.retired:
            raise UnknownPrekey(
                "This envelope was sealed to a one-time prekey that was already used and deleted: "
                "it is a replay, or a copy of a message already read. Nothing was decrypted."
            )
        raise WrongRecipient(
            "This envelope was not sealed to any of your keys: it is for someone else, or your "
            "keystore is not the one its sender used. Nothing was decrypted."
        )

    def bundle(self) -> KeyBundle:
        """The public, signed bundle to publish in the key directory."""
        prekeys = []
        for prekey in self._prekeys.values():
            public = self._bundle_cache.get(prekey.prekey_id)
            if public is None:
                public = prekey.public(self.signing_key)
                self._bundle_cache[prekey.prekey_id] = public
            prekeys.append(public)
        return KeyBundle(self.identity_key, self.box_public, self.box_signature(), tuple(prekeys))

    def sign(self, message: bytes) -> bytes:
        return self.signing_key.sign(message).signature

    def to_bytes(self) -> bytes:
        """Secret serialisation, for the keystore only (which encrypts it)."""
        parts = [
            wire.header(wire.KIND_IDENTITY),
            bytes(self.signing_key),
            bytes(self.box_key),
            wire.u32(len(self._prekeys)),
        ]
        for prekey in self._prekeys.values():
            parts += [
                wire.u8(prekey.kind),
                prekey.prekey_id,
                prekey.mlkem_seed,
                prekey.x25519_secret,
            ]
        parts.append(wire.u32(len(self.retired)))
        parts += sorted(self.retired)
        return b"".join(parts)

    @classmethod
    def from_bytes(cls, data: bytes) -> Identity:
        wire.check_header(data, wire.KIND_IDENTITY, "identity")
        reader = wire.Reader(data, "identity", offset=2)
        signing_seed = reader.take(_KEY)
        box_secret = reader.take(_KEY)
        prekeys = []
        for _ in range(reader.u32()):
            prekeys.append(
                _PrekeySecret(
                    kind=reader.u8_in((ONE_TIME, FALLBACK), "kind of prekey"),
                    prekey_id=reader.take(PREKEY_ID_BYTES),
                    mlkem_seed=reader.take(_MLKEM_SEED),
                    x25519_secret=reader.take(_KEY),
                )
            )
        retired = [reader.take(PREKEY_ID_BYTES) for _ in range(reader.u32())]
        reader.end()
        return cls(signing_seed, box_secret, prekeys, retired)


def generate_identity(one_time_prekeys: int = 20) -> Identity:
    """New random keys: Ed25519 identity, X25519 box key, one-time prekeys and a fallback."""
    identity = Identity(secrets.token_bytes(_KEY), secrets.token_bytes(_KEY))
    identity.add_prekeys(one_time_prekeys)
    identity.rotate_fallback()
    return identity


def identity_from_seed(seed: bytes) -> Identity:
    """Deterministic keys from a 32-byte (or longer) secret seed: offline contacts' passphrases.

    The seed is expanded with HKDF-SHA256 (RFC 5869) into the identity, box and fallback prekey
    secrets; no one-time prekeys (the contact has no directory to publish them to).
    """
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    if len(seed) < 32:
        raise MalformedInput("An identity seed must have at least 32 bytes.")
    material = HKDF(
        algorithm=hashes.SHA256(),
        length=_KEY + _KEY + PREKEY_ID_BYTES + _MLKEM_SEED + _KEY,
        salt=None,
        info=b"track2/backchannel/v1/identity-from-seed",
    ).derive(seed)
    identity = Identity(material[:_KEY], material[_KEY : 2 * _KEY])
    fallback = _new_prekey(FALLBACK, seed=material[2 * _KEY :])
    identity._prekeys[fallback.prekey_id] = fallback
    return identity


@dataclass(frozen=True)
class OpenedEnvelope:
    """What the recipient learns from an envelope that authenticated."""

    message: bytes
    sender_identity_key: bytes
    sender_box_key: bytes
    prekey_id: bytes
    used_fallback: bool

    @property
    def sender_fingerprint(self) -> str:
        return fingerprint(self.sender_identity_key)


def _bucket_for(length: int) -> int:
    for index, bucket in enumerate(BUCKETS):
        if _INNER_PREFIX + length <= bucket:
            return index
    raise MalformedInput(
        f"The message has {length:,} bytes; the largest that fits an envelope is "
        f"{MAX_MESSAGE:,}. Send it in parts."
    )


def _outer_info(header: bytes, recipient_identity_key: bytes, context: Context) -> bytes:
    return _DS_OUTER + header + recipient_identity_key + context.to_bytes()


def _inner_digest(
    header: bytes, recipient_identity_key: bytes, sender_identity_key: bytes, context: Context
) -> bytes:
    # The Box itself has no associated data; this digest inside it binds the same context to the
    # inner layer too, so an inner ciphertext cannot be lifted into another envelope.
    return hashlib.sha256(
        _DS_INNER + header + recipient_identity_key + sender_identity_key + context.to_bytes()
    ).digest()


def seal(
    message: bytes,
    *,
    sender: Identity,
    recipient: KeyBundle,
    context: Context,
    prekey_id: bytes | None = None,
) -> bytes:
    """Encrypt `message` from `sender` to `recipient` under `context`; return the envelope.

    The keys used are verified first (a substituted box key or prekey is refused; the client
    checks the whole bundle with `verify_bundle` when it fetches it). `prekey_id` picks the
    one-time prekey the directory handed out; without it the first one-time prekey in the bundle,
    or the fallback prekey, is used.
    """
    prekey = recipient.prekey(prekey_id)
    _check_box_key(recipient)
    _check_prekey(recipient, prekey)
    bucket = _bucket_for(len(message))
    header = wire.header(wire.KIND_ENVELOPE) + bytes((SUITE_HYBRID, bucket)) + prekey.prekey_id
    digest = _inner_digest(header, recipient.identity_key, sender.identity_key, context)
    padded = wire.u32(len(message)) + digest + message
    padded += bytes(BUCKETS[bucket] - len(padded))
    nonce = nacl.utils.random(_BOX_NONCE)
    box = nacl.public.Box(sender.box_key, nacl.public.PublicKey(recipient.box_key))
    boxed = box.encrypt(padded, nonce).ciphertext
    outer_plain = sender.identity_key + sender.box_public + sender.box_signature() + nonce + boxed
    sealed = _SUITE.encrypt(
        outer_plain,
        prekey.hpke_public(),
        info=_outer_info(header, recipient.identity_key, context),
    )
    return header + sealed


def check_envelope(blob: bytes) -> None:
    """What the server can check without keys: version, kind, suite, bucket and exact size."""
    wire.check_header(blob, wire.KIND_ENVELOPE, "envelope")
    if len(blob) < _HEADER:
        raise MalformedInput("The envelope is truncated.")
    if blob[2] != SUITE_HYBRID:
        raise MalformedInput("The envelope uses an unknown cipher suite.")
    bucket = blob[3]
    if bucket >= len(BUCKETS):
        raise MalformedInput("The envelope names an unknown size bucket.")
    expected = BUCKETS[bucket] + ENVELOPE_OVERHEAD
    if len(blob) != expected:
        raise MalformedInput(
            f"The envelope has {len(blob):,} bytes; an envelope of its size bucket has exactly "
            f"{expected:,}. It was truncated or padded."
        )


def open_envelope(
    blob: bytes,
    *,
    recipient: Identity,
    context: Context,
    expected_sender: KeyBundle | bytes | None = None,
    consume: bool = True,
) -> OpenedEnvelope:
    """Decrypt an envelope sealed to `recipient` under `context`, or raise; never half-open.

    With `consume` (the default) a one-time prekey is deleted once its envelope opened, so a
    replay of the same envelope fails with UnknownPrekey: persist the identity afterwards.
    `expected_sender` (a bundle or identity key) refuses an authentic envelope from anyone else.
    """
    check_envelope(blob)
    header = blob[:_HEADER]
    prekey_id = header[4:]
    secret = recipient.prekey_secret(prekey_id)
    try:
        outer_plain = _SUITE.decrypt(
            blob[_HEADER:],
            secret.hpke_private(),
            info=_outer_info(header, recipient.identity_key, context),
        )
    except (InvalidTag, ValueError) as error:  # ValueError: an invalid KEM share
        raise TamperedEnvelope(
            "The envelope does not authenticate: it was altered, or it belongs to another "
            "dialogue or mailbox than the one given. Nothing was decrypted."
        ) from error
    reader = wire.Reader(outer_plain, "envelope")
    sender_identity = reader.take(_KEY)
    sender_box = reader.take(_KEY)
    sender_box_signature = reader.take(_SIG)
    nonce = reader.take(_BOX_NONCE)
    boxed = reader.rest()
    if not _box_key_is_signed(sender_identity, sender_box, sender_box_signature):
        raise TamperedEnvelope(
            "The sender's box key is not signed by the sender's identity key: the envelope "
            "was forged. Nothing was decrypted."
        )
    try:
        box = nacl.public.Box(recipient.box_key, nacl.public.PublicKey(sender_box))
        padded = box.decrypt(boxed, nonce)
    except (nacl.exceptions.CryptoError, nacl.exceptions.ValueError) as error:
        raise TamperedEnvelope(
            "The inner layer does not authenticate the sender. Nothing was decrypted."
        ) from error
    inner = wire.Reader(padded, "envelope")
    length = inner.u32()
    digest = inner.take(32)
    expected_digest = _inner_digest(header, recipient.identity_key, sender_identity, context)
    if not secrets.compare_digest(digest, expected_digest) or length > len(padded) - _INNER_PREFIX:
        raise TamperedEnvelope(
            "The inner layer was made for another envelope or context. Nothing was decrypted."
        )
    message = inner.take(length)
    if any(inner.rest()):
        raise TamperedEnvelope("The envelope's padding is not zeros. Nothing was decrypted.")
    if expected_sender is not None:
        expected_key = (
            expected_sender.identity_key
            if isinstance(expected_sender, KeyBundle)
            else expected_sender
        )
        if not secrets.compare_digest(expected_key, sender_identity):
            raise UnexpectedSender(
                "The envelope is authentic but was sent by "
                f"{fingerprint(sender_identity)}, not by the correspondent you expected. "
                "Compare fingerprints before you trust it."
            )
    used_fallback = secret.kind == FALLBACK
    if consume and not used_fallback:
        recipient.retire_prekey(prekey_id)
    return OpenedEnvelope(message, sender_identity, sender_box, prekey_id, used_fallback)


def verify_signature(identity_key: bytes, message: bytes, signature: bytes, what: str) -> None:
    """Raise BadSignature unless `signature` is `identity_key`'s Ed25519 signature on `message`."""
    if not _verify(identity_key, message, signature):
        raise BadSignature(f"The {what} is not signed by the key it names.")
