"""The client (`track2 backchannel`'s code) against the real API routes in-process: what it tells
the site, and an offline contact's whole exchange without an account."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from track2.accounts.actions import do_create_api_token
from track2.backchannel import crypto
from track2.backchannel.client import Client, ClientRefusal
from track2.backchannel.demo import InProcess
from track2.backchannel.keyhome import KeyHome, State
from track2.backchannel.keystore import KdfCost, keys_from_passphrase
from track2.backchannel.models import Mailbox
from track2.backchannel.remote import Site

pytestmark = pytest.mark.django_db

SITE = "http://127.0.0.1:8000"
PASSPHRASE = "a keystore passphrase for tests"
CHEAP = KdfCost(time_cost=1, memory_kib=8, parallelism=1)


class Recording(InProcess):
    """The in-process transport, keeping (method, path) of every request."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[tuple[str, str, dict]] = []

    def __call__(self, method, url, data, headers):
        self.sent.append((method.upper(), url.split("/api/v1/backchannel", 1)[1], headers))
        return super().__call__(method, url, data, headers)

    def opens(self) -> int:
        return sum(1 for method, path, _h in self.sent if method == "PUT" and "/mailboxes/" in path)


def make_client(tmp_path, world, transport, name, identity, token) -> Client:
    home = KeyHome(tmp_path / name)
    state = State(site=SITE, dialogue=world.dialogue.pk, is_offline_contact=token is None)
    home.save(identity, state, PASSPHRASE, CHEAP)
    site = Site(SITE, api_token=token, identity=identity, transport=transport)
    return Client(home, identity, state, site, PASSPHRASE, CHEAP, lambda line: None)


@pytest.fixture
def transport():
    return Recording()


@pytest.fixture
def members(world, tmp_path, transport):
    made = {}
    for part, role in (("sender", "participant"), ("via", "facilitator"), ("to", "liaison")):
        token, _record = do_create_api_token(world.users[role], "tests")
        identity = crypto.generate_identity(one_time_prekeys=4)
        made[part] = make_client(tmp_path, world, transport, part, identity, token)
        made[part].publish()
    return made


def holder(client: Client) -> str:
    (entry,) = [e for e in client.directory() if e["_is_me"]]
    return entry["holder"]


def verify_all(clients: dict[str, Client]) -> None:
    for client in clients.values():
        for other in clients.values():
            if other is not client:
                client.verify(holder(other), crypto.fingerprint(other.identity.bundle()))


def test_each_mailbox_is_opened_once_and_again_only_if_the_site_lost_it(
    members, transport, tmp_path
):
    verify_all(members)
    sender, recipient = members["sender"], members["to"]
    before = transport.opens()
    sender.send(holder(recipient), b"first", [], reencrypt=False)
    assert transport.opens() == before + 1  # the one mailbox from sender to recipient
    sender.send(holder(recipient), b"second", [], reencrypt=False)
    assert transport.opens() == before + 1  # not told again whose mailbox it is
    before = transport.opens()
    assert len(recipient.inbox()) == 2
    first_inbox = transport.opens() - before
    assert first_inbox == 2  # its incoming mailboxes from the two others, once
    assert len(recipient.inbox()) == 2 and transport.opens() == before + first_inbox
    # The remembered opens survive in the encrypted state.
    _identity, state = KeyHome(tmp_path / "sender").open(PASSPHRASE)
    assert len(state.opened) == 1
    # The site lost its mailboxes (restored from an older backup): the next send opens again.
    Mailbox.objects.all().delete()
    sender.send(holder(recipient), b"third", [], reencrypt=False)
    (waiting,) = recipient.inbox()
    assert recipient.read(waiting["id"])["message"].startswith("third")


def test_an_offline_contact_reads_and_replies_without_an_account(
    world, members, transport, tmp_path
):
    verify_all(members)
    via, recipient = members["via"], members["to"]
    words, entry = via.new_contact("Ministry contact")
    assert entry["is_offline_contact"]
    # On the contact's own computer: the keys from the words alone, no API token.
    contact = make_client(
        tmp_path, world, transport, "contact", keys_from_passphrase(words), token=None
    )
    contact.verify(holder(via), crypto.fingerprint(via.identity.bundle()))
    contact.verify(holder(recipient), crypto.fingerprint(recipient.identity.bundle()))
    recipient.verify("Ministry contact", crypto.fingerprint(contact.identity.bundle()))
    # A member writes to the contact through the intermediary who introduced it.
    recipient.send("Ministry contact", b"Would the ministry meet?", [holder(via)], reencrypt=False)
    (to_convey,) = via.inbox()
    via.convey(to_convey["id"])
    (arrived,) = contact.inbox()
    shown = contact.read(arrived["id"])
    assert shown["message"].startswith("Would the ministry meet?")
    assert shown["from"] == holder(recipient) and shown["route"] == [holder(via)]
    contact.acknowledge(arrived["id"])
    assert contact.inbox() == []
    # The contact replies the same way, still without an account.
    contact.send(holder(recipient), b"Yes, informally.", [holder(via)], reencrypt=False)
    (to_convey,) = via.inbox()
    via.convey(to_convey["id"])
    (reply,) = recipient.inbox()
    shown = recipient.read(reply["id"])
    assert shown["message"].startswith("Yes, informally.")
    assert shown["from"] == "Ministry contact" and shown["route"] == [holder(via)]
    recipient.acknowledge(reply["id"])
    # Canary: neither text reached the database (every table, dumped).
    dump = StringIO()
    call_command("dumpdata", stdout=dump)
    assert "Ministry contact" in dump.getvalue()  # the dump is searched (the label is public)
    assert "ministry meet" not in dump.getvalue() and "informally" not in dump.getvalue()
    # Its log check passes too. It opened its mailboxes by signing with its key, never a token.
    contact.verify_log()
    assert contact.state.pinned and not contact.state.watched
    signed = [
        headers
        for method, path, headers in transport.sent
        if headers.get("Track2-Key") == contact.identity.identity_key.hex()
    ]
    assert signed and not any("Authorization" in headers for headers in signed)
    assert contact.outgoing(recipient.identity.bundle()).mailbox_id in contact.state.opened
    # Without an account the contact cannot publish keys of its own.
    with pytest.raises(Exception, match="API token"):
        contact.publish()
    with pytest.raises(ClientRefusal, match="Nobody called"):
        contact.send("Nobody at all", b"x", [], reencrypt=False)


def test_reading_a_message_prints_none_of_its_control_characters(members):
    """A counterpart's message may carry an escape sequence (their client need not be ours):
    printed raw by `track2 backchannel read`, it would retitle or clear the reader's terminal."""
    from track2.backchannel.management.commands.backchannel import Command

    verify_all(members)
    sender, recipient = members["sender"], members["to"]
    sender.send(holder(recipient), b"Meet \x1b]0;pwned\x07on \x1b[2JFriday.\nRegards", [], False)
    (waiting,) = recipient.inbox()
    out = StringIO()
    Command(stdout=out)._read(recipient, {"envelope": waiting["id"]})
    printed = out.getvalue()
    assert "Meet ]0;pwnedon [2JFriday.\nRegards" in printed
    assert not any(ord(c) < 0x20 and c not in "\n" or 0x7F <= ord(c) < 0xA0 for c in printed)
