"""The floor and the record written from several processes at once (PostgreSQL only: SQLite
writes one transaction at a time): a second request refused with a clear message, never a
server error, and the rules still hold."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from tests.parallel import at_once
from track2.errors import ActionRefused
from track2.facilitation import actions, record
from track2.facilitation.models import Hand, RecordVersion

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL"
    ),
]


def _request(call):
    # Each API request runs in one transaction (ATOMIC_REQUESTS), its check and its write alike.
    def run():
        with transaction.atomic():
            return call()

    return run


def test_a_hand_raised_twice_at_once_is_raised_once(world):
    m, d = world.meeting.pk, world.dialogue.pk

    def raise_hand(user):
        return _request(lambda: actions.do_raise(actions.check_raise(user, d, m)))

    for _round in range(3):
        _done, errors = at_once(
            [raise_hand(u) for u in world.participants[:4] for _twice in (1, 2)]
        )
        assert all(isinstance(e, ActionRefused) for e in errors), errors
        hands = list(Hand.objects.filter(meeting=world.meeting).order_by("position"))
        assert len(hands) == 4 and [h.position for h in hands][-4:] == sorted(
            {h.position for h in hands}
        )
        Hand.objects.filter(meeting=world.meeting).delete()


def test_the_first_notes_of_a_record_written_at_once_open_one_draft(world):
    m, d = world.meeting.pk, world.dialogue.pk

    def note(user, text):
        return _request(lambda: record.do_note(user, record.check_note(user, d, m, text)))

    writers = [world.users["rapporteur"], world.users["facilitator"]]
    _done, errors = at_once([note(u, f"Note {i} by {u.email}.") for i in range(3) for u in writers])
    assert not errors, errors
    versions = list(RecordVersion.objects.filter(meeting=world.meeting))
    assert len(versions) == 1 and versions[0].notes.count() == 6
