"""Browser: a facilitator drafts a joint statement, a participant proposes an amendment, the
facilitator accepts it, participants of both sides respond (one objects), the consensus level
updates, and an earlier endorser is asked to confirm again."""

import pytest
from playwright.sync_api import expect

from tests.helpers import sign_in_page
from tests.outcomes.conftest import world  # noqa: F401  (the fixture)
from track2.outcomes.models import Amendment, Endorsement, OutcomeDocument

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _respond(page, url: str, grade: str, reason: str = "") -> None:
    page.goto(url)
    page.get_by_label(grade, exact=True).check()
    if reason:
        page.get_by_label("Reason (optional)").fill(reason)
    page.get_by_role("button", name="Record my response").click()
    expect(page.get_by_text("Your response is recorded on this version.")).to_be_visible()


@pytest.mark.long
def test_draft_amend_endorse_and_confirm_again(live_server, new_page, world):  # noqa: F811
    base = live_server.url
    people = {}
    for name in ("facilitator", "ostrava0", "ostrava1", "ostrava2", "norvik0"):
        people[name] = new_page()
        sign_in_page(people[name], base, f"{name}@example.org")
    facilitator = people["facilitator"]
    facilitator.goto(f"{base}/dialogues/{world.dialogue.pk}/outcomes/")
    facilitator.get_by_label("Type").select_option("joint_statement")
    facilitator.get_by_label("Title").fill("Varena Sea: joint statement")
    facilitator.get_by_label("Text").fill(
        "## Incidents\n\nA hotline between coast guards.\n\nShare near-miss reports."
    )
    facilitator.get_by_role("button", name="Create the first version").click()
    expect(facilitator.get_by_text("A hotline between coast guards.").first).to_be_visible()
    document = OutcomeDocument.objects.get()
    url = f"{base}/dialogues/{world.dialogue.pk}/outcomes/{document.pk}/"

    _respond(people["ostrava0"], url, "endorse")

    norvik = people["norvik0"]
    norvik.goto(url)
    # Open the paragraph's amendment form (a <details> per paragraph).
    norvik.locator("summary", has_text="A hotline between coast guards.").click()
    norvik.locator("textarea[data-paragraph]").first.fill(
        "A hotline between coast guards, day and night."
    )
    norvik.get_by_role("button", name="Propose").first.click()
    expect(norvik.get_by_text("Your amendment is proposed.")).to_be_visible()

    facilitator.goto(url)
    facilitator.get_by_role("button", name="Accept").click()
    expect(facilitator.get_by_text("Amendment accepted.")).to_be_visible()
    assert Amendment.objects.get().status == "accepted"

    earlier = people["ostrava0"]
    earlier.goto(url)
    expect(earlier.get_by_role("alert")).to_contain_text("confirm your response again")

    _respond(people["ostrava1"], url, "endorse")
    _respond(norvik, url, "object", "The operator must be neutral.")
    _respond(people["ostrava2"], url, "endorse")
    facilitator.goto(url)
    ostrava_row = facilitator.get_by_role("row").filter(has_text="Ostrava")
    expect(ostrava_row).to_contain_text("not enough responses")
    _respond(earlier, url, "endorse")
    expect(earlier.get_by_role("alert")).to_have_count(0)
    facilitator.goto(url)
    expect(facilitator.get_by_role("row").filter(has_text="Ostrava")).to_contain_text(
        "full consensus"
    )
    assert Endorsement.objects.filter(grade="object").count() == 1


def test_edit_from_the_page_add_a_draft_and_compare(live_server, new_page, world):  # noqa: F811
    from tests.outcomes.conftest import SECTIONS
    from track2.outcomes import actions

    base = live_server.url
    page = new_page()
    sign_in_page(page, base, "facilitator@example.org")
    document = actions.do_create(
        world["facilitator"], world.dialogue.pk, kind="joint_statement", title="Varena Sea",
        sections=SECTIONS,
    )  # fmt: skip
    url = f"{base}/dialogues/{world.dialogue.pk}/outcomes/{document.pk}/"
    page.goto(url)
    page.get_by_role("link", name="Edit the text (a new version)").click()
    text = page.get_by_label("Text")
    text.fill(text.input_value().replace("A hotline between coast guards.", "A hotline, always."))
    page.get_by_role("button", name="Save as a new version").click()
    expect(page.get_by_text("Version 2 is made.")).to_be_visible()
    expect(page.locator("#p-line")).to_have_text("A hotline, always.")  # the key followed

    page.locator("#add-draft summary", has_text="A hotline, always.").click()
    page.locator("textarea[data-draft-for='line']").fill("A hotline staffed by both sides.")
    page.get_by_role("button", name="Add the draft").first.click()
    expect(page.locator("#drafts")).to_contain_text("A hotline staffed by both sides.")

    page.get_by_label("Compare version").select_option("1")
    page.get_by_label("with version").select_option("2")
    page.get_by_role("button", name="Show the changes").click()
    expect(page.locator("ins")).to_contain_text("always.")
