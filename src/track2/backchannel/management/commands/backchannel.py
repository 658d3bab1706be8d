"""`track2 backchannel …`: the back channel's client, on the correspondent's own machine.

Thin entry point: it reads the passphrase, token and message from where the person said, and
calls `track2.backchannel.client`; every refusal is one line and a non-zero exit. Keys live in the
key home (`--home`, default ~/.track2-backchannel), never on the site.
"""

from __future__ import annotations

import getpass
import os
import sys
from argparse import ArgumentParser
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from track2.backchannel import crypto
from track2.backchannel.client import Client, ClientRefusal
from track2.backchannel.errors import BackchannelError
from track2.backchannel.keyhome import KeyHome, State
from track2.backchannel.keystore import KdfCost, keys_from_passphrase
from track2.backchannel.remote import Site, SiteError
from track2.disclosure.status import STATUS_LINE
from track2.validation import printable

PASSPHRASE_ENV = "TRACK2_BACKCHANNEL_PASSPHRASE"  # noqa: S105  (a variable name, not a secret)
WORDS_ENV = "TRACK2_BACKCHANNEL_WORDS"
TOKEN_ENV = "TRACK2_API_TOKEN"  # noqa: S105  (a variable name, not a secret)
HOME_ENV = "TRACK2_BACKCHANNEL_HOME"


def keystore_cost() -> KdfCost:
    memory = settings.TRACK2_KEYSTORE_MEMORY_COST
    return KdfCost(
        time_cost=settings.TRACK2_KEYSTORE_TIME_COST,
        memory_kib=memory,
        parallelism=max(1, min(4, memory // 8)),
    )


def _read_secret(path: str | None, env: str, prompt: str, *, confirm: bool = False) -> str:
    if path:
        try:
            return Path(path).read_text(encoding="utf-8").rstrip("\r\n")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"Cannot read {path}: {error}.") from None
    if os.environ.get(env):
        return os.environ[env]
    if not sys.stdin.isatty():
        raise CommandError(f"{prompt}: no terminal to ask on; set {env} or pass a file.")
    first = getpass.getpass(f"{prompt}: ")
    if confirm and getpass.getpass("Again, to be sure: ") != first:
        raise CommandError("The two passphrases differ; nothing was written.")
    return first


class Command(BaseCommand):
    help = "The back channel's client: keys, directory, send, inbox, read, convey, ack, verify-log."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--home", help=f"key home folder (default ${HOME_ENV} or ~/.track2-backchannel)"
        )
        parser.add_argument(
            "--site", help="the Track2 site's address, e.g. https://track2.example.org (remembered)"
        )
        parser.add_argument("--dialogue", type=int, help="the dialogue's number (remembered)")
        parser.add_argument(
            "--passphrase-file",
            help=f"read the keystore passphrase from a file (else ${PASSPHRASE_ENV}, else asked)",
        )
        parser.add_argument(
            "--token-file", help=f"read your personal API token from a file (else ${TOKEN_ENV})"
        )
        sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
        keygen = sub.add_parser(
            "keygen", help="make your keys (or an offline contact's, from its words)"
        )
        keygen.add_argument(
            "--offline-contact",
            action="store_true",
            help="derive the keys from the 12 words you were given",
        )
        keygen.add_argument(
            "--words-file", help=f"the 12 words, from a file (else ${WORDS_ENV}, else asked)"
        )
        keygen.add_argument(
            "--prekeys", type=int, default=20, help="one-time prekeys to make (default 20)"
        )
        keygen.add_argument(
            "--force", action="store_true", help="replace existing keys (a key change)"
        )
        sub.add_parser("publish", help="publish your public keys in the dialogue's directory")
        fingerprint = sub.add_parser("fingerprint", help="your fingerprint, or a holder's")
        fingerprint.add_argument("holder", nargs="?", help="a holder's name or #number")
        sub.add_parser("directory", help="the directory, with what you verified")
        verify = sub.add_parser("verify", help="record that you compared a holder's fingerprint")
        verify.add_argument("holder")
        verify.add_argument("fingerprint", help="the fingerprint they read to you")
        send = sub.add_parser("send", help="send a message, directly or through intermediaries")
        send.add_argument("--to", required=True, help="the recipient's name or #number")
        send.add_argument(
            "--via",
            action="append",
            default=[],
            help="an intermediary (repeat for several, in order)",
        )
        send.add_argument(
            "--reencrypt",
            action="store_true",
            help="let the last intermediary read and re-encrypt it (shown to the recipient)",
        )
        send.add_argument("--message", help="the text (else --file, else standard input)")
        send.add_argument("--file", help="send this file's contents")
        sub.add_parser("inbox", help="what waits for you")
        for name, text in (
            ("read", "open and show a message"),
            ("convey", "as intermediary: open your layer and hand the rest on"),
            ("ack", "acknowledge: the site deletes the envelope"),
        ):
            action = sub.add_parser(name, help=text)
            action.add_argument("envelope", help="the envelope's id, from `inbox`")
        contact = sub.add_parser("contact", help="make an offline contact (you carry its words)")
        contact.add_argument("label", help="the name the directory shows for the contact")
        sub.add_parser(
            "verify-log", help="check the transparency log against your pinned checkpoint"
        )

    def handle(self, *args, **options) -> None:
        try:
            self._run(options)
        except ClientRefusal as refusal:
            raise CommandError(str(refusal)) from None
        except SiteError as error:
            raise CommandError(str(error)) from None
        except BackchannelError as error:
            raise CommandError(f"{type(error).__name__}: {error}") from None

    def _run(self, options: dict) -> None:
        home = KeyHome(
            Path(
                options["home"] or os.environ.get(HOME_ENV) or "~/.track2-backchannel"
            ).expanduser()
        )
        action = options["action"]
        if action == "keygen":
            self._keygen(home, options)
            return
        if not home.exists():
            raise CommandError(f"No keys in {home.path}; run `track2 backchannel keygen` first.")
        passphrase = _read_secret(options["passphrase_file"], PASSPHRASE_ENV, "Keystore passphrase")
        identity, state = home.open(passphrase)
        self._remember(state, options)
        token = None
        if options["token_file"]:
            token = _read_secret(options["token_file"], TOKEN_ENV, "API token")
        elif os.environ.get(TOKEN_ENV):
            token = os.environ[TOKEN_ENV]
        site = Site(state.site or "http://127.0.0.1", api_token=token, identity=identity)
        client = Client(home, identity, state, site, passphrase, keystore_cost(), self._say)
        client.save_state()
        getattr(self, "_" + action.replace("-", "_"))(client, options)

    def _say(self, line: str) -> None:
        self.stdout.write(line)

    @staticmethod
    def _remember(state: State, options: dict) -> None:
        if options["site"]:
            state.site = options["site"].rstrip("/")
        if options["dialogue"] is not None:
            if options["dialogue"] < 1:
                raise CommandError("--dialogue is the dialogue's number (1 or more).")
            state.dialogue = options["dialogue"]

    # --- actions -----------------------------------------------------------------------------

    def _keygen(self, home: KeyHome, options: dict) -> None:
        if home.exists() and not options["force"]:
            raise CommandError(
                f"{home.keystore} already holds keys. --force replaces them: a key change your "
                "correspondents must verify again."
            )
        if not 0 <= options["prekeys"] <= 100:
            raise CommandError("--prekeys must be between 0 and 100.")
        state = State()
        self._remember(state, options)
        if options["offline_contact"]:
            words = _read_secret(options["words_file"], WORDS_ENV, "The 12 words")
            identity = keys_from_passphrase(words)
            state.is_offline_contact = True
        else:
            identity = crypto.generate_identity(one_time_prekeys=options["prekeys"])
        passphrase = _read_secret(
            options["passphrase_file"], PASSPHRASE_ENV, "New keystore passphrase", confirm=True
        )
        home.save(identity, state, passphrase, keystore_cost())
        self.stdout.write(f"Keys written to {home.keystore}")
        self.stdout.write(f"Your fingerprint: {crypto.fingerprint(identity.bundle())}")

    def _publish(self, client: Client, options: dict) -> None:
        entry = client.publish()
        self.stdout.write(
            f"Published as {entry['holder']} (#{entry['id']}, version {entry['version']}); "
            f"fingerprint {crypto.fingerprint(client.identity.bundle())}"
        )

    def _fingerprint(self, client: Client, options: dict) -> None:
        if not options["holder"]:
            self.stdout.write(crypto.fingerprint(client.identity.bundle()))
            return
        entry = client.find(client.directory(), options["holder"])
        self.stdout.write(f"{entry['holder']}: {entry['_fingerprint']} ({client.trust_of(entry)})")

    def _directory(self, client: Client, options: dict) -> None:
        self.stdout.write(STATUS_LINE)
        for entry in client.directory():
            who = "you" if entry["_is_me"] else client.trust_of(entry)
            contact = " [offline contact]" if entry["is_offline_contact"] else ""
            self.stdout.write(
                f"#{entry['id']} {entry['holder']}{contact}: {entry['_fingerprint']} ({who})"
            )

    def _verify(self, client: Client, options: dict) -> None:
        entry = client.verify(options["holder"], options["fingerprint"])
        self.stdout.write(f"Verified {entry['holder']}: you may send to them.")

    def _send(self, client: Client, options: dict) -> None:
        if options["message"] is not None:
            message = options["message"].encode("utf-8")
        elif options["file"]:
            try:
                message = Path(options["file"]).read_bytes()
            except OSError as error:
                raise CommandError(f"Cannot read {options['file']}: {error.strerror}.") from None
        else:
            message = sys.stdin.buffer.read()
        if not message:
            raise CommandError("The message is empty; give --message, --file or standard input.")
        sent = client.send(options["to"], message, options["via"], options["reencrypt"])
        route = " via " + ", ".join(sent["via"]) if sent["via"] else ""
        self.stdout.write(f"Sent to {sent['to']}{route} (envelope sha256 {sent['sha256'][:16]}…).")

    def _inbox(self, client: Client, options: dict) -> None:
        rows = client.inbox()
        if not rows:
            self.stdout.write("Nothing waits for you.")
        for row in rows:
            state = "EXPIRED" if row["is_expired"] else f"expires {row['expires_on']}"
            self.stdout.write(
                f"{row['id']}  from the mailbox of {row['mailbox_of']}  {row['size']} bytes  "
                f"posted {row['posted_on']}  {state}"
            )

    def _read(self, client: Client, options: dict) -> None:
        shown = client.read(options["envelope"])
        self.stdout.write(STATUS_LINE)
        self.stdout.write(
            f"From: {shown['from']} ({shown['sender_trust']}; {shown['sender_fingerprint']})"
        )
        if shown["route"]:
            self.stdout.write(f"Conveyed through: {' → '.join(shown['route'])} (receipts checked)")
        if shown["reencrypted_by"]:
            self.stdout.write(
                f"NOTE: the sender let {shown['reencrypted_by']} read and re-encrypt this message."
            )
        self.stdout.write("")
        # The sender wrote it: control characters (an escape sequence could clear or retitle
        # the reader's terminal) are left out of what is printed.
        self.stdout.write(printable(shown["message"]))

    def _convey(self, client: Client, options: dict) -> None:
        done = client.convey(options["envelope"])
        if done["read_message"] is not None:
            self.stdout.write("The sender let you read this message (re-encrypt mode):")
            self.stdout.write(printable(done["read_message"]))
        self.stdout.write(f"Conveyed to {done['to']}; receipt {done['receipt'][:16]}… logged.")

    def _ack(self, client: Client, options: dict) -> None:
        client.acknowledge(options["envelope"])
        self.stdout.write("Acknowledged: the site deleted the envelope.")

    def _contact(self, client: Client, options: dict) -> None:
        words, entry = client.new_contact(options["label"])
        self.stdout.write(f"Offline contact {entry['holder']} (#{entry['id']}) published.")
        self.stdout.write("Give them, on paper and in person, these 12 words:")
        self.stdout.write(f"    {words}")
        self.stdout.write(
            f"and your fingerprint to compare: {crypto.fingerprint(client.identity.bundle())}"
        )
        self.stdout.write(
            "They run: track2 backchannel --site … --dialogue … keygen --offline-contact"
        )

    def _verify_log(self, client: Client, options: dict) -> None:
        result = client.verify_log()
        self.stdout.write(
            f"Log verified: {result['size']} entries, root {result['root'][:16]}…, extends your "
            f"pinned checkpoint; {result['proved']} of your entries proved included."
        )
