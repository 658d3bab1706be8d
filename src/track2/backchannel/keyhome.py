"""A correspondent's key home: the encrypted keystore and the encrypted client state beside it.

The keystore (`keystore.py`) holds the secret keys under the passphrase. The state — which site
and dialogue, whose fingerprints were compared, the pinned log checkpoint, messages read — is
sealed with a key derived from the identity (HKDF-SHA256, RFC 5869; XSalsa20-Poly1305), so it is
as private as the keys and any change to it is detected. Both are written atomically, mode 0600.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nacl.exceptions
import nacl.secret
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from track2.backchannel.crypto import Identity
from track2.backchannel.errors import CorruptKeystore
from track2.backchannel.keystore import KdfCost, read_keystore, write_keystore, write_private

_STATE_INFO = b"track2/backchannel/v1/client-state"


@dataclass
class State:
    site: str = ""
    dialogue: int = 0
    # identity key (hex) → {"fingerprint", "holder"}: compared out of band, by `verify`.
    verified: dict[str, dict] = field(default_factory=dict)
    # The log: its verifier key (trusted on first use), the pinned checkpoint (JSON), and the
    # leaf hashes (hex) of what this client posted, still to be proved included.
    log_key: str = ""
    pinned: str = ""
    watched: list[str] = field(default_factory=list)
    # Messages read, by envelope id: once opened, a one-time prekey is gone, so this is the copy.
    received: dict[str, dict] = field(default_factory=dict)
    # Set when these keys came from an offline contact's words (no account, no token).
    is_offline_contact: bool = False
    # Mailbox ids this client opened (a member's request, with its token): each is opened once,
    # so the site is not told again on every send and inbox which mailboxes are this member's.
    opened: list[str] = field(default_factory=list)


def _state_box(identity: Identity) -> nacl.secret.SecretBox:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_STATE_INFO).derive(
        bytes(identity.signing_key)
    )
    return nacl.secret.SecretBox(key)


class KeyHome:
    def __init__(self, path: Path):
        self.path = path
        self.keystore = path / "keystore"
        self.state_file = path / "state"

    def exists(self) -> bool:
        return self.keystore.exists()

    def open(self, passphrase: str) -> tuple[Identity, State]:
        identity = read_keystore(self.keystore, passphrase)
        if not self.state_file.exists():
            return identity, State()
        try:
            plain = _state_box(identity).decrypt(self.state_file.read_bytes())
            return identity, State(**json.loads(plain))
        except (nacl.exceptions.CryptoError, ValueError, TypeError) as error:
            raise CorruptKeystore(
                f"The client state {self.state_file} is damaged or was altered; restore it from "
                "a backup of this folder (your keys are intact)."
            ) from error

    def save(self, identity: Identity, state: State, passphrase: str, cost: KdfCost) -> None:
        """Keys first, then state: a crash between leaves keys that still open the state."""
        self.path.mkdir(mode=0o700, parents=True, exist_ok=True)
        write_keystore(self.keystore, identity, passphrase, cost)
        self.save_state(identity, state)

    def save_state(self, identity: Identity, state: State) -> None:
        self.path.mkdir(mode=0o700, parents=True, exist_ok=True)
        plain = json.dumps(asdict(state), sort_keys=True).encode("utf-8")
        write_private(self.state_file, bytes(_state_box(identity).encrypt(plain)))
