"""`track2 delete-dialogue` as a real process on a real site (the demo, on SQLite, while another
process holds the database open as a web server does): afterwards no byte of what the dialogue
held is in the database file, its write-ahead log, the outbox, the keys folder, any other file
under TRACK2_HOME or anything the commands printed; the other dialogue's content is all there.
(That its number is never given again after the site moves to PostgreSQL is
test_backup_restore.py's move test, which deletes the newest dialogue first.)"""

from __future__ import annotations

import pytest

from tests.operations.conftest import Site, two_conveners
from tests.operations.test_erased_bytes import database_bytes, found, kinds, served

CANARIES = {
    "title": "CANARY-DELETED-TITLE-5b1e",
    "purpose": "CANARY-DELETED-PURPOSE-5b1e",
    "statement": "CANARY-DELETED-STATEMENT-5b1e",
    "record note": "CANARY-DELETED-RECORDNOTE-5b1e",
    "survey answer": "CANARY-DELETED-SURVEYTEXT-5b1e",
    "caucus note": "CANARY-DELETED-CAUCUSNOTE-5b1e",
    "risk note": "CANARY-DELETED-RISKNOTE-5b1e",
    "venue address": "CANARY-DELETED-ADDRESS-5b1e",
    "outcome title": "CANARY-DELETED-OUTCOME-5b1e",
    "back-channel envelope": "CANARY-DELETED-ENVELOPE-5b1e",
}
OTHER_DIALOGUE = "CANARY-KEPT-OTHER-DIALOGUE-5b1e"

PLANT = f"""
import hashlib, secrets
from datetime import timedelta
from django.utils import timezone
from track2.backchannel.models import Envelope, Mailbox
from track2.deliberation.models import Statement
from track2.dialogues import role_actions
from track2.dialogues.models import Dialogue, Membership, Venue
from track2.facilitation.models import CaucusNote, RecordNote
from track2.impact.models import Response
from track2.outcomes.models import Version
from track2.people.models import Candidacy
C = {CANARIES!r}
dialogue = Dialogue.objects.get(title__startswith="Varena")
Dialogue.objects.filter(pk=dialogue.pk).update(title=C["title"], purpose=C["purpose"])
Statement.objects.filter(meeting__dialogue=dialogue).update(text=C["statement"])
RecordNote.objects.filter(version__meeting__dialogue=dialogue).update(text=C["record note"])
Response.objects.filter(survey__dialogue=dialogue).update(free_text=C["survey answer"])
CaucusNote.objects.filter(caucus__meeting__dialogue=dialogue).update(text=C["caucus note"])
Candidacy.objects.filter(dialogue=dialogue).update(risk_notes=C["risk note"])
Venue.objects.filter(dialogue=dialogue).update(address=C["venue address"])
Version.objects.filter(document__dialogue=dialogue).update(title=C["outcome title"])
sealed = C["back-channel envelope"].encode()  # as if the ciphertext leaked its words
today = timezone.now().date()
Envelope.objects.create(
    envelope_id=secrets.token_hex(16), mailbox=Mailbox.objects.filter(dialogue=dialogue).first(),
    ciphertext=sealed, digest=hashlib.sha256(sealed).digest(), posted_on=today,
    expires_on=today + timedelta(days=30),
)
Statement.objects.filter(pk=Statement.objects.exclude(meeting__dialogue=dialogue).first().pk).update(
    text={OTHER_DIALOGUE!r}
)
dialogue.refresh_from_db()
convener = Membership.objects.filter(dialogue=dialogue, role="convener").first().user
role_actions.do_invite_to_role(
    convener, dialogue, email="new.observer@example.org", role="observer",
    base_url="https://track2.example.org",
)
print(dialogue.pk)
"""


@pytest.fixture
def site(demo_site) -> Site:
    """The demo site with no mail server: its mail goes to TRACK2_HOME/outbox, searched too."""
    return Site(demo_site.home, extra_env={"TRACK2_EMAIL_URL": ""})


def test_a_deleted_dialogue_leaves_no_byte_in_any_file_or_log(site):
    with served(site):
        dialogue = int(site.shell(PLANT).strip())
        # before: each canary is in the database (or its WAL), the title in the outbox too
        assert kinds(found(site, CANARIES)) == set(CANARIES)
        assert any(p.startswith("title in outbox/") for p in found(site, CANARIES, database=False))
        first, second = two_conveners(site, dialogue)
        title = CANARIES["title"]
        asked = site.run("delete-dialogue", str(dialogue), "--by", first, "--title", title)
        assert asked.returncode == 0, asked.stderr
        refused = site.run("delete-dialogue", str(dialogue), "--by", first, "--title", title)
        assert refused.returncode != 0
        assert refused.stderr.strip().endswith(
            "You asked for this deletion; a second convener of the dialogue must confirm it "
            "(or either of you withdraws the request)."
        )
        done = site.run(
            "delete-dialogue", str(dialogue), "--by", second, "--title", title, check=True
        ).stdout
        assert done.startswith(f"Dialogue {dialogue} is deleted, with what it held: 4 meetings;")

        assert found(site, CANARIES) == []
        assert OTHER_DIALOGUE.encode() in database_bytes(site)
        assert (site.home / "keys" / f"dialogue-{dialogue}.destroyed").exists()
        assert not (site.home / "keys" / f"dialogue-{dialogue}.key").exists()
        gone = site.run("delete-dialogue", str(dialogue), "--by", second, "--withdraw")
        assert gone.returncode != 0 and "convenes no dialogue numbered" in gone.stderr
