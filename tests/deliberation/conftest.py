"""A meeting room with two delegations of participants, a facilitator and every other role."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.utils import timezone

from track2.accounts import actions as account_actions
from track2.accounts.models import User
from track2.dialogues.models import (
    Delegation,
    DelegationMember,
    Dialogue,
    Meeting,
    MeetingParticipant,
    Membership,
    Role,
)
from track2.institutions.models import ConveningRight, Institution
from track2.people.models import Affiliation, Person

OTHER_ROLES = ["convener", "facilitator", "rapporteur", "observer", "liaison"]


@dataclass
class RoomWorld:
    dialogue: Dialogue
    meeting: Meeting
    north: Delegation
    south: Delegation
    users: dict[str, User]
    participants: list[User]  # north first, then south
    persons: dict[int, Person] = field(default_factory=dict)  # user pk → person

    def url(self, tail: str = "") -> str:
        return f"/api/v1/dialogues/{self.dialogue.pk}/meetings/{self.meeting.pk}{tail}"


@pytest.fixture(autouse=True)
def _own_keys(settings, tmp_path):
    # Each test its own data folder, hence its own dialogue keys.
    settings.TRACK2_HOME = tmp_path


def seat(dialogue, meeting, delegation, user, name, *, email=None, organisation=None):
    person = Person.objects.create(
        institution=dialogue.institution,
        full_name=name,
        sector="academia",
        country="Caldera",
        email=email or f"{name.lower().replace(' ', '.')}@example.org",
        user=user,
    )
    if organisation:
        Affiliation.objects.create(person=person, organisation=organisation)
    if delegation is not None:
        DelegationMember.objects.create(dialogue=dialogue, delegation=delegation, person=person)
    MeetingParticipant.objects.create(
        meeting=meeting, person=person, status=MeetingParticipant.Status.CONFIRMED
    )
    return person


def build_room(make_user, institution, per_side: int = 4, names=None) -> RoomWorld:
    users = {role: make_user(f"{role}@example.org") for role in OTHER_ROLES}
    users["outsider"] = make_user("outsider@example.org")
    users["member_elsewhere"] = make_user("elsewhere@example.org")
    users["foreign_convener"] = make_user("foreign@example.org")
    users["site_admin"] = User.objects.create_superuser(
        email="admin@example.org", password="correct horse battery staple"
    )
    ConveningRight.objects.create(institution=institution, user=users["convener"])
    dialogue = Dialogue.objects.create(title="Varena Sea Dialogue", institution=institution)
    for role in OTHER_ROLES:
        Membership.objects.create(dialogue=dialogue, user=users[role], role=role)
    other = Dialogue.objects.create(title="Other Dialogue", institution=institution)
    Membership.objects.create(dialogue=other, user=users["member_elsewhere"], role=Role.PARTICIPANT)
    foreign = Institution.objects.create(name="Far Institute")
    ConveningRight.objects.create(institution=foreign, user=users["foreign_convener"])
    far = Dialogue.objects.create(title="Far Dialogue", institution=foreign)
    Membership.objects.create(dialogue=far, user=users["foreign_convener"], role=Role.CONVENER)
    north = Delegation.objects.create(dialogue=dialogue, name="North")
    south = Delegation.objects.create(dialogue=dialogue, name="South")
    start = timezone.now() - timedelta(hours=1)
    meeting = Meeting.objects.create(
        dialogue=dialogue, title="Round 1", starts_at=start, ends_at=start + timedelta(hours=3)
    )
    world = RoomWorld(dialogue, meeting, north, south, users, [])
    names = names or [f"Person {i:02d}" for i in range(2 * per_side)]
    for i, name in enumerate(names[: 2 * per_side]):
        user = make_user(f"p{i}@example.org")
        Membership.objects.create(dialogue=dialogue, user=user, role=Role.PARTICIPANT)
        delegation = north if i < per_side else south
        world.persons[user.pk] = seat(dialogue, meeting, delegation, user, name)
        world.participants.append(user)
    users["participant"] = world.participants[0]
    # A participant of the dialogue who is not on this meeting's list.
    users["unseated"] = make_user("unseated@example.org")
    Membership.objects.create(dialogue=dialogue, user=users["unseated"], role=Role.PARTICIPANT)
    Person.objects.create(
        institution=institution,
        full_name="Unseated Person",
        sector="academia",
        country="Caldera",
        email="unseated.person@example.org",
        user=users["unseated"],
    )
    return world


@pytest.fixture
def room(make_user, institution) -> RoomWorld:
    return build_room(make_user, institution)


def token_for(user) -> str:
    return account_actions.do_create_api_token(user, "room test")[0]


@pytest.fixture
def api(client):
    """`api(user)`: a function calling the API as `user` with a personal token."""

    tokens: dict[int, str] = {}

    def as_user(user):
        if user is not None and user.pk not in tokens:
            tokens[user.pk] = token_for(user)
        headers = {} if user is None else {"HTTP_AUTHORIZATION": f"Bearer {tokens[user.pk]}"}

        def call(method, url, body=None):
            kwargs = dict(headers)
            if body is not None:
                kwargs["data"] = body
                kwargs["content_type"] = "application/json"
            return getattr(client, method)(url, **kwargs)

        return call

    return as_user
