"""Key separation: the database alone cannot link a vote to a person; after the key is
destroyed, not even the running site can."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from tests.deliberation.test_map import accepted_statement, vote
from track2 import keyring
from track2.deliberation import map_data, queries, room_actions
from track2.deliberation.models import Statement, Vote
from track2.errors import ActionRefused, NotPermitted


def _database_guesses(world) -> set[str]:
    """Everything someone holding only the database could try: hashes and HMACs of every id,
    keyed with whatever the database holds (ids, titles, e-mails)."""
    guesses = set()
    secrets_in_db = [str(world.dialogue.pk), world.dialogue.title, ""]
    for person in world.persons.values():
        secrets_in_db += [person.email, person.full_name]
    for person in world.persons.values():
        for message in (f"{world.dialogue.pk}|{person.pk}", str(person.pk), person.email):
            guesses.add(hashlib.sha256(message.encode()).hexdigest())
            for key in secrets_in_db:
                guesses.add(hmac.new(key.encode(), message.encode(), hashlib.sha256).hexdigest())
    return guesses


def test_database_alone_links_nothing(room, tmp_path):
    statement = accepted_statement(room, "Shared fishing grounds.")
    for user in room.participants:
        vote(room, user, statement, "agree")
    stored = set(Vote.objects.values_list("pseudonym", flat=True))
    assert len(stored) == len(room.participants)
    assert not stored & _database_guesses(room)
    # With the key, the site links them (that is what the map's sides use).
    with_key = {keyring.pseudonym(room.dialogue.pk, p.pk) for p in room.persons.values()}
    assert stored == with_key
    # No column of the content tables refers to a user or a person.
    for model in (Statement, Vote):
        names = {f.name for f in model._meta.get_fields()}
        assert not names & {"user", "person", "author_id", "user_id", "person_id", "created_at"}


def test_after_destruction_not_even_the_site_links(room):
    statement = accepted_statement(room, "Shared fishing grounds.")
    author = Statement.objects.get(pk=statement.pk).author
    for user in room.participants:
        vote(room, user, statement, "agree")
    convener = room.users["convener"]
    with pytest.raises(ActionRefused):
        room_actions.check_destroy_key(convener, room.dialogue.pk, "wrong title")
    request = room_actions.check_destroy_key(convener, room.dialogue.pk, room.dialogue.title)
    room_actions.do_destroy_key(convener, request)
    with pytest.raises(keyring.KeyDestroyed):
        keyring.pseudonym(room.dialogue.pk, room.persons[room.participants[0].pk].pk)
    # The site can no longer say whose statement or vote this is …
    with pytest.raises(NotPermitted):
        queries.listing_for(room.participants[0], room.dialogue.pk, room.meeting.pk, "mine")
    assert map_data.sides_by_pseudonym(room.meeting) is None
    shown = map_data.room_map(room.meeting)
    assert shown["sides"] == [] and "destroyed" in shown["sides_note"]
    # … nor take new votes under new pseudonyms that would split people in two.
    from track2.deliberation import actions

    with pytest.raises(NotPermitted, match="destroyed"):
        actions.check_vote(
            room.participants[0], room.dialogue.pk, room.meeting.pk, statement.pk, "pass"
        )
    # What was said and counted survives.
    assert Statement.objects.get(pk=statement.pk).author == author
    assert Vote.objects.count() == len(room.participants)
    from track2.audit.models import AuditEntry

    entry = AuditEntry.objects.get(action="destroy_key")
    assert entry.actor == convener


def test_only_a_convener_destroys_a_key(room):
    from track2.access import NotFound

    for role in ("facilitator", "participant", "observer", "outsider", "site_admin"):
        with pytest.raises(NotFound):
            room_actions.check_destroy_key(room.users[role], room.dialogue.pk, room.dialogue.title)
