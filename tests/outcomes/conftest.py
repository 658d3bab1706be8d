"""A dialogue with two sides of three participants each, a facilitator, a convener and the
outsiders the access matrix needs."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from track2.accounts.models import User
from track2.dialogues.models import Delegation, DelegationMember, Dialogue, Membership
from track2.institutions.models import Institution
from track2.outcomes import actions
from track2.people.models import Person

SECTIONS = [
    {
        "heading": "Fisheries",
        "paragraphs": [
            {"key": "fish", "text": "Both sides share the stocks of the Varena Sea."},
            {"key": "data", "text": "Scientists of both sides exchange catch data each season."},
        ],
    },
    {
        "heading": "Incidents",
        "paragraphs": [{"key": "line", "text": "A hotline between coast guards."}],
    },
]


@dataclass
class World:
    dialogue: Dialogue
    users: dict[str, User] = field(default_factory=dict)

    def __getitem__(self, name: str) -> User:
        return self.users[name]


def _person(institution, user, name) -> Person:
    return Person.objects.create(
        institution=institution,
        full_name=name,
        sector="academia",
        country="Ostrava",
        email=user.email,
        user=user,
    )


@pytest.fixture
def world(db, dialogue, institution, make_user) -> World:
    w = World(dialogue)
    for role in ("convener", "facilitator", "rapporteur", "observer", "liaison"):
        w.users[role] = make_user(f"{role}@example.org")
        Membership.objects.create(dialogue=dialogue, user=w.users[role], role=role)
    for side in ("Ostrava", "Norvik"):
        delegation = Delegation.objects.create(dialogue=dialogue, name=side)
        for i in range(3):
            name = f"{side.lower()}{i}"
            user = make_user(f"{name}@example.org")
            Membership.objects.create(dialogue=dialogue, user=user, role="participant")
            DelegationMember.objects.create(
                dialogue=dialogue,
                delegation=delegation,
                person=_person(institution, user, f"{side} Person {i}"),
            )
            w.users[name] = user
    w.users["participant"] = w.users["ostrava0"]
    other = Dialogue.objects.create(title="Other", institution=institution)
    w.users["member_elsewhere"] = make_user("elsewhere@example.org")
    Membership.objects.create(dialogue=other, user=w.users["member_elsewhere"], role="convener")
    foreign = Institution.objects.create(name="Foreign Institute")
    far = Dialogue.objects.create(title="Far", institution=foreign)
    w.users["foreign_convener"] = make_user("foreign@example.org")
    Membership.objects.create(dialogue=far, user=w.users["foreign_convener"], role="convener")
    w.users["outsider"] = make_user("outsider@example.org")
    w.users["site_admin"] = make_user("admin@example.org", is_staff=True, is_superuser=True)
    return w


def new_statement_doc(world):
    return actions.do_create(
        world["facilitator"],
        world.dialogue.pk,
        kind="joint_statement",
        title="Varena Sea: joint statement",
        sections=SECTIONS,
    )


@pytest.fixture
def statement_doc(world):
    return new_statement_doc(world)
