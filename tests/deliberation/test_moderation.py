"""Moderation: reasons only the submitter reads, typo fixes shown, merges without double
counting, the non-attribution check, post-moderation and notes to the facilitators."""

from __future__ import annotations

import pytest

from tests.deliberation.conftest import build_room
from tests.deliberation.test_map import accepted_statement, vote
from track2.audit.models import AuditEntry
from track2.deliberation import actions, nonattribution, queries
from track2.deliberation.models import Room, Statement, Vote


def submit(room, user, text, **kw):
    return actions.do_submit(
        actions.check_submit(user, room.dialogue.pk, room.meeting.pk, text, **kw)
    )


def moderate(room, statement, decision, **kw):
    f = room.users["facilitator"]
    return actions.do_moderate(
        f,
        actions.check_moderate(f, room.dialogue.pk, room.meeting.pk, statement.pk, decision, **kw),
    )


def test_reject_reason_reaches_only_the_submitter(room, api):
    alice, bob = room.participants[0], room.participants[1]
    statement = submit(room, alice, "An off-topic remark.")
    moderate(room, statement, "reject", reason="Off topic for this agenda item.")
    mine = api(alice)("get", room.url("/statements?view=mine")).json()["items"]
    assert mine == [
        {
            "id": statement.pk,
            "text": "An off-topic remark.",
            "status": "rejected",
            "to_facilitator": False,
            "reason": "Off topic for this agenda item.",
            "merged_into": None,
            "edits": [],
        }
    ]
    assert api(bob)("get", room.url("/statements?view=mine")).json()["items"] == []
    assert api(bob)("get", room.url("/statements")).json()["items"] == []
    # The audit trail records the facilitator's decision, never who wrote the statement.
    entry = AuditEntry.objects.get(action="moderate_reject")
    assert entry.actor == room.users["facilitator"] and entry.person_id is None


def test_typo_fix_is_shown_with_the_change(room, api):
    """The room learns that the facilitators corrected a statement; the wording before the fix
    only its author and the facilitators read."""
    author = room.participants[0]
    statement = accepted_statement(room, "Fishng quotas should be shared.", by=author)
    moderate(room, statement, "fix", text="Fishing quotas should be shared.")
    item = api(room.participants[3])("get", room.url("/statements")).json()["items"][0]
    assert item["text"] == "Fishing quotas should be shared."
    assert item["edited"] == 1 and "edits" not in item
    change = [
        {"before": "Fishng quotas should be shared.", "after": "Fishing quotas should be shared."}
    ]
    mine = api(author)("get", room.url("/statements?view=mine")).json()["items"]
    assert mine[0]["edits"] == change
    facilitator = queries.statement_for_facilitator(Statement.objects.get(pk=statement.pk))
    assert facilitator["edits"] == change


def test_a_name_fixed_away_is_not_shown_to_the_room(make_user, institution, api, client):
    """The hold message offers a fix as the way to remove a name; the room must not then read
    the name in the statement's history, through the API or on the room's page."""
    room = build_room(make_user, institution, per_side=2)
    from tests.deliberation.conftest import seat

    seat(room.dialogue, room.meeting, room.south, make_user("bly@example.org"), "Irena Bly")
    author = room.participants[0]
    held = submit(room, author, "As Irena Bly said, the unions already trust each other.")
    assert held.status == "held"
    moderate(
        room, held, "fix", text="As one participant said, the unions already trust each other."
    )
    moderate(room, held, "accept")
    readers = [*room.participants[1:], room.users["observer"], room.users["rapporteur"]]
    readers += [room.users["liaison"], room.users["convener"]]
    for reader in readers:
        listed = api(reader)("get", room.url("/statements")).content.decode()
        assert "Bly" not in listed and "one participant" in listed
        client.force_login(reader)
        pages = f"/dialogues/{room.dialogue.pk}/meetings/{room.meeting.pk}/room/"
        listing = client.get(pages + "?view=list").content.decode()
        assert "Bly" not in listing and "Corrected by the facilitators." in listing, reader
        assert "Bly" not in client.get(pages).content.decode(), reader
    mine = api(author)("get", room.url("/statements?view=mine")).json()["items"]
    assert "Irena Bly" in mine[0]["edits"][0]["before"]  # the author's own words


def test_merge_carries_votes_without_double_counting(room):
    a, b, c = room.participants[:3]
    target = accepted_statement(room, "Share the fishing grounds.")
    twin = accepted_statement(room, "The fishing grounds should be shared.")
    vote(room, a, target, "agree")
    vote(room, a, twin, "disagree")  # voted on both: keeps their vote on the target
    vote(room, b, twin, "agree")  # only on the twin: carried over
    vote(room, c, target, "pass")
    moderate(room, twin, "merge", into=target.pk)
    assert sorted(Vote.objects.filter(statement=target).values_list("value", flat=True)) == [
        0,
        1,
        1,
    ]
    assert not Vote.objects.filter(statement=twin).exists()
    assert Statement.objects.get(pk=twin.pk).status == "merged"
    mine = queries.listing_for(room.participants[0], room.dialogue.pk, room.meeting.pk, "mine")
    merged = [mine.render(s) for s in mine.rows if s.pk == twin.pk][0]
    assert merged["merged_into"] == "Share the fishing grounds."


@pytest.mark.parametrize(
    "text",
    [
        "As Dr PETROVA said, quotas matter.",
        "As Dr Petróva said, quotas matter.",
        "petrova's view on quotas",
        "Write to elena.petrova@example.org about it.",
        "The Institute of Marine Studies thinks so.",
        "THE INSTITUTE OF MARINE STUDIES thinks so.",
    ],
)
def test_naming_someone_holds_the_statement(make_user, institution, text):
    room = build_room(make_user, institution, per_side=2)
    from tests.deliberation.conftest import seat

    seat(
        room.dialogue,
        room.meeting,
        room.south,
        make_user("petrova@example.org"),
        "Elena Petrova",
        email="elena.petrova@example.org",
        organisation="Institute of Marine Studies",
    )
    statement = submit(room, room.participants[0], text)
    assert statement.status == "held"
    assert statement.moderations.get().decision == "hold"
    # Reading the queue, the facilitator sees what it may name.
    terms = nonattribution.people_terms(room.dialogue)
    assert nonattribution.named_terms(text, terms)


def test_words_that_only_contain_a_name_are_not_held(room):
    assert nonattribution.fold("Ünïcode  ÉLAN—test") == "unicode elan test"
    statement = submit(room, room.participants[0], "Personalities aside, quotas matter.")
    assert statement.status == "pending"


def test_post_moderation_shows_at_once_and_notes_stay_private(room, api):
    Room.objects.update_or_create(meeting=room.meeting, defaults={"moderation": "post"})
    alice = room.participants[0]
    shown = submit(room, alice, "Shown at once.")
    note = submit(room, alice, "Only for the facilitators.", for_facilitator=True)
    assert shown.status == "accepted" and note.is_for_facilitator
    room_items = api(room.participants[2])("get", room.url("/statements")).json()["items"]
    assert [i["id"] for i in room_items] == [shown.pk]
    notes = api(room.users["facilitator"])("get", room.url("/statements?view=notes")).json()[
        "items"
    ]
    assert [i["text"] for i in notes] == ["Only for the facilitators."]
    r = api(room.users["facilitator"])(
        "post", room.url(f"/statements/{note.pk}/moderate"), {"decision": "accept"}
    )
    assert r.status_code == 400
    r = api(room.participants[2])("put", room.url(f"/statements/{note.pk}/vote"), {"vote": "agree"})
    assert r.status_code == 404
