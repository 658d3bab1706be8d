"""A map page refused to its reader says why, plainly, and does not keep trying to refresh
a map the reader may not see."""

from __future__ import annotations

from tests.deliberation.test_map import voted_room  # noqa: F401 (a fixture)
from tests.helpers import sign_in


def test_a_reader_who_does_not_vote_is_told_why_and_nothing_refreshes(voted_room, client):  # noqa: F811
    world, _ = voted_room
    page = f"/dialogues/{world.dialogue.pk}/meetings/{world.meeting.pk}/room/map/"
    for role in ("observer", "liaison"):
        client.logout()
        sign_in(client, world.users[role])
        answer = client.get(page)
        body = answer.content.decode()
        assert answer.status_code == 403
        assert "as you do not vote in this room, the results are not shown to you" in body
        # no live region: it would only report that the map "could not be refreshed"
        assert "data-live-events" not in body and "data-live-status" not in body
    client.logout()
    sign_in(client, world.participants[0])
    body = client.get(page).content.decode()
    assert "data-live-events" in body and "data-live-status" in body
