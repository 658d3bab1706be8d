"""Erased means gone from the file: after retention deletes a dialogue's content, no byte of it
is left in the SQLite database, its free pages or its write-ahead log — while the site serves
(another process holds the database open, so SQLite keeps its WAL file between writes)."""

from __future__ import annotations

import subprocess  # noqa: S404  (a second process holding the database, as a web server does)
import sys
from pathlib import Path

from track2.config import parse_database_url

CANARIES = {
    "statement": "CANARY-ERASED-STATEMENT-7f3a",
    "record note": "CANARY-ERASED-RECORDNOTE-7f3a",
    "survey answer": "CANARY-ERASED-SURVEYTEXT-7f3a",
}

PLANT = f"""
from datetime import timedelta
from django.utils import timezone
from track2.deliberation.models import Statement
from track2.dialogues.models import Dialogue
from track2.facilitation.models import RecordNote
from track2.impact.models import Response
from track2.operations.models import RetentionPolicy
dialogue = Dialogue.objects.get(title__startswith="Varena")
planted = [
    Statement.objects.filter(pk=Statement.objects.filter(meeting__dialogue=dialogue).first().pk)
    .update(text={CANARIES["statement"]!r}),
    RecordNote.objects.filter(pk=RecordNote.objects.filter(version__meeting__dialogue=dialogue).first().pk)
    .update(text={CANARIES["record note"]!r}),
    Response.objects.filter(pk=Response.objects.filter(survey__dialogue=dialogue).first().pk)
    .update(free_text={CANARIES["survey answer"]!r}),
]
# The dialogue closed yesterday; its policy deletes the content at once.
ended = timezone.now() - timedelta(days=1)
dialogue.meetings.update(starts_at=ended - timedelta(hours=3), ends_at=ended)
Dialogue.objects.filter(pk=dialogue.pk).update(status=Dialogue.Status.CONCLUDED)
RetentionPolicy.objects.update_or_create(dialogue=dialogue, defaults={{"delete_content_after_days": 0}})
print(planted)
"""


def database_bytes(site) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(site.home.glob("track2.sqlite3*")))


# The web server: another process with the database open (in this test's own process, SQLite's
# locks would not tell the `track2` commands that someone else reads it).
SERVE = """
import sqlite3, sys
server = sqlite3.connect(sys.argv[1])
server.execute("SELECT count(*) FROM sqlite_master").fetchone()
print("open", flush=True)
sys.stdin.read()
"""


def test_housekeeping_leaves_no_byte_of_erased_content(demo_site):
    server = subprocess.Popen(  # noqa: S603  (this interpreter, a fixed script)
        [sys.executable, "-c", SERVE, str(demo_site.sqlite_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None and server.stdout.readline() == "open\n"
        assert demo_site.shell(PLANT).strip() == "[1, 1, 1]"
        held = database_bytes(demo_site)
        assert all(c.encode() in held for c in CANARIES.values())

        out = demo_site.run("housekeeping", check=True).stdout
        assert "Retention: room statements and votes:" in out

        left = database_bytes(demo_site)
        assert [kind for kind, c in CANARIES.items() if c.encode() in left] == []
        # What should survive does: the dialogue itself.
        assert (
            demo_site.shell(
                "from track2.dialogues.models import Dialogue\n"
                "print(Dialogue.objects.filter(title__startswith='Varena').count())"
            ).strip()
            == "1"
        )
    finally:
        server.communicate("", timeout=30)


def test_sqlite_zeroes_what_is_deleted_whatever_its_build():
    # Debian builds SQLite with SECURE_DELETE on; python.org's and Homebrew's do not. The site
    # asks for it, so that a deleted row never lingers in a free page (or in a backup copied
    # page by page).
    database, _shown = parse_database_url("", Path("/srv/track2"))
    assert "PRAGMA secure_delete=ON" in str(database["OPTIONS"]["init_command"])  # type: ignore[index]
