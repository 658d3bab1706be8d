"""A caucus's own statements (issue 11: "its own statements, notes and a small poll"): members add
short statements and vote agree / disagree / pass; one that names someone is held for its writer.
They stay in the caucus: the plenary room's statements, map, exports and the record's citations
never see them; the other sides, observers and uninvited facilitators get 404 everywhere."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.facilitation.test_caucus import OTHERS, c_page, c_url
from tests.facilitation.test_caucus import caucus_world as caucus_world  # noqa: F401  (fixture)
from tests.helpers import sign_in
from track2 import keyring
from track2.deliberation.models import Statement
from track2.facilitation.models import CaucusStatement, CaucusVote
from track2.operations import actions as operations
from track2.operations import retention

CANARY = "CANARY-caucus-statement-4k2"


def _statement_id(text: str) -> int:
    return CaucusStatement.objects.get(text=text).pk


def test_statements_votes_and_held_statements(caucus_world, api):
    world = caucus_world
    north, other = api(world.participants[0]), api(world.participants[1])
    room_before = Statement.objects.count()
    added = north("post", c_url(world, tail="/statements"), {"text": f"Quotas can wait. {CANARY}"})
    assert added.status_code == 201 and not added.json()["held"]
    held = north("post", c_url(world, tail="/statements"), {"text": "Person 05 will not move."})
    assert held.status_code == 201 and held.json()["held"]
    body = north("get", c_url(world)).json()
    assert [s["text"] for s in body["statements"]] == [f"Quotas can wait. {CANARY}"]
    assert [s["text"] for s in body["held_statements"]] == ["Person 05 will not move."]
    assert other("get", c_url(world)).json()["held_statements"] == []
    # Votes: one per member, changed by voting again; counts are the delegation's.
    sid = added.json()["id"]
    north("put", c_url(world, tail=f"/statements/{sid}/vote"), {"vote": "agree"})
    other("put", c_url(world, tail=f"/statements/{sid}/vote"), {"vote": "agree"})
    changed = other("put", c_url(world, tail=f"/statements/{sid}/vote"), {"vote": "disagree"})
    one = changed.json()["statements"][0]
    assert (one["agree"], one["disagree"], one["pass"], one["your_vote"]) == (1, 1, 0, "disagree")
    assert north("get", c_url(world)).json()["statements"][0]["your_vote"] == "agree"
    assert CaucusVote.objects.count() == 2
    # Votes name the voter's pseudonym in the dialogue, as the room's do, never a person.
    assert set(CaucusVote.objects.values_list("pseudonym", flat=True)) == {
        keyring.pseudonym(world.dialogue.pk, world.persons[u.pk].pk) for u in world.participants[:2]
    }
    # A held statement takes no vote; its writer revises it without the name (then published).
    hid = held.json()["id"]
    refused = other("put", c_url(world, tail=f"/statements/{hid}/vote"), {"vote": "pass"})
    assert (
        refused.status_code == 400 and "not a statement of this caucus" in refused.json()["detail"]
    )
    assert other("put", c_url(world, tail=f"/statements/{hid}"), {"text": "x"}).status_code == 400
    revised = north("put", c_url(world, tail=f"/statements/{hid}"), {"text": "They will not move."})
    assert not revised.json()["held"] and len(revised.json()["statements"]) == 2
    # A published statement is not revised or deleted through the held routes.
    assert north("put", c_url(world, tail=f"/statements/{hid}"), {"text": "y"}).status_code == 400
    assert north("delete", c_url(world, tail=f"/statements/{hid}")).status_code == 400
    again = north("post", c_url(world, tail="/statements"), {"text": "Ask person.05@example.org."})
    assert (
        north("delete", c_url(world, tail=f"/statements/{again.json()['id']}")).status_code == 204
    )
    assert CaucusStatement.objects.count() == 2
    # Apart from the room: not in its statements, its map or its export, nor citable in the record.
    assert Statement.objects.count() == room_before
    for tail in ("/statements", "/common-ground", "/export?format=json"):
        assert CANARY not in north("get", world.url(tail)).content.decode(), tail
    cite = api(world.users["rapporteur"])(
        "post", world.url("/record/notes"), {"text": "Quotas were discussed.", "cites": [sid]}
    )
    assert cite.status_code == 400


def test_bad_statements_and_votes(caucus_world, api):
    world = caucus_world
    north = api(world.participants[0])
    for body in [{"text": ""}, {"text": "  "}, {"text": "a\u0000b"}, {"text": "two\nlines"}]:
        response = north("post", c_url(world, tail="/statements"), body)
        assert response.status_code in (400, 422), (body, response.content)
    long = north("post", c_url(world, tail="/statements"), {"text": "x" * 301})
    assert long.status_code == 400 and "At most 300" in long.json()["detail"]
    for body in [{"text": "x" * 2_001}, {"text": 5}, {}, "not json"]:
        assert north("post", c_url(world, tail="/statements"), body).status_code in (400, 422)
    lone = north("post", c_url(world, tail="/statements"), '{"text": "lone \\ud800 surrogate"}')
    assert lone.status_code == 422
    huge = north("post", c_url(world, tail="/statements"), {"text": "y" * 2_000_000})
    assert huge.status_code == 413
    assert not CaucusStatement.objects.exists()
    sid = north("post", c_url(world, tail="/statements"), {"text": "Fine."}).json()["id"]
    for vote in ["maybe", "AGREE", "", 1, None, True, "agree\u0000", "x" * 50]:
        response = north("put", c_url(world, tail=f"/statements/{sid}/vote"), {"vote": vote})
        assert response.status_code in (400, 422), (vote, response.content)
    both = north("put", c_url(world, tail="/statements/1/vote"), {"vote": "maybe"})
    assert both.status_code == 400 and len(both.json()["errors"]) == 2
    for bad_id in ["0", "-1", str(2**70), "abc"]:
        response = north("put", c_url(world, tail=f"/statements/{bad_id}/vote"), {"vote": "agree"})
        assert response.status_code in (400, 404, 422), bad_id
    # South's statement is not North's to vote on, even for a North member with its id.
    south_id = api(world.participants[5])(
        "post", c_url(world, world.south, tail="/statements"), {"text": "South line."}
    ).json()["id"]
    cross = north("put", c_url(world, tail=f"/statements/{south_id}/vote"), {"vote": "agree"})
    assert cross.status_code == 400
    assert not CaucusVote.objects.exists()


@pytest.mark.parametrize("role", OTHERS)
def test_another_sides_statements_are_not_found(caucus_world, api, client, role):
    world = caucus_world
    north = api(world.participants[0])
    sid = north("post", c_url(world, tail="/statements"), {"text": f"Line {CANARY}"}).json()["id"]
    hid = north("post", c_url(world, tail="/statements"), {"text": f"Person 05 {CANARY}"}).json()[
        "id"
    ]
    call = api(world.users[role])
    for method, tail, body in [
        ("get", "", None),
        ("post", "/statements", {"text": "From the wrong side."}),
        ("put", f"/statements/{hid}", {"text": "Changed."}),
        ("delete", f"/statements/{hid}", None),
        ("put", f"/statements/{sid}/vote", {"vote": "agree"}),
    ]:
        response = call(method, c_url(world, tail=tail), body)
        assert response.status_code == 404, (role, method, tail, response.content[:200])
        assert CANARY not in response.content.decode()
    sign_in(client, world.users[role])
    for tail, body in [
        ("statement/", {"text": "x"}),
        ("vote/", {"statement_id": sid, "vote": "agree"}),
        ("delete-statement/", {"statement_id": hid}),
    ]:
        assert client.post(c_page(world, tail=tail), body).status_code == 404
    assert CANARY not in client.get(c_page(world)).content.decode()
    for url in [
        f"/dialogues/{world.dialogue.pk}/meetings/{world.meeting.pk}/floor/",
        f"/dialogues/{world.dialogue.pk}/meetings/{world.meeting.pk}/room/",
    ]:
        assert CANARY not in client.get(url).content.decode()
    assert CaucusStatement.objects.count() == 2 and not CaucusVote.objects.exists()


def test_invited_facilitators_read_statements_and_do_not_vote(caucus_world, api):
    world = caucus_world
    north = api(world.participants[0])
    sid = north("post", c_url(world, tail="/statements"), {"text": "Open line."}).json()["id"]
    north("post", c_url(world, tail="/statements"), {"text": "Person 05 hesitates."})
    north("put", c_url(world, tail="/invitation"), {"invited": True})
    fac = api(world.users["facilitator"])
    body = fac("get", c_url(world)).json()
    assert [s["text"] for s in body["statements"]] == ["Open line."]
    assert body["held_statements"] == []
    assert (
        fac("put", c_url(world, tail=f"/statements/{sid}/vote"), {"vote": "pass"}).status_code
        == 403
    )
    assert fac("post", c_url(world, tail="/statements"), {"text": "x"}).status_code == 403
    assert not CaucusVote.objects.exists()


def test_statements_through_the_page(caucus_world, client):
    world = caucus_world
    sign_in(client, world.participants[0])
    client.post(c_page(world, tail="statement/"), {"text": f"Keep {CANARY}"})
    held = client.post(
        c_page(world, tail="statement/"), {"text": "person.05@example.org agrees"}, follow=True
    )
    assert "it is held" in held.content.decode()
    sid = _statement_id(f"Keep {CANARY}")
    client.post(c_page(world, tail="vote/"), {"statement_id": sid, "vote": "disagree"})
    assert CaucusVote.objects.get().vote == -1
    text = client.get(c_page(world)).content.decode()
    assert CANARY in text and "Agree 0 · disagree 1 · pass 0" in text
    assert "person.05@example.org agrees" in text and "Add the statement" in text
    for bad in ["", "abc", "9" * 40, "%ED%A0%80", str(sid + 1)]:
        refused = client.post(
            c_page(world, tail="vote/"),
            f"statement_id={bad}&vote=agree",
            content_type="application/x-www-form-urlencoded",
            follow=True,
        )
        assert "not a statement of this caucus" in refused.content.decode(), repr(bad)
    wrong = client.post(
        c_page(world, tail="vote/"), {"statement_id": sid, "vote": "perhaps"}, follow=True
    )
    assert "Vote “agree”, “disagree” or “pass”." in wrong.content.decode()
    hid = _statement_id("person.05@example.org agrees")
    client.post(c_page(world, tail="statement/"), {"statement_id": hid, "text": "They agree."})
    assert not CaucusStatement.objects.get(pk=hid).is_held
    assert CaucusVote.objects.get().vote == -1
    client.logout()
    sign_in(client, world.participants[1])
    other = client.get(c_page(world)).content.decode()
    assert CANARY in other and "They agree." in other


def test_retention_keeps_statement_counts_only(caucus_world, api):
    world = caucus_world
    north = api(world.participants[0])
    sid = north("post", c_url(world, tail="/statements"), {"text": "Keep counts."}).json()["id"]
    north("post", c_url(world, tail="/statements"), {"text": "Person 05 again."})
    north("put", c_url(world, tail=f"/statements/{sid}/vote"), {"vote": "agree"})
    api(world.participants[1])(
        "put", c_url(world, tail=f"/statements/{sid}/vote"), {"vote": "pass"}
    )
    operations.do_set_retention(
        world.users["convener"],
        world.dialogue,
        on_meeting_close="aggregates",
        delete_content_after_days=None,
        destroy_key_on_close=False,
    )
    retention.apply(world.meeting.ends_at + timedelta(minutes=1))
    assert not CaucusVote.objects.exists()
    assert list(CaucusStatement.objects.values_list("text", "kept_counts")) == [
        ("Keep counts.", [1, 0, 1])
    ]
    kept = north("get", c_url(world)).json()["statements"][0]
    assert (kept["agree"], kept["disagree"], kept["pass"], kept["your_vote"]) == (1, 0, 1, None)


def test_a_destroyed_key_closes_the_votes_and_keeps_the_counts(caucus_world, api):
    world = caucus_world
    north = api(world.participants[0])
    sid = north("post", c_url(world, tail="/statements"), {"text": "Before."}).json()["id"]
    north("put", c_url(world, tail=f"/statements/{sid}/vote"), {"vote": "agree"})
    keyring.destroy_dialogue_key(world.dialogue.pk)
    late = north("put", c_url(world, tail=f"/statements/{sid}/vote"), {"vote": "pass"})
    assert late.status_code == 400 and "key was destroyed" in late.json()["detail"]
    read = north("get", c_url(world)).json()["statements"][0]
    assert (read["agree"], read["pass"], read["your_vote"]) == (1, 0, None)
