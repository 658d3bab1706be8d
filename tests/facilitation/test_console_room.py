"""The facilitator's console embeds the room's statements and map (issue 11: "the room's
statements and map from the dialogue room"), through the room's own access and small-cell path,
and its live region re-reads a fragment that only the floor's runners reach."""

from __future__ import annotations

import pytest

from tests.deliberation.test_map import accepted_statement, vote
from tests.facilitation.test_access_matrix import OUTSIDE, ROLES
from tests.helpers import sign_in
from track2.deliberation import actions as room_actions
from track2.dialogues.models import AttributionMode
from track2.disclosure.status import STATUS_LINE

RUNNERS = ("facilitator", "convener")


def page(world, tail=""):
    return f"/dialogues/{world.dialogue.pk}/meetings/{world.meeting.pk}/floor/{tail}"


@pytest.fixture
def voted(world):
    """Statement 0 agreed by every side, 1 splits them, 2 has a single vote."""
    texts = ["Fishing quotas should be shared.", "The islands belong to the North.", "Lone idea."]
    statements = [accepted_statement(world, t) for t in texts]
    for i, user in enumerate(world.participants):
        vote(world, user, statements[0], "agree")
        vote(world, user, statements[1], "agree" if i < 4 else "disagree")
    vote(world, world.participants[0], statements[2], "agree")
    return world, statements


@pytest.mark.parametrize("role", ROLES)
def test_console_and_fragment_matrix(voted, client, role):
    world, _statements = voted
    sign_in(client, world.users[role])
    console = client.get(page(world))
    fragment = client.get(page(world, "room/"))
    if role in RUNNERS:
        assert console.status_code == 200
        assert fragment.status_code == 200
        for text in (console.content.decode(), fragment.content.decode()):
            assert "Fishing quotas should be shared." in text
            assert 'id="live-room"' in text
            assert "Every statement" in text  # the map's table
            assert STATUS_LINE in text.replace("\n", " ")
    else:
        assert fragment.status_code == 404, role
        if console.status_code == 200:  # members of the floor who do not run it
            assert "Fishing quotas" not in console.content.decode(), role
            assert 'id="live-room"' not in console.content.decode(), role
        else:
            assert role in OUTSIDE or role == "observer"


def test_the_map_in_the_console_is_the_rooms_map(voted, client):
    """Same figures and labels as the room's map page, with the small-cell rule: the lone vote
    shows no count, per-side figures only where each side counts k votes."""
    world, _statements = voted
    sign_in(client, world.users["facilitator"])
    text = client.get(page(world, "room/")).content.decode()
    map_page = client.get(
        f"/dialogues/{world.dialogue.pk}/meetings/{world.meeting.pk}/room/map/"
    ).content.decode()
    section = map_page[map_page.index('<div id="live-map"') :]
    for needle in ("common ground", "divisive", "too few votes yet", "100% agree of 4"):
        assert needle in text, needle
        assert needle in section, needle
    assert "8 people have cast 17 votes" in text


def test_the_fragment_follows_votes_and_moderation(voted, client):
    world, statements = voted
    sign_in(client, world.users["facilitator"])
    assert "No statement waits for moderation." in client.get(page(world, "room/")).content.decode()
    for user in world.participants[1:4]:
        vote(world, user, statements[2], "disagree")
    # A statement naming a participant is held: counted for moderation, its text never shown.
    held = room_actions.do_submit(
        room_actions.check_submit(
            world.participants[0], world.dialogue.pk, world.meeting.pk, "Person 05 is right."
        )
    )
    assert held.status == "held"
    text = client.get(page(world, "room/")).content.decode()
    assert "8 people have cast 20 votes" in text
    assert "1 statement waits for moderation" in text
    assert "Person 05 is right" not in text


@pytest.mark.parametrize("mode", [AttributionMode.OFF_RECORD, AttributionMode.CLOSED])
def test_conveners_and_facilitators_see_the_room_in_every_mode(voted, client, mode):
    world, _statements = voted
    world.meeting.attribution_mode = mode
    world.meeting.save(update_fields=["attribution_mode"])
    for role in RUNNERS:
        client.logout()
        sign_in(client, world.users[role])
        assert "Fishing quotas" in client.get(page(world, "room/")).content.decode(), role


def test_the_fragment_refuses_writes_and_anonymous(voted, client):
    world, _statements = voted
    assert client.get(page(world, "room/")).status_code == 302  # to sign in
    sign_in(client, world.users["facilitator"])
    # POST to the fragment is no action of the floor.
    assert client.post(page(world, "room/")).status_code == 405
