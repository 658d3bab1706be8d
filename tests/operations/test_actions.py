"""Retention, key destruction and housekeeping through the actions, on the test database."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone

from tests.dialogues.test_access_matrix import ALL_ROLES
from track2.access import NotFound
from track2.accounts.models import AttemptLock, SignInAttempt
from track2.audit.models import AuditEntry
from track2.dialogues.models import Dialogue, RoleInvitation
from track2.errors import ActionRefused
from track2.meetings.models import AgendaItem
from track2.operations import actions, housekeeping, retention, verification
from track2.operations.checks import dialogue_keys_are_sound
from track2.operations.models import BackupRecord, KeyDestruction, RetentionPolicy
from track2.operations.queries import backups_holding_destroyed_keys

ROLES = ALL_ROLES
POLICY = {"on_meeting_close": "keep", "delete_content_after_days": 30, "destroy_key_on_close": True}


def write_key(dialogue_id: int, keys: Path) -> Path:
    keys.mkdir(mode=0o700, exist_ok=True)
    path = keys / f"dialogue-{dialogue_id}.key"
    path.write_bytes(b"k" * 32)
    path.chmod(0o600)
    return path


@pytest.mark.parametrize("role", ROLES)
def test_only_the_dialogues_conveners_set_retention_or_touch_its_key(world, role):
    user, pk = world.users[role], world.dialogue.pk
    checks = [
        lambda: actions.check_set_retention(user, pk, **POLICY),
        lambda: actions.check_request_key_destruction(user, pk),
    ]
    for check in checks:
        if role == "convener":
            assert check() == world.dialogue
        else:
            with pytest.raises(NotFound):
                check()
    KeyDestruction.objects.create(dialogue=world.dialogue, requested_by=None)
    if role == "convener":
        assert actions.check_confirm_key_destruction(user, pk).dialogue == world.dialogue
    else:
        with pytest.raises(NotFound):
            actions.check_confirm_key_destruction(user, pk)


def test_retention_refuses_every_bad_field_at_once(world):
    with pytest.raises(ActionRefused) as refused:
        actions.check_set_retention(
            world.users["convener"],
            world.dialogue.pk,
            on_meeting_close="shred",
            delete_content_after_days=10**12,
            destroy_key_on_close=False,
        )
    assert {f for f, _m in refused.value.problems} == {
        "on_meeting_close",
        "delete_content_after_days",
    }
    for bad_id in ["1e3", "-1", "9" * 30, "\x00", ""]:
        with pytest.raises(NotFound):
            actions.check_set_retention(world.users["convener"], bad_id, **POLICY)


def test_setting_retention_is_recorded(world):
    convener = world.users["convener"]
    actions.do_set_retention(convener, world.dialogue, **POLICY)
    assert RetentionPolicy.objects.get(dialogue=world.dialogue).delete_content_after_days == 30
    entry = AuditEntry.objects.get(object_type="retentionpolicy")
    assert entry.dialogue == world.dialogue and entry.actor == convener


def test_key_destruction_takes_two_conveners_and_is_irreversible(world, second_convener, settings):
    convener, pk = world.users["convener"], world.dialogue.pk
    key = write_key(pk, settings.TRACK2_HOME / "keys")
    BackupRecord.objects.create(
        backup_id="00000000-0000-0000-0000-000000000001",
        kind=BackupRecord.Kind.KEYS,
        path="/backups/keys-monday",
        key_files=[key.name],
    )
    request = actions.do_request_key_destruction(
        convener, actions.check_request_key_destruction(convener, pk)
    )
    assert key.exists()
    with pytest.raises(ActionRefused, match="already asked"):
        actions.check_request_key_destruction(second_convener, pk)
    with pytest.raises(ActionRefused, match="second convener"):
        actions.check_confirm_key_destruction(convener, pk)
    done = actions.do_confirm_key_destruction(
        second_convener, actions.check_confirm_key_destruction(second_convener, pk)
    )
    assert done.destroyed_at and done.confirmed_by == second_convener and done == request
    assert not key.exists()
    assert (settings.TRACK2_HOME / "keys" / f"dialogue-{pk}.destroyed").exists()
    with pytest.raises(ActionRefused, match="already destroyed"):
        actions.check_confirm_key_destruction(convener, pk)
    assert [
        a
        for a in AuditEntry.objects.filter(object_type="keydestruction")
        .values_list("action", flat=True)
        .order_by("at")
    ] == ["request", "destroy"]
    flagged = backups_holding_destroyed_keys()
    assert [(r.path, d) for r, d in flagged] == [("/backups/keys-monday", pk)]
    # The check that runs after a restore sees a key that came back beside its tombstone.
    write_key(pk, settings.TRACK2_HOME / "keys")
    assert any("tombstone" in p for p in dialogue_keys_are_sound(verification.Context()))


def test_the_dialogue_keys_check_finds_what_is_wrong(world, settings):
    keys = settings.TRACK2_HOME / "keys"
    good = write_key(world.dialogue.pk, keys)
    assert dialogue_keys_are_sound(verification.Context()) == []
    good.write_bytes(b"short")
    good.chmod(0o644)
    (keys / "dialogue-999999.key").write_bytes(b"k" * 32)
    (keys / "dialogue-999999.key").chmod(0o600)
    problems = dialogue_keys_are_sound(verification.Context())
    assert len(problems) == 3
    assert "dialogue keys" in verification.registered()
    assert "site identity" in verification.registered()


def test_a_check_name_is_registered_once():
    with pytest.raises(ValueError, match="already registered"):
        verification.register("dialogue keys")(lambda context: [])


def test_housekeeping_prunes_what_expired_and_keeps_the_rest(world, settings):
    now = timezone.now()
    Session.objects.create(session_key="old" * 8, session_data="x", expire_date=now - timedelta(1))
    Session.objects.create(session_key="new" * 8, session_data="x", expire_date=now + timedelta(1))
    old = now - housekeeping.throttle_window() - timedelta(minutes=1)
    SignInAttempt.objects.create(kind="account", key_digest="a", at=old)
    SignInAttempt.objects.create(kind="account", key_digest="a", at=now)
    AttemptLock.objects.create(kind="account", key_digest="a", touched_at=old)
    common = {"dialogue": world.dialogue, "role": "observer", "sent_to": "x@example.org"}
    RoleInvitation.objects.create(digest="1", expires_at=now - timedelta(days=31), **common)
    RoleInvitation.objects.create(digest="2", expires_at=now - timedelta(days=1), **common)
    RoleInvitation.objects.create(
        digest="3", expires_at=now - timedelta(days=60), used_at=now - timedelta(days=61), **common
    )
    done = housekeeping.run(now)
    assert (done.sessions, done.sign_in_attempts, done.attempt_locks, done.invitations) == (
        1,
        1,
        1,
        1,
    )
    assert list(Session.objects.values_list("session_key", flat=True)) == ["new" * 8]
    assert sorted(RoleInvitation.objects.values_list("digest", flat=True)) == ["2", "3"]


def test_housekeeping_deletes_outbox_mail_whose_links_have_all_expired(world, settings, tmp_path):
    # an invitation kept as a file named its person after the site had erased them
    import os

    from track2.config import OUTBOX_BACKEND

    settings.EMAIL_BACKEND, settings.EMAIL_FILE_PATH = OUTBOX_BACKEND, str(tmp_path / "outbox")
    settings.TRACK2_INVITATION_DAYS = 14
    from django.core.mail import send_mail

    send_mail("Invitation", "Dear Irena Bly, …", None, ["irena@example.org"])
    send_mail("Invitation", "Dear Amina Diallo, …", None, ["amina@example.org"])
    first, second = sorted((tmp_path / "outbox").glob("*.eml"))
    old = (timezone.now() - timedelta(days=15)).timestamp()
    os.utime(first, (old, old))
    (tmp_path / "outbox" / "notes.txt").write_text("the administrator's own file")
    done = housekeeping.run(timezone.now())
    assert done.outbox_messages == 1
    assert sorted(p.name for p in (tmp_path / "outbox").iterdir()) == sorted(
        ["notes.txt", second.name]
    )
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert housekeeping.run(timezone.now()).outbox_messages == 0  # another backend: not touched
    assert second.exists()


def test_retention_calls_the_registered_erasers_when_due(world):
    calls = []

    @retention.register_eraser("agenda (test)")
    def erase_agenda(dialogue, *, meeting=None, aggregates_only=False):
        calls.append((dialogue.pk, meeting.pk if meeting else None, aggregates_only))
        items = AgendaItem.objects.filter(meeting__dialogue=dialogue)
        if meeting is not None:
            items = items.filter(meeting=meeting)
        return items.delete()[0]

    try:
        AgendaItem.objects.create(
            meeting=world.past_meeting, position=1, title="Done", duration_minutes=5
        )
        AgendaItem.objects.create(
            meeting=world.meeting, position=1, title="To come", duration_minutes=5
        )
        convener = world.users["convener"]
        actions.do_set_retention(
            convener,
            world.dialogue,
            on_meeting_close="aggregates",
            delete_content_after_days=None,
            destroy_key_on_close=True,
        )
        now = timezone.now()
        done = retention.apply(now)
        # Only the meeting that ended; the dialogue is still open: its key is not due.
        assert calls == [(world.dialogue.pk, world.past_meeting.pk, True)]
        assert done.erased["agenda (test)"] == 1 and done.keys_due == []
        assert AgendaItem.objects.filter(meeting=world.meeting).exists()

        calls.clear()
        actions.do_set_retention(
            convener,
            world.dialogue,
            on_meeting_close="keep",
            delete_content_after_days=10,
            destroy_key_on_close=True,
        )
        Dialogue.objects.filter(pk=world.dialogue.pk).update(status=Dialogue.Status.CONCLUDED)
        soon = retention.apply(world.meeting.ends_at + timedelta(days=9))
        assert calls == [] and soon.keys_due == [world.dialogue.pk]
        later = retention.apply(world.meeting.ends_at + timedelta(days=10))
        assert calls == [(world.dialogue.pk, None, False)]
        assert later.erased["agenda (test)"] == 1
        assert not AgendaItem.objects.filter(meeting__dialogue=world.dialogue).exists()
    finally:
        retention.unregister_eraser("agenda (test)")
