"""Browser, one continuous journey (issue 4's "Done when"): starting from nothing but a signed-up
account, a convener builds the Varena Sea dialogue through the pages alone — parties, delegations,
people by hand and by CSV, vetting and an invitation that the invitee accepts in another browser
context, seats, venues, two meetings with agendas and participants — and reads the balance
dashboard. The only set-up outside the browser is the convener's account."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from tests.helpers import sign_in_page
from track2.dialogues.models import DelegationMember, Dialogue, Membership
from track2.institutions.actions import do_grant_convener
from track2.meetings.models import AgendaItem, Meeting, MeetingParticipant
from track2.people.models import Candidacy, Person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CALDERA = "Northern Republic of Caldera"
OSTRAVA = "Federation of Ostrava"

BAD_ROSTER = (
    "full_name,email,sector,country,nominated_by\n"
    "Cato Merel,cato@example.org,former_diplomat,Caldera,Institute board\n"
    "Dara Quill,dara@example.org,astronaut,Ostrava,Institute board\n"
    "Emil Vost,,former_military,Ostrava,Institute board\n"
)
GOOD_ROSTER = (
    "full_name,email,sector,country,nominated_by,gender,expertise\n"
    "Cato Merel,cato@example.org,former_diplomat,Caldera,Institute board,man,law of the sea\n"
    "Dara Quill,dara@example.org,civil_society,Ostrava,Institute board,woman,fisheries\n"
    "Emil Vost,emil@example.org,former_military,Ostrava,Institute board,man,incidents at sea\n"
    "Gil Haro,gil@example.org,media,Ostrava,Institute board,,\n"
    "Fenna Ruud,fenna@example.org,think_tank,Norway,Institute board,woman,mediation\n"
)


def flash(page, text):
    """The notice at the top of the page after an action."""
    return page.locator(".messages").get_by_text(text)


def add_person(page, name, email, sector, country, gender="", delegation=None):
    page.get_by_role("link", name="Add a person").first.click()
    expect(page.get_by_role("heading", name="Add a person", exact=True)).to_be_visible()
    page.get_by_label("Full name").fill(name)
    page.locator("#id_email").fill(email)
    page.get_by_label("Sector").select_option(sector)
    page.get_by_label("Country").fill(country)
    if gender:
        page.get_by_label("Gender").select_option(gender)
    page.locator("#id_nominated_by").fill("Institute board")
    if delegation:
        page.locator("#id_delegation").select_option(label=delegation)
    page.get_by_role("button", name="Add and nominate").click()


def upload_roster(page, path):
    page.get_by_role("link", name="Import a roster").first.click()
    page.get_by_label("Roster file (CSV, UTF-8)").set_input_files(str(path))
    page.get_by_role("button", name="Check the file").click()


def seat(page, name):
    page.locator("#id_person").select_option(label=name)
    page.get_by_role("button", name="Seat in this delegation").click()


def schedule(page, title, venue, zone, starts, ends, mode):
    page.get_by_role("link", name="Meetings").first.click()
    page.get_by_role("button", name="Schedule a meeting").click()
    page.locator("#id_title").fill(title)
    page.locator("#id_venue").select_option(label=venue)
    page.locator("#id_time_zone").fill(zone)
    page.locator("#id_starts_at").fill(starts)
    page.locator("#id_ends_at").fill(ends)
    page.locator("#id_attribution_mode").select_option(label=mode)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name=title, level=1)).to_be_visible()
    expect(page.locator("hgroup").get_by_text(mode, exact=True)).to_be_visible()


def add_agenda_item(page, title, minutes, lead):
    page.get_by_text("Add an agenda item").click()
    page.locator("#id_title").fill(title)
    page.locator("#id_duration_minutes").fill(minutes)
    page.locator("#id_lead").select_option(label=lead)
    page.get_by_role("button", name="Add item").click()
    expect(flash(page, "Agenda item added.")).to_be_visible()


def add_participants(page, names):
    page.get_by_text("Add delegation members").click()
    for name in names:
        page.get_by_label(name, exact=True).check()
    page.locator("#id_status").select_option("confirmed")
    page.get_by_role("button", name="Add to meeting").click()
    # the e-mail box is ticked by default: each person is told, with the calendar file
    expect(
        flash(page, f"{len(names)} added to the meeting; {len(names)} told by e-mail")
    ).to_be_visible()


@pytest.mark.long
def test_convener_builds_the_varena_sea_dialogue_from_scratch(
    live_server, new_page, make_user, tmp_path
):
    base = live_server.url
    ilse = make_user("ilse@example.org", display_name="Ilse Marken", time_zone="Europe/Vienna")
    # A site administrator gave Ilse the right to convene for her institute.
    do_grant_convener(None, ilse.email, "Institute for Maritime Dialogue", create=True)

    # --- Sign in; nothing is there yet. -------------------------------------------------------
    page = new_page()
    sign_in_page(page, base, "ilse@example.org")
    expect(page.get_by_role("heading", name="Your dialogues")).to_be_visible()
    expect(page.get_by_text("You are not a member of any dialogue yet.")).to_be_visible()

    # --- Convene the dialogue from the home page. ---------------------------------------------
    page.get_by_role("button", name="Convene a new dialogue").click()
    expect(page.get_by_role("heading", name="New dialogue")).to_be_visible()
    page.locator("#id_title").fill("Varena Sea Dialogue")
    page.locator("#id_purpose").fill(
        "Fisheries, incidents at sea and the disputed shelf in the Varena Sea."
    )
    expect(page.get_by_label("Convening institution")).to_have_value(
        str(ilse.convening_rights.get().institution_id)
    )
    expect(page.locator("#id_track")).to_have_value("track2")
    page.get_by_role("button", name="Save").click()
    expect(flash(page, "Dialogue created.")).to_be_visible()
    expect(page.get_by_role("heading", name="Parties in tension")).to_be_visible()

    # --- The two parties (their delegations are made by hand next). ---------------------------
    for name, country in ((CALDERA, "Caldera"), (OSTRAVA, "Ostrava")):
        page.get_by_label("Party (side in tension)").fill(name)
        page.locator("#id_country").fill(country)
        page.get_by_label("Create its delegation too").uncheck()
        page.get_by_role("button", name="Add party").click()
        expect(flash(page, f"Party “{name}” added.")).to_be_visible()
    expect(
        page.get_by_role("row", name=re.compile("Federation of Ostrava Ostrava"))
    ).to_be_visible()

    # --- Two side delegations and a facilitation team. ----------------------------------------
    page.get_by_role("link", name="Delegations").first.click()
    expect(page.get_by_text("No delegations yet.")).to_be_visible()
    for name, kind, party in (
        ("Caldera delegation", "side", CALDERA),
        ("Ostrava delegation", "side", OSTRAVA),
        ("Facilitators", "facilitation", None),
    ):
        page.get_by_role("link", name="Delegations").first.click()
        page.locator("#id_name").fill(name)
        page.locator("#id_kind").select_option(kind)
        if party:
            page.locator("#id_party").select_option(label=party)
        page.get_by_role("button", name="Create delegation").click()
        expect(page.get_by_role("heading", name=name, level=1)).to_be_visible()
    page.get_by_role("link", name="Delegations").first.click()
    expect(
        page.get_by_role("row", name=re.compile(r"Ostrava delegation side Federation of Ostrava 0"))
    ).to_be_visible()

    # --- People by hand: one per side, different sectors. -------------------------------------
    page.get_by_role("link", name="Overview").click()
    add_person(
        page,
        "Arin Solvei",
        "arin@example.org",
        "academia",
        "Caldera",
        "woman",
        "Caldera delegation",
    )
    expect(page.get_by_role("heading", name="Arin Solvei")).to_be_visible()
    expect(flash(page, "Arin Solvei is added and nominated.")).to_be_visible()
    add_person(page, "Bo Tarn", "bo@example.org", "business", "Ostrava", "man")
    expect(page.get_by_role("heading", name="Bo Tarn")).to_be_visible()

    # A serving official is refused in a Track 2 dialogue, with the reason; nothing is saved.
    add_person(page, "Sera Official", "sera@example.org", "serving_official", "Ostrava")
    expect(page.get_by_role("alert").filter(has_text="is a serving official")).to_contain_text(
        "Track 2 dialogue, which is for unofficial participants only"
    )
    expect(page.get_by_role("heading", name="Add a person", exact=True)).to_be_visible()

    # --- People by CSV: a file with errors first (nothing saved), then the corrected file. ----
    bad = tmp_path / "varena-roster.csv"
    bad.write_text(BAD_ROSTER, encoding="utf-8")
    upload_roster(page, bad)
    expect(page.get_by_role("heading", name="2 problems — nothing has been saved")).to_be_visible()
    errors = page.locator("section[aria-labelledby=errors-heading] tbody tr")
    expect(errors).to_have_count(2)
    expect(errors.nth(0)).to_contain_text("not a known sector")
    expect(errors.nth(0).get_by_role("cell").nth(1)).to_have_text("sector")
    expect(errors.nth(1).get_by_role("cell").nth(1)).to_have_text("email")
    expect(page.get_by_role("button", name="Add these people")).to_have_count(0)
    page.get_by_role("link", name="People", exact=True).click()
    expect(page.get_by_text("2 people", exact=True)).to_be_visible()  # nothing from the bad file
    expect(page.get_by_role("link", name="Cato Merel")).to_have_count(0)

    good = tmp_path / "varena-roster-fixed.csv"
    good.write_text(GOOD_ROSTER, encoding="utf-8")
    upload_roster(page, good)
    expect(page.get_by_text("5 people are ready to be added and nominated.")).to_be_visible()
    page.get_by_role("button", name="Add these people").click()
    expect(flash(page, "5 people were added and nominated.")).to_be_visible()
    expect(page.get_by_text("7 people", exact=True)).to_be_visible()
    for name in (
        "Arin Solvei",
        "Bo Tarn",
        "Cato Merel",
        "Dara Quill",
        "Emil Vost",
        "Fenna Ruud",
        "Gil Haro",
    ):
        expect(page.get_by_role("link", name=name)).to_be_visible()
    expect(
        page.get_by_role("row", name=re.compile("Arin Solvei")).get_by_role("cell").nth(4)
    ).to_contain_text("Caldera delegation (planned)")

    # --- Vet and invite Arin. -------------------------------------------------------------------
    page.get_by_role("link", name="Arin Solvei").click()
    page.get_by_label("Vouched for by").fill("Amb. Lene Ostby (retired)")
    page.get_by_label("Vetting notes").fill("Known to the institute since 2019.")
    page.get_by_role("button", name="Mark as vetted").click()
    expect(flash(page, "Vetting recorded.")).to_be_visible()
    page.get_by_role("button", name="Send the invitation").click()
    expect(flash(page, "An invitation is on its way to arin@example.org")).to_be_visible()
    link = re.search(r"http://\S+/invitations/\S+/", mail.outbox[-1].body).group(0)

    # --- Arin accepts in her own browser: creates an account, lands in the dialogue. -----------
    invitee = new_page()
    invitee.goto(link)
    expect(
        invitee.get_by_role("heading", name="You are invited to “Varena Sea Dialogue”")
    ).to_be_visible()
    expect(invitee.get_by_text("You take part in a personal capacity")).to_be_visible()
    invitee.get_by_label("Choose a password").fill("a long secret phrase 1")
    invitee.get_by_label("The same password again").fill("a long secret phrase 1")
    invitee.get_by_role("button", name="Create account and accept").click()
    expect(invitee.get_by_role("heading", name="Varena Sea Dialogue", level=1)).to_be_visible()
    expect(invitee).to_have_url(re.compile(r"/dialogues/\d+/$"))
    expect(
        invitee.get_by_role("heading", name="Your delegation: Caldera delegation")
    ).to_be_visible()
    expect(invitee.get_by_role("link", name="Balance")).to_have_count(
        0
    )  # a participant, not a convener

    page.reload()
    expect(page.get_by_role("cell", name="Accepted the invitation.")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("^Seated in")).get_by_role("cell")).to_have_text(
        "Caldera delegation"
    )

    # --- Seat the others. A second tab, opened before Dara is seated, tries another delegation. -
    page.get_by_role("link", name="Varena Sea Dialogue").first.click()
    page.get_by_role("link", name="Delegations").first.click()
    page.get_by_role("link", name="Caldera delegation").click()
    page.wait_for_url(re.compile(r"/delegations/\d+/$"))  # page.url is the delegation's
    other_tab = page.context.new_page()
    other_tab.goto(page.url)  # still offers Dara, who is not seated yet
    seat(page, "Cato Merel")
    expect(flash(page, "Cato Merel seated.")).to_be_visible()
    page.get_by_role("link", name="Delegations").first.click()
    page.get_by_role("link", name="Ostrava delegation").click()
    for name in ("Bo Tarn", "Dara Quill", "Emil Vost", "Gil Haro"):
        seat(page, name)
        expect(flash(page, f"{name} seated.")).to_be_visible()
    expect(page.locator("table").first.locator("tbody tr")).to_have_count(
        4
    )  # the members, not the history

    seat(other_tab, "Dara Quill")
    expect(other_tab.get_by_role("alert").filter(has_text="only one delegation")).to_contain_text(
        "Dara Quill is already in the delegation “Ostrava delegation”"
    )
    other_tab.close()

    page.get_by_role("link", name="Delegations").first.click()
    page.get_by_role("link", name="Facilitators").click()
    seat(page, "Fenna Ruud")
    expect(flash(page, "Fenna Ruud seated.")).to_be_visible()
    page.get_by_role("link", name="Delegations").first.click()
    for name, count in (
        ("Caldera delegation", "2"),
        ("Ostrava delegation", "4"),
        ("Facilitators", "1"),
    ):
        expect(
            page.get_by_role("row", name=re.compile(name)).get_by_role("cell").last
        ).to_have_text(count)

    # --- Venues: a confidential private home in a party's country, a neutral conference centre. -
    page.get_by_role("link", name="Venues").first.click()
    page.locator("#id_name").fill("Villa Maren")
    page.locator("#id_kind").select_option("private_home")
    page.locator("#id_city").fill("Port Vell")
    page.locator("#id_country").fill("Caldera")
    page.locator("#id_address").fill("12 Harbour Lane, Port Vell")
    page.get_by_label("Location is confidential").check()
    page.get_by_label("Capacity (people)").fill("12")
    page.get_by_role("button", name="Add venue").click()
    expect(flash(page, "Venue “Villa Maren” added.")).to_be_visible()
    expect(flash(page, f"the country of {CALDERA}, one of the parties")).to_be_visible()
    villa = page.get_by_role("row", name=re.compile("Villa Maren"))
    expect(villa).to_contain_text("address restricted")
    expect(villa).to_contain_text("may not see it as neutral ground")

    page.locator("#id_name").fill("Oslo Peace Forum")
    page.locator("#id_kind").select_option("conference_centre")
    page.locator("#id_city").fill("Oslo")
    page.locator("#id_country").fill("Norway")
    page.get_by_label("Capacity (people)").fill("40")
    page.get_by_role("button", name="Add venue").click()
    expect(flash(page, "Venue “Oslo Peace Forum” added.")).to_be_visible()
    expect(page.locator(".messages").get_by_text("neutral ground")).to_have_count(0)
    expect(page.get_by_role("row", name=re.compile("Oslo Peace Forum"))).not_to_contain_text(
        "neutral ground"
    )

    # --- Round 1 in Oslo: agenda (ordered, timed, with leads) and participants. ----------------
    schedule(
        page,
        "Round 1: fisheries",
        "Oslo Peace Forum (Oslo, Norway)",
        "Europe/Oslo",
        "2031-03-02T09:00",
        "2031-03-02T17:00",
        "Chatham House Rule",
    )
    expect(page.get_by_text("Sunday 2 March 2031, 09:00–17:00 Europe/Oslo")).to_be_visible()
    add_agenda_item(page, "Fish stocks and quotas", "120", "Dara Quill")
    add_agenda_item(page, "Opening and ground rules", "30", "Fenna Ruud")
    page.get_by_role("button", name="Move Opening and ground rules up").click()
    agenda = page.locator("#agenda ol > li")
    expect(agenda).to_have_count(2)
    expect(agenda.nth(0)).to_contain_text("Opening and ground rules — 30 minutes; lead: Fenna Ruud")
    expect(agenda.nth(1)).to_contain_text("Fish stocks and quotas — 120 minutes; lead: Dara Quill")
    expect(page.get_by_text("Agenda: 150 minutes of 480.")).to_be_visible()
    everyone = [
        "Arin Solvei",
        "Bo Tarn",
        "Cato Merel",
        "Dara Quill",
        "Emil Vost",
        "Fenna Ruud",
        "Gil Haro",
    ]
    add_participants(page, everyone)
    expect(page.locator("#participants tbody tr")).to_have_count(7)
    expect(page.get_by_text("Every delegation member is on the list.")).to_be_visible()

    # --- Round 2 at the private home, another time zone, off the record. ----------------------
    page.get_by_role("link", name="Meetings").first.click()
    page.get_by_role("button", name="Schedule a meeting").click()
    expect(page.get_by_role("note").filter(has_text="Villa Maren is in Caldera")).to_be_visible()
    page.get_by_role("link", name="Back", exact=True).click()
    schedule(
        page,
        "Round 2: incidents at sea",
        "Villa Maren (Port Vell, Caldera) — in a party's country",
        "Asia/Singapore",
        "2031-09-14T10:00",
        "2031-09-14T16:00",
        "off the record (aggregates only)",
    )
    expect(page.get_by_role("note").filter(has_text="Neutrality:")).to_be_visible()
    expect(
        page.get_by_text("12 Harbour Lane, Port Vell")
    ).to_be_visible()  # conveners see the address
    expect(page.get_by_text("Sunday 14 September 2031, 04:00–10:00 Europe/Vienna")).to_be_visible()
    add_agenda_item(page, "Hotlines between coast guards", "90", "Emil Vost")
    add_agenda_item(page, "Next steps", "20", "Cato Merel")
    expect(page.locator("#agenda ol > li").nth(1)).to_contain_text(
        "Next steps — 20 minutes; lead: Cato Merel"
    )
    add_participants(page, ["Arin Solvei", "Bo Tarn", "Emil Vost", "Fenna Ruud"])

    page.get_by_role("link", name="Meetings").first.click()
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Sun 2 Mar 2031, 09:00–17:00 (Europe/Oslo)")
    expect(rows.nth(1)).to_contain_text("Sun 14 Sep 2031, 10:00–16:00 (Asia/Singapore)")
    expect(rows.nth(1)).to_contain_text("Villa Maren")

    # Arin, confirmed for round 2, sees the private home's address in her own browser.
    invitee.get_by_role("link", name="Meetings").first.click()
    invitee.get_by_role("link", name="Round 2: incidents at sea").click()
    expect(invitee.get_by_text("You have confirmed that you will attend.")).to_be_visible()
    expect(invitee.get_by_text("12 Harbour Lane, Port Vell")).to_be_visible()

    # --- The balance dashboard. -----------------------------------------------------------------
    page.get_by_role("link", name="Balance").first.click()
    expect(page.get_by_role("heading", name="Balance dashboard")).to_be_visible()
    warnings = page.locator("section[aria-labelledby=warnings-heading] li")
    expect(
        warnings.filter(has_text="Caldera delegation has 2 members, fewer than the 4")
    ).to_be_visible()
    expect(
        warnings.filter(
            has_text="Sides are uneven: Ostrava delegation has 4 members, Caldera delegation has 2"
        )
    ).to_be_visible()
    expect(warnings.filter(has_text="Ostrava delegation has 4 members, fewer")).to_have_count(0)
    sectors = page.locator("section[aria-labelledby=sector-heading]")
    expect(sectors.get_by_role("columnheader")).to_have_text(
        [
            "Delegation",
            "academia",
            "research / think tank",
            "business",
            "NGO / civil society",
            "former diplomat",
            "former military / security",
            "journalist / media",
            "serving official",
            "other",
            "Total",
        ]
    )
    for delegation, counts in (
        ("Caldera delegation", ["1", "0", "0", "0", "1", "0", "0", "0", "0", "2"]),
        ("Ostrava delegation", ["0", "0", "1", "1", "0", "1", "1", "0", "0", "4"]),
        ("Facilitators", ["0", "1", "0", "0", "0", "0", "0", "0", "0", "1"]),
    ):
        row = sectors.locator("tbody tr").filter(
            has=page.get_by_role("rowheader", name=delegation, exact=True)
        )
        expect(row.get_by_role("cell")).to_have_text(counts)
    genders = page.locator("section[aria-labelledby=gender-heading] tbody tr")
    expect(
        genders.filter(has=page.get_by_role("rowheader", name="Caldera delegation")).get_by_role(
            "cell"
        )
    ).to_have_text(["1", "1", "0", "0", "0"])
    expect(page.get_by_text("No round has been held yet.")).to_be_visible()

    # --- A few facts in the database. -----------------------------------------------------------
    dialogue = Dialogue.objects.get()
    assert (dialogue.title, dialogue.track, dialogue.created_by.email) == (
        "Varena Sea Dialogue",
        "track2",
        "ilse@example.org",
    )
    assert not Person.objects.filter(email="sera@example.org").exists()
    assert Person.objects.count() == 7
    assert DelegationMember.objects.filter(dialogue=dialogue).count() == 7
    assert (
        DelegationMember.objects.filter(person__full_name="Dara Quill").get().delegation.name
        == "Ostrava delegation"
    )
    arin = Candidacy.objects.get(person__email="arin@example.org")
    assert arin.status == "confirmed" and arin.person.user.email == "arin@example.org"
    assert Membership.objects.filter(
        dialogue=dialogue, user__email="arin@example.org", role="participant"
    ).exists()
    first, second = Meeting.objects.filter(dialogue=dialogue).order_by("starts_at")
    assert (first.time_zone, first.attribution_mode) == ("Europe/Oslo", "chatham_house")
    assert (second.time_zone, second.attribution_mode, second.venue.is_confidential) == (
        "Asia/Singapore",
        "off_record",
        True,
    )
    assert list(first.agenda_items.values_list("title", "lead__full_name")) == [
        ("Opening and ground rules", "Fenna Ruud"),
        ("Fish stocks and quotas", "Dara Quill"),
    ]
    assert AgendaItem.objects.count() == 4
    assert MeetingParticipant.objects.filter(meeting=second, status="confirmed").count() == 4
