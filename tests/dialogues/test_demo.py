"""The demo's convening story is built through the real actions and shows every capability."""

from __future__ import annotations

import pytest
from django.urls import reverse

from track2.dialogues.balance import build_balance
from track2.dialogues.models import Dialogue, Membership, Venue
from track2.dialogues.queries import neutrality_warning
from track2.meetings.models import Meeting, MeetingParticipant
from track2.people.models import Candidacy, CandidacyStep, Person
from track2.site import demo


@pytest.fixture
def demo_site(built_demo, db):
    return Dialogue.objects.get(title="Varena Sea Dialogue"), {
        login.email: login for login in built_demo
    }


def test_demo_delegations_and_people(demo_site):
    dialogue, _logins = demo_site
    sizes = {d.name: d.members.count() for d in dialogue.delegations.all()}
    assert 6 <= sizes["Northern Republic of Caldera delegation"] <= 8
    assert 6 <= sizes["Federation of Ostrava delegation"] <= 8
    assert sizes["Facilitation team (Institute)"] == 3
    for delegation in dialogue.delegations.filter(kind="side"):
        assert delegation.members.values("person__sector").distinct().count() >= 5  # mixed sectors
    assert {p.country for p in dialogue.parties.all()} == {"Caldera", "Ostrava"}


def test_demo_vetting_history(demo_site):
    dialogue, _logins = demo_site
    statuses = set(Candidacy.objects.filter(dialogue=dialogue).values_list("status", flat=True))
    assert statuses == {"nominated", "invited", "confirmed", "declined"}
    confirmed = Candidacy.objects.filter(dialogue=dialogue, status="confirmed").first()
    steps = list(CandidacyStep.objects.filter(candidacy=confirmed).values_list("status", flat=True))
    assert steps == ["nominated", "vetted", "invited", "confirmed"]
    assert (
        CandidacyStep.objects.filter(candidacy=confirmed, status="vetted")
        .exclude(vouched_by="")
        .exists()
    )


def test_demo_meetings_venues_agendas_attendance(demo_site):
    dialogue, _logins = demo_site
    # The three rounds (the room's working session and Track 3 consultation are tested in
    # tests/deliberation/test_demo.py).
    meetings = list(dialogue.meetings.filter(title__startswith="Round").select_related("venue"))
    assert len(meetings) == 3 and len({m.venue_id for m in meetings}) == 3
    kinds = {m.venue.kind for m in meetings}
    assert {"private_home", "virtual", "conference_centre"} == kinds
    home = next(m.venue for m in meetings if m.venue.kind == Venue.Kind.PRIVATE_HOME)
    assert home.is_confidential
    neutral = next(m.venue for m in meetings if m.venue.kind == Venue.Kind.CONFERENCE_CENTRE)
    assert (
        neutral.country not in {"Caldera", "Ostrava"}
        and neutrality_warning(dialogue, neutral) is None
    )
    assert neutrality_warning(dialogue, home) is not None  # the demo shows the warning
    assert all(m.agenda_items.count() >= 4 for m in meetings)
    assert len({m.time_zone for m in meetings}) == 3
    held = [m for m in meetings if m.participants.filter(status="attended").exists()]
    assert len(held) == 2
    report = build_balance(dialogue)
    assert report.continuity_percent is not None and 0 < report.continuity_percent < 100


def test_demo_logins_keep_their_roles_and_the_participant_is_a_caldera_person(demo_site, client):
    dialogue, logins = demo_site
    for role in ("convener", "facilitator", "rapporteur", "participant", "observer", "liaison"):
        email = f"{role}@demo.track2.invalid"
        assert Membership.objects.filter(
            dialogue=dialogue, user__email=email, role=role
        ).exists(), role
    arin = Person.objects.get(user__email="participant@demo.track2.invalid")
    assert arin.delegation_seats.get().delegation.party.name == "Northern Republic of Caldera"
    login = logins["participant@demo.track2.invalid"]
    assert (
        client.post(
            "/accounts/login/", {"email": login.email, "password": login.password}
        ).status_code
        == 302
    )
    home_round = Meeting.objects.get(venue__kind="private_home")
    assert MeetingParticipant.objects.get(meeting=home_round, person=arin).status == "attended"
    page = client.get(reverse("dialogues:meeting", args=[dialogue.pk, home_round.pk]))
    assert b"Villa Serrat" in page.content  # confirmed members see the private address


def test_demo_pages_open_for_the_convener(demo_site, client):
    dialogue, logins = demo_site
    login = logins["convener@demo.track2.invalid"]
    client.post("/accounts/login/", {"email": login.email, "password": login.password})
    for name in ("detail", "delegations", "meetings", "venues", "balance", "roles", "parties"):
        assert client.get(reverse(f"dialogues:{name}", args=[dialogue.pk])).status_code == 200, name
    balance = client.get(reverse("dialogues:balance", args=[dialogue.pk]))
    assert b"Attendance continuity" in balance.content


def test_demo_dialogue_and_people_belong_to_its_fictional_institution(demo_site):
    dialogue, _logins = demo_site
    assert dialogue.institution.name == demo.DEMO_INSTITUTION
    assert set(Person.objects.values_list("institution__name", flat=True)) == {
        demo.DEMO_INSTITUTION
    }
    rights = dialogue.institution.convening_rights.values_list("user__email", flat=True)
    assert list(rights) == ["convener@demo.track2.invalid"]
