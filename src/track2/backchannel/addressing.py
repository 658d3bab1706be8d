"""Where two correspondents' envelopes go: a mailbox id and its two tokens, derived by both.

Both clients compute the same X25519 shared secret from their box keys (the sender's secret with
the recipient's public key, or the other way round) and expand it with HKDF-SHA256 (RFC 5869),
binding the dialogue and the direction (sender's then recipient's identity key). The server sees
three unrelated random-looking strings; it cannot tell whose relationship a mailbox serves.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass

import nacl.bindings
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from track2.backchannel.crypto import Identity, KeyBundle
from track2.backchannel.errors import MalformedInput

_INFO = b"track2/backchannel/v1/mailbox\x00"
# Not a base64url character, so an address splits without ambiguity.
SEPARATOR = "~"


def _text(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


@dataclass(frozen=True)
class MailboxAddress:
    mailbox_id: str
    delivery_token: str
    read_token: str

    @property
    def address(self) -> str:
        """What a sender names as a hop's mailbox (`conveyance.Hop.mailbox_id`) and what both
        ends bind as the envelope's context: the id and the delivery token, so that the
        intermediary a sender chose can post into it. Never sent to the server as one string."""
        return f"{self.mailbox_id}{SEPARATOR}{self.delivery_token}"

    @property
    def delivery_token_hash(self) -> str:
        return hashlib.sha256(self.delivery_token.encode("ascii")).hexdigest()

    @property
    def read_token_hash(self) -> str:
        return hashlib.sha256(self.read_token.encode("ascii")).hexdigest()


def mailbox(me: Identity, them: KeyBundle, dialogue_id: str, *, i_send: bool) -> MailboxAddress:
    """The mailbox of envelopes from the sender to the recipient in this dialogue: `i_send`
    says whether `me` is the sender (True) or the recipient (False)."""
    shared = nacl.bindings.crypto_scalarmult(bytes(me.box_key), them.box_key)
    sender, recipient = (
        (me.identity_key, them.identity_key) if i_send else (them.identity_key, me.identity_key)
    )
    dialogue = dialogue_id.encode("utf-8")
    material = HKDF(
        algorithm=hashes.SHA256(),
        length=96,
        salt=None,
        info=_INFO + len(dialogue).to_bytes(2, "big") + dialogue + sender + recipient,
    ).derive(shared)
    return MailboxAddress(_text(material[:32]), _text(material[32:64]), _text(material[64:]))


def split_address(address: str) -> tuple[str, str]:
    """(mailbox id, delivery token) of an address; MalformedInput when it is not one."""
    mailbox_id, separator, token = address.partition(SEPARATOR)
    if not separator or len(mailbox_id) != 43 or len(token) != 43:
        raise MalformedInput("The routing instruction names a mailbox address that is not one.")
    return mailbox_id, token
