"""What confirming a dialogue's deletion does beyond its rows: every registered eraser runs (the
back channel logs each deleted envelope), mail about it leaves the outbox and no other mail does,
roster previews leave sessions, a venue another dialogue still uses is handed to it; `track2
check`, the restore checks and housekeeping name nothing new but the keys backups that still hold
its key. Two conveners confirming at once: one deletes, the other is told it is gone
(PostgreSQL). The rooms' copies in memory: test_room_copies.py."""

from __future__ import annotations

import hashlib
import io
from datetime import timedelta

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from tests.dialogues.conftest import build_world
from tests.parallel import at_once
from track2.access import NotFound
from track2.backchannel.models import Envelope, LogLeaf, Mailbox
from track2.config import OUTBOX_BACKEND
from track2.dialogues import role_actions
from track2.dialogues.models import Dialogue, Membership, Role, Venue
from track2.errors import ActionRefused
from track2.meetings import actions as meeting_actions
from track2.meetings.models import Meeting
from track2.operations import dialogue_deletion as deletion
from track2.operations import retention, verification
from track2.operations.checks import dialogue_keys_are_sound
from track2.operations.deletion_traces import deleted_dialogues, highest_number_ever
from track2.operations.models import BackupRecord, DialogueDeletion
from track2.people import roster_preview

TITLE = "Varena Sea Dialogue"


def delete(world, second, django_capture_on_commit_callbacks, *, title=None):
    """Ask as the world's convener, confirm as `second`, with the after-commit work run."""
    first, d = world.users["convener"], world.dialogue.pk
    deletion.do_request_deletion(first, deletion.check_request_deletion(first, d, title or TITLE))
    with django_capture_on_commit_callbacks(execute=True):
        return deletion.do_confirm_deletion(
            second, deletion.check_confirm_deletion(second, d, title or TITLE)
        )


def test_every_registered_eraser_runs_and_the_back_channel_logs_its_envelopes(
    world, second_convener, django_capture_on_commit_callbacks
):
    calls = []

    @retention.register_eraser("deletion (test)")
    def erase(dialogue, *, meeting=None, aggregates_only=False):
        calls.append((dialogue.pk, meeting, aggregates_only))
        return 0

    try:
        today = timezone.now().date()
        mailbox = Mailbox.objects.create(
            mailbox_id="m" * 64,
            dialogue=world.dialogue,
            delivery_token_hash=b"d" * 32,
            read_token_hash=b"r" * 32,
            opened_on=today,
        )
        sealed = b"sealed words"
        digest = hashlib.sha256(sealed).digest()
        Envelope.objects.create(
            envelope_id="e" * 32,
            mailbox=mailbox,
            ciphertext=sealed,
            digest=digest,
            posted_on=today,
            expires_on=today + timedelta(days=30),
        )
        delete(world, second_convener, django_capture_on_commit_callbacks)
    finally:
        retention.unregister_eraser("deletion (test)")
    assert calls == [(world.dialogue.pk, None, False)]
    assert not Envelope.objects.exists() and not Mailbox.objects.exists()
    assert LogLeaf.objects.filter(kind=LogLeaf.Kind.DELETED, digest=digest).count() == 1


def test_mail_about_the_dialogue_leaves_the_outbox_and_no_other_mail_does(
    world, second_convener, settings, tmp_path, django_capture_on_commit_callbacks
):
    # A title that mail encodes (quoted-printable or base64): found decoded, not only as bytes.
    title = "Varène Sea Dialogue — Ωmega"
    Dialogue.objects.filter(pk=world.dialogue.pk).update(title=title)
    world.dialogue.refresh_from_db()
    outbox = tmp_path / "outbox"
    settings.EMAIL_BACKEND, settings.EMAIL_FILE_PATH = OUTBOX_BACKEND, str(outbox)
    base = "https://track2.example.org"
    convener = world.users["convener"]
    role_actions.do_invite_to_role(
        convener, world.dialogue, email="new.liaison@example.org", role="liaison", base_url=base
    )
    meeting_actions.add_participants(
        convener, world.meeting, [world.persons["bo"]], notify=True, base_url=base
    )
    elsewhere = Dialogue.objects.get(title="Elsewhere Talks")
    role_actions.do_invite_to_role(
        convener, elsewhere, email="someone@example.org", role="observer", base_url=base
    )
    (outbox / "notes.txt").write_text(f"the administrator's own note about {title}")
    kept = {p.name for p in outbox.glob("*.eml")}
    assert len(kept) == 3

    first, d = convener, world.dialogue.pk
    _request, unreached = deletion.do_request_deletion(
        first, deletion.check_request_deletion(first, d, title), base_url=base
    )
    assert unreached == []
    notices = {p.name for p in outbox.glob("*.eml")} - kept
    (notice,) = notices
    assert title.encode() not in (outbox / notice).read_bytes()
    with django_capture_on_commit_callbacks(execute=True):
        deletion.do_confirm_deletion(
            second_convener, deletion.check_confirm_deletion(second_convener, d, title)
        )
    (left,) = outbox.glob("*.eml")
    assert b"Elsewhere Talks" in left.read_bytes()
    assert (outbox / "notes.txt").exists()  # not mail: not the site's to delete


def test_mail_that_could_not_be_sent_is_said_and_the_request_stands(
    world, second_convener, settings, tmp_path
):
    # an outbox that cannot be written (a file where its folder should be): the send fails
    blocked = tmp_path / "blocked"
    blocked.write_text("")
    settings.EMAIL_BACKEND, settings.EMAIL_FILE_PATH = OUTBOX_BACKEND, str(blocked / "outbox")
    first = world.users["convener"]
    request, unreached = deletion.do_request_deletion(
        first, deletion.check_request_deletion(first, world.dialogue.pk, TITLE)
    )
    assert request.pk and len(unreached) == 1
    assert unreached[0].startswith(second_convener.email) and "tell them yourself" in unreached[0]


def test_roster_previews_of_the_dialogue_leave_every_session(
    world, second_convener, django_capture_on_commit_callbacks
):
    now = timezone.now()
    d, other = world.dialogue.pk, Dialogue.objects.get(title="Elsewhere Talks").pk
    store = SessionStore()
    store["_auth_user_id"] = str(world.users["convener"].pk)
    roster_preview.keep(store, d, "name,email\nIrena Bly,irena@example.org\n", "roster.csv", now)
    roster_preview.keep(store, other, "name,email\nAmina Diallo,a@example.org\n", "b.csv", now)
    store.create()
    delete(world, second_convener, django_capture_on_commit_callbacks)
    data = SessionStore(session_key=store.session_key).load()
    assert data["_auth_user_id"] == str(world.users["convener"].pk)  # still signed in
    assert roster_preview.take(data, d, roster_preview.digest_of("x"), now) is None
    assert f"{roster_preview.KEY_PREFIX}{d}" not in data
    assert f"{roster_preview.KEY_PREFIX}{other}" in data


def test_a_venue_another_dialogues_meeting_uses_is_handed_to_it(
    world, second_convener, django_capture_on_commit_callbacks
):
    # an upgraded site: venues were shared between dialogues before they belonged to one
    elsewhere = Dialogue.objects.get(title="Elsewhere Talks")
    start = timezone.now() + timedelta(days=3)
    theirs = Meeting.objects.create(
        dialogue=elsewhere,
        title="Their round",
        venue=world.venue,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        time_zone="UTC",
    )
    delete(world, second_convener, django_capture_on_commit_callbacks)
    assert Venue.objects.get(pk=world.venue.pk).dialogue == elsewhere
    assert Meeting.objects.get(pk=theirs.pk).venue_id == world.venue.pk
    assert not Venue.objects.filter(pk=world.home.pk).exists()  # its own venue went


def test_checks_and_housekeeping_name_only_the_keys_backups_that_still_hold_its_key(
    world, second_convener, settings, django_capture_on_commit_callbacks
):
    d = world.dialogue.pk
    keys = settings.TRACK2_HOME / "keys"
    keys.mkdir(mode=0o700)
    (keys / f"dialogue-{d}.key").write_bytes(b"k" * 32)
    (keys / f"dialogue-{d}.key").chmod(0o600)
    BackupRecord.objects.create(
        backup_id="00000000-0000-0000-0000-000000000001",
        kind=BackupRecord.Kind.KEYS,
        path="/backups/keys-monday",
        key_files=[f"dialogue-{d}.key"],
        made_at=timezone.now() - timedelta(days=1),
    )

    def housekeeping() -> list[str]:
        out = io.StringIO()
        call_command("housekeeping", stdout=out)
        return [line for line in out.getvalue().splitlines() if not line.startswith("Pruned")]

    def check() -> list[str]:
        out = io.StringIO()
        call_command("check", stdout=out)
        return out.getvalue().splitlines()

    before, checked = housekeeping(), check()
    done = delete(world, second_convener, django_capture_on_commit_callbacks)
    # `track2 check` says nothing new (the key it no longer finds needed no backup any more)
    assert [line for line in check() if line not in checked] == []
    assert deleted_dialogues() == [(d, done.deleted_at)]
    assert highest_number_ever() >= d
    context = verification.Context(contents=None)
    assert dialogue_keys_are_sound(context) == []  # its tombstone is expected
    (keys / f"dialogue-{d}.key").write_bytes(b"k" * 32)  # a key restored from an old backup
    (keys / f"dialogue-{d}.key").chmod(0o600)
    assert dialogue_keys_are_sound(context) == [
        f"dialogue-{d}.key belongs to no dialogue of this database",
        f"dialogue-{d}.key exists beside its destruction tombstone",
    ]
    (keys / f"dialogue-{d}.key").unlink()
    after = housekeeping()
    assert [line for line in after if line not in before] == [
        f"Keys backup /backups/keys-monday (made {timezone.now() - timedelta(days=1):%Y-%m-%d}) "
        f"still holds the destroyed key of dialogue {d}: destroy that file and its shares."
    ]


def test_deleting_the_last_dialogue_of_an_institution_keeps_its_people(
    world, second_convener, django_capture_on_commit_callbacks
):
    from track2.people.models import Candidacy, Person

    people = set(Person.objects.values_list("pk", "full_name", "email"))
    delete(world, second_convener, django_capture_on_commit_callbacks)
    assert set(Person.objects.values_list("pk", "full_name", "email")) == people
    assert not Candidacy.objects.filter(dialogue_id=world.dialogue.pk).exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
def test_two_conveners_confirming_at_once_delete_it_once(
    make_user, institution, settings, tmp_path
):
    settings.TRACK2_HOME = tmp_path
    world = build_world(make_user, institution)
    others = []
    for n in (2, 3):
        user = make_user(f"convener.{n}@example.org")
        Membership.objects.create(dialogue=world.dialogue, user=user, role=Role.CONVENER)
        others.append(user)
    first, d = world.users["convener"], world.dialogue.pk
    deletion.do_request_deletion(first, deletion.check_request_deletion(first, d, TITLE))

    def confirm(by):
        return lambda: deletion.do_confirm_deletion(
            by, deletion.check_confirm_deletion(by, d, TITLE)
        )

    done, errors = at_once([confirm(by) for by in others])
    assert len(done) == 1 and done[0].dialogue_id == d
    assert len(errors) == 1 and isinstance(errors[0], NotFound), errors
    assert not Dialogue.objects.filter(pk=d).exists()
    assert [n for n, _at in deleted_dialogues()] == [d]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
def test_two_conveners_asking_at_once_make_one_request(make_user, institution, settings, tmp_path):
    settings.TRACK2_HOME = tmp_path
    world = build_world(make_user, institution)
    second = make_user("second.convener@example.org")
    Membership.objects.create(dialogue=world.dialogue, user=second, role=Role.CONVENER)
    d = world.dialogue.pk

    def ask(by):
        return lambda: deletion.do_request_deletion(
            by, deletion.check_request_deletion(by, d, TITLE)
        )

    made, errors = at_once([ask(by) for by in (world.users["convener"], second)])
    assert len(made) == 1 and DialogueDeletion.objects.count() == 1
    assert len(errors) == 1 and isinstance(errors[0], ActionRefused), errors
    assert "already asked" in str(errors[0])


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
def test_withdrawing_while_another_confirms_never_fails(make_user, institution, settings, tmp_path):
    settings.TRACK2_HOME = tmp_path
    world = build_world(make_user, institution)
    second = make_user("second.convener@example.org")
    Membership.objects.create(dialogue=world.dialogue, user=second, role=Role.CONVENER)
    first, d = world.users["convener"], world.dialogue.pk
    deletion.do_request_deletion(first, deletion.check_request_deletion(first, d, TITLE))
    confirm = deletion.check_confirm_deletion(second, d, TITLE)
    pending = deletion.check_withdraw_deletion(first, d)

    done, errors = at_once(
        [
            lambda: deletion.do_confirm_deletion(second, confirm),
            lambda: deletion.do_withdraw_deletion(first, pending),
        ]
    )
    assert len(done) == 1 and len(errors) == 1, (done, errors)
    if isinstance(done[0], deletion.DialogueDeleted):  # confirmed first: nothing to withdraw
        assert isinstance(errors[0], NotFound)
        assert not Dialogue.objects.filter(pk=d).exists()
    else:  # withdrawn first: nothing deleted
        assert isinstance(errors[0], ActionRefused) and "withdrawn meanwhile" in str(errors[0])
        assert Dialogue.objects.filter(pk=d).exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
def test_destroying_the_key_while_another_deletes_the_dialogue_never_fails(
    make_user, institution, settings, tmp_path
):
    # they once locked the same two rows in opposite orders: a deadlock, a server error
    from track2.operations import actions

    settings.TRACK2_HOME = tmp_path
    world = build_world(make_user, institution)
    others = []
    for n in (2, 3):
        user = make_user(f"convener.{n}@example.org")
        Membership.objects.create(dialogue=world.dialogue, user=user, role=Role.CONVENER)
        others.append(user)
    first, d = world.users["convener"], world.dialogue.pk
    actions.do_request_key_destruction(first, actions.check_request_key_destruction(first, d))
    deletion.do_request_deletion(first, deletion.check_request_deletion(first, d, TITLE))
    key = actions.check_confirm_key_destruction(others[0], d)
    delete = deletion.check_confirm_deletion(others[1], d, TITLE)

    done, errors = at_once(
        [
            lambda: actions.do_confirm_key_destruction(others[0], key),
            lambda: deletion.do_confirm_deletion(others[1], delete),
        ]
    )
    assert all(isinstance(e, NotFound) for e in errors), errors  # the key's, after the deletion
    assert any(isinstance(r, deletion.DialogueDeleted) for r in done), (done, errors)
    assert not Dialogue.objects.filter(pk=d).exists()
