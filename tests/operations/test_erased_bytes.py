"""Erased means gone from the files: after retention deletes a dialogue's content, a meeting
ends under "aggregates only", or two conveners destroy a dialogue's key, no byte of what went is
left in the SQLite database, its free pages or its write-ahead log, anywhere else under
TRACK2_HOME (keys, outbox) or in what the site's processes logged — while the site serves
(another process holds the database open, so SQLite keeps its WAL file between writes)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import sqlite3
import subprocess  # noqa: S404  (a second process holding the database, as a web server does)
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.operations import canaries
from tests.operations.conftest import Site, two_conveners
from tests.operations.tables import sqlite_columns_holding
from track2.config import parse_database_url

CANARIES = {
    "statement": "CANARY-ERASED-STATEMENT-7f3a",
    "record note": "CANARY-ERASED-RECORDNOTE-7f3a",
    "survey answer": "CANARY-ERASED-SURVEYTEXT-7f3a",
    "caucus note": "CANARY-ERASED-CAUCUSNOTE-7f3a",
    "back-channel envelope": "CANARY-ERASED-ENVELOPE-7f3a",
}
OTHER_DIALOGUE = "CANARY-KEPT-OTHER-DIALOGUE-7f3a"

PLANT = f"""
import hashlib, secrets
from datetime import timedelta
from django.utils import timezone
from track2.backchannel.models import Envelope, Mailbox
from track2.deliberation.models import Statement
from track2.dialogues.models import Dialogue
from track2.facilitation.models import CaucusNote, RecordNote
from track2.impact.models import Response
from track2.operations.models import RetentionPolicy
dialogue = Dialogue.objects.get(title__startswith="Varena")
today = timezone.now().date()
sealed = {CANARIES["back-channel envelope"]!r}.encode()  # as if the ciphertext leaked its words
planted = [
    Statement.objects.filter(pk=Statement.objects.filter(meeting__dialogue=dialogue).first().pk)
    .update(text={CANARIES["statement"]!r}),
    RecordNote.objects.filter(pk=RecordNote.objects.filter(version__meeting__dialogue=dialogue).first().pk)
    .update(text={CANARIES["record note"]!r}),
    Response.objects.filter(pk=Response.objects.filter(survey__dialogue=dialogue).first().pk)
    .update(free_text={CANARIES["survey answer"]!r}),
    CaucusNote.objects.filter(pk=CaucusNote.objects.filter(caucus__meeting__dialogue=dialogue).first().pk)
    .update(text={CANARIES["caucus note"]!r}),
    len([Envelope.objects.create(
        envelope_id=secrets.token_hex(16), mailbox=Mailbox.objects.filter(dialogue=dialogue).first(),
        ciphertext=sealed, digest=hashlib.sha256(sealed).digest(), posted_on=today,
        expires_on=today + timedelta(days=30),
    )]),
    Statement.objects.filter(pk=Statement.objects.exclude(meeting__dialogue=dialogue).first().pk)
    .update(text={OTHER_DIALOGUE!r}),
]
# The dialogue closed yesterday; its policy deletes the content at once.
ended = timezone.now() - timedelta(days=1)
dialogue.meetings.update(starts_at=ended - timedelta(hours=3), ends_at=ended)
Dialogue.objects.filter(pk=dialogue.pk).update(status=Dialogue.Status.CONCLUDED)
RetentionPolicy.objects.update_or_create(dialogue=dialogue, defaults={{"delete_content_after_days": 0}})
print(planted)
"""


DATABASE = "track2.sqlite3*"  # the database, its write-ahead log and its index


def database_bytes(site) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(site.home.glob(DATABASE)))


def found(site: Site, needles: dict[str, str | bytes], *, database: bool = True) -> list[str]:
    """Where each needle is: "kind in <file under TRACK2_HOME>" (the database and its WAL unless
    `database` is False; the keys, the outbox and every other file), "kind in the logs" (what
    the site's commands printed, their log lines included)."""
    wanted = {k: v.encode() if isinstance(v, str) else v for k, v in needles.items()}
    skipped = set() if database else set(site.home.glob(DATABASE))
    places = {
        str(p.relative_to(site.home)): p.read_bytes()
        for p in sorted(site.home.rglob("*"))
        if p.is_file() and p not in skipped
    }
    places["the logs"] = "".join(site.transcript).encode()
    return [
        f"{kind} in {place}"
        for place, data in places.items()
        for kind, v in wanted.items()
        if v in data
    ]


def kinds(places: list[str]) -> set[str]:
    """The kinds of needle `found` found, wherever."""
    return {place.split(" in ", 1)[0] for place in places}


# The web server: another process with the database open (in this test's own process, SQLite's
# locks would not tell the `track2` commands that someone else reads it).
SERVE = """
import sqlite3, sys
server = sqlite3.connect(sys.argv[1])
server.execute("SELECT count(*) FROM sqlite_master").fetchone()
print("open", flush=True)
sys.stdin.read()
"""


@contextmanager
def served(site: Site) -> Iterator[None]:
    server = subprocess.Popen(  # noqa: S603  (this interpreter, a fixed script)
        [sys.executable, "-c", SERVE, str(site.sqlite_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None and server.stdout.readline() == "open\n"
        yield
    finally:
        server.communicate("", timeout=30)


@pytest.fixture
def site(demo_site) -> Site:
    """The demo site with no mail server: its mail goes to TRACK2_HOME/outbox, searched too."""
    return Site(demo_site.home, extra_env={"TRACK2_EMAIL_URL": ""})


def pseudonym(key: bytes, dialogue: int, person: int) -> str:
    """A person's pseudonym in a dialogue as keyring.py defines it, computed here from the key
    file: HMAC-SHA256(key, "dialogue|person") in hex."""
    return hmac.new(key, f"{dialogue}|{person}".encode(), hashlib.sha256).hexdigest()


def test_housekeeping_leaves_no_byte_of_erased_content(site):
    with served(site):
        assert site.shell(PLANT).strip() == "[1, 1, 1, 1, 1, 1]"
        assert kinds(found(site, CANARIES)) == set(CANARIES)  # in the database or its WAL

        out = site.run("housekeeping", check=True).stdout
        assert "Retention: room statements and votes:" in out

        assert found(site, CANARIES) == []
        # What should survive does: the other dialogue's content, and the dialogue itself.
        assert OTHER_DIALOGUE.encode() in database_bytes(site)
        assert (
            site.shell(
                "from track2.dialogues.models import Dialogue\n"
                "print(Dialogue.objects.filter(title__startswith='Varena').count())"
            ).strip()
            == "1"
        )


def rows(site: Site, sql: str, *args) -> list[tuple]:
    """Read straight from the database file (and its WAL), not through the code under test."""
    connection = sqlite3.connect(site.sqlite_path)
    try:
        return connection.execute(sql, args).fetchall()
    finally:
        connection.close()


# Where a pseudonym may stay once its key is gone: beside what it wrote or answered, never
# beside a person.
PSEUDONYMOUS = {
    ("deliberation_vote", "pseudonym"),
    ("deliberation_statement", "author"),
    ("impact_response", "pseudonym"),
    ("facilitation_caucusvote", "pseudonym"),
}


def test_a_destroyed_key_leaves_no_byte_of_it_and_no_link_in_any_file(site):
    ((dialogue,),) = rows(site, "select id from dialogues_dialogue where title like 'Varena%'")
    key_path = site.home / "keys" / f"dialogue-{dialogue}.key"
    key = key_path.read_bytes()
    people = rows(
        site,
        "select person_id from dialogues_meetingparticipant where meeting_id in "
        "(select id from dialogues_meeting where dialogue_id = ?) "
        "union select person_id from dialogues_delegationmember where dialogue_id = ?",
        dialogue,
        dialogue,
    )
    links = {f"pseudonym of person {p}": pseudonym(key, dialogue, p) for (p,) in people}
    key_bytes = {
        "the key": key,
        "the key (hex)": key.hex(),
        "the key (base64)": base64.b64encode(key),
    }
    # Before: the demo's votes and survey answers are theirs, linked through the key file.
    held = sqlite_columns_holding(site.sqlite_path, links.values())
    assert {("deliberation_vote", "pseudonym"), ("impact_response", "pseudonym")} <= held
    assert found(site, key_bytes) == [f"the key in keys/{key_path.name}"]

    with served(site):
        first, second = two_conveners(site, dialogue)
        asked = site.run("destroy-key", str(dialogue), "--by", first, check=True).stdout
        assert "a second convener confirms" in asked
        done = site.run("destroy-key", str(dialogue), "--by", second, check=True).stdout
        assert f"The key of dialogue {dialogue} is destroyed." in done
        site.run("housekeeping", check=True)

        # No byte of the key anywhere: database, WAL, keys folder, outbox, logs.
        assert found(site, key_bytes) == []
        assert not key_path.exists()
        assert (site.home / "keys" / f"dialogue-{dialogue}.destroyed").exists()
        # No row pairs a pseudonym with anything but what it voted, wrote or answered; no other
        # file and no log line holds one.
        assert sqlite_columns_holding(site.sqlite_path, links.values()) <= PSEUDONYMOUS
        assert found(site, links, database=False) == []


def test_aggregates_only_leaves_no_vote_no_held_note_and_no_pseudonym_in_any_file(site):
    with served(site):
        planted = json.loads(
            site.shell("from tests.operations.canaries import plant_meeting; plant_meeting()")
        )
        d, m = planted["dialogue"], planted["meeting"]
        key = (site.home / "keys" / f"dialogue-{d}.key").read_bytes()
        # What "aggregates only" drops (docs/operations.md): every vote (each names its voter's
        # pseudonym, as a statement names its submitter's), in the room and in the caucus, and
        # the caucus's held notes and statements (linked to their writer).
        dropped = {f"pseudonym of person {p}": pseudonym(key, d, p) for p in planted["persons"]}
        dropped |= {
            "held caucus note": canaries.HELD_NOTE,
            "held caucus statement": canaries.HELD_STATEMENT,
        }
        site.run(
            "retention",
            str(d),
            "--by",
            planted["convener"],
            "--on-meeting-close",
            "aggregates",
            check=True,
        )
        # The meeting ended and its room is closed: nothing has gone yet.
        assert kinds(found(site, dropped)) == set(dropped)

        out = site.run("housekeeping", check=True).stdout
        assert "Retention: room statements and votes: 10 removed." in out

        assert found(site, dropped) == []
        poll, caucus_statement = planted["poll"], planted["caucus_statement"]
        for sql, arg in [
            ("select count(*) from deliberation_vote where meeting_id = ?", m),
            ("select count(*) from facilitation_turn where meeting_id = ?", m),
            ("select count(*) from facilitation_hand where meeting_id = ?", m),
            ("select count(*) from facilitation_caucusanswer where poll_id = ?", poll),
            (
                "select count(*) from facilitation_caucusvote where statement_id = ?",
                caucus_statement,
            ),
            (
                "select count(*) from deliberation_statement where meeting_id = ? and author != ''",
                m,
            ),
        ]:
            assert rows(site, sql, arg) == [(0,)], sql
        # What it keeps: the texts said in the open, each statement's and poll's counts, the
        # seconds and turns per delegation, the map as shown.
        kept = database_bytes(site)
        assert [k for k, text in canaries.KEPT.items() if text.encode() not in kept] == []
        assert rows(
            site,
            "select kept_agrees, kept_disagrees, kept_passes from deliberation_statement "
            "where meeting_id = ?",
            m,
        ) == [(2, 2, 0), (2, 2, 0)]
        assert rows(site, "select kept_counts from facilitation_caucuspoll where id = ?", poll) == [
            ("[0, 2]",)
        ]
        assert rows(
            site,
            "select kept_counts from facilitation_caucusstatement where id = ?",
            caucus_statement,
        ) == [("[2, 0, 0]",)]
        assert rows(
            site, "select sum(turns) from facilitation_speakingtotal where meeting_id = ?", m
        ) == [(2,)]
        assert rows(
            site,
            "select count(*) from deliberation_room where meeting_id = ? and kept_map is not null",
            m,
        ) == [(1,)]


def test_sqlite_zeroes_what_is_deleted_whatever_its_build():
    # Debian builds SQLite with SECURE_DELETE on; python.org's and Homebrew's do not. The site
    # asks for it, so that a deleted row never lingers in a free page (or in a backup copied
    # page by page).
    database, _shown = parse_database_url("", Path("/srv/track2"))
    assert "PRAGMA secure_delete=ON" in str(database["OPTIONS"]["init_command"])  # type: ignore[index]
