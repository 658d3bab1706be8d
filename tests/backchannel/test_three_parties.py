"""Three people in separate key homes — a sender, an intermediary and a recipient — use the
`track2 backchannel` client against a real `track2 serve` (SQLite, or the PostgreSQL of
TRACK2_DATABASE_URL): a conveyed message, a reply, acknowledgements, and a log that verifies.
Then the bad inputs: wrong passphrase, damaged keystore, unverified keys, unknown envelope, a log
that shrank or forked."""

from __future__ import annotations

import io
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.site.test_serve import free_port, wait_until_serving

# The served site uses the suite's database (PostgreSQL in the second pass).
pytestmark = pytest.mark.suite_database

PASSPHRASE = "correct horse battery staple for keys"
SETUP = """
import json, sys
from track2.accounts.models import User
from track2.accounts.actions import do_create_api_token
from track2.dialogues.models import Dialogue, Membership
from track2.institutions.models import Institution

suffix = sys.argv[1]
institution = Institution.objects.create(name="Back channel institute " + suffix)
dialogue = Dialogue.objects.create(title="Strait Talks " + suffix, institution=institution)
tokens = {}
for name, role in (("sender", "participant"), ("intermediary", "facilitator"), ("recipient", "participant")):
    user = User.objects.create_user(email=f"{name}.{suffix}@example.org", password="x" * 12, display_name=name.title())
    Membership.objects.create(dialogue=dialogue, user=user, role=role)
    tokens[name] = do_create_api_token(user, "cli")[0]
print(json.dumps({"dialogue": dialogue.pk, "tokens": tokens}))
"""


def server_env(tmp_path: Path) -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DJANGO_SETTINGS_MODULE", "TRACK2_EMAIL_URL")
    }
    env["TRACK2_HOME"] = str(tmp_path / "home")
    return env


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """One real `track2 serve` for this module's tests (starting one takes half a minute)."""
    folder = tmp_path_factory.mktemp("served")
    port = free_port()
    # The server's output and its temporary files stay in the folder the canary test searches.
    (folder / "tmp").mkdir()
    output = (folder / "server-output.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "track2", "serve", "--port", str(port), "--workers", "2"],
        stdout=output,
        stderr=subprocess.STDOUT,
        text=True,
        env={**server_env(folder), "TMPDIR": str(folder / "tmp")},
    )
    base = f"http://127.0.0.1:{port}"
    wait_until_serving(base, process, (folder / "server-output.log").read_text, seconds=300)
    yield base, folder, process
    if process.poll() is None:
        process.terminate()
        process.wait(timeout=20)
    output.close()


@pytest.fixture
def people(site):
    """Three members of a fresh dialogue on the served site, each with an API token."""
    base, folder, _process = site
    made = subprocess.run(
        [
            sys.executable,
            "-m",
            "track2",
            "shell",
            "-c",
            SETUP.replace("sys.argv[1]", repr(secrets.token_hex(4))),
        ],
        env=server_env(folder),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    world = json.loads(made.stdout.strip().splitlines()[-1])
    world["base"] = base
    return world


@pytest.fixture
def cli(people, tmp_path, monkeypatch, settings):
    settings.TRACK2_KEYSTORE_TIME_COST = 1
    settings.TRACK2_KEYSTORE_MEMORY_COST = 8
    monkeypatch.setenv("TRACK2_BACKCHANNEL_PASSPHRASE", PASSPHRASE)

    def run(who: str, *args: str, token: bool = True) -> str:
        if token and who in people["tokens"]:
            monkeypatch.setenv("TRACK2_API_TOKEN", people["tokens"][who])
        else:
            monkeypatch.delenv("TRACK2_API_TOKEN", raising=False)
        out = io.StringIO()
        call_command(
            "backchannel",
            "--home",
            str(tmp_path / "keys" / who),
            "--site",
            people["base"],
            "--dialogue",
            str(people["dialogue"]),
            *args,
            stdout=out,
        )
        return out.getvalue()

    return run


def fingerprint(cli, who: str) -> str:
    return cli(who, "fingerprint").strip()


def envelope_ids(inbox: str) -> list[str]:
    return [line.split()[0] for line in inbox.splitlines() if "from the mailbox of" in line]


def files_holding(folder: Path, marker: bytes) -> list[str]:
    return [
        str(path) for path in folder.rglob("*") if path.is_file() and marker in path.read_bytes()
    ]


def test_conveyed_exchange_and_reply(cli, people, site, tmp_path):
    names = ("sender", "intermediary", "recipient")
    # Unique markers (canaries): they must never reach the server's storage, output or temp files.
    proposal = f"CANARY-{secrets.token_hex(8)} proposal: a hotline"
    answer = f"CANARY-{secrets.token_hex(8)} reply: agreed"
    for who in names:
        cli(who, "keygen", "--prekeys", "4")
        assert "Published as" in cli(who, "publish")
    prints = {who: fingerprint(cli, who) for who in names}
    # Everyone compares fingerprints out of band with the two others.
    for who in names:
        for other in names:
            if other != who:
                assert "Verified" in cli(who, "verify", other.title(), prints[other])

    assert "Sent to Recipient via Intermediary" in cli(
        "sender",
        "send",
        "--to",
        "Recipient",
        "--via",
        "Intermediary",
        "--message",
        proposal,
    )
    # The intermediary sees one envelope, cannot read it, conveys it.
    waiting = envelope_ids(cli("intermediary", "inbox"))
    assert len(waiting) == 1
    with pytest.raises(CommandError, match="convey"):
        cli("intermediary", "read", waiting[0])
    conveyed = cli("intermediary", "convey", waiting[0])
    assert "Conveyed to Recipient" in conveyed and "CANARY" not in conveyed
    assert envelope_ids(cli("intermediary", "inbox")) == []

    arrived = envelope_ids(cli("recipient", "inbox"))
    assert len(arrived) == 1
    shown = cli("recipient", "read", arrived[0])
    assert "From: Sender (verified" in shown
    assert "Conveyed through: Intermediary" in shown and proposal in shown
    cli("recipient", "ack", arrived[0])
    assert envelope_ids(cli("recipient", "inbox")) == []

    # The reply, through the same intermediary, re-encrypted at the recipient's choice.
    cli(
        "recipient",
        "send",
        "--to",
        "Sender",
        "--via",
        "Intermediary",
        "--reencrypt",
        "--message",
        answer,
    )
    back = envelope_ids(cli("intermediary", "inbox"))
    assert answer in cli("intermediary", "convey", back[0])
    reply = envelope_ids(cli("sender", "inbox"))
    shown = cli("sender", "read", reply[0])
    assert answer in shown and "let Intermediary read and re-encrypt" in shown
    cli("sender", "ack", reply[0])

    for who in names:
        verified = cli(who, "verify-log")
        assert "Log verified" in verified and "0 of your entries" not in verified

    # The canary scan: the served data folder (SQLite database, its WAL and shared memory, keys),
    # the server's output and temporary files, a dump of every table (PostgreSQL too), and the
    # three key homes (the copies kept after reading are encrypted).
    _base, folder, _process = site
    dump = subprocess.run(
        [sys.executable, "-m", "track2", "dumpdata", "--indent", "0"],
        env=server_env(folder),
        capture_output=True,
        timeout=120,
        check=True,
    ).stdout
    # The scan finds what is stored in plain: the dialogue's title, and the log's entries.
    assert b"Strait Talks" in dump and b"backchannel.logleaf" in dump
    if "TRACK2_DATABASE_URL" not in os.environ:
        assert files_holding(folder, b"Strait Talks"), "the SQLite files were not searched"
    for marker in (proposal, answer):
        for encoded in (marker.encode(), marker.encode("utf-16-le")):
            assert encoded not in dump, marker
            assert files_holding(folder, encoded) == [], marker
            assert files_holding(tmp_path / "keys", encoded) == [], marker
    # And a backup of the site: made while it serves, restored into an empty data folder (SQLite:
    # PostgreSQL would restore over the served database), the restored files searched the same way.
    if "TRACK2_DATABASE_URL" not in os.environ:
        secret = tmp_path / "backup-passphrase"
        secret.write_text("a long backup passphrase for the canary scan\n")
        archive = tmp_path / "site.backup"
        restored = tmp_path / "restored"
        for command, env in (("backup", server_env(folder)), ("restore", server_env(restored))):
            done = subprocess.run(
                [sys.executable, "-m", "track2", command, str(archive)]
                + ["--passphrase-file", str(secret)],
                env=env,
                capture_output=True,
                text=True,
                timeout=900,
            )
            assert done.returncode == 0, (command, done.stdout, done.stderr)
        assert files_holding(restored, b"Strait Talks"), "the restored database was not searched"
        for marker in (proposal, answer):
            for encoded in (marker.encode(), marker.encode("utf-16-le")):
                assert encoded not in archive.read_bytes(), marker
                assert files_holding(restored, encoded) == [], marker


TAMPER = """
import sys
from track2.backchannel.models import Checkpoint, LogHead, LogLeaf, LogSubtree
from datetime import date, timedelta
from track2.backchannel.models import Envelope
if sys.argv[1] == "expire":
    Envelope.objects.update(expires_on=date.today() - timedelta(days=1))
    raise SystemExit(0)
head = LogHead.objects.get()
Checkpoint.objects.all().delete()
LogSubtree.objects.all().delete()
if sys.argv[1] == "shrink":
    LogLeaf.objects.filter(index=head.size - 1).delete()
    head.size -= 1
    head.save()
else:
    leaf = LogLeaf.objects.get(index=0)
    leaf.leaf_hash = bytes(32)
    leaf.save()
"""


def tamper(site, how: str) -> None:
    """Rewrite the served log behind the site's back, as an intruder with the database would."""
    _base, folder, _process = site
    subprocess.run(
        [sys.executable, "-m", "track2", "shell", "-c", TAMPER.replace("sys.argv[1]", repr(how))],
        env=server_env(folder),
        capture_output=True,
        timeout=120,
        check=True,
    )


def test_bad_input_fails_closed(cli, people, site, tmp_path, monkeypatch):
    for who in ("sender", "recipient"):
        cli(who, "keygen", "--prekeys", "2")
        cli(who, "publish")
    # Unverified keys: nothing is sent.
    with pytest.raises(CommandError, match="not verified"):
        cli("sender", "send", "--to", "Recipient", "--message", "x")
    cli("sender", "verify", "Recipient", fingerprint(cli, "recipient"))
    # An expired message: listed as expired, and reading it says so and what to do.
    cli("sender", "send", "--to", "Recipient", "--message", "too late")
    tamper(site, "expire")
    (late,) = envelope_ids(cli("recipient", "inbox"))
    assert "EXPIRED" in cli("recipient", "inbox")
    with pytest.raises(CommandError, match="expired on .* Ask the sender to send it again"):
        cli("recipient", "read", late)
    cli("recipient", "ack", late)
    # A wrong fingerprint typed: refused, and the holder stays unverified for the other side.
    with pytest.raises(CommandError, match="does not match"):
        cli("recipient", "verify", "Sender", "00000 " * 12)
    # Unknown envelope, unknown holder.
    with pytest.raises(CommandError, match="No envelope"):
        cli("recipient", "read", "a" * 32)
    with pytest.raises(CommandError, match="Nobody called"):
        cli("sender", "send", "--to", "Nobody", "--message", "x")
    # A key change: the recipient makes new keys; the sender must compare again.
    cli("recipient", "keygen", "--force", "--prekeys", "2")
    cli("recipient", "publish")
    with pytest.raises(CommandError, match="KEYS CHANGED"):
        cli("sender", "send", "--to", "Recipient", "--message", "x")
    # The log: pinned, then rolled back (shrank), then rewritten at the same size (forked).
    assert "Log verified" in cli("sender", "verify-log")
    tamper(site, "shrink")
    with pytest.raises(CommandError, match="LogShrank"):
        cli("sender", "verify-log")
    with pytest.raises(CommandError, match="missing from the log"):
        cli("recipient", "verify-log")  # its second bundle was the entry rolled back
    cli("intermediary", "keygen", "--prekeys", "0")
    assert "Log verified:" in cli("intermediary", "verify-log")
    tamper(site, "fork")
    with pytest.raises(CommandError, match="LogForked"):
        cli("intermediary", "verify-log")
    # Wrong passphrase, then a damaged keystore.
    monkeypatch.setenv("TRACK2_BACKCHANNEL_PASSPHRASE", "not the passphrase")
    with pytest.raises(CommandError, match="BadPassphrase"):
        cli("sender", "inbox")
    monkeypatch.setenv("TRACK2_BACKCHANNEL_PASSPHRASE", PASSPHRASE)
    keystore = tmp_path / "keys" / "sender" / "keystore"
    damaged = bytearray(keystore.read_bytes())
    damaged[len(damaged) // 2] ^= 0xFF
    keystore.write_bytes(bytes(damaged))
    with pytest.raises(CommandError, match="CorruptKeystore"):
        cli("sender", "inbox")


def test_console_script_exits_non_zero_with_one_line(tmp_path):
    env = {**server_env(tmp_path), "TRACK2_HOME": str(tmp_path / "client-home")}
    env["TRACK2_BACKCHANNEL_PASSPHRASE"] = PASSPHRASE
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "track2",
            "backchannel",
            "--home",
            str(tmp_path / "nobody"),
            "inbox",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert "run `track2 backchannel keygen` first" in done.stderr
    assert "Traceback" not in done.stderr
