"""A statement flagged as naming someone is put in the room only on the facilitator's explicit
word ("I have checked: it names no one"), which the action enforces, and the moderation page
says what each decision did: accepted over the flag, fixed and still held (and why), fixed and
no longer held. (Audit of the room, findings 1 and 2.)"""

from __future__ import annotations

import pytest

from tests.deliberation.conftest import build_room, seat
from tests.deliberation.test_map import accepted_statement
from tests.facilitation.page_fields import errors_at, page_of
from tests.helpers import sign_in
from track2.audit.models import AuditEntry
from track2.deliberation import actions
from track2.deliberation.models import Moderation, Statement
from track2.dialogues.models import DelegationMember
from track2.errors import ActionRefused
from track2.meetings.models import Meeting

NAMING = "As Irena Bly said, the unions already trust each other."
PLAIN = "The text contains invisible control characters; remove them and send again."
CLEAN = "As one participant said, the unions already trust each other."


@pytest.fixture
def bly_room(make_user, institution):
    room = build_room(make_user, institution, per_side=2)
    seat(room.dialogue, room.meeting, room.south, make_user("bly@example.org"), "Irena Bly")
    return room


def submit(room, text, by=None):
    by = by or room.participants[0]
    return actions.do_submit(actions.check_submit(by, room.dialogue.pk, room.meeting.pk, text))


def check(room, statement, decision, **kw):
    return actions.check_moderate(
        room.users["facilitator"], room.dialogue.pk, room.meeting.pk, statement.pk, decision, **kw
    )


def moderate(room, statement, decision, **kw):
    return actions.do_moderate(room.users["facilitator"], check(room, statement, decision, **kw))


def page(room, tail=""):
    return f"/dialogues/{room.dialogue.pk}/meetings/{room.meeting.pk}/room/{tail}"


def test_a_held_statement_is_accepted_only_on_the_facilitators_word(bly_room):
    held = submit(bly_room, NAMING)
    assert held.status == "held"
    with pytest.raises(ActionRefused) as refused:
        check(bly_room, held, "accept")
    assert refused.value.field == "names_checked"
    assert (
        "“irena bly”" in refused.value.message and "observers and liaisons" in refused.value.message
    )
    assert Statement.objects.get(pk=held.pk).status == "held"
    accepted = moderate(bly_room, held, "accept", names_checked=True)
    assert accepted.status == "accepted"
    # Who published a flagged text is in the audit trail, as such (never who wrote it).
    entry = AuditEntry.objects.get(action="moderate_accept_named")
    assert entry.actor == bly_room.users["facilitator"] and entry.person_id is None


def test_a_held_statement_whose_name_left_the_list_still_needs_the_word(bly_room):
    held = submit(bly_room, NAMING)
    # The list changes: Irena Bly leaves the meeting and her delegation.
    bly_room.meeting.participants.filter(person__full_name="Irena Bly").delete()
    DelegationMember.objects.filter(person__full_name="Irena Bly").delete()
    with pytest.raises(ActionRefused, match="it matches nobody now"):
        check(bly_room, held, "accept")
    assert moderate(bly_room, held, "accept", names_checked=True).status == "accepted"


def test_a_pending_statement_that_names_nobody_needs_no_word(bly_room):
    pending = submit(bly_room, "Joint patrols work.")
    assert moderate(bly_room, pending, "accept").status == "accepted"
    assert AuditEntry.objects.filter(action="moderate_accept").count() == 1


def test_on_the_record_names_may_be_quoted(bly_room):
    held = submit(bly_room, NAMING)
    Meeting.objects.filter(pk=bly_room.meeting.pk).update(attribution_mode="on_record")
    assert moderate(bly_room, held, "accept").status == "accepted"


def test_a_fix_that_still_names_someone_stays_held_and_says_so(bly_room):
    author = bly_room.participants[0]
    held = submit(bly_room, NAMING, by=author)
    fixed = moderate(
        bly_room, held, "fix", text="As Bly said, the unions already trust each other."
    )
    assert fixed.status == "held"
    # The submitter reads "held" with the reason, after the fix as before it.
    last = Moderation.objects.filter(statement=held).order_by("-number").first()
    assert last.decision == "hold" and "may name" in last.reason
    fixed = moderate(bly_room, held, "fix", text=CLEAN)
    assert fixed.status == "pending"
    assert moderate(bly_room, held, "accept").status == "accepted"


def test_a_fix_of_a_waiting_statement_that_adds_a_name_holds_it(bly_room):
    pending = submit(bly_room, "The unions already trust each other.")
    assert pending.status == "pending"
    fixed = moderate(bly_room, pending, "fix", text=NAMING)
    assert fixed.status == "held"
    assert Moderation.objects.filter(statement=pending, decision="hold").exists()


def test_a_fix_that_puts_a_name_in_the_room_needs_the_word(bly_room):
    statement = accepted_statement(bly_room, "The unions already trust each other.")
    with pytest.raises(ActionRefused) as refused:
        check(bly_room, statement, "fix", text=NAMING)
    assert refused.value.field == "names_checked" and "in the room" in refused.value.message
    assert Statement.objects.get(pk=statement.pk).text == "The unions already trust each other."
    fixed = moderate(bly_room, statement, "fix", text=NAMING, names_checked=True)
    assert fixed.text == NAMING and fixed.status == "accepted"


# --- the page ------------------------------------------------------------------------------


def test_the_page_asks_for_the_word_and_says_what_was_done(bly_room, client):
    held = submit(bly_room, NAMING)
    sign_in(client, bly_room.users["facilitator"])
    queue = page_of(client.get(page(bly_room, "moderation/")))
    box = queue.controls[f"queue{held.pk}-names_checked"]
    assert box.attrs["type"] == "checkbox"
    assert "I have checked: it names no one" in queue.texts.get(f"s{held.pk}", "")

    url = page(bly_room, f"moderation/{held.pk}/")
    refused = client.post(url, {"form": "queue", "decision": "accept", "reason": "Kept."})
    assert refused.status_code == 400
    sent_back = page_of(refused)
    assert "irena bly" in errors_at(sent_back, f"queue{held.pk}-names_checked")
    assert sent_back.controls[f"queue{held.pk}-reason"].value == "Kept."  # as typed
    assert Statement.objects.get(pk=held.pk).status == "held"

    done = client.post(url, {"form": "queue", "decision": "accept", "names_checked": "on"})
    assert done.status_code == 302
    told = client.get(done["Location"]).content.decode()
    assert "Accepted on your check that it names no one" in told
    assert "observers and liaisons included" in told
    assert Statement.objects.get(pk=held.pk).status == "accepted"


def test_the_page_says_a_fix_is_still_held_and_why(bly_room, client):
    held = submit(bly_room, NAMING)
    sign_in(client, bly_room.users["facilitator"])
    url = page(bly_room, f"moderation/{held.pk}/")
    still = "As Bly said, the unions already trust each other."
    told = client.post(url, {"form": "queue", "decision": "fix", "text": still}, follow=True)
    text = told.content.decode()
    assert "Fix saved, but the statement is still held: it may name “bly”" in text
    assert "Decision recorded." not in text
    told = client.post(url, {"form": "queue", "decision": "fix", "text": CLEAN}, follow=True)
    assert "no longer names anyone of the dialogue" in told.content.decode()
    # The submitter's own list follows: held while it named someone, waiting now.
    sign_in(client, bly_room.participants[0])
    mine = client.get(page(bly_room, "mine/")).content.decode()
    assert "waiting for moderation" in mine


def test_bad_decisions_come_back_with_every_problem_and_what_was_typed(bly_room, client):
    pending = submit(bly_room, "Joint patrols work.")
    sign_in(client, bly_room.users["facilitator"])
    url = page(bly_room, f"moderation/{pending.pk}/")
    for sent, field, words in [
        ({"decision": "reject", "reason": ""}, "reason", "Give the reason"),
        ({"decision": "reject", "reason": "r" * 700}, "reason", "at most 500 characters"),
        ({"decision": "reject", "reason": "No\x00 \x07bell"}, "reason", "invisible control"),
        ({"decision": "fix", "text": "Joint\x00 \x07patrols"}, "text", "invisible control"),
        ({"decision": "fix", "text": "x" * 700}, "text", "at most 600 characters"),
        ({"decision": "fix", "text": "   "}, "text", "it is empty"),
        ({"decision": "merge", "into": "9" * 40}, "into", "No statement with that id"),
        ({"decision": "merge", "into": ""}, "into", "Say which statement"),
        ({"decision": "bogus"}, "decision", "Select a valid choice"),
    ]:
        response = client.post(url, {"form": "queue", **sent})
        assert response.status_code == 400, sent
        sent_back = page_of(response)
        assert words in errors_at(sent_back, f"queue{pending.pk}-{field}"), sent
        if sent.get(field) and field in ("text", "reason"):  # a select shows what it offers
            assert sent_back.controls[f"queue{pending.pk}-{field}"].value == sent[field], sent
    # Both problems of one decision at once.
    response = client.post(url, {"form": "queue", "decision": "fix", "text": "   ",
                                 "reason": "\x07"})  # fmt: skip
    sent_back = page_of(response)
    assert "it is empty" in errors_at(sent_back, f"queue{pending.pk}-text")
    assert "invisible control" in errors_at(sent_back, f"queue{pending.pk}-reason")
    assert Statement.objects.get(pk=pending.pk).status == "pending"


def test_a_refused_form_without_its_place_on_the_page_is_told_above_it(bly_room, client):
    statement = accepted_statement(bly_room, "The unions already trust each other.")
    sign_in(client, bly_room.users["facilitator"])
    # The queue's form, for a statement no longer waiting (accepted meanwhile).
    response = client.post(page(bly_room, f"moderation/{statement.pk}/"),
                           {"form": "queue", "decision": "reject", "reason": ""})  # fmt: skip
    assert response.status_code == 400
    assert "Give the reason" in response.content.decode()


def test_a_fix_in_the_room_comes_back_in_its_own_box(bly_room, client):
    statement = accepted_statement(bly_room, "The unions already trust each other.")
    sign_in(client, bly_room.users["facilitator"])
    url = page(bly_room, f"moderation/{statement.pk}/")
    response = client.post(url, {"form": "fix", "decision": "fix", "text": NAMING})
    assert response.status_code == 400
    sent_back = page_of(response)
    assert sent_back.controls[f"fix{statement.pk}-text"].value == NAMING
    assert "in the room" in errors_at(sent_back, f"fix{statement.pk}-names_checked")
    response = client.post(url, {"form": "remove", "decision": "reject", "reason": ""})
    assert "Give the reason" in errors_at(page_of(response), f"remove{statement.pk}-reason")


def test_a_nul_and_a_bell_make_one_plain_message(room, client):
    sign_in(client, room.participants[0])
    response = client.post(page(room, "statements/new/"), {"text": "Fish\x00 and \x07chips."})
    assert response.status_code == 400
    sent_back = page_of(response)
    errors_at(sent_back, "id_text")  # marked, and its errors named
    assert sent_back.texts["id_text_error"].strip() == PLAIN
    assert "Null characters" not in response.content.decode()
    assert page_of(response).controls["id_text"].value == "Fish\x00 and \x07chips."
    with pytest.raises(ActionRefused) as refused:
        actions.check_submit(room.participants[0], room.dialogue.pk, room.meeting.pk, "a\x07b")
    assert refused.value.messages() == [PLAIN]
    assert not Statement.objects.exists()


def test_the_api_takes_the_word_too(bly_room, api):
    held = submit(bly_room, NAMING)
    call = api(bly_room.users["facilitator"])
    url = (
        f"/api/v1/dialogues/{bly_room.dialogue.pk}/meetings/{bly_room.meeting.pk}"
        f"/statements/{held.pk}/moderate"
    )
    refused = call("post", url, {"decision": "accept"})
    assert refused.status_code == 400 and refused.json()["field"] == "names_checked"
    assert Statement.objects.get(pk=held.pk).status == "held"
    done = call("post", url, {"decision": "accept", "names_checked": True})
    assert done.status_code == 200 and done.json()["status"] == "accepted"
