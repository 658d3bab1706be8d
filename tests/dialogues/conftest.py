"""A small convened dialogue with one user per role, built through the real actions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.helpers import PASSWORD
from track2.accounts.models import User
from track2.dialogues import actions, venue_actions
from track2.dialogues.models import Delegation, Dialogue, Membership, Role, Venue
from track2.institutions.models import ConveningRight, Institution
from track2.meetings import actions as meeting_actions
from track2.meetings.models import Meeting
from track2.people.models import Candidacy, Person

ROLES = ["convener", "facilitator", "rapporteur", "participant", "observer", "liaison"]


@dataclass
class World:
    dialogue: Dialogue
    users: dict
    caldera: Delegation
    ostrava: Delegation
    facilitation: Delegation
    persons: dict
    venue: Venue
    home: Venue
    meeting: Meeting
    past_meeting: Meeting


def make_person(
    dialogue, name, *, sector="academia", country="Caldera", gender="", user=None, email=None
):
    person = Person.objects.create(
        institution=dialogue.institution,
        full_name=name,
        sector=sector,
        country=country,
        gender=gender,
        user=user,
        email=email or f"{name.lower().replace(' ', '.')}@example.org",
    )
    Candidacy.objects.create(
        dialogue=dialogue, person=person, nominated_by="test", status="confirmed"
    )
    return person


@pytest.fixture
def world(make_user, institution) -> World:
    return build_world(make_user, institution)


def build_world(make_user, institution) -> World:
    """The world of the `world` fixture; a test that needs two fresh ones (tests/test_page_vs_api.py)
    builds each inside a transaction it rolls back."""
    users = {role: make_user(f"{role}@example.org", time_zone="Asia/Singapore") for role in ROLES}
    users["outsider"] = make_user("outsider@example.org")
    ConveningRight.objects.create(institution=institution, user=users["convener"])
    dialogue = actions.do_create_dialogue(
        users["convener"], title="Varena Sea Dialogue", purpose="Fisheries."
    )
    for role in ROLES[1:]:
        Membership.objects.create(dialogue=dialogue, user=users[role], role=role)
    north = actions.do_add_party(
        users["convener"],
        dialogue,
        name="Northern Republic of Caldera",
        country="Caldera",
        with_delegation=True,
    )
    south = actions.do_add_party(
        users["convener"],
        dialogue,
        name="Federation of Ostrava",
        country="Ostrava",
        with_delegation=True,
    )
    facilitation = actions.do_create_delegation(
        users["convener"], dialogue, name="Facilitators", kind=Delegation.Kind.FACILITATION
    )
    caldera, ostrava = north.delegations.get(), south.delegations.get()
    persons = {
        "arin": make_person(dialogue, "Arin Solvei", gender="woman", user=users["participant"]),
        "bo": make_person(dialogue, "Bo Tarn", sector="business", gender="man"),
        "cyra": make_person(
            dialogue, "Cyra Vell", sector="civil_society", country="Ostrava", gender="woman"
        ),
        "dane": make_person(
            dialogue, "Dane Orr", sector="former_diplomat", country="Ostrava", gender="man"
        ),
        "tomas": make_person(
            dialogue,
            "Tomas Reyes",
            sector="former_diplomat",
            country="Norland",
            user=users["facilitator"],
        ),
        "eli": make_person(dialogue, "Eli Unseated", sector="media"),
    }
    for key, delegation in (
        ("arin", caldera),
        ("bo", caldera),
        ("cyra", ostrava),
        ("dane", ostrava),
        ("tomas", facilitation),
    ):
        actions.do_seat_in_delegation(users["convener"], delegation, persons[key])
    venue = venue_actions.do_create_venue(
        users["convener"],
        dialogue,
        name="Lakeside Centre",
        kind="conference_centre",
        city="Geneva",
        country="Switzerland",
        address="1 Quai du Lac",
        capacity=4,
    )
    home = venue_actions.do_create_venue(
        users["convener"],
        dialogue,
        name="A private home",
        kind="private_home",
        city="Lindau",
        country="Norland",
        address="7 Secret Lane",
    )
    start = timezone.now() + timedelta(days=30)
    meeting = meeting_actions.do_create_meeting(
        users["convener"],
        dialogue,
        title="Round 2",
        venue=home,
        starts_at=start,
        ends_at=start + timedelta(hours=3),
        time_zone="Europe/Vienna",
    )
    past = timezone.now() - timedelta(days=30)
    past_meeting = meeting_actions.do_create_meeting(
        users["convener"],
        dialogue,
        title="Round 1",
        venue=venue,
        starts_at=past,
        ends_at=past + timedelta(hours=3),
        time_zone="Europe/Zurich",
    )
    # Strangers to this dialogue: a member of another dialogue of the same institution, a convener
    # in another institution, and a site administrator (who gets no implicit access).
    elsewhere = Dialogue.objects.create(title="Elsewhere Talks", institution=institution)
    users["member_elsewhere"] = make_user("member.elsewhere@example.org")
    Membership.objects.create(
        dialogue=elsewhere, user=users["member_elsewhere"], role=Role.PARTICIPANT
    )
    foreign = Institution.objects.create(name="Foreign Foundation")
    users["foreign_convener"] = make_user("foreign.convener@example.org")
    ConveningRight.objects.create(institution=foreign, user=users["foreign_convener"])
    Membership.objects.create(
        dialogue=Dialogue.objects.create(title="Foreign Talks", institution=foreign),
        user=users["foreign_convener"],
        role=Role.CONVENER,
    )
    users["site_admin"] = User.objects.create_superuser(
        email="site.admin@example.org", password=PASSWORD
    )
    return World(
        dialogue, users, caldera, ostrava, facilitation, persons, venue, home, meeting, past_meeting
    )


@pytest.fixture
def signed_in(client):
    from tests.helpers import sign_in

    def as_user(user):
        client.logout()
        if user is not None:
            sign_in(client, user)
        return client

    return as_user


__all__ = ["ROLES", "Role", "World", "build_world", "make_person"]
