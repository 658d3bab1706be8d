"""Bad input to the room: refused clearly, every problem at once, nothing accepted lost."""

from __future__ import annotations

import pytest

from tests.deliberation.test_map import accepted_statement, vote
from track2.deliberation import actions, room_actions
from track2.deliberation.models import Statement, Vote
from track2.errors import ActionRefused


def post_statement(api, room, user, text):
    return api(user)("post", room.url("/statements"), {"text": text})


def test_empty_long_and_inadmissible_statements(room, api):
    alice = room.participants[0]
    r = post_statement(api, room, alice, "   ")
    assert r.status_code == 400 and r.json()["field"] == "text" and "empty" in r.json()["detail"]
    r = post_statement(api, room, alice, "x" * 301)
    assert r.status_code == 400 and "at most 300" in r.json()["detail"]
    r = post_statement(api, room, alice, "x" * 5000)
    assert r.status_code == 422
    r = post_statement(api, room, alice, "bell\x07 inside")
    assert r.status_code == 422 and "control character" in r.json()["errors"][0]["msg"]
    r = api(alice)("post", room.url("/statements"), '{"text": "lone \\ud800 surrogate"}')
    assert r.status_code == 422
    r = api(alice)("post", room.url("/statements"), "not json")
    assert r.status_code == 400  # the shape of every 400: `errors` lists the one problem
    assert r.json()["errors"] == [{"field": None, "message": r.json()["detail"]}]
    r = api(alice)(
        "post", room.url("/statements"), {"text": "ok", "x": 1} | {"text": "y" * 2_000_000}
    )
    assert r.status_code == 413
    assert not Statement.objects.exists()


def test_html_is_stored_as_typed_and_rendered_inert(room, api, client):
    from tests.helpers import sign_in

    statement = accepted_statement(room, '<script>alert("x")</script> <b>bold</b>')
    assert Statement.objects.get(pk=statement.pk).text.startswith("<script>")
    sign_in(client, room.participants[1])
    page = client.get(f"/dialogues/{room.dialogue.pk}/meetings/{room.meeting.pk}/room/?view=list")
    assert b"<script>alert" not in page.content
    assert b"&lt;script&gt;alert" in page.content


def test_double_submission_is_refused_folded(room, api):
    alice, bob = room.participants[0], room.participants[1]
    accepted_statement(room, "Joint patrols work.", by=alice)
    r = post_statement(api, room, bob, "  JOINT patrols   work ")
    assert r.status_code == 400 and "already in the room" in r.json()["detail"]
    assert Statement.objects.count() == 1


def test_a_refusal_never_confirms_what_waits_for_the_facilitators(make_user, institution, api):
    """Another's pending or held statement (one held for naming someone least of all) is not
    the sender's to learn of: its twin goes to the facilitators, who merge it. The sender's own
    repeat is refused, and a twin of the room's statements cannot be accepted."""
    from tests.deliberation.conftest import build_room, seat

    room = build_room(make_user, institution, per_side=2)
    seat(room.dialogue, room.meeting, room.south, make_user("bly@example.org"), "Irena Bly")
    alice, bob = room.participants[0], room.participants[1]
    held = "As Irena Bly said, the unions trust each other."
    pending = "Schools on both coasts could exchange pupils."
    for text in (held, pending):
        assert post_statement(api, room, alice, text).status_code == 201
    assert {s.status for s in Statement.objects.all()} == {"held", "pending"}
    again = post_statement(api, room, alice, pending.upper())
    assert again.status_code == 400 and "waits for the facilitators" in again.json()["detail"]
    for text in (held, pending):
        assert post_statement(api, room, bob, text).status_code == 201  # as for any new text
    first = Statement.objects.filter(text=pending).order_by("pk").first()
    twin = Statement.objects.filter(text=pending).order_by("pk").last()
    f = room.users["facilitator"]
    actions.do_moderate(
        f, actions.check_moderate(f, room.dialogue.pk, room.meeting.pk, first.pk, "accept")
    )
    with pytest.raises(ActionRefused, match=f"already \\({first.pk}\\): merge this one"):
        actions.check_moderate(f, room.dialogue.pk, room.meeting.pk, twin.pk, "accept")
    actions.do_moderate(
        f,
        actions.check_moderate(
            f, room.dialogue.pk, room.meeting.pk, twin.pk, "merge", into=first.pk
        ),
    )
    assert Statement.objects.get(pk=twin.pk).status == "merged"


def test_votes_on_statements_that_take_none(room, api):
    alice = room.participants[0]
    call = api(alice)
    pending = actions.do_submit(
        actions.check_submit(alice, room.dialogue.pk, room.meeting.pk, "Pending.")
    )
    rejected = actions.do_submit(
        actions.check_submit(alice, room.dialogue.pk, room.meeting.pk, "Rejected.")
    )
    Statement.objects.filter(pk=rejected.pk).update(status="rejected")
    for statement, words in ((pending, "moderation"), (rejected, "rejected")):
        r = call("put", room.url(f"/statements/{statement.pk}/vote"), {"vote": "agree"})
        assert r.status_code == 400 and words in r.json()["detail"]
    assert call("put", room.url("/statements/123/vote"), {"vote": "agree"}).status_code == 404
    assert call("put", room.url(f"/statements/{2**63}/vote"), {"vote": "agree"}).status_code in (
        404,
        422,
    )
    assert call("put", room.url("/statements/abc/vote"), {"vote": "agree"}).status_code in (
        404,
        422,
    )
    good = accepted_statement(room, "Accepted.")
    r = call("put", room.url(f"/statements/{good.pk}/vote"), {"vote": "maybe"})
    assert r.status_code == 400 and r.json()["field"] == "vote"
    assert not Vote.objects.exists()


def test_votes_after_the_room_closed_keep_what_was_accepted(room, api):
    alice = room.participants[0]
    statement = accepted_statement(room, "Before closing.")
    vote(room, alice, statement, "agree")
    ctx = room_actions.check_close(room.users["facilitator"], room.dialogue.pk, room.meeting.pk)
    room_actions.do_close(room.users["facilitator"], ctx)
    r = api(alice)("put", room.url(f"/statements/{statement.pk}/vote"), {"vote": "disagree"})
    assert r.status_code == 400 and "closed" in r.json()["detail"]
    assert list(Vote.objects.values_list("value", flat=True)) == [1]
    r = post_statement(api, room, alice, "After closing.")
    assert r.status_code == 400


def test_who_may_not_vote(room, api):
    statement = accepted_statement(room, "Votes here.")
    for role, status in (
        ("observer", 403),
        ("unseated", 403),
        ("facilitator", 403),
        ("member_elsewhere", 404),
        ("outsider", 404),
    ):
        r = api(room.users[role])(
            "put", room.url(f"/statements/{statement.pk}/vote"), {"vote": "agree"}
        )
        assert r.status_code == status, role
    assert not Vote.objects.exists()


def test_moderation_problems_come_together(room, api):
    alice = room.participants[0]
    statement = actions.do_submit(
        actions.check_submit(alice, room.dialogue.pk, room.meeting.pk, "Dup.")
    )
    call = api(room.users["facilitator"])
    r = call("post", room.url(f"/statements/{statement.pk}/moderate"), {"decision": "reject"})
    assert r.status_code == 400 and r.json()["field"] == "reason"
    r = call(
        "post",
        room.url(f"/statements/{statement.pk}/moderate"),
        {"decision": "fix", "text": "Dup."},
    )
    assert r.status_code == 400 and "unchanged" in r.json()["detail"]
    r = call(
        "post",
        room.url(f"/statements/{statement.pk}/moderate"),
        {"decision": "merge", "into": statement.pk},
    )
    assert r.status_code == 400 and "itself" in r.json()["detail"]
    r = call(
        "post",
        room.url(f"/statements/{statement.pk}/moderate"),
        {"decision": "fix", "text": "", "reason": "r\x00"},
    )
    assert r.status_code == 422
    r = call(
        "post",
        room.url(f"/statements/{statement.pk}/moderate"),
        {"decision": "fix", "text": " ", "reason": "x" * 10},
    )
    assert r.status_code == 400
    assert {e["field"] for e in r.json()["errors"]} == {"text"}
    assert Statement.objects.get(pk=statement.pk).status == "pending"


@pytest.mark.parametrize("bad", ["", "agree ", "AGREE", "withdraw", "1"])
def test_unknown_answers(room, bad):
    statement = accepted_statement(room, "Answers.")
    from track2.errors import ActionRefused

    with pytest.raises(ActionRefused) as refusal:
        actions.check_vote(
            room.participants[0], room.dialogue.pk, room.meeting.pk, statement.pk, bad
        )
    assert refusal.value.field == "vote"
