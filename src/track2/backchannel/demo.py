"""The back channel in `track2 demo`: a conveyed exchange that really happened.

Three demo members make keys in their own key homes, publish them, compare fingerprints, and
then Prof. Solvei (Caldera) writes to Dr Novakova (Ostrava) through the facilitator, who conveys
without reading; the reply comes back the same way, re-encrypted at her choice. Everyone's log
check passes. It runs through the real API routes in-process (the demo server is not up yet) with
the same client code as the command, and prints the commands to replay it against the demo site.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.test import Client as RequestClient

from track2.accounts.actions import do_create_api_token
from track2.backchannel import crypto
from track2.backchannel.client import Client
from track2.backchannel.keyhome import KeyHome, State
from track2.backchannel.keystore import KdfCost
from track2.backchannel.remote import Site

FOLDER = "backchannel-demo"
# A lighter Argon2id than production for the demo's throwaway keystores (RFC 9106 / OWASP's
# 19 MiB minimum); `track2 backchannel` re-saves them with the site's settings.
DEMO_COST = KdfCost(time_cost=2, memory_kib=19 * 1024, parallelism=1)
DEMO_SITE = "http://127.0.0.1:8000"
# Who plays which part, by the demo's login names.
CAST = {"sender": "participant", "intermediary": "facilitator", "recipient": "participant.ostrava"}
PROPOSAL = (
    "In confidence: Caldera's coast guard could accept a joint incident hotline if the first call "
    "is routed through a neutral maritime rescue centre. Could your side explore this informally?"
)
REPLY = (
    "Thank you. Our ministry would consider a hotline pilot for one fishing season; Amb. Reyes may "
    "summarise this for both capitals."
)


class InProcess:
    """A `remote.Transport` that sends each request through Django's own request handling."""

    def __init__(self) -> None:
        host = next((h.lstrip(".") for h in settings.ALLOWED_HOSTS if h != "*"), "localhost")
        self.requests = RequestClient(HTTP_HOST=host)

    def __call__(self, method: str, url: str, data: bytes | None, headers: dict[str, str]):
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        extra = {
            "HTTP_" + name.upper().replace("-", "_"): value
            for name, value in headers.items()
            if name.lower() not in ("content-type", "accept")
        }
        call = getattr(self.requests, method.lower())
        if data is None:
            answer = call(path, **extra)
        else:
            answer = call(path, data=data, content_type="application/json", **extra)
        return answer.status_code, answer.content


def _private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text + "\n")


def build_backchannel(dialogue, users: dict, home: Path) -> None:
    folder = home / FOLDER
    folder.mkdir(mode=0o700, exist_ok=True)
    passphrase = secrets.token_urlsafe(16)
    _private(folder / "passphrase", passphrase)
    transport = InProcess()
    clients: dict[str, Client] = {}
    for part, login in CAST.items():
        user = users[login]
        token, _record = do_create_api_token(user, "back-channel demo")
        _private(folder / f"{part}.token", token)
        identity = crypto.generate_identity(one_time_prekeys=5)
        key_home = KeyHome(folder / part)
        state = State(site=DEMO_SITE, dialogue=dialogue.pk)
        key_home.save(identity, state, passphrase, DEMO_COST)
        site = Site(DEMO_SITE, api_token=token, identity=identity, transport=transport)
        clients[part] = Client(key_home, identity, state, site, passphrase, DEMO_COST, print)
        clients[part].publish()
    # At the first meeting each compared the others' fingerprints, read aloud.
    names = {part: users[login].display_name for part, login in CAST.items()}
    for part, client in clients.items():
        for other, other_client in clients.items():
            if other != part:
                client.verify(names[other], crypto.fingerprint(other_client.identity.bundle()))
    sender, intermediary, recipient = (clients[p] for p in CAST)
    for author, reader, text, reencrypt in (
        (sender, recipient, PROPOSAL, False),
        (recipient, sender, REPLY, True),  # she lets the facilitator read and summarise it
    ):
        to = names["recipient"] if reader is recipient else names["sender"]
        author.send(to, text.encode(), [names["intermediary"]], reencrypt=reencrypt)
        for row in intermediary.inbox():
            intermediary.convey(row["id"])
        for row in reader.inbox():
            reader.read(row["id"])
            reader.acknowledge(row["id"])
    # An offline contact for the Ostrava ministry, introduced by the facilitator.
    words, _entry = intermediary.new_contact("Ostrava ministry contact")
    _private(folder / "contact-words.txt", words)
    for client in clients.values():
        client.verify_log()


def replay_lines(home: Path, site_url: str, command: str) -> list[str]:
    """The commands that replay the exchange against the running demo site."""
    folder = home / FOLDER
    if not (folder / "passphrase").exists():
        return []
    names = {
        "sender": "Prof. Arin Solvei",
        "intermediary": "Amb. (ret.) Tomas Reyes",
        "recipient": "Dr Petra Novakova",
    }

    def as_(part: str) -> str:
        return (
            f"TRACK2_API_TOKEN=$(cat {folder / (part + '.token')}) {command} backchannel "
            f"--home {folder / part} --passphrase-file {folder / 'passphrase'} --site {site_url}"
        )

    return [
        "Back channel: a conveyed exchange (Solvei → Reyes → Novakova, and a re-encrypted reply) "
        "already ran; its log verifies. Replay it:",
        f"  {as_('recipient')} directory",
        f"  {as_('sender')} send --to '{names['recipient']}' --via '{names['intermediary']}' "
        "--message 'A second proposal'",
        f"  {as_('intermediary')} inbox        # then: convey ID",
        f"  {as_('recipient')} inbox           # then: read ID, ack ID",
        f"  {as_('sender')} verify-log",
        f"(The offline contact's 12 words are in {folder / 'contact-words.txt'}.)",
    ]
