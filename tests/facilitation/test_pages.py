"""The console page and its actions: every role, outsiders 404, names as the API shows them."""

from __future__ import annotations

import pytest

from tests.facilitation.test_access_matrix import OUTSIDE, ROLES, reset
from tests.helpers import sign_in
from track2.facilitation.models import Hand, ItemInterval, Turn


def page(world, tail=""):
    return f"/dialogues/{world.dialogue.pk}/meetings/{world.meeting.pk}/floor/{tail}"


@pytest.mark.parametrize("role", ROLES)
def test_page_matrix(world, client, role):
    reset(world)
    sign_in(client, world.users[role])
    response = client.get(page(world))
    expected = 404 if role in OUTSIDE or role == "observer" else 200
    assert response.status_code == expected, role
    if expected == 200:
        text = response.content.decode()
        assert "Unofficial. Non-binding." in text
        assert ("Speaking balance" in text) == (role in ("facilitator", "convener"))
        assert ("Give the floor" in text) == (role in ("facilitator", "convener"))
        assert ("Raise my hand" in text) == (role == "participant")
    for what in ["timer", "give", "close", "raise", "nonsense"]:
        posted = client.post(page(world, what + "/"), {"action": "pause"})
        if expected == 404:
            assert posted.status_code == 404, (role, what)
        else:
            assert posted.status_code == (404 if what == "nonsense" else 302), (role, what)


def test_anonymous_is_sent_to_sign_in(world, client):
    assert client.get(page(world)).status_code == 302


def test_a_meeting_run_through_the_pages(world, client):
    sign_in(client, world.participants[0])
    client.post(page(world, "raise/"), {"direct_response": "on"})
    hand = Hand.objects.get()
    assert hand.is_direct_response
    refused = client.post(page(world, "raise/"), follow=True)
    assert "already raised" in refused.content.decode()
    client.logout()
    sign_in(client, world.users["facilitator"])
    client.post(page(world, "timer/"), {"action": "start", "item_id": ""})
    assert ItemInterval.objects.filter(ended_at__isnull=True).count() == 1
    client.post(page(world, "give/"), {"hand_id": hand.pk})
    text = client.get(page(world)).content.decode()
    assert "Has the floor:" in text and "Person 00" in text
    client.post(page(world, "end-turn/"))
    ended = client.post(page(world, "end-turn/"), follow=True)
    assert "already ended" in ended.content.decode()
    bad = client.post(page(world, "turn-limit/"), {"seconds": "9" * 40})
    assert bad.status_code == 400 and "A turn limit runs from 10 to" in bad.content.decode()
    client.post(page(world, "close/"))
    assert not Turn.objects.exists()
    over = client.post(page(world, "timer/"), {"action": "start"}, follow=True)
    assert "This meeting is over" in over.content.decode()
