"""Canaries planted in a real site by its own actions (run inside the site's process, through
`Site.shell`), for the tests that scan the site's files once the content is erased
(test_erased_bytes.py). It prints one JSON line: what it planted, by id."""

from __future__ import annotations

import json

# Each text is unique in the site: found in a file, it can only be this row's.
HELD_NOTE = "As Person 01 said: CANARY-HELD-CAUCUSNOTE-9c21"
HELD_STATEMENT = "Person 01 will CANARY-HELD-CAUCUSSTATEMENT-9c21"
KEPT = {
    "room statement": "CANARY-KEPT-STATEMENT-9c21",
    "caucus note": "CANARY-KEPT-CAUCUSNOTE-9c21",
    "caucus statement": "CANARY-KEPT-CAUCUSSTATEMENT-9c21",
    "record note": "CANARY-KEPT-RECORDNOTE-9c21",
}


def plant_meeting() -> None:
    """A new dialogue (two delegations of two) whose on-the-record meeting ran: statements and
    votes in the room, a caucus's notes, statements, votes and poll, turns on the floor and a
    hand still raised, a record note; then the facilitator closes the room as its page does, and
    the meeting is over. Every row is written by the action its page or API calls."""
    from datetime import timedelta

    from django.utils import timezone

    from tests.deliberation.conftest import build_room
    from tests.helpers import PASSWORD
    from track2.accounts.models import User
    from track2.deliberation import actions as room
    from track2.deliberation import room_actions
    from track2.facilitation import actions as floor
    from track2.facilitation import caucus
    from track2.facilitation import record as minutes
    from track2.facilitation.models import Hand
    from track2.institutions.models import Institution
    from track2.meetings.models import Meeting

    def make_user(email, password=PASSWORD, **fields):
        return User.objects.create_user(email=email, password=password, **fields)

    world = build_room(make_user, Institution.objects.create(name="Lifecycle Institute"), 2)
    d, m = world.dialogue.pk, world.meeting.pk
    world.meeting.attribution_mode = "on_record"  # closing keeps every turn: retention must not
    world.meeting.save(update_fields=["attribution_mode"])
    facilitator = world.users["facilitator"]
    people = world.participants
    statements = []
    for author, text in [(people[0], KEPT["room statement"]), (people[2], "Open the ports.")]:
        submitted = room.do_submit(room.check_submit(author, d, m, text))
        decision = room.check_moderate(facilitator, d, m, submitted.pk, "accept")
        statements.append(room.do_moderate(facilitator, decision))
    for i, user in enumerate(people):
        for statement in statements:
            room.do_vote(room.check_vote(user, d, m, statement.pk, ["agree", "disagree"][i % 2]))

    north = world.north.pk
    # A note or statement naming a participant is held for its writer (the only link to one).
    for text, held in [(HELD_NOTE, True), (KEPT["caucus note"], False)]:
        note = caucus.do_note(caucus.check_note(people[0], d, m, north, text))
        assert note.is_held == held, text
    for text, held in [(HELD_STATEMENT, True), (KEPT["caucus statement"], False)]:
        published = caucus.do_statement(caucus.check_statement(people[0], d, m, north, text))
        assert published.is_held == held, text
    for user in people[:2]:
        caucus.do_vote(*caucus.check_vote(user, d, m, north, published.pk, "agree"))
    poll = caucus.do_poll(*caucus.check_poll(people[0], d, m, north, "Go on?", ["yes", "no"]))
    for user in people[:2]:
        caucus.do_answer(*caucus.check_answer(user, d, m, north, poll.pk, 1))

    for speaker in (people[0], people[2]):
        floor.do_raise(floor.check_raise(speaker, d, m))
        hand = Hand.objects.get(meeting_id=m)
        floor.do_give_floor(*floor.check_give_floor(facilitator, d, m, hand.pk))
        floor.do_end_turn(*floor.check_end_turn(facilitator, d, m))
    floor.do_raise(floor.check_raise(people[1], d, m))  # still raised when the room closes
    rapporteur = world.users["rapporteur"]
    minutes.do_note(rapporteur, minutes.check_note(rapporteur, d, m, KEPT["record note"]))

    room_actions.do_close(facilitator, room_actions.check_close(facilitator, d, m))
    # An hour later: the meeting is over.
    ended = timezone.now() - timedelta(hours=1)
    Meeting.objects.filter(pk=m).update(starts_at=ended - timedelta(hours=3), ends_at=ended)
    # Ids only: what a process prints is in the logs the tests search.
    print(
        json.dumps(
            {
                "dialogue": d,
                "meeting": m,
                "convener": world.users["convener"].email,
                "persons": [world.persons[u.pk].pk for u in people],
                "statements": [s.pk for s in statements],
                "poll": poll.pk,
                "caucus_statement": published.pk,
            }
        )
    )
