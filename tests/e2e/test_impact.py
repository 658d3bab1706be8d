"""Browser: a liaison records a relay and a reaction with evidence (and sees the word diff), a
participant answers a before and an after survey, and a convener opens the evaluation and sees
the change in trust and the funnel."""

import pytest
from playwright.sync_api import expect

from tests.helpers import sign_in_page
from tests.impact.conftest import past, recommendation, survey  # noqa: F401  (fixtures)
from tests.impact.test_actions import answer
from tests.outcomes.conftest import statement_doc, world  # noqa: F401  (fixtures)
from track2.impact import actions
from track2.impact.models import Reaction, Relay, Response

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ADOPTED = "A hotline between the two coast guards."


def test_relay_reaction_surveys_and_the_evaluation(
    live_server,
    new_page,
    world,  # noqa: F811
    recommendation,  # noqa: F811
    survey,  # noqa: F811
):
    base = live_server.url
    d = world.dialogue.pk
    liaison = new_page()
    sign_in_page(liaison, base, "liaison@example.org")
    liaison.goto(f"{base}/dialogues/{d}/impact/recommendations/{recommendation.pk}/")
    liaison.get_by_label("Official or institution briefed").fill("Maritime Affairs Department")
    liaison.get_by_label("Channel").select_option("non_paper")
    liaison.get_by_label("Relayed on").fill(past(3).isoformat())
    liaison.get_by_role("button", name="Record the relay").click()
    expect(liaison.get_by_text("The relay is recorded.")).to_be_visible()
    liaison.get_by_label("Reaction:", exact=True).select_option("adopted")
    liaison.get_by_label("On:", exact=True).fill(past(1).isoformat())
    liaison.get_by_label("Evidence: the words adopted (quoted)").fill(ADOPTED)
    liaison.get_by_label("Evidence: link").fill("https://example.org/communique")
    liaison.get_by_role("button", name="Record the reaction").click()
    expect(liaison.get_by_text("The reaction is recorded.")).to_be_visible()
    expect(liaison.locator("[data-diff] ins")).to_contain_text("the two")
    assert Relay.objects.count() == 1 and Reaction.objects.get().status == "adopted"

    after = actions.do_open_survey(world["facilitator"], d, round_number=1, phase="after")
    participant = new_page()
    sign_in_page(participant, base, "ostrava0@example.org")
    for item, warmth in ((survey, "30"), (after, "70")):
        participant.goto(f"{base}/dialogues/{d}/impact/surveys/{item.pk}/")
        participant.get_by_label("Your feeling toward the Norvik delegation (0–100)").fill(warmth)
        for code in ("keeps_word", "good_faith", "shares_concerns"):
            participant.locator(f'input[name="trust_{code}"][value="3"]').check()
        participant.get_by_label("Likelihood of a serious incident").fill("40")
        participant.get_by_role("button", name="Send my answers").click()
        expect(participant.get_by_text("your answers are recorded anonymously")).to_be_visible()
    assert Response.objects.filter(delegation_id__isnull=False).count() == 2
    # The rest of the room answers too (through the same action), so that figures pass k.
    for name in ("ostrava1", "ostrava2", "norvik0", "norvik1", "norvik2"):
        answer(world, world[name], survey, warmth=30)
        answer(world, world[name], after, warmth=72)

    convener = new_page()
    sign_in_page(convener, base, "convener@example.org")
    convener.goto(f"{base}/dialogues/{d}/impact/")
    convener.get_by_role("link", name="Evaluation").click()
    warmth = convener.locator('table[data-measure="thermometer"]').first
    expect(warmth).to_contain_text("all delegations")
    expect(warmth.locator("[data-change]").first).to_contain_text("41.67")
    expect(convener.locator("table[data-funnel]")).to_contain_text("adopted")
    expect(convener.locator('img[alt*="funnel"]')).to_be_visible()
