"""The non-attribution check and e-mail addresses: a local part counts as a name only when it
looks like its owner's name, so that role and shared addresses ("participant@…", "info@…")
do not hold ordinary sentences. (Audit of the room, finding 2.)"""

from __future__ import annotations

import pytest

from tests.deliberation.conftest import build_room, seat
from track2.deliberation import actions
from track2.deliberation.nonattribution import fold, local_part_term, named_terms, people_terms

EVERY_PARTICIPANT = "Every participant should receive the fisheries data before each round."


@pytest.mark.parametrize(
    "email, name, term",
    [
        # Role and shared addresses: ordinary words, never names.
        ("participant@demo.track2.invalid", "Prof. Arin Solvei", None),
        ("info@example.org", "Ana Ruiz", None),
        ("contact@example.org", "Ana Ruiz", None),
        ("office@example.org", "Ana Ruiz", None),
        ("admin@example.org", "Ana Ruiz", None),
        ("secretariat@example.org", "Ana Ruiz", None),
        ("participant.ostrava@demo.track2.invalid", "Dr Petra Novakova", None),
        ("press-office@example.org", "Ana Ruiz", None),
        # Numbers and single letters are not names either.
        ("p0@example.org", "Person 00", None),
        ("person.05@example.org", "Person 05", None),
        ("a.b@example.org", "Ana Ruiz", None),
        # Names: separated name-like words, or the owner's name in one word.
        ("elena.petrova@example.org", "Elena Petrova", "elena petrova"),
        ("jean-paul_sartre@example.org", "Jean-Paul Sartre", "jean paul sartre"),
        ("irena.bly@example.org", "Someone Else", "irena bly"),
        ("petrova@example.org", "Elena Petrova", "petrova"),
        ("elenapetrova@example.org", "Elena Petrova", "elenapetrova"),
        ("epetrova@example.org", "Dr Elena Petrova", "epetrova"),
        ("Petróva@example.org", "Elena Petrova", "petrova"),
        # A one-word local part that is not made of the owner's name says nothing.
        ("sailor@example.org", "Elena Petrova", None),
    ],
)
def test_which_local_parts_are_names(email, name, term):
    assert local_part_term(email, fold(name)) == term


@pytest.fixture
def demo_like_room(make_user, institution):
    room = build_room(make_user, institution, per_side=1)
    seat(room.dialogue, room.meeting, room.north, make_user("participant@demo.track2.invalid"),
         "Prof. Arin Solvei", email="participant@demo.track2.invalid")  # fmt: skip
    seat(room.dialogue, room.meeting, room.south, make_user("info@example.org"), "Ana Ruiz",
         email="info@example.org", organisation="Coastal Office")  # fmt: skip
    seat(room.dialogue, room.meeting, room.south, make_user("vl@example.org"),
         "Amb. (ret.) Lisbet Varga", email="lisbet.varga@example.org")  # fmt: skip
    return room


@pytest.mark.parametrize(
    "text",
    [
        EVERY_PARTICIPANT,
        "Send any info to the secretariat, not to a participant.",
        "The office should publish the data in general terms.",
        "Retired officers could ret… no: retired officers could mediate.",
    ],
)
def test_role_addresses_and_honorifics_hold_nothing(demo_like_room, text):
    room = demo_like_room
    statement = actions.do_submit(
        actions.check_submit(room.participants[0], room.dialogue.pk, room.meeting.pk, text)
    )
    assert statement.status == "pending", named_terms(text, people_terms(room.dialogue))


@pytest.mark.parametrize(
    "text",
    [
        "Write to participant@demo.track2.invalid about it.",  # the whole address still names
        "As Solvei said, the data matter.",
        "Lisbet Varga is right.",
        "Ask lisbet.varga, she knows.",
        "The Coastal Office disagrees.",
    ],
)
def test_names_addresses_and_organisations_still_hold(demo_like_room, text):
    room = demo_like_room
    statement = actions.do_submit(
        actions.check_submit(room.participants[0], room.dialogue.pk, room.meeting.pk, text)
    )
    assert statement.status == "held"
