"""Browser: a convener builds a dialogue series from scratch — parties, delegations, seats,
venues, a meeting with its agenda and participants — and reads the balance dashboard."""

import pytest
from playwright.sync_api import expect

from tests.helpers import sign_in_page
from track2.dialogues.models import Dialogue
from track2.institutions.actions import do_grant_convener
from track2.meetings.models import AgendaItem, Meeting, MeetingParticipant
from track2.people import actions as people

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_convener_builds_a_dialogue_in_the_browser(live_server, new_page, make_user):
    base = live_server.url
    convener = make_user("ilse@example.org", display_name="Ilse Marken", time_zone="Europe/Vienna")
    do_grant_convener(None, convener.email, "Institute for Maritime Dialogue", create=True)
    page = new_page()
    sign_in_page(page, base, "ilse@example.org")

    page.goto(base + "/dialogues/new/")
    page.locator("#id_title").fill("Varena Sea Dialogue")
    page.get_by_label("Convening institution").select_option(
        label="Institute for Maritime Dialogue"
    )
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="Parties in tension")).to_be_visible()
    dialogue = Dialogue.objects.get(title="Varena Sea Dialogue")

    for name, country in (
        ("Northern Republic of Caldera", "Caldera"),
        ("Federation of Ostrava", "Ostrava"),
    ):
        page.get_by_label("Party (side in tension)").fill(name)
        page.locator("#id_country").fill(country)
        page.get_by_role("button", name="Add party").click()
        expect(page.get_by_text(f"Party “{name}” added.")).to_be_visible()

    page.get_by_role("link", name="Delegations").first.click()
    page.locator("#id_name").fill("Facilitators")
    page.locator("#id_kind").select_option("facilitation")
    page.get_by_role("button", name="Create delegation").click()
    expect(page.get_by_role("heading", name="Facilitators")).to_be_visible()

    # People come from the vetting workflow (tested on its own); seat them here.
    for name, sector in (("Arin Solvei", "academia"), ("Bo Tarn", "business")):
        people.do_add_person(
            convener,
            dialogue,
            full_name=name,
            email=f"{name.split()[0].lower()}@example.org",
            sector=sector,
            country="Caldera",
            nominated_by="Board",
        )
    page.goto(f"{base}/dialogues/{dialogue.pk}/delegations/")
    page.get_by_role("link", name="Northern Republic of Caldera delegation").click()
    for name in ("Arin Solvei", "Bo Tarn"):
        page.locator("#id_person").select_option(label=name)
        page.get_by_role("button", name="Seat in this delegation").click()
        expect(page.get_by_text(f"{name} seated.")).to_be_visible()

    page.goto(f"{base}/dialogues/{dialogue.pk}/venues/")
    page.locator("#id_name").fill("Port Vell University")
    page.locator("#id_kind").select_option("university")
    page.locator("#id_city").fill("Port Vell")
    page.locator("#id_country").fill("Caldera")
    page.get_by_label("Capacity (people)").fill("30")
    page.get_by_role("button", name="Add venue").click()
    expect(page.get_by_text("the country of Northern Republic of Caldera").first).to_be_visible()

    page.goto(f"{base}/dialogues/{dialogue.pk}/meetings/new/")
    page.locator("#id_title").fill("Round 1")
    page.locator("#id_venue").select_option(
        label="Port Vell University (Port Vell, Caldera) — in a party's country"
    )
    page.locator("#id_time_zone").fill("Mars/Olympus")
    page.locator("#id_starts_at").fill("2031-03-02T09:00")
    page.locator("#id_ends_at").fill("2031-03-02T17:00")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("is not a known time zone")).to_be_visible()
    page.locator("#id_time_zone").fill("Asia/Singapore")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="Round 1")).to_be_visible()
    expect(
        page.get_by_text("Europe/Vienna")
    ).to_be_visible()  # the convener's own zone, next to the meeting's

    meeting = Meeting.objects.get(dialogue=dialogue)
    for title, minutes in (("Fisheries", "120"), ("Opening", "30")):
        page.get_by_text("Add an agenda item").click()
        page.locator("#id_title").fill(title)
        page.locator("#id_duration_minutes").fill(minutes)
        page.get_by_role("button", name="Add item").click()
        expect(page.get_by_role("listitem").filter(has_text=title).first).to_be_visible()
    page.get_by_role("button", name="Move Opening up").click()
    expect(page.get_by_role("button", name="Move Opening up")).to_be_disabled()
    assert list(AgendaItem.objects.filter(meeting=meeting).values_list("title", flat=True)) == [
        "Opening",
        "Fisheries",
    ]

    page.get_by_text("Add delegation members").click()
    page.get_by_label("Arin Solvei").check()
    page.get_by_label("Bo Tarn").check()
    page.get_by_role("button", name="Add to meeting").click()
    expect(
        page.get_by_text("2 added to the meeting; 2 told by e-mail with the calendar file.")
    ).to_be_visible()
    assert MeetingParticipant.objects.filter(meeting=meeting).count() == 2

    page.get_by_role("link", name="Balance").first.click()
    expect(page.get_by_role("heading", name="Balance dashboard")).to_be_visible()
    expect(page.get_by_text("has 0 members, fewer than the 4")).to_be_visible()
