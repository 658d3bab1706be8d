"""Checkpoints of the transparency log: C2SP tlog-checkpoint text in C2SP signed notes.

- c2sp.org/signed-note: a text ending in a newline, a blank line, then lines
  "— <key name> base64(key id || signature)"; Ed25519 (type 0x01) signs the text;
  key id = SHA-256(name || 0x0A || 0x01 || public key)[:4]. Verifier keys are written
  "<name>+<hex key id>+base64(0x01 || public key)".
- c2sp.org/tlog-checkpoint: origin line, decimal tree size, base64 root hash, optional extensions.
- c2sp.org/tlog-cosignature (type 0x04): a witness signs "cosignature/v1\\ntime <t>\\n" + the
  note text and prefixes the signature with the 8-byte timestamp.

`PinnedCheckpoint` is what a client remembers: it accepts a newer checkpoint only with a valid
consistency proof, and refuses a log that shrank or forked.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Sequence
from dataclasses import dataclass

import nacl.signing

from track2.backchannel.crypto import verify_signature
from track2.backchannel.errors import BadCheckpoint, BadProof, BadSignature, LogForked, LogShrank
from track2.backchannel.merkle import HASH_SIZE, verify_consistency

__all__ = [
    "Checkpoint",
    "NoteSigner",
    "NoteVerifier",
    "PinnedCheckpoint",
    "cosign",
    "open_checkpoint",
    "open_note",
    "sign_note",
]

_ED25519 = 0x01
_COSIGNATURE_V1 = 0x04
_DASH = "\u2014 "
# The spec asks verifiers to accept at least 16 signatures; more is refused as abuse.
MAX_SIGNATURES = 32
MAX_NOTE_BYTES = 64 * 1024


def _key_id(name: str, kind: int, public_key: bytes) -> bytes:
    return hashlib.sha256(name.encode("utf-8") + b"\n" + bytes((kind,)) + public_key).digest()[:4]


def _check_name(name: str) -> None:
    if not name or "+" in name or any(c.isspace() for c in name):
        raise BadCheckpoint(
            f"{name!r} is not a valid key name: it must be non-empty, without spaces or '+'."
        )


def _b64decode(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError) as error:
        raise BadCheckpoint(f"The {what} is not valid base64.") from error


@dataclass(frozen=True)
class NoteVerifier:
    """A trusted public key for notes: the log's key (type 0x01) or a witness's (type 0x04)."""

    name: str
    public_key: bytes
    kind: int = _ED25519

    @property
    def key_id(self) -> bytes:
        return _key_id(self.name, self.kind, self.public_key)

    def encode(self) -> str:
        """The verifier key string "<name>+<hex id>+<base64(type || key)>"."""
        material = base64.b64encode(bytes((self.kind,)) + self.public_key).decode("ascii")
        return f"{self.name}+{self.key_id.hex()}+{material}"

    @classmethod
    def decode(cls, text: str) -> NoteVerifier:
        parts = text.strip().split("+", 2)
        if len(parts) != 3:
            raise BadCheckpoint("A verifier key is written <name>+<hex key id>+<base64 key>.")
        name, hex_id, material_text = parts
        _check_name(name)
        material = _b64decode(material_text, "verifier key")
        if len(material) != 33 or material[0] not in (_ED25519, _COSIGNATURE_V1):
            raise BadCheckpoint("The verifier key is not an Ed25519 note or cosignature key.")
        verifier = cls(name, material[1:], material[0])
        if hex_id.lower() != verifier.key_id.hex() or len(hex_id) != 8:
            raise BadCheckpoint("The verifier key's id does not match its name and key.")
        return verifier


@dataclass(frozen=True)
class NoteSigner:
    """An Ed25519 signing key with the name it signs under."""

    name: str
    seed: bytes
    kind: int = _ED25519

    def __post_init__(self) -> None:
        _check_name(self.name)
        if len(self.seed) != 32:
            raise BadCheckpoint("An Ed25519 note key has a 32-byte seed.")

    @property
    def verifier(self) -> NoteVerifier:
        public = bytes(nacl.signing.SigningKey(self.seed).verify_key)
        return NoteVerifier(self.name, public, self.kind)

    def encode(self) -> str:
        """The signer key string "PRIVATE+KEY+<name>+<hex id>+<base64(type || seed)>"."""
        material = base64.b64encode(bytes((self.kind,)) + self.seed).decode("ascii")
        return f"PRIVATE+KEY+{self.name}+{self.verifier.key_id.hex()}+{material}"

    @classmethod
    def decode(cls, text: str) -> NoteSigner:
        parts = text.strip().split("+", 4)
        if len(parts) != 5 or parts[:2] != ["PRIVATE", "KEY"]:
            raise BadCheckpoint("A signer key is written PRIVATE+KEY+<name>+<hex id>+<base64>.")
        material = _b64decode(parts[4], "signer key")
        if len(material) != 33 or material[0] not in (_ED25519, _COSIGNATURE_V1):
            raise BadCheckpoint("The signer key is not an Ed25519 note key.")
        signer = cls(parts[2], material[1:], material[0])
        if parts[3].lower() != signer.verifier.key_id.hex():
            raise BadCheckpoint("The signer key's id does not match its name and key.")
        return signer

    @classmethod
    def generate(cls, name: str, kind: int = _ED25519) -> NoteSigner:
        return cls(name, bytes(nacl.signing.SigningKey.generate()), kind)


def _check_text(text: str) -> None:
    if not text.endswith("\n"):
        raise BadCheckpoint("A note's text must end with a newline.")
    if any((ord(c) < 0x20 and c != "\n") or 0xD800 <= ord(c) <= 0xDFFF for c in text):
        raise BadCheckpoint(
            "A note must not contain control characters other than newline, or invalid Unicode."
        )


def _cosigned_message(text: str, timestamp: int) -> bytes:
    return f"cosignature/v1\ntime {timestamp}\n{text}".encode()


def _signature_line(signer: NoteSigner, text: str, timestamp: int | None = None) -> str:
    key = nacl.signing.SigningKey(signer.seed)
    if signer.kind == _COSIGNATURE_V1:
        if timestamp is None or not 0 <= timestamp < 2**63:
            raise BadCheckpoint("A cosignature needs a timestamp between 0 and 2^63 - 1.")
        body = timestamp.to_bytes(8, "big") + key.sign(_cosigned_message(text, timestamp)).signature
    else:
        body = key.sign(text.encode("utf-8")).signature
    blob = base64.b64encode(signer.verifier.key_id + body).decode("ascii")
    return f"{_DASH}{signer.name} {blob}\n"


def sign_note(text: str, signer: NoteSigner) -> str:
    """A signed note of `text` (which must end with a newline) by `signer`."""
    _check_text(text)
    return text + "\n" + _signature_line(signer, text)


def cosign(note: str, witness: NoteSigner, timestamp: int) -> str:
    """Add a witness cosignature (tlog-cosignature/v1) to a signed note.

    A witness calls this only after it verified the checkpoint is consistent with the largest one
    it has seen for this log (see PinnedCheckpoint.advance).
    """
    text, _signatures = _split_note(note)
    if witness.kind != _COSIGNATURE_V1:
        witness = NoteSigner(witness.name, witness.seed, _COSIGNATURE_V1)
    return note + _signature_line(witness, text, timestamp)


def _split_note(note: str) -> tuple[str, list[tuple[str, bytes]]]:
    if len(note.encode("utf-8", "surrogatepass")) > MAX_NOTE_BYTES:
        raise BadCheckpoint("The note is larger than any checkpoint should be.")
    if any(ord(c) < 0x20 and c != "\n" for c in note) or any(
        0xD800 <= ord(c) <= 0xDFFF for c in note
    ):
        raise BadCheckpoint("The note contains control characters or invalid Unicode.")
    if not note.endswith("\n"):
        raise BadCheckpoint("A signed note ends with a newline.")
    split = note.rfind("\n\n")
    if split < 0:
        raise BadCheckpoint("The note has no signatures (no blank line before them).")
    text = note[: split + 1]
    lines = note[split + 2 : -1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise BadCheckpoint(f"The note has more than {MAX_SIGNATURES} signatures.")
    signatures = []
    for line in lines:
        if not line.startswith(_DASH):
            raise BadCheckpoint("A signature line must start with an em dash and a space.")
        name, _, blob_text = line[len(_DASH) :].partition(" ")
        _check_name(name)
        blob = _b64decode(blob_text, "signature")
        if len(blob) < 5:
            raise BadCheckpoint("A note signature is too short to hold a key id.")
        signatures.append((name, blob))
    return text, signatures


@dataclass(frozen=True)
class OpenedNote:
    text: str
    verified_by: tuple[NoteVerifier, ...]
    cosigned_at: tuple[tuple[NoteVerifier, int], ...]


def open_note(note: str, verifiers: Sequence[NoteVerifier]) -> OpenedNote:
    """Verify a signed note against trusted keys; return its text and who verifiably signed it.

    Signatures from unknown keys are ignored (as the spec requires); a signature from a known key
    that fails rejects the whole note; a note with no verified known signature is rejected.
    """
    text, signatures = _split_note(note)
    known = {(v.name, v.key_id): v for v in verifiers}
    verified: list[NoteVerifier] = []
    cosigned: list[tuple[NoteVerifier, int]] = []
    for name, blob in signatures:
        verifier = known.get((name, blob[:4]))
        if verifier is None:
            continue
        body = blob[4:]
        if verifier.kind == _COSIGNATURE_V1:
            if len(body) != 72:
                raise BadCheckpoint(f"The cosignature by {name} has the wrong length.")
            timestamp = int.from_bytes(body[:8], "big")
            if timestamp >= 2**63:
                raise BadCheckpoint(f"The cosignature by {name} has an invalid timestamp.")
            message, signature = _cosigned_message(text, timestamp), body[8:]
        else:
            message, signature = text.encode("utf-8"), body
        try:
            verify_signature(verifier.public_key, message, signature, f"note signature by {name}")
        except BadSignature as error:
            raise BadCheckpoint(
                f"The signature by {name} does not verify: the note was altered. Refuse it."
            ) from error
        if verifier.kind == _COSIGNATURE_V1:
            cosigned.append((verifier, timestamp))
        else:
            verified.append(verifier)
    if not verified and not cosigned:
        raise BadCheckpoint("The note is not signed by any trusted key.")
    return OpenedNote(text, tuple(verified), tuple(cosigned))


@dataclass(frozen=True)
class Checkpoint:
    """The body of a tlog-checkpoint: which log, how many entries, and their root hash."""

    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # Refuse at construction what `parse` would refuse, so no log ever signs a checkpoint
        # its own clients cannot read back.
        if (
            not self.origin
            or any(not line or "\n" in line for line in self.extensions)
            or ("\n" in self.origin)
        ):
            raise BadCheckpoint("A checkpoint's origin and extension lines are single lines.")
        if not 0 <= self.size < 2**64:
            raise BadCheckpoint("A checkpoint size is between 0 and 2^64 - 1.")
        if len(self.root) != HASH_SIZE:
            raise BadCheckpoint("A checkpoint root hash has 32 bytes.")

    def text(self) -> str:
        lines = [self.origin, str(self.size), base64.b64encode(self.root).decode("ascii")]
        return "\n".join([*lines, *self.extensions]) + "\n"

    @classmethod
    def parse(cls, text: str) -> Checkpoint:
        if not text.endswith("\n"):
            raise BadCheckpoint("A checkpoint ends with a newline.")
        lines = text[:-1].split("\n")
        if len(lines) < 3:
            raise BadCheckpoint("A checkpoint has an origin, a size and a root hash line.")
        origin, size_text, root_text, *extensions = lines
        if not origin:
            raise BadCheckpoint("The checkpoint's origin line is empty.")
        if (
            not size_text.isascii()
            or not size_text.isdigit()
            or (len(size_text) > 1 and size_text[0] == "0")
        ):
            raise BadCheckpoint("The checkpoint size must be a decimal without leading zeros.")
        size = int(size_text)
        if size >= 2**64:
            raise BadCheckpoint("The checkpoint size does not fit in 64 bits.")
        root = _b64decode(root_text, "checkpoint root hash")
        if len(root) != HASH_SIZE:
            raise BadCheckpoint("The checkpoint root hash is not 32 bytes.")
        if any(not line for line in extensions):
            raise BadCheckpoint("A checkpoint has no empty extension lines.")
        return cls(origin, size, root, tuple(extensions))

    def sign(self, signer: NoteSigner) -> str:
        return sign_note(self.text(), signer)


def open_checkpoint(note: str, log_key: NoteVerifier, origin: str | None = None) -> Checkpoint:
    """A checkpoint note verified against the log's key (and origin, when given)."""
    opened = open_note(note, [log_key])
    if log_key not in opened.verified_by:
        raise BadCheckpoint("The checkpoint is not signed by the log's key.")
    checkpoint = Checkpoint.parse(opened.text)
    expected = origin if origin is not None else log_key.name
    if checkpoint.origin != expected:
        raise BadCheckpoint(
            f"The checkpoint is for the log {checkpoint.origin!r}, not {expected!r}."
        )
    return checkpoint


@dataclass(frozen=True)
class PinnedCheckpoint:
    """The last checkpoint a client verified; the log may only grow from it, never fork."""

    origin: str
    size: int
    root: bytes

    @classmethod
    def trust_first(cls, checkpoint: Checkpoint) -> PinnedCheckpoint:
        return cls(checkpoint.origin, checkpoint.size, checkpoint.root)

    def advance(self, checkpoint: Checkpoint, proof: Sequence[bytes]) -> PinnedCheckpoint:
        """Accept `checkpoint` (already signature-checked) if it extends this one, or raise."""
        if checkpoint.origin != self.origin:
            raise BadCheckpoint(
                f"The checkpoint is for the log {checkpoint.origin!r}, not {self.origin!r}."
            )
        if checkpoint.size < self.size:
            raise LogShrank(
                f"The log now claims {checkpoint.size:,} entries but you already saw "
                f"{self.size:,}: it was rolled back. Keep your pinned checkpoint and report it."
            )
        if checkpoint.size == self.size and not hmac.compare_digest(checkpoint.root, self.root):
            raise LogForked(
                f"The log shows a different root for the same {self.size:,} entries: it forked. "
                "Keep your pinned checkpoint and report it."
            )
        try:
            verify_consistency(self.size, checkpoint.size, self.root, checkpoint.root, proof)
        except BadProof as error:
            raise LogForked(
                f"The log's checkpoint of {checkpoint.size:,} entries does not extend the one of "
                f"{self.size:,} you pinned: it was rewritten. Keep your pinned checkpoint and "
                "report it."
            ) from error
        return PinnedCheckpoint(checkpoint.origin, checkpoint.size, checkpoint.root)

    def to_json(self) -> str:
        return json.dumps(
            {
                "origin": self.origin,
                "size": self.size,
                "root": base64.b64encode(self.root).decode("ascii"),
            },
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, text: str) -> PinnedCheckpoint:
        try:
            data = json.loads(text)
            origin, size, root_text = data["origin"], data["size"], data["root"]
        except (ValueError, KeyError, TypeError) as error:
            raise BadCheckpoint("The pinned checkpoint file is damaged.") from error
        if (
            not isinstance(origin, str)
            or not isinstance(size, int)
            or not isinstance(root_text, str)
        ):
            raise BadCheckpoint("The pinned checkpoint file is damaged.")
        root = _b64decode(root_text, "pinned root")
        if len(root) != HASH_SIZE or size < 0:
            raise BadCheckpoint("The pinned checkpoint file is damaged.")
        return cls(origin, size, root)
