"""What `track2 backchannel` does, on the correspondent's own machine: keys, directory,
fingerprints, sending, reading, conveying, acknowledging and checking the log.

No Django here: the command parses arguments and passwords and calls these methods; a
`ClientRefusal` is one clear line for the person at the keyboard. Every change to the keys or
the state is saved before the site is told (acknowledged), so nothing accepted is lost.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from track2.backchannel import addressing, conveyance, crypto, logentry
from track2.backchannel.checkpoint import NoteVerifier, PinnedCheckpoint, open_checkpoint
from track2.backchannel.errors import BackchannelError, ConveyInstead, MalformedInput
from track2.backchannel.keyhome import KeyHome, State
from track2.backchannel.keystore import KdfCost, keys_from_passphrase, new_contact_passphrase
from track2.backchannel.merkle import verify_inclusion
from track2.backchannel.remote import Site, SiteError


class ClientRefusal(Exception):
    """What the person asked cannot be done; the message says why and what to do."""


def _digits(fingerprint: str) -> str:
    return "".join(ch for ch in fingerprint if ch.isdigit())


@dataclass
class Client:
    home: KeyHome
    identity: crypto.Identity
    state: State
    site: Site
    passphrase: str
    cost: KdfCost
    say: Callable[[str], None]

    # --- persistence -------------------------------------------------------------------------

    def save_keys(self) -> None:
        self.home.save(self.identity, self.state, self.passphrase, self.cost)

    def save_state(self) -> None:
        self.home.save_state(self.identity, self.state)

    @property
    def dialogue(self) -> int:
        if not self.state.dialogue or not self.state.site:
            raise ClientRefusal(
                "No site or dialogue yet: pass --site https://… --dialogue N once (they are remembered)."
            )
        return self.state.dialogue

    @property
    def context_dialogue(self) -> str:
        return str(self.dialogue)

    def watch(self, kind: int, digest: bytes) -> None:
        self.state.watched.append(logentry.leaf_hash(kind, digest).hex())

    # --- directory ---------------------------------------------------------------------------

    def directory(self) -> list[dict]:
        entries = self.site.directory(self.dialogue)
        for entry in entries:
            bundle = crypto.KeyBundle.from_bytes(base64.b64decode(entry["bundle"]))
            # The fingerprint shown is computed here from the key itself, never taken from the site.
            entry["_bundle"] = bundle
            entry["_fingerprint"] = crypto.fingerprint(bundle)
            entry["_is_me"] = bundle.identity_key == self.identity.identity_key
        return entries

    def find(self, entries: list[dict], name: str) -> dict:
        wanted = name.strip().lstrip("#").casefold()
        found = [e for e in entries if str(e["id"]) == wanted or e["holder"].casefold() == wanted]
        if not found:
            names = (
                ", ".join(sorted(e["holder"] for e in entries if not e["_is_me"])) or "nobody yet"
            )
            raise ClientRefusal(f"Nobody called {name!r} in the directory; it holds: {names}.")
        if len(found) > 1:
            raise ClientRefusal(
                f"Several holders are called {name!r}; give the number instead (#id)."
            )
        return found[0]

    def by_key(self, entries: list[dict], identity_key: bytes) -> dict | None:
        return next((e for e in entries if e["_bundle"].identity_key == identity_key), None)

    def trust_of(self, entry: dict) -> str:
        key = entry["_bundle"].identity_key.hex()
        if key in self.state.verified:
            return "verified"
        if any(v.get("entry") == entry["id"] for v in self.state.verified.values()):
            return "KEYS CHANGED — compare again"
        return "not verified"

    def verified_hop(self, entries: list[dict], entry: dict, address: str) -> conveyance.Hop:
        """A hop to someone whose fingerprint was compared, with a fresh one-time prekey."""
        trust = self.trust_of(entry)
        if trust != "verified":
            raise ClientRefusal(
                f"{entry['holder']}: {trust}. Compare their fingerprint with them (in person or by "
                f"phone) and run: track2 backchannel verify '{entry['holder']}' '<fingerprint>'."
            )
        bundle = crypto.KeyBundle.from_bytes(self.site.claim_prekey(self.dialogue, entry["id"]))
        crypto.verify_bundle(bundle)
        if bundle.identity_key != entry["_bundle"].identity_key:
            raise ClientRefusal(
                f"The site handed out a bundle for {entry['holder']} with another identity key: "
                "it may be substituting keys. Nothing was sent."
            )
        return conveyance.Hop(bundle, address)

    def publish(self, label: str = "", identity: crypto.Identity | None = None) -> dict:
        bundle = (identity or self.identity).bundle().to_bytes()
        entry = self.site.publish(self.dialogue, bundle, label)
        self.watch(logentry.KEY_BUNDLE, hashlib.sha256(bundle).digest())
        self.save_state()
        return entry

    def verify(self, name: str, fingerprint: str) -> dict:
        entries = self.directory()
        entry = self.find(entries, name)
        if _digits(fingerprint) != _digits(entry["_fingerprint"]):
            raise ClientRefusal(
                f"The fingerprint you typed does not match {entry['holder']}'s keys in the "
                "directory. Do not send to them: check with them again; the site may be "
                "substituting keys."
            )
        self.state.verified[entry["_bundle"].identity_key.hex()] = {
            "fingerprint": entry["_fingerprint"],
            "holder": entry["holder"],
            "entry": entry["id"],
        }
        self.save_state()
        return entry

    # --- mailboxes ---------------------------------------------------------------------------

    def outgoing(self, bundle: crypto.KeyBundle) -> addressing.MailboxAddress:
        return addressing.mailbox(self.identity, bundle, self.context_dialogue, i_send=True)

    def incoming(self, bundle: crypto.KeyBundle) -> addressing.MailboxAddress:
        return addressing.mailbox(self.identity, bundle, self.context_dialogue, i_send=False)

    def _open(self, address: addressing.MailboxAddress) -> None:
        # Each correspondent opens the mailboxes it uses: a member with its API token, an offline
        # contact (no account) by signing with its directory key. Either tells the site whose
        # mailbox this is: so once per mailbox, remembered in the state, not on each send or inbox.
        if address.mailbox_id in self.state.opened:
            return
        self.site.open_mailbox(self.dialogue, address)
        self.state.opened.append(address.mailbox_id)

    def _reopen(self, address: addressing.MailboxAddress) -> None:
        # The site no longer knows a mailbox this client opened (a site restored from an older
        # backup): open it again.
        if address.mailbox_id in self.state.opened:
            self.state.opened.remove(address.mailbox_id)
        self._open(address)

    # --- sending -----------------------------------------------------------------------------

    def send(self, to: str, message: bytes, via: list[str], reencrypt: bool) -> dict:
        entries = self.directory()
        recipient = self.find(entries, to)
        hops_entries = [self.find(entries, name) for name in via]
        if recipient["_is_me"] or any(e["_is_me"] for e in hops_entries):
            raise ClientRefusal("You cannot send to yourself or through yourself.")
        addresses = [self.outgoing(e["_bundle"]) for e in [*hops_entries, recipient]]
        hops = [
            self.verified_hop(entries, e, a.address)
            for e, a in zip([*hops_entries, recipient], addresses, strict=True)
        ]
        for address in addresses:
            self._open(address)
        try:
            blob = conveyance.wrap(
                message,
                sender=self.identity,
                dialogue_id=self.context_dialogue,
                recipient=hops[-1],
                via=hops[:-1],
                reencrypt=reencrypt,
            )
        except MalformedInput as error:
            raise ClientRefusal(str(error)) from None
        first = hops[0].mailbox_id
        try:
            posted = self.site.post(first, blob)
        except SiteError as error:
            if error.status != 404:
                raise
            self._reopen(addresses[0])
            posted = self.site.post(first, blob)
        self.watch(logentry.POSTED, hashlib.sha256(blob).digest())
        self.save_state()
        return {"to": recipient["holder"], "via": [e["holder"] for e in hops_entries], **posted}

    # --- receiving ---------------------------------------------------------------------------

    def inbox(self) -> list[dict]:
        rows = []
        for entry in self.directory():
            if entry["_is_me"]:
                continue
            address = self.incoming(entry["_bundle"])
            self._open(address)
            try:
                waiting = self.site.envelopes(address)
            except SiteError as error:
                if error.status == 404:
                    if address.mailbox_id in self.state.opened:
                        self._reopen(address)
                    continue  # nobody opened this mailbox yet: nothing can be waiting in it
                raise
            for item in waiting:
                rows.append({**item, "mailbox_of": entry["holder"]})
        self.save_state()  # the mailboxes opened now
        return rows

    def _locate(self, envelope_id: str) -> tuple[dict, list[dict], addressing.MailboxAddress]:
        entries = self.directory()
        for entry in entries:
            if entry["_is_me"]:
                continue
            address = self.incoming(entry["_bundle"])
            try:
                waiting = self.site.envelopes(address)
            except SiteError as error:
                if error.status == 404:
                    continue
                raise
            if any(item["id"] == envelope_id for item in waiting):
                return entry, entries, address
        raise ClientRefusal(
            f"No envelope {envelope_id!r} waits for you (run `inbox`; an acknowledged one is gone)."
        )

    def read(self, envelope_id: str) -> dict:
        if envelope_id in self.state.received:
            return self.state.received[envelope_id]
        _entry, entries, address = self._locate(envelope_id)
        blob = self.site.fetch(address, envelope_id)
        try:
            delivery = conveyance.receive(
                blob,
                recipient=self.identity,
                context=crypto.Context(self.context_dialogue, address.address),
            )
        except ConveyInstead:
            raise ClientRefusal(
                f"Envelope {envelope_id} is for you to convey, not to read: run "
                f"`track2 backchannel convey {envelope_id}`."
            ) from None
        sender = self.by_key(entries, delivery.sender_identity_key)
        route = [self.by_key(entries, key) for key in delivery.route]
        shown = {
            "id": envelope_id,
            "from": sender["holder"]
            if sender
            else crypto.fingerprint(delivery.sender_identity_key),
            "sender_trust": self.trust_of(sender) if sender else "not in the directory",
            "sender_fingerprint": crypto.fingerprint(delivery.sender_identity_key),
            "route": [
                (hop["holder"] if hop else crypto.fingerprint(key))
                for hop, key in zip(route, delivery.route, strict=True)
            ],
            "reencrypted_by": (
                None
                if delivery.reencrypted_by is None
                else (self.by_key(entries, delivery.reencrypted_by) or {}).get(
                    "holder", crypto.fingerprint(delivery.reencrypted_by)
                )
            ),
            "message": delivery.message.decode("utf-8", errors="replace"),
        }
        self.state.received[envelope_id] = shown
        # The one-time prekey is gone now: keep the keys and the copy before anything else.
        self.save_keys()
        return shown

    def convey(self, envelope_id: str) -> dict:
        _entry, entries, address = self._locate(envelope_id)
        blob = self.site.fetch(address, envelope_id)

        def next_hop(identity_key: bytes) -> conveyance.Hop:
            entry = self.by_key(entries, identity_key)
            if entry is None:
                raise ClientRefusal(
                    "The sender asked you to convey to someone who is not in this dialogue's "
                    "directory. Nothing was conveyed."
                )
            return self.verified_hop(entries, entry, "")

        forward = conveyance.convey(
            blob,
            intermediary=self.identity,
            context=crypto.Context(self.context_dialogue, address.address),
            fetch_bundle=next_hop,
        )
        self.site.post(forward.mailbox_id, forward.envelope, forward.receipt.log_hash)
        self.watch(logentry.POSTED, hashlib.sha256(forward.envelope).digest())
        self.watch(logentry.RECEIPT, forward.receipt.log_hash)
        self.save_keys()
        self.site.acknowledge(address, envelope_id)
        next_entry = self.by_key(entries, forward.next_identity_key) or {}
        return {
            "to": next_entry.get("holder", "?"),
            "receipt": forward.receipt.log_hash.hex(),
            "read_message": (
                forward.read_message.decode("utf-8", errors="replace")
                if forward.read_message is not None
                else None
            ),
        }

    def acknowledge(self, envelope_id: str) -> None:
        _entry, _entries, address = self._locate(envelope_id)
        digest = next(
            bytes.fromhex(item["sha256"])
            for item in self.site.envelopes(address)
            if item["id"] == envelope_id
        )
        self.site.acknowledge(address, envelope_id)
        self.watch(logentry.ACKNOWLEDGED, digest)
        self.save_state()

    # --- offline contacts --------------------------------------------------------------------

    def new_contact(self, label: str) -> tuple[str, dict]:
        """Make an offline contact: words (to hand over on paper), its keys published under
        `label` and vouched for by me, and our two mailboxes opened."""
        words = new_contact_passphrase()
        contact = keys_from_passphrase(words)
        entry = self.publish(label, identity=contact)
        bundle = contact.bundle()
        self.state.verified[bundle.identity_key.hex()] = {
            "fingerprint": crypto.fingerprint(bundle),
            "holder": entry["holder"],
            "entry": entry["id"],
        }
        self._open(self.outgoing(bundle))
        self._open(self.incoming(bundle))
        self.save_state()
        return words, entry

    # --- the transparency log ----------------------------------------------------------------

    def verify_log(self) -> dict:
        answer = self.site.checkpoint()
        if not self.state.log_key:
            self.state.log_key = answer["public_key"]  # trusted on first use, then pinned
        elif answer["public_key"] != self.state.log_key:
            raise ClientRefusal(
                "The log is now signed with another key than the one you pinned: it may have been "
                "replaced. Keep your pinned checkpoint and report it."
            )
        verifier = NoteVerifier.decode(self.state.log_key)
        checkpoint = open_checkpoint(answer["note"], verifier)
        if self.state.pinned:
            pinned = PinnedCheckpoint.from_json(self.state.pinned)
            proof: list[bytes] = []
            if 0 < pinned.size < checkpoint.size:
                proof = [
                    base64.b64decode(h)
                    for h in self.site.consistency(pinned.size, checkpoint.size)["proof"]
                ]
            pinned = pinned.advance(checkpoint, proof)
        else:
            pinned = PinnedCheckpoint.trust_first(checkpoint)
        proved = []
        for leaf_hex in self.state.watched:
            leaf = bytes.fromhex(leaf_hex)
            try:
                answer = self.site.inclusion(leaf, checkpoint.size)
            except SiteError as error:
                if error.status == 404:
                    raise ClientRefusal(
                        "An entry you made is missing from the log (a leaf "
                        f"{leaf_hex[:16]}…): the log was rewritten. Report it."
                    ) from None
                raise
            verify_inclusion(
                leaf,
                answer["index"],
                checkpoint.size,
                [base64.b64decode(h) for h in answer["proof"]],
                checkpoint.root,
            )
            proved.append(leaf_hex)
        self.state.pinned = pinned.to_json()
        self.state.watched = [leaf for leaf in self.state.watched if leaf not in proved]
        self.save_state()
        return {"size": checkpoint.size, "root": checkpoint.root.hex(), "proved": len(proved)}


__all__ = ["BackchannelError", "Client", "ClientRefusal", "SiteError"]
