"""The room's routes end to end: submit, moderate, vote, change, withdraw."""

from __future__ import annotations

from track2.deliberation.models import Statement, Vote


def test_submit_moderate_vote_change_withdraw(room, api):
    alice, bob = room.participants[0], room.participants[-1]
    facilitator = api(room.users["facilitator"])
    r = api(alice)("post", room.url("/statements"), {"text": "Joint patrols reduce incidents."})
    assert r.status_code == 201, r.content
    sid = r.json()["id"]
    assert r.json()["status"] == "pending"
    # Not yet accepted: no vote.
    r = api(bob)("put", room.url(f"/statements/{sid}/vote"), {"vote": "agree"})
    assert r.status_code == 400
    assert "moderation" in r.json()["detail"]
    r = facilitator("post", room.url(f"/statements/{sid}/moderate"), {"decision": "accept"})
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "accepted"
    for user, answer in ((alice, "agree"), (bob, "disagree"), (bob, "agree")):
        r = api(user)("put", room.url(f"/statements/{sid}/vote"), {"vote": answer})
        assert r.status_code == 200, r.content
    assert sorted(Vote.objects.filter(statement_id=sid).values_list("value", flat=True)) == [1, 1]
    r = api(bob)("delete", room.url(f"/statements/{sid}/vote"))
    assert r.status_code == 204
    assert Vote.objects.filter(statement_id=sid).count() == 1
    listed = api(alice)("get", room.url("/statements")).json()
    assert listed["items"][0]["your_vote"] == "agree"
    assert listed["status_line"].startswith("Unofficial.")
    assert Statement.objects.get(pk=sid).author != ""
