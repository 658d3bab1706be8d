"""The room's pages for each reader (audit of the room, findings 3–5): who lands on which view,
vote buttons tied to their statement for screen readers, the facilitator's order (arrows, and
the typed order kept on a refusal) and a meeting that is over."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.deliberation.test_map import accepted_statement
from tests.facilitation.page_fields import errors_at, page_of
from tests.helpers import sign_in
from track2.audit.models import AuditEntry
from track2.deliberation import queries, room_actions
from track2.deliberation.models import Statement
from track2.errors import ActionRefused
from track2.meetings.models import Meeting

TEXTS = ["Share the fishing grounds.", "Open a hotline.", "Publish the catch data."]


def page(room, tail=""):
    return f"/dialogues/{room.dialogue.pk}/meetings/{room.meeting.pk}/room/{tail}"


@pytest.fixture
def three(room):
    return [accepted_statement(room, text) for text in TEXTS]


def room_order(room) -> list[str]:
    return [s.text for s in queries.room_statements(room.meeting)]


@pytest.mark.parametrize("role", ["observer", "liaison", "rapporteur", "facilitator", "convener"])
def test_readers_who_cannot_vote_land_on_the_list(room, three, client, role):
    sign_in(client, room.users[role])
    text = client.get(page(room)).content.decode()
    assert "Next statement" not in text
    for statement in TEXTS:
        assert statement in text
    assert "<button" not in text.split('id="list-heading"')[1]  # nothing to press
    assert "One statement at a time" not in text


def test_a_participant_lands_on_one_statement_and_each_button_names_its_statement(
    room, three, client
):
    sign_in(client, room.participants[0])
    one = client.get(page(room)).content.decode()
    assert "Next statement" in one
    listing = page_of(client.get(page(room, "?view=list")))
    for statement in three:
        described = f"statement-{statement.pk}"
        assert listing.texts[described].strip() == statement.text
    text = client.get(page(room, "?view=list")).content.decode()
    buttons = [b for b in text.split("<button")[1:] if 'name="vote"' in b]
    assert len(buttons) == 3 * len(three)
    for statement in three:
        tied = [b for b in buttons if f'aria-describedby="statement-{statement.pk}"' in b]
        assert len(tied) == 3  # agree, disagree, pass


def test_a_participant_of_a_closed_room_reads_the_list(room, three, client):
    room_actions.do_close(
        room.users["facilitator"],
        room_actions.check_close(room.users["facilitator"], room.dialogue.pk, room.meeting.pk),
    )
    sign_in(client, room.participants[0])
    text = client.get(page(room)).content.decode()
    assert "Next statement" not in text and TEXTS[0] in text


# --- the facilitator's order -----------------------------------------------------------------


def test_the_arrows_move_a_statement_and_the_ends_refuse(room, three, client):
    sign_in(client, room.users["facilitator"])
    before = room_order(room)
    last = Statement.objects.get(text=before[-1])
    moved = client.post(page(room, f"moderation/order/{last.pk}/move/"), {"direction": "up"})
    assert moved.status_code == 302 and moved["Location"].endswith(f"#s{last.pk}")
    assert room_order(room) == [before[0], before[2], before[1]]
    assert "now number 2 in the order" in client.get(moved["Location"]).content.decode()
    first = Statement.objects.get(text=before[0])
    refused = client.post(page(room, f"moderation/order/{first.pk}/move/"), {"direction": "up"})
    assert "already first" in client.get(refused["Location"]).content.decode()
    for direction in ("\x07", "", "x" * 10_000):
        bogus = client.post(
            page(room, f"moderation/order/{first.pk}/move/"), {"direction": direction}
        )
        assert "up or down" in client.get(bogus["Location"]).content.decode()
    huge = client.post(page(room, f"moderation/order/{'9' * 30}/move/"), {"direction": "up"})
    assert huge.status_code == 404
    assert room_order(room) == [before[0], before[2], before[1]]
    assert AuditEntry.objects.filter(action="reorder").count() == 1
    # A statement accepted later follows the ordered ones (on SQLite as on PostgreSQL).
    accepted_statement(room, "A late idea.")
    assert room_order(room)[-1] == "A late idea."


def test_the_page_shows_each_statements_number_and_arrows(room, three, client):
    sign_in(client, room.users["facilitator"])
    text = client.get(page(room, "moderation/")).content.decode()
    for statement in three:
        assert f"#{statement.pk}" in text
        assert f'aria-label="Move #{statement.pk} up"' in text
    assert text.count("disabled") >= 2  # the first cannot go up, the last down


@pytest.mark.parametrize(
    "typed, words",
    [
        ("abc", "“abc” is not an accepted statement"),
        ("abc 12 " + "9" * 60, "“abc”, “12”, “99999999999999999999…” are not accepted statements"),
        ("1\x00 2\x07", "invisible control characters"),
        ("1 " * 5001, "give at most 5000"),
    ],
)
def test_a_refused_order_comes_back_as_typed(room, three, client, typed, words):
    sign_in(client, room.users["facilitator"])
    before = room_order(room)
    response = client.post(page(room, "moderation/order/"), {"order": typed})
    assert response.status_code == 400
    sent_back = page_of(response)
    assert sent_back.controls["order-order"].value == typed
    assert words in errors_at(sent_back, "order-order")
    assert room_order(room) == before


def test_a_typed_order_takes_the_numbers_shown(room, three, client):
    sign_in(client, room.users["facilitator"])
    last = Statement.objects.get(text=room_order(room)[-1])
    response = client.post(page(room, "moderation/order/"), {"order": f"#{last.pk}\n"})
    assert response.status_code == 302
    assert room_order(room)[0] == last.text


def test_every_unknown_id_is_named_at_once_by_the_action(room, three):
    f = room.users["facilitator"]
    with pytest.raises(ActionRefused) as refused:
        room_actions.check_order(f, room.dialogue.pk, room.meeting.pk, ["x", str(three[0].pk), "y"])
    assert refused.value.messages() == [
        "“x”, “y” are not accepted statements of this meeting: use the numbers shown beside "
        "the statements in the room (or the arrows)."
    ]


@pytest.mark.parametrize("role", ["participant", "observer", "rapporteur", "liaison", "outsider"])
def test_only_facilitators_move_statements(room, three, client, role):
    before = room_order(room)
    sign_in(client, room.users[role])
    response = client.post(page(room, f"moderation/order/{three[1].pk}/move/"), {"direction": "up"})
    assert response.status_code == 404
    assert room_order(room) == before
    assert not AuditEntry.objects.filter(action="reorder").exists()


# --- a meeting that is over --------------------------------------------------------------------


def test_after_the_meeting_the_writer_is_told_the_room_stays_open(room, client):
    Meeting.objects.filter(pk=room.meeting.pk).update(
        starts_at=timezone.now() - timedelta(days=3), ends_at=timezone.now() - timedelta(days=2)
    )
    sign_in(client, room.participants[0])
    form = client.get(page(room, "statements/new/")).content.decode()
    assert "This meeting is over. Its room stays open until the facilitators close it" in form
    sent = client.post(page(room, "statements/new/"), {"text": "Late but useful."}, follow=True)
    told = sent.content.decode()
    assert "waits for the facilitators" in told
    assert "This meeting is over: its room stays open until the facilitators close it" in told
    sign_in(client, room.users["facilitator"])
    settings = client.get(page(room, "settings/")).content.decode()
    assert "This meeting is over, and its room is still open" in settings


def test_during_the_meeting_nothing_is_said_of_its_end(room, client):
    sign_in(client, room.participants[0])
    sent = client.post(page(room, "statements/new/"), {"text": "On time."}, follow=True)
    assert "This meeting is over" not in sent.content.decode()
