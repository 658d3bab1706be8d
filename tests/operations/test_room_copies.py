"""A room's votes deleted anywhere leave no copy of them in a process's memory: deleting the
dialogue, retention erasing its content and an off-the-record room closing each announce
`live.votes_gone_topic`, and the map keeper and the vote notes drop what they hold on hearing it
(here on SQLite's in-process hub; tests/live/test_served.py shows it across two served
processes on PostgreSQL). A copy whose announcement was missed goes once nobody reads it."""

from __future__ import annotations

import logging
import time
from datetime import timedelta

import pytest

from tests.deliberation.conftest import build_room
from tests.deliberation.test_map import accepted_statement, vote
from track2.deliberation import journal, map_data, room_actions
from track2.deliberation.models import Room
from track2.dialogues.models import Membership, Role
from track2.meetings.models import Meeting
from track2.operations import dialogue_deletion as deletion
from track2.operations.room_retention import erase_room_content

DROPPED = "dropped the kept map of meeting %d: its votes were deleted"


@pytest.fixture
def voted(make_user, institution, settings, tmp_path, django_capture_on_commit_callbacks):
    """A room whose map this process keeps, with a vote noted since the map's last read, and a
    second meeting of the dialogue whose (empty) map it keeps too."""
    settings.TRACK2_HOME = tmp_path
    journal.forget()
    map_data.forget()
    world = build_room(make_user, institution, per_side=2)
    start = world.meeting.starts_at
    other = Meeting.objects.create(
        dialogue=world.dialogue,
        title="Round 2",
        starts_at=start,
        ends_at=start + timedelta(hours=1),
    )
    statement = accepted_statement(world, "Fishing quotas should be shared.")
    with django_capture_on_commit_callbacks(execute=True):
        for user in world.participants:
            vote(world, user, statement, "agree")
        shown = map_data.room_map(world.meeting)
        map_data.as_json(shown)
        map_data.room_map(other)
        vote(world, world.participants[0], statement, "disagree")  # a note the map has not taken
    assert {world.meeting.pk, other.pk} <= set(map_data._rooms) and journal._notes
    yield world, other, shown
    map_data.forget()
    journal.forget()


def encoded(shown) -> bool:
    return any(kept is shown for kept, _data in map_data._encoded.values())


def test_deleting_the_dialogue_drops_its_rooms_copies_and_the_vote_notes(
    voted, make_user, caplog, django_capture_on_commit_callbacks
):
    world, other, shown = voted
    second = make_user("second.convener@example.org")
    Membership.objects.create(dialogue=world.dialogue, user=second, role=Role.CONVENER)
    first, d, title = world.users["convener"], world.dialogue.pk, world.dialogue.title
    deletion.do_request_deletion(first, deletion.check_request_deletion(first, d, title))
    with caplog.at_level(logging.INFO, logger="track2.deliberation.map_data"):
        with django_capture_on_commit_callbacks(execute=True):
            deletion.do_confirm_deletion(second, deletion.check_confirm_deletion(second, d, title))
            assert world.meeting.pk in map_data._rooms  # nothing goes before the commit
    assert world.meeting.pk not in map_data._rooms and other.pk not in map_data._rooms
    assert not journal._notes
    assert not encoded(shown)
    said = [r.getMessage() for r in caplog.records]
    assert DROPPED % world.meeting.pk in said and DROPPED % other.pk in said
    assert not any(world.dialogue.title in line for line in said)


def test_retention_erasing_the_dialogues_content_drops_its_copies(
    voted, django_capture_on_commit_callbacks
):
    world, other, _shown = voted
    with django_capture_on_commit_callbacks(execute=True):
        assert erase_room_content(world.dialogue) > 0
    # The room that held statements goes; the other held none (nothing of it was erased).
    assert world.meeting.pk not in map_data._rooms and other.pk in map_data._rooms
    assert not journal._notes


def test_an_off_record_room_closing_drops_its_copy_and_no_other(
    voted, django_capture_on_commit_callbacks
):
    world, other, shown = voted
    world.meeting.attribution_mode = "off_record"
    world.meeting.save(update_fields=["attribution_mode"])
    facilitator = world.users["facilitator"]
    with django_capture_on_commit_callbacks(execute=True):
        room_actions.do_close(
            facilitator, room_actions.check_close(facilitator, world.dialogue.pk, world.meeting.pk)
        )
    assert world.meeting.pk not in map_data._rooms and not journal._notes
    assert other.pk in map_data._rooms  # another room's votes are still there
    assert not encoded(shown)
    # Reads answer the kept map and keep no copy again.
    assert map_data.room_map(world.meeting)["statements"]
    assert world.meeting.pk not in map_data._rooms


def test_a_missed_announcement_is_made_up_for_by_a_read_of_the_kept_map(voted):
    world, _other, _shown = voted
    # As another process found it: the votes gone, the kept map stored, no word heard here.
    kept = map_data.room_map(world.meeting)
    Room.objects.filter(meeting=world.meeting).update(kept_map=kept)
    assert world.meeting.pk in map_data._rooms
    assert map_data.room_map(world.meeting) == kept
    assert world.meeting.pk not in map_data._rooms


def test_a_copy_nobody_reads_goes_at_the_sweep(voted, monkeypatch):
    world, other, shown = voted
    monkeypatch.setattr(map_data, "IDLE_SECONDS", 0.3)
    time.sleep(0.35)
    map_data.room_map(other)  # read again just now
    map_data._sweep()
    assert world.meeting.pk not in map_data._rooms and other.pk in map_data._rooms
    assert not encoded(shown)
    assert map_data._sweeper.pending  # it comes back while a copy is kept


def test_a_destroyed_key_leaves_every_process_that_heard_it(
    voted, make_user, django_capture_on_commit_callbacks, monkeypatch
):
    """Another process that destroys the key, or deletes the dialogue, says so with
    `live.key_gone_topic`: this one lets go of the key's bytes and pseudonyms at once (it would
    otherwise hold them until it next touched the dialogue, which a deleted one never is)."""
    from track2 import keyring, live
    from track2.operations import actions as operations

    world = voted[0]
    d = world.dialogue.pk
    keyring.pseudonym(d, 1)
    assert any(key[1] == d for key in keyring._keys)
    live.backend().send(live.key_gone_topic(d))  # as heard from another process
    assert not any(key[1] == d for key in keyring._keys)
    assert not any(name[1] == d for name in keyring._pseudonyms)
    # And this process says so when it destroys the key, once that commits.
    second = make_user("second.convener@example.org")
    Membership.objects.create(dialogue=world.dialogue, user=second, role=Role.CONVENER)
    first = world.users["convener"]
    operations.do_request_key_destruction(first, operations.check_request_key_destruction(first, d))
    asked = operations.check_confirm_key_destruction(second, d)
    forgotten: list[int] = []
    real_forget = keyring.forget
    monkeypatch.setattr(keyring, "forget", lambda d: forgotten.append(d) or real_forget(d))
    with django_capture_on_commit_callbacks(execute=True):
        operations.do_confirm_key_destruction(second, asked)
        assert forgotten == [d]  # the destroying call itself
    assert forgotten == [d, d]  # and the announcement, once committed (any backend)


def test_a_deleted_meetings_copy_goes_at_the_next_sweep_unheard(voted, caplog):
    """On SQLite a `track2 delete-dialogue` run beside the server tells it nothing: the sweep
    each minute finds the kept rooms whose meeting is gone (one query) and drops them, however
    recently they were read; the other meeting's copy stays."""
    world, other, shown = voted
    gone = world.meeting.pk
    Room.objects.filter(meeting_id=gone).delete()  # as the other process's deletion did
    Meeting.objects.filter(pk=gone).delete()
    assert gone in map_data._rooms  # nothing was announced here
    with caplog.at_level(logging.INFO, logger="track2.deliberation.map_data"):
        map_data._sweep()
    assert gone not in map_data._rooms and other.pk in map_data._rooms
    assert not encoded(shown)
    assert f"dropped the kept map of meeting {gone}: the meeting was deleted" in caplog.text
    assert map_data._sweeper.pending  # the other copy is still kept: the sweep comes back


def test_a_key_destroyed_unheard_leaves_at_the_next_sweep(voted):
    """A key destroyed by a separate command (its tombstone written, no word to this process)
    leaves this process's memory, with its pseudonyms, at the keyring's sweep; another
    dialogue's key stays."""
    from track2 import keyring

    world = voted[0]
    d = world.dialogue.pk
    keyring.pseudonym(d, 1)
    keyring.pseudonym(d + 1000, 1)
    assert keyring._sweeper.pending
    folder = keyring._folder()
    (folder / f"dialogue-{d}.key").unlink()
    (folder / f"dialogue-{d}.destroyed").touch()  # what destroy_dialogue_key leaves
    here = str(folder)
    assert (here, d) in keyring._keys and (here, d, 1) in keyring._pseudonyms
    keyring._sweep()
    assert (here, d) not in keyring._keys and (here, d, 1) not in keyring._pseudonyms
    assert (here, d + 1000) in keyring._keys
    assert keyring._sweeper.pending
