"""The demo's convening story is built through the real actions and shows every capability."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from track2 import keyring
from track2.dialogues.balance import build_balance
from track2.dialogues.models import Dialogue, Membership, Venue
from track2.dialogues.queries import neutrality_warning
from track2.meetings.models import Meeting, MeetingParticipant
from track2.operations.models import DialogueDeletion, KeyDestruction
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
    # The two conveners hold the right their role needs there; no other demo account does.
    rights = dialogue.institution.convening_rights.values_list("user__email", flat=True)
    assert sorted(rights) == ["coconvener@demo.track2.invalid", "convener@demo.track2.invalid"]


def test_the_demos_two_conveners_destroy_the_key_and_delete_the_dialogue_together(
    demo_site, settings, tmp_path
):
    """What cannot be undone takes two conveners (docs/operations.md): the demo has them, so the
    convener's pages offer to ask and the co-convener's to confirm; nothing is asked for when the
    demo is built. (This test's transaction undoes the deletion; the destroyed key's tombstone
    goes to its own folder, not the one the module's demo keeps its keys in.)"""
    settings.TRACK2_HOME = str(tmp_path)
    dialogue, logins = demo_site
    printed = "\n".join(demo.login_lines(list(logins.values())))
    coconvener = logins["coconvener@demo.track2.invalid"]
    email, password = re.escape(coconvener.email), re.escape(coconvener.password)
    assert re.search(rf"^ +{email} +{password} +Dr Sigrid Haavik, co-convener", printed, re.M)
    ilse, sigrid = Client(), Client()
    for client, login in ((ilse, logins["convener@demo.track2.invalid"]), (sigrid, coconvener)):
        signed_in = client.post(
            "/accounts/login/", {"email": login.email, "password": login.password}
        )
        assert signed_in.status_code == 302
    title = {"confirmation": dialogue.title}
    key_page = reverse("deliberation:destroy_key", args=[dialogue.pk])
    assert not KeyDestruction.objects.exists() and not DialogueDeletion.objects.exists()

    assert ilse.post(key_page, title).status_code == 302  # asks
    assert "Dr Ilse Marken asked to destroy this key" in sigrid.get(key_page).content.decode()
    assert sigrid.post(key_page, title).status_code == 302  # confirms
    assert KeyDestruction.objects.get(dialogue=dialogue).confirmed_by.email == coconvener.email
    assert keyring.is_destroyed(dialogue.pk)

    deletion_page = reverse("operations:deletion", args=[dialogue.pk])
    shown = ilse.get(deletion_page).content.decode()
    assert "Ask to delete this dialogue" in shown and "has one convener" not in shown
    asked = ilse.post(deletion_page, {"step": "ask", "title": dialogue.title})
    assert asked.status_code == 302, asked.content.decode()[:2000]
    shown = sigrid.get(deletion_page).content.decode()
    assert "Dr Ilse Marken asked to delete this dialogue" in shown
    assert "Delete the dialogue now" in shown
    done = sigrid.post(deletion_page, {"step": "confirm", "title": dialogue.title})
    assert (done.status_code, done["Location"]) == (302, reverse("site:home"))
    assert not Dialogue.objects.filter(pk=dialogue.pk).exists()
