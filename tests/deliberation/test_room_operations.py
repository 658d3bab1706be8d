"""The room under operations (issue 16): retention keeps aggregates only or deletes content, the
restore check resolves a sample of pseudonyms, and the key page takes two conveners."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.deliberation.conftest import build_room
from tests.deliberation.test_map import accepted_statement, vote
from tests.helpers import sign_in
from track2 import keyring
from track2.accounts.models import User
from track2.deliberation.models import Room, Statement, Vote
from track2.dialogues.models import Dialogue, Membership, Role
from track2.meetings.models import Meeting
from track2.operations import actions, retention, verification
from track2.operations.checks import room_pseudonyms_resolve


@pytest.fixture
def voted(make_user, institution):
    world = build_room(make_user, institution, per_side=2)
    statement = accepted_statement(world, "Shared fishing grounds.")
    for user in world.participants:
        vote(world, user, statement, "agree")
    return world, statement


def policy(world, **fields):
    actions.do_set_retention(
        world.users["convener"],
        world.dialogue,
        **{
            "on_meeting_close": "keep",
            "delete_content_after_days": None,
            "destroy_key_on_close": False,
            **fields,
        },
    )


def test_aggregates_only_keeps_counts_and_forgets_who(voted):
    world, statement = voted
    policy(world, on_meeting_close="aggregates")
    Meeting.objects.filter(pk=world.meeting.pk).update(
        starts_at=timezone.now() - timedelta(hours=5), ends_at=timezone.now() - timedelta(hours=1)
    )
    done = retention.apply(timezone.now())
    assert done.erased["room statements and votes"] == len(world.participants) + 1
    assert not Vote.objects.filter(meeting=world.meeting).exists()
    kept = Statement.objects.get(pk=statement.pk)
    assert kept.author == "" and kept.kept_agrees == len(world.participants)
    assert Room.objects.get(meeting=world.meeting).kept_map is not None
    # A second run has nothing left to do and keeps the counts.
    assert retention.apply(timezone.now()).erased["room statements and votes"] == 0
    assert Statement.objects.get(pk=statement.pk).kept_agrees == len(world.participants)


def test_content_goes_n_days_after_the_dialogue_closes(voted):
    world, statement = voted
    policy(world, delete_content_after_days=7)
    retention.apply(timezone.now() + timedelta(days=400))
    assert Statement.objects.filter(pk=statement.pk).exists()  # the dialogue is still open
    Dialogue.objects.filter(pk=world.dialogue.pk).update(status=Dialogue.Status.CONCLUDED)
    ended = world.meeting.ends_at
    retention.apply(ended + timedelta(days=6))
    assert Statement.objects.filter(pk=statement.pk).exists()
    retention.apply(ended + timedelta(days=7))
    assert not Statement.objects.filter(meeting__dialogue=world.dialogue).exists()
    assert not Vote.objects.filter(meeting__dialogue=world.dialogue).exists()


def test_the_restore_check_resolves_pseudonyms_with_the_right_key_only(voted, settings):
    world, _statement = voted
    after_keys = verification.Context()
    assert room_pseudonyms_resolve(after_keys) == []
    key = settings.TRACK2_HOME / "keys" / f"dialogue-{world.dialogue.pk}.key"
    original = key.read_bytes()
    # The database restored, the keys not yet: nothing to say; after restore-keys, a missing key is.
    key.unlink()
    keyring.forget(world.dialogue.pk)
    assert room_pseudonyms_resolve(verification.Context(contents={"site_id": "x"})) == []
    assert "has no key" in room_pseudonyms_resolve(after_keys)[0]
    assert not key.exists()  # the check never makes a key
    # Another key (a keys backup of another site, or of before a re-creation) resolves nobody.
    key.write_bytes(bytes(b ^ 1 for b in original))
    keyring.forget(world.dialogue.pk)
    assert "belong to nobody" in room_pseudonyms_resolve(after_keys)[0]


def test_the_key_page_takes_two_conveners(voted, client):
    world, _statement = voted
    second = User.objects.create_user(email="second.convener@example.org", password="x" * 12)
    Membership.objects.create(dialogue=world.dialogue, user=second, role=Role.CONVENER)
    url = f"/dialogues/{world.dialogue.pk}/room-key/"
    sign_in(client, world.users["convener"])
    asked = client.post(url, {"confirmation": world.dialogue.title}, follow=True)
    assert "another convener confirms" in asked.content.decode()
    assert not keyring.is_destroyed(world.dialogue.pk)
    again = client.post(url, {"confirmation": world.dialogue.title})
    assert again.status_code == 200 and "second convener" in again.content.decode()
    assert not keyring.is_destroyed(world.dialogue.pk)
    client.logout()
    client.force_login(second)
    page = client.get(url).content.decode()
    assert "asked to destroy this key" in page
    done = client.post(url, {"confirmation": world.dialogue.title}, follow=True)
    assert "key is destroyed" in done.content.decode()
    assert keyring.is_destroyed(world.dialogue.pk)
