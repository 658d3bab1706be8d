"""Nothing left: the demo's dialogue, with a row of every kind a dialogue can hold and a canary
in every text, JSON and binary column of each, is deleted by two conveners; then every column of
every table of the database (SQLite or PostgreSQL: the suite runs on both; sessions decoded), the
log lines written meanwhile, the outbox and every file under TRACK2_HOME are searched for its
canaries. None may remain, except in the institution's own directory: a person's entry
(`people_person`: full_name, pronouns, country, languages, expertise, email, phone) and their
affiliations (`people_affiliation`: organisation, position) belong to the institution, not to the
dialogue. The other dialogue of the same institution, with canaries of its own, is untouched:
every row of every table is as it was, but for the deleted dialogue's rows and what the deletion
writes by design (one institution-level audit entry, the back channel's log of each erased
envelope, the sessions it took a roster preview out of).

The scan can fail: run with an eraser left out, or a kind of row the deletion forgot, and the
canaries of its rows are found (the report of the issue says how this was checked)."""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib.sessions.backends.db import SessionStore
from django.db import IntegrityError, connection, models, transaction
from django.db.models import CharField, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from tests.template_db import demo_in_database
from track2.accounts.models import User
from track2.backchannel.models import Envelope, LogLeaf, Mailbox
from track2.config import OUTBOX_BACKEND
from track2.dialogues import role_actions
from track2.dialogues.models import Dialogue, Membership, Role
from track2.facilitation.models import (
    Caucus,
    CaucusAnswer,
    CaucusPoll,
    CaucusStatement,
    CaucusVote,
    RecordComment,
    RecordVersion,
    SpeakingTotal,
    Turn,
)
from track2.meetings.mail import tell_added_participants
from track2.meetings.models import Meeting, MeetingParticipant
from track2.operations import actions as operations_actions
from track2.operations import dialogue_deletion as deletion
from track2.operations.dialogue_contents import lookups, rows_of
from track2.people import roster_preview
from track2.people.models import Affiliation, Person

# The institution's directory keeps what it holds of a person (by design, see above).
DIRECTORY = {"people_person", "people_affiliation"}
# Written by the deletion itself, by design: compared as "nothing of the rest changed".
WRITTEN_BY_DELETION = {
    "audit_auditentry",
    "backchannel_logleaf",
    "backchannel_logsubtree",
    "backchannel_loghead",
    "backchannel_checkpoint",
    "django_session",
}
BASE = "https://track2.example.org"
# Not planted: the hashes the back channel's log keeps of each erased envelope (by design, and
# not content), and time zones (a setting the meeting's mail needs to read, not content).
NOT_PLANTED = {"digest", "time_zone"}


class Canaries:
    """One short, unique text per (dialogue, model, column): `CNRY` + tag + number + `Z`."""

    def __init__(self, tag: str):
        self.tag = tag
        self.planted: dict[str, str] = {}  # canary → "table.column"

    def next(self, where: str) -> str:
        canary = f"CNRY{self.tag}{len(self.planted):03d}Z"
        self.planted[canary] = where
        return canary


def _plantable(field) -> bool:
    if field.primary_key or getattr(field, "choices", None) or field.name in NOT_PLANTED:
        return False
    if isinstance(field, (models.CharField, models.TextField)):
        return field.max_length is None or field.max_length >= len("CNRYA000Z")
    return isinstance(field, (models.JSONField, models.BinaryField))


def plant(queryset, canaries: Canaries) -> list[str]:
    """A canary in every text, JSON and binary column of the queryset's rows (one per column,
    or one per row with the row's id after it where a column must be unique); the columns it
    could not fill (a constraint refuses any other value) are returned."""
    model = queryset.model
    refused = []
    if not queryset.exists():
        return refused
    for field in model._meta.concrete_fields:
        if not _plantable(field):
            continue
        canary = canaries.next(f"{model._meta.db_table}.{field.column}")
        if isinstance(field, models.JSONField):
            value = [canary]
        elif isinstance(field, models.BinaryField):
            value = canary.encode()
        else:
            value = canary
        try:
            with transaction.atomic():
                queryset.update(**{field.name: value})
            continue
        except IntegrityError:
            pass
        try:
            with transaction.atomic():
                if isinstance(field, (models.CharField, models.TextField)) and (
                    field.max_length is None or field.max_length >= 30
                ):
                    queryset.update(
                        **{field.name: Concat(Value(canary), Cast("pk", output_field=CharField()))}
                    )
                    continue
        except IntegrityError:
            pass
        del canaries.planted[canary]
        refused.append(f"{model._meta.db_table}.{field.column}")
    return refused


def add_every_kind(dialogue: Dialogue, convener: User) -> None:
    """Rows of the kinds the demo does not make, so that every kind a dialogue holds is there."""
    meeting = Meeting.objects.filter(dialogue=dialogue, statements__isnull=False).first()
    caucus = Caucus.objects.filter(meeting__dialogue=dialogue).first()
    person = MeetingParticipant.objects.filter(meeting=meeting).first().person
    delegation = caucus.delegation
    now = timezone.now()
    Turn.objects.create(
        meeting=meeting, person=person, delegation=delegation, started_at=now, ended_at=now
    )
    SpeakingTotal.objects.create(meeting=meeting, delegation=delegation, seconds=60, turns=1)
    poll = CaucusPoll.objects.create(caucus=caucus, question="Go on?", options=["yes", "no"])
    CaucusAnswer.objects.create(poll=poll, person=person, choice=0)
    statement = CaucusStatement.objects.create(caucus=caucus, text="We could go on.")
    CaucusVote.objects.create(statement=statement, pseudonym="p" * 64, vote=1)
    version = RecordVersion.objects.filter(meeting__dialogue=dialogue).first()
    RecordComment.objects.create(version=version, text="A comment on the record.")
    mailbox = Mailbox.objects.filter(dialogue=dialogue).first()
    sealed = b"a sealed message"
    Envelope.objects.create(
        envelope_id="e" * 32,
        mailbox=mailbox,
        ciphertext=sealed,
        digest=hashlib.sha256(sealed).digest(),
        posted_on=now.date(),
        expires_on=now.date() + timedelta(days=30),
    )
    operations_actions.do_request_key_destruction(convener, dialogue)
    # Its mail names the dialogue by the title it has now, not the canary planted after it:
    # the outbox knows it by its link.
    role_actions.do_invite_to_role(
        convener, dialogue, email="new.liaison@example.org", role="liaison", base_url=BASE
    )


def mail_about(dialogue: Dialogue, convener: User, base: str = BASE) -> None:
    """Mail the site keeps about the dialogue: a role offer, and a meeting's notice to a person
    on its list (as adding them to it sends)."""
    role_actions.do_invite_to_role(
        convener, dialogue, email="new.observer@example.org", role="observer", base_url=base
    )
    listed = MeetingParticipant.objects.filter(meeting__dialogue=dialogue, person__email__gt="")
    assert tell_added_participants([listed.first()], base_url=base) == {listed.first().pk: None}


def _text(value) -> str:
    if isinstance(value, memoryview):
        value = value.tobytes()
    if isinstance(value, bytes):
        return value.decode("latin-1")
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return str(value)


def every_row() -> dict[str, dict[str, str]]:
    """Every table's rows, as read by SQL (not through the code under test): table → a row's
    key (its primary key, or the whole row) → the whole row as text, sessions decoded."""
    found: dict[str, dict[str, str]] = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            key = connection.introspection.get_primary_key_column(cursor, table)
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608  (names from the database itself)
            columns = [c[0] for c in cursor.description]
            rows = {}
            for row in cursor.fetchall():
                values = dict(zip(columns, (_text(v) for v in row), strict=True))
                if table == "django_session":
                    values["session_data"] = json.dumps(
                        SessionStore().decode(values["session_data"])
                    )
                rows[values[key] if key else json.dumps(values)] = json.dumps(values)
            found[table] = rows
    return found


def where(rows: dict[str, dict[str, str]], canaries) -> dict[str, set[str]]:
    """canary → the tables holding it."""
    found: dict[str, set[str]] = {}
    for table, by_key in rows.items():
        text = "\n".join(by_key.values())
        for canary in canaries:
            if canary in text:
                found.setdefault(canary, set()).add(table)
    return found


def rows_of_dialogue(dialogue_id: int) -> dict[str, set[str]]:
    """table → the primary keys (as text) of the dialogue's rows: everything its deletion takes."""
    owned: dict[str, set[str]] = {"dialogues_dialogue": {str(dialogue_id)}}
    for label in lookups():
        model = apps.get_model(label)
        keys = {str(pk) for pk in rows_of(label, dialogue_id).values_list("pk", flat=True)}
        owned.setdefault(model._meta.db_table, set()).update(keys)
    return owned


@pytest.fixture
def site(db, settings, tmp_path, caplog):
    settings.TRACK2_HOME = tmp_path
    settings.EMAIL_BACKEND, settings.EMAIL_FILE_PATH = OUTBOX_BACKEND, str(tmp_path / "outbox")
    demo_in_database()
    return tmp_path


def test_nothing_of_a_deleted_dialogue_is_left_and_the_other_is_untouched(
    site, caplog, django_capture_on_commit_callbacks
):
    target = Dialogue.objects.get(title="Varena Sea Dialogue")
    other = Dialogue.objects.exclude(pk=target.pk).get()
    assert other.institution_id == target.institution_id
    # The demo's two conveners: one asks, the other confirms.
    convener, second = (
        Membership.objects.get(
            dialogue=target, role=Role.CONVENER, user__email=f"{who}@demo.track2.invalid"
        ).user
        for who in ("convener", "coconvener")
    )
    add_every_kind(target, convener)
    empty = [label for label in lookups() if not rows_of(label, target.pk).exists()]
    # "deletion_requests": the request is made below; every other kind is there to be deleted
    assert empty == ["operations.DialogueDeletion"], empty

    # Canaries: the dialogue's own rows (A), the other dialogue's (B), and the institution's
    # directory entries of the people the dialogue knew (P).
    mine, theirs, directory = Canaries("A"), Canaries("B"), Canaries("P")
    refused = plant(Dialogue.objects.filter(pk=target.pk), mine)
    refused += plant(Dialogue.objects.filter(pk=other.pk), theirs)
    for label in lookups():
        refused += plant(rows_of(label, target.pk), mine)
        refused += plant(rows_of(label, other.pk), theirs)
    known = Person.objects.filter(candidacies__dialogue=target)
    plant(Person.objects.filter(pk__in=known.values("pk")), directory)
    plant(Affiliation.objects.filter(person__in=known.values("pk")), directory)
    # The only column no other value fits: a member's key bundle has no offline contact's label.
    assert sorted(set(refused)) == ["backchannel_directoryentry.contact_label"], refused
    assert len(mine.planted) > 70, len(mine.planted)
    target.refresh_from_db()
    other.refresh_from_db()

    # What else the site keeps about it: mail in the outbox, a roster preview in a session.
    base = BASE
    mail_about(target, convener, base)
    role_actions.do_invite_to_role(
        convener, other, email="someone@example.org", role="observer", base_url=base
    )
    now = timezone.now()
    for dialogue, canaries in ((target, mine), (other, theirs)):
        store = SessionStore()
        text = f"name,email\n{canaries.next('django_session.session_data')},x@example.org\n"
        roster_preview.keep(store, dialogue.pk, text, "roster.csv", now)
        store.create()
    outbox = site / "outbox"
    assert any(
        mine_canary.encode() in p.read_bytes()
        for p in outbox.glob("*.eml")
        for mine_canary in mine.planted
    )

    sealed = Envelope.objects.filter(mailbox__dialogue=target).exclude(ciphertext=b"")
    sealed_digests = {bytes(d) for d in sealed.values_list("digest", flat=True)}
    assert sealed_digests
    before = every_row()
    located = where(before, list(mine.planted) + list(theirs.planted) + list(directory.planted))
    # every canary planted is in the database before (the scan finds what is there)
    assert set(located) == set(mine.planted) | set(theirs.planted) | set(directory.planted)
    owned = rows_of_dialogue(target.pk)

    caplog.set_level(logging.DEBUG)
    caplog.clear()
    d = target.pk
    ctx = deletion.check_request_deletion(convener, d, target.title)
    deletion.do_request_deletion(convener, ctx, base_url=base)
    with django_capture_on_commit_callbacks(execute=True):
        done = deletion.do_confirm_deletion(
            second, deletion.check_confirm_deletion(second, d, target.title)
        )
    assert done.dialogue_id == d
    # the back channel's eraser ran: each erased envelope is logged as deleted, as retention does
    deleted = LogLeaf.objects.filter(kind=LogLeaf.Kind.DELETED).values_list("digest", flat=True)
    assert sealed_digests <= {bytes(d) for d in deleted}

    after = every_row()
    left = where(after, list(mine.planted) + list(directory.planted))
    assert {c: t for c, t in left.items() if c in mine.planted} == {}
    assert set(left) == set(directory.planted)  # the directory's entries stay, whole
    assert set().union(*left.values()) <= DIRECTORY
    assert set(where(after, theirs.planted)) == set(theirs.planted)  # the other's, all there

    # Every other row of every table is as it was.
    for table, rows in before.items():
        kept = {k: v for k, v in rows.items() if k not in owned.get(table, set())}
        now_rows = after[table]
        if table in WRITTEN_BY_DELETION:
            changed = {k for k, v in kept.items() if now_rows.get(k) != v}
            # one session lost the target's roster preview; the log's head counts the erased
            # envelope's entry; nothing else written before was changed or lost
            expected = {"django_session": 1, "backchannel_loghead": 1}.get(table, 0)
            assert len(changed) == expected, (table, changed)
        else:
            assert now_rows == kept, (table, len(rows), len(kept), len(now_rows))
    (entry,) = [
        json.loads(v)
        for k, v in after["audit_auditentry"].items()
        if k not in before["audit_auditentry"]
    ]
    assert (entry["dialogue_id"], entry["object_id"], entry["action"]) == ("None", str(d), "delete")

    # Nor in the log lines written meanwhile, the outbox, or any file under TRACK2_HOME.
    logged = "\n".join(f"{r.name} {r.getMessage()}" for r in caplog.records)
    assert not [c for c in mine.planted if c in logged]
    files = {p: p.read_bytes() for p in site.rglob("*") if p.is_file()}
    assert not [
        (str(p), c) for p, data in files.items() for c in mine.planted if c.encode() in data
    ]
    assert len(list(outbox.glob("*.eml"))) == 1  # the other dialogue's role offer
    assert any(c.encode() in data for data in files.values() for c in theirs.planted)
