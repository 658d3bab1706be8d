"""The common-ground map from real votes: sides from pseudonyms, the small-cell rule."""

from __future__ import annotations

import pytest

from tests.deliberation.conftest import build_room
from track2.deliberation import actions, map_data
from track2.deliberation.models import Room, Statement


def accepted_statement(world, text, by=None):
    by = by or world.participants[0]
    submission = actions.check_submit(by, world.dialogue.pk, world.meeting.pk, text)
    statement = actions.do_submit(submission)
    decision = actions.check_moderate(
        world.users["facilitator"], world.dialogue.pk, world.meeting.pk, statement.pk, "accept"
    )
    return actions.do_moderate(world.users["facilitator"], decision)


def vote(world, user, statement, answer):
    actions.do_vote(
        actions.check_vote(user, world.dialogue.pk, world.meeting.pk, statement.pk, answer)
    )


@pytest.fixture
def voted_room(make_user, institution):
    """Two sides of four; statement 0 agreed by all, 1 splits the sides, 2 has one vote."""
    world = build_room(make_user, institution, per_side=4)
    texts = ["Fishing quotas should be shared.", "The islands belong to the North.", "Lone idea."]
    statements = [accepted_statement(world, t) for t in texts]
    for i, user in enumerate(world.participants):
        north = i < 4
        vote(world, user, statements[0], "agree")
        vote(world, user, statements[1], "agree" if north else "disagree")
    vote(world, world.participants[0], statements[2], "agree")
    return world, statements


def test_sides_common_ground_and_divisive(voted_room):
    world, statements = voted_room
    shown = map_data.room_map(world.meeting)
    assert shown["status_line"].startswith("Unofficial.")
    assert shown["sides"] == ["North", "South"]
    by_id = {s["id"]: s for s in shown["statements"]}
    common, split, lone = (by_id[s.pk] for s in statements)
    assert common["label"] == "common ground"
    assert split["label"] == "divisive"
    assert shown["common_ground"] == [statements[0].pk]
    assert shown["divisive"] == [statements[1].pk]
    # One vote: nothing but "too few votes yet".
    assert lone["votes"] is None and lone["agree"] is None
    assert lone["label"] == "too few votes yet"
    assert not any(row["shown"] for row in lone["by_side"])
    assert [row["agree_share"] for row in split["by_side"]] == [1.0, 0.0]


def test_a_room_without_a_divide_lists_no_bridging_statements(make_user, institution):
    # everyone agrees with everything: the statements are common ground, but there is no divide
    # for any of them to bridge
    world = build_room(make_user, institution, per_side=4)
    texts = ["Fishing quotas should be shared.", "Talks should go on.", "Ports stay open."]
    statements = [accepted_statement(world, t) for t in texts]
    for user in world.participants:
        for statement in statements:
            vote(world, user, statement, "agree")
    shown = map_data.room_map(world.meeting)
    assert shown["state"] == "groups" and shown["bridging"] == []
    assert sorted(shown["common_ground"]) == sorted(s.pk for s in statements)


def test_first_vote_is_too_few_votes_yet(room):
    statement = accepted_statement(room, "A first idea.")
    vote(room, room.participants[0], statement, "agree")
    shown = map_data.room_map(room.meeting)
    assert shown["state"] == "too_few_votes"
    assert "Too few votes yet" in shown["message"]
    assert shown["statements"][0]["votes"] is None


def test_results_visibility(voted_room, make_user):
    from track2.access.room import access_room
    from track2.errors import NotPermitted

    world, statements = voted_room
    room = Room.objects.get(meeting=world.meeting)
    voter = world.participants[5]

    def seen(user):
        return map_data.map_for(access_room(user, world.dialogue.pk, world.meeting.pk))

    # after_vote (default): only statements the caller voted on.
    assert {s["id"] for s in seen(voter)["statements"]} == {statements[0].pk, statements[1].pk}
    with pytest.raises(NotPermitted):
        seen(world.users["observer"])
    room.results = Room.Results.NEVER
    room.save()
    with pytest.raises(NotPermitted):
        seen(voter)
    assert len(seen(world.users["facilitator"])["statements"]) == 3
    room.results = Room.Results.ALWAYS
    room.save()
    assert len(seen(world.users["observer"])["statements"]) == 3
    assert Statement.objects.count() == 3


def test_the_cached_map_follows_every_change(voted_room):
    world, statements = voted_room
    before = map_data.room_map(world.meeting)
    assert map_data.room_map(world.meeting) is before  # unchanged room: the cached map
    for user in world.participants[4:]:  # the South now agrees too
        vote(world, user, statements[1], "agree")
    after = {s["id"]: s for s in map_data.room_map(world.meeting)["statements"]}
    assert after[statements[1].pk]["label"] == "common ground"


def test_the_map_says_when_the_votes_do_not_show_the_groups(voted_room):
    from django.template.loader import render_to_string

    world, _ = voted_room
    shown = map_data.room_map(world.meeting)
    # the engine's verdict, as the fit gave it: a bool once there are groups
    assert shown["state"] == "groups" and isinstance(shown["groups_beat_one_group"], bool)
    note = "These votes do not show distinct opinion groups yet"
    for verdict, expected in ((False, True), (True, False), (None, False)):
        page = render_to_string(
            "deliberation/_map.html",
            {"map": shown | {"groups_beat_one_group": verdict}, "meeting": world.meeting},
        )
        assert (note in page) is expected, verdict
    # one group of everyone: the note says so, not "the groups below"
    alone = {"map": shown | {"groups_beat_one_group": False, "groups": shown["groups"][:1]}}
    page = render_to_string("deliberation/_map.html", alone | {"meeting": world.meeting})
    assert "everyone is most likely in the same group" in page
    assert "The groups below" not in page


def test_the_map_says_when_another_fit_may_show_another_number_of_groups(voted_room):
    import dataclasses

    from django.template.loader import render_to_string

    world, _ = voted_room
    shown = map_data.room_map(world.meeting)
    assert "groups_close_call" in shown
    note = "opinion groups fit these votes almost alike"
    for close, expected in (
        ({"k": 3, "other": 4}, "3 or 4 opinion groups fit these votes almost alike"),
        (None, None),
    ):
        page = render_to_string(
            "deliberation/_map.html",
            {"map": shown | {"groups_close_call": close}, "meeting": world.meeting},
        )
        assert (expected in page) if expected else (note not in page), close
    # the engine's close calls, as the reports name them: one more group that only just
    # failed, or this number that only just passed over one fewer
    from track2.commonground import track2_groups
    from track2.simulate.dialogue import SimulationParams, simulate_dialogue

    params = SimulationParams(n_participants=60, n_statements=20, n_groups=2, mean_votes=15)
    groups = track2_groups(simulate_dialogue(params, seed=1).matrix)
    near = dataclasses.replace(groups, n_groups=3, beats_one_group=True)
    assert map_data.close_call(dataclasses.replace(near, pooled_gains={3: 4.0, 4: 2.0})) == {
        "k": 3,
        "other": 4,
    }
    assert map_data.close_call(dataclasses.replace(near, pooled_gains={3: 2.5, 4: 0.5})) == {
        "k": 3,
        "other": 2,
    }
    assert map_data.close_call(dataclasses.replace(near, pooled_gains={3: 4.0, 4: 1.0})) is None


def test_the_room_offers_the_map_only_to_those_who_may_see_it(voted_room, client):
    from tests.helpers import sign_in

    world, _ = voted_room
    room = Room.objects.get(meeting=world.meeting)
    room_page = f"/dialogues/{world.dialogue.pk}/meetings/{world.meeting.pk}/room/"
    link = f'href="{room_page}map/"'

    def offered(user) -> bool:
        client.logout()
        sign_in(client, user)
        body = client.get(room_page).content.decode()
        sees = client.get(room_page + "map/").status_code == 200
        assert ("Common ground" in body and link in body) is sees, user
        return sees

    # after voting (the default): participants and facilitators, not observers or liaisons
    assert offered(world.participants[0]) and offered(world.users["facilitator"])
    assert not offered(world.users["observer"]) and not offered(world.users["liaison"])
    room.results = Room.Results.ALWAYS
    room.save()
    assert offered(world.users["observer"])
    room.results = Room.Results.NEVER
    room.save()
    assert not offered(world.participants[0]) and offered(world.users["rapporteur"])
