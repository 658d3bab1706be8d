"""What the survey pages say (audit of the impact app, finding 7): who reads the free text, a
side named as a delegation, the count of a closed survey, and the confirmation before closing
a survey for good."""

from __future__ import annotations

import html

from tests.helpers import sign_in
from tests.impact.test_actions import answer
from track2.dialogues.models import Delegation
from track2.impact import actions


def survey_page(world, survey):
    return f"/dialogues/{world.dialogue.pk}/impact/surveys/{survey.pk}/"


def test_the_free_text_says_who_reads_it(client, world, survey):
    sign_in(client, world["ostrava0"])
    text = html.unescape(client.get(survey_page(world, survey)).content.decode())
    assert "read by the conveners only" not in text
    assert "Read by this dialogue's facilitators and conveners only" in text


def test_a_side_named_as_a_delegation_is_not_called_a_delegation_twice(client, world, survey):
    Delegation.objects.filter(dialogue=world.dialogue, name="Norvik").update(
        name="Federation of Norvik delegation"
    )
    sign_in(client, world["ostrava0"])
    text = client.get(survey_page(world, survey)).content.decode()
    assert "Your feeling toward the Federation of Norvik delegation (0–100)" in text
    assert "delegation delegation" not in text
    sign_in(client, world["norvik0"])  # the other side's name has no "delegation" in it
    text = client.get(survey_page(world, survey)).content.decode()
    assert "Your feeling toward the Ostrava delegation (0–100)" in text


def test_a_closed_survey_counts_its_responses_without_so_far(client, world, survey):
    for name in ("ostrava0", "ostrava1", "norvik0"):
        answer(world, world[name], survey)
    sign_in(client, world["facilitator"])
    assert "3 responses so far." in client.get(survey_page(world, survey)).content.decode()
    actions.do_close_survey(world["facilitator"], world.dialogue.pk, survey.pk)
    text = client.get(survey_page(world, survey)).content.decode()
    assert "so far" not in text and "3 responses (the survey is closed)." in text


def test_closing_a_survey_asks_first(client, world, survey):
    sign_in(client, world["facilitator"])
    text = html.unescape(
        client.get(f"/dialogues/{world.dialogue.pk}/impact/surveys/").content.decode()
    )
    button = text.split("Close the survey</button>")[0].rsplit("<button", 1)[1]
    assert 'data-confirm="Close the survey “round 1, before the meeting” for good?' in button
    assert "cannot be opened again" in button
