"""Writing a recommendation (audit of the impact app, finding 6): a due date before the
recommendation's date and a paragraph key that is not one are refused by every door; the page
offers the paragraphs as a choice and shows every problem at once with what was typed; control
characters get one plain message (finding 8)."""

from __future__ import annotations

import html

import pytest

from tests.facilitation.page_fields import errors_at, page_of
from tests.helpers import sign_in
from tests.impact.conftest import past
from tests.outcomes.test_api import call
from track2.errors import ActionRefused
from track2.impact import actions
from track2.impact.models import Recommendation

PLAIN = "The text contains invisible control characters; remove them and send again."


def recommend(world, **given):
    fields = {"title": "Hotline", "text": "Open a hotline.", "target_kind": "ministry",
              "target_institution": "Ministry of the Sea"} | given  # fmt: skip
    return actions.do_recommend(world["liaison"], world.dialogue.pk, **fields)


def problems_of(call_) -> dict[str | None, str]:
    with pytest.raises(ActionRefused) as refused:
        call_()
    return dict(refused.value.problems)


def test_a_due_date_before_the_recommendation_is_refused(world):
    found = problems_of(
        lambda: recommend(world, recommended_on=past(10).isoformat(), due_on=past(20).isoformat())
    )
    assert "is before the recommendation was made" in found["due_on"]
    assert not Recommendation.objects.exists()
    # On the day itself, or after: fine, even in the past (recorded late).
    assert recommend(world, recommended_on=past(10), due_on=past(10)).due_on == past(10)


def test_a_paragraph_key_is_refused_without_its_document_or_unknown(world, statement_doc):
    found = problems_of(lambda: recommend(world, paragraph_key="nonexistent"))
    assert "choose the document as well" in found["paragraph_key"]
    found = problems_of(
        lambda: recommend(world, document_id=statement_doc.pk, paragraph_key="nonexistent")
    )
    assert "no paragraph “nonexistent”" in found["paragraph_key"]
    assert "fish, data, line" in found["paragraph_key"]  # what it could have been
    found = problems_of(lambda: recommend(world, document_id=statement_doc.pk, text=""))
    assert "Choose the paragraph" in found["paragraph_key"]
    assert not Recommendation.objects.exists()


def test_every_problem_at_once_through_the_api(client, world, statement_doc):
    response = call(client, world["liaison"], "post",
                    f"/dialogues/{world.dialogue.pk}/impact/recommendations",
                    {"title": "Hotline", "text": "Do it.", "target_kind": "un",
                     "target_institution": "UN", "recommended_on": "2026-01-01",
                     "due_on": "2000-01-01", "paragraph_key": "nonexistent"})  # fmt: skip
    assert response.status_code in (400, 422)
    text = response.content.decode()
    assert "before the recommendation was made" in text and "choose the document" in text
    assert not Recommendation.objects.exists()


def test_the_page_offers_the_paragraphs_as_a_choice(client, world, statement_doc):
    sign_in(client, world["liaison"])
    form = page_of(client.get(f"/dialogues/{world.dialogue.pk}/impact/"))
    choice = form.controls["id_paragraph_key"]
    assert choice.tag == "select"
    text = client.get(f"/dialogues/{world.dialogue.pk}/impact/").content.decode()
    for key in ("fish", "data", "line"):
        assert f'value="{statement_doc.pk}:{key}"' in text
    assert "Paragraph key" not in text
    response = client.post(f"/dialogues/{world.dialogue.pk}/impact/", {
        "title": "Hotline", "text": "", "target_kind": "ministry",
        "target_institution": "Ministry of the Sea", "priority": "high",
        "paragraph_key": f"{statement_doc.pk}:line",
    })  # fmt: skip
    assert response.status_code == 302
    made = Recommendation.objects.get()
    assert (made.document_id, made.paragraph_key) == (statement_doc.pk, "line")
    assert made.text == "A hotline between coast guards."


def test_the_page_shows_every_problem_at_once_and_keeps_what_was_typed(
    client, world, statement_doc
):
    sign_in(client, world["liaison"])
    sent = {
        "title": "Hot\x00line\x07", "text": "w" * 6000, "target_kind": "ministry",
        "target_institution": "", "priority": "high", "recommended_on": "2026-01-01",
        "due_on": "2000-01-01", "paragraph_key": f"{statement_doc.pk}:nonexistent",
    }  # fmt: skip
    response = client.post(f"/dialogues/{world.dialogue.pk}/impact/", sent)
    assert response.status_code == 400
    page = page_of(response)
    assert page.texts["id_title_error"].strip() == PLAIN
    assert "at most 5000 characters" in errors_at(page, "id_text")
    assert "required" in errors_at(page, "id_target_institution")
    assert "before the recommendation was made (2026-01-01)" in errors_at(page, "id_due_on")
    assert "Select a valid choice" in errors_at(page, "id_paragraph_key")
    assert page.controls["id_title"].value == sent["title"]
    assert page.controls["id_text"].value == sent["text"]
    assert page.controls["id_due_on"].value == "2000-01-01"
    # A huge year and a number where a date goes: marked as well, nothing saved.
    response = client.post(f"/dialogues/{world.dialogue.pk}/impact/",
                           {**sent, "title": "Hotline", "recommended_on": "99999-01-01",
                            "due_on": "9" * 40})  # fmt: skip
    page = page_of(response)
    assert errors_at(page, "id_recommended_on") and errors_at(page, "id_due_on")
    assert not Recommendation.objects.exists()


def test_other_impact_forms_say_it_plainly_too(client, world):
    sign_in(client, world["liaison"])
    response = client.post(f"/dialogues/{world.dialogue.pk}/impact/notifications/", {
        "informed": "MFA\x00\x07", "informed_on": past(2).isoformat(), "informed_by": "Director",
    })  # fmt: skip
    assert response.status_code == 400
    text = html.unescape(response.content.decode())
    assert text.count(PLAIN) == 1 and "Null characters" not in text and "U+0007" not in text
    problems = problems_of(lambda: actions.do_notify(
        world["liaison"], world.dialogue.pk, informed="M\x07", informed_on=past(2),
        informed_by="D"))  # fmt: skip
    assert problems == {"informed": PLAIN}


def test_a_refused_relay_or_reaction_shows_every_problem_at_once(client, world, recommendation):
    """The relay's and the reaction's forms check the action's rules with the form's."""
    base = f"/dialogues/{world.dialogue.pk}/impact/recommendations/{recommendation.pk}/"
    sign_in(client, world["liaison"])
    response = client.post(base + "relays/", {
        "briefed": "MFA\x07", "channel": "meeting", "relayed_on": past(60).isoformat(),
        "version_number": "9" * 30,
    })  # fmt: skip
    assert response.status_code == 400
    text = html.unescape(response.content.decode())
    assert PLAIN in text and "before the recommendation was made" in text
    assert "Enter a number" in text
    response = client.post(base + "reactions/", {
        "status": "adopted", "reacted_on": past(60).isoformat(),
        "evidence_url": "ftp:/nope", "evidence_text": "x" * 6000,
    })  # fmt: skip
    text = html.unescape(response.content.decode())
    assert "before the recommendation was made" in text and "not a web address" in text
    assert "at most 5000 characters" in text
    from track2.impact.models import Reaction, Relay

    assert not Relay.objects.exists() and not Reaction.objects.exists()
