"""Every role × every dialogues API endpoint: each allowed role gets the exact expected status and
effect, everyone else 404 — never 403 — and nothing changes; anonymous callers 401."""

from __future__ import annotations

import re

import pytest

from track2.accounts import actions as account_actions
from track2.dialogues import role_actions
from track2.dialogues.models import (
    Delegation,
    DelegationMember,
    Dialogue,
    Membership,
    Party,
    RoleInvitation,
    Venue,
)
from track2.meetings import actions as meeting_actions
from track2.meetings.models import AgendaItem, Meeting, MeetingParticipant

EVERYONE = {"convener", "facilitator", "rapporteur", "participant", "observer", "liaison"}
CONVENER = {"convener"}
AGENDA = {"convener", "facilitator"}
# Besides the dialogue's roles: a member of another dialogue, a convener of another institution
# and a site administrator see nothing of this dialogue either.
ROLES = sorted(EVERYONE | {"outsider", "member_elsewhere", "foreign_convener", "site_admin"})


def endpoints(world, item, participant, seat, membership, party, spare_venue, offer):
    d, m = (
        f"/dialogues/{world.dialogue.pk}",
        f"/dialogues/{world.dialogue.pk}/meetings/{world.meeting.pk}",
    )
    return [
        ("get", d, None, EVERYONE),
        ("patch", d, {"purpose": "Changed"}, CONVENER),
        ("get", d + "/balance", None, CONVENER),
        ("post", d + "/parties", {"name": "Isle", "country": "I"}, CONVENER),
        ("delete", d + f"/parties/{party.pk}", None, CONVENER),
        ("get", d + "/roles", None, CONVENER),
        ("post", d + "/roles", {"email": "new.liaison@example.org", "role": "liaison"}, CONVENER),
        ("get", d + "/role-invitations", None, CONVENER),
        ("delete", d + f"/role-invitations/{offer.pk}", None, CONVENER),
        ("delete", d + f"/roles/{membership.pk}", None, CONVENER),
        ("get", d + "/delegations", None, EVERYONE),
        ("post", d + "/delegations", {"name": "Team B", "kind": "facilitation"}, CONVENER),
        ("patch", d + f"/delegations/{world.ostrava.pk}", {"name": "Ostrava team"}, CONVENER),
        (
            "delete",
            d + f"/delegations/{world.facilitation.pk}",
            None,
            CONVENER,
        ),  # refused: has members
        (
            "post",
            d + f"/delegations/{world.ostrava.pk}/seats",
            {"person_id": world.persons["eli"].pk},
            CONVENER,
        ),
        ("delete", d + f"/delegations/{world.ostrava.pk}/seats/{seat.pk}", None, CONVENER),
        ("get", d + "/venues", None, CONVENER),
        ("post", d + "/venues", {"name": "Hall", "kind": "virtual"}, CONVENER),
        ("patch", d + f"/venues/{world.venue.pk}", {"accessibility_notes": "Lift"}, CONVENER),
        ("delete", d + f"/venues/{spare_venue.pk}", None, CONVENER),
        ("get", d + "/meetings", None, EVERYONE),
        (
            "post",
            d + "/meetings",
            {
                "title": "R9",
                "starts_at": "2031-01-01T10:00",
                "ends_at": "2031-01-01T11:00",
                "time_zone": "UTC",
            },
            CONVENER,
        ),
        ("get", m, None, EVERYONE),
        ("patch", m, {"title": "Round 2 (moved)"}, CONVENER),
        ("post", m + "/agenda", {"title": "More", "duration_minutes": 5}, AGENDA),
        ("patch", m + f"/agenda/{item.pk}", {"duration_minutes": 25}, AGENDA),
        (
            "post",
            m + f"/agenda/{item.pk}/move",
            {"direction": "down"},
            AGENDA,
        ),  # refused: only item
        ("delete", m + f"/agenda/{item.pk}", None, AGENDA),
        ("get", m + "/participants", None, CONVENER),  # the attendance list is confidential
        ("post", m + "/participants", {"person_ids": [world.persons["cyra"].pk]}, CONVENER),
        ("post", m + "/participants/attended", None, CONVENER),  # refused: not started yet
        (
            "post",
            m + "/my-answer",
            {"status": "confirmed"},
            {"participant"},
        ),  # only someone on the list
        ("patch", m + f"/participants/{participant.pk}", {"status": "declined"}, CONVENER),
        ("delete", m + f"/participants/{participant.pk}", None, CONVENER),
        ("delete", m, None, CONVENER),
    ]


@pytest.fixture
def setup(world, make_user):
    item = meeting_actions.do_add_agenda_item(
        world.users["convener"], world.meeting, title="Opening", duration_minutes=20
    )
    participant = MeetingParticipant.objects.create(
        meeting=world.meeting, person=world.persons["bo"]
    )
    MeetingParticipant.objects.create(
        meeting=world.meeting, person=world.persons["arin"]
    )  # the participant user
    seat = DelegationMember.objects.get(person=world.persons["dane"])
    extra = make_user("extra@example.org")
    membership = Membership.objects.create(dialogue=world.dialogue, user=extra, role="observer")
    party = Dialogue.objects.get(pk=world.dialogue.pk).parties.create(name="Spare", country="S")
    spare_venue = Venue.objects.create(dialogue=world.dialogue, name="Spare room", kind="virtual")
    offer, _link = role_actions.do_invite_to_role(
        world.users["convener"],
        world.dialogue,
        email="offered@example.org",
        role="observer",
        base_url="https://track2.example",
    )
    return endpoints(world, item, participant, seat, membership, party, spare_venue, offer)


def snapshot():
    return (
        list(Dialogue.objects.values_list("pk", "purpose", "title")),
        list(Party.objects.values_list("pk", "name")),
        list(Membership.objects.values_list("pk", "role")),
        list(Delegation.objects.values_list("pk", "name")),
        list(DelegationMember.objects.values_list("pk", "delegation_id")),
        list(Venue.objects.values_list("pk", "name", "accessibility_notes")),
        list(Meeting.objects.values_list("pk", "title")),
        list(AgendaItem.objects.values_list("pk", "position", "duration_minutes")),
        list(MeetingParticipant.objects.values_list("pk", "status")),
        list(RoleInvitation.objects.values_list("pk", "revoked_at")),
    )


def call(client, user, method, path, body):
    headers = {}
    if user is not None:
        secret, _token = account_actions.do_create_api_token(user, f"matrix-{method}-{path}"[:100])
        headers["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    kwargs = {"content_type": "application/json", **headers}
    if body is not None:
        kwargs["data"] = body
    return getattr(client, method)("/api/v1" + path, **kwargs)


@pytest.mark.parametrize("role", ROLES)
def test_endpoints_by_role(client, world, setup, role):
    user = world.users[role]
    for method, path, body, allowed in setup:
        if role in allowed:
            continue
        before = snapshot()
        response = call(client, user, method, path, body)
        assert response.status_code == 404, (role, method, path, response.content[:200])
        assert response.json() == {"detail": "Not found."}
        assert snapshot() == before, (role, method, path)


def shape(path: str) -> str:
    return re.sub(r"/\d+", "/{id}", path)


def _has(model, **fields):
    return lambda world, answer: model.objects.filter(**fields).exists()


def _gone(model, **fields):
    return lambda world, answer: not model.objects.filter(**fields).exists()


def _names(answer) -> set[str]:
    rows = answer.json()
    rows = rows["items"] if isinstance(rows, dict) and "items" in rows else rows
    return {row.get("name") or row.get("title") for row in rows}


D, M = "/dialogues/{id}", "/dialogues/{id}/meetings/{id}"
# For each endpoint: the exact status an allowed role gets, and what must then be true. Each role
# runs the endpoints it may use in the order of `endpoints()`, on a fresh world.
EXPECTED = {
    ("get", D): (200, lambda w, a: a.json()["title"] == "Varena Sea Dialogue"),
    ("patch", D): (200, _has(Dialogue, purpose="Changed")),
    ("get", D + "/balance"): (
        200,
        lambda w, a: (
            {row["name"]: row["size"] for row in a.json()["delegations"]}[
                "Federation of Ostrava delegation"
            ]
            == 2
        ),
    ),
    ("post", D + "/parties"): (201, _has(Party, name="Isle")),
    ("delete", D + "/parties/{id}"): (204, _gone(Party, name="Spare")),
    ("get", D + "/roles"): (200, lambda w, a: "extra@example.org" in a.content.decode()),
    # A role is offered, never given: 202, an open invitation, and no new role until it is accepted.
    ("post", D + "/roles"): (
        202,
        lambda w, a: (
            RoleInvitation.objects.filter(
                sent_to="new.liaison@example.org", role="liaison", used_at__isnull=True
            ).exists()
            and not Membership.objects.filter(user__email="new.liaison@example.org").exists()
        ),
    ),
    ("get", D + "/role-invitations"): (
        200,
        lambda w, a: "offered@example.org" in a.content.decode(),
    ),
    ("delete", D + "/role-invitations/{id}"): (
        204,
        lambda w, a: (
            RoleInvitation.objects.get(sent_to="offered@example.org").revoked_at is not None
        ),
    ),
    ("delete", D + "/roles/{id}"): (204, _gone(Membership, user__email="extra@example.org")),
    ("get", D + "/delegations"): (
        200,
        lambda w, a: (
            _names(a)
            == {
                "Facilitators",
                "Northern Republic of Caldera delegation",
                "Federation of Ostrava delegation",
            }
        ),
    ),
    ("post", D + "/delegations"): (201, _has(Delegation, name="Team B", kind="facilitation")),
    ("patch", D + "/delegations/{id}"): (200, _has(Delegation, name="Ostrava team")),
    ("delete", D + "/delegations/{id}"): (
        400,
        lambda w, a: (
            Delegation.objects.filter(pk=w.facilitation.pk).exists()
            and "still has members" in a.json()["detail"]
        ),
    ),
    ("post", D + "/delegations/{id}/seats"): (
        201,
        lambda w, a: DelegationMember.objects.filter(
            person=w.persons["eli"], delegation=w.ostrava
        ).exists(),
    ),
    ("delete", D + "/delegations/{id}/seats/{id}"): (
        204,
        lambda w, a: not DelegationMember.objects.filter(person=w.persons["dane"]).exists(),
    ),
    ("get", D + "/venues"): (200, lambda w, a: {"Lakeside Centre", "A private home"} <= _names(a)),
    ("post", D + "/venues"): (201, _has(Venue, name="Hall", kind="virtual")),
    ("patch", D + "/venues/{id}"): (
        200,
        _has(Venue, name="Lakeside Centre", accessibility_notes="Lift"),
    ),
    ("delete", D + "/venues/{id}"): (204, _gone(Venue, name="Spare room")),
    ("get", D + "/meetings"): (200, lambda w, a: {"Round 1", "Round 2"} <= _names(a)),
    ("post", D + "/meetings"): (201, _has(Meeting, title="R9")),
    ("get", M): (200, lambda w, a: a.json()["title"] in ("Round 2", "Round 2 (moved)")),
    ("patch", M): (200, _has(Meeting, title="Round 2 (moved)")),
    ("post", M + "/agenda"): (201, _has(AgendaItem, title="More")),
    ("patch", M + "/agenda/{id}"): (200, _has(AgendaItem, title="Opening", duration_minutes=25)),
    # "More" was added first, so "Opening" can move down below it.
    ("post", M + "/agenda/{id}/move"): (200, _has(AgendaItem, title="Opening", position=2)),
    ("delete", M + "/agenda/{id}"): (204, _gone(AgendaItem, title="Opening")),
    ("get", M + "/participants"): (200, lambda w, a: "Bo Tarn" in a.content.decode()),
    ("post", M + "/participants"): (
        201,
        lambda w, a: MeetingParticipant.objects.filter(
            meeting=w.meeting, person=w.persons["cyra"]
        ).exists(),
    ),
    ("post", M + "/participants/attended"): (
        400,
        lambda w, a: not MeetingParticipant.objects.filter(status="attended").exists(),
    ),
    ("post", M + "/my-answer"): (
        200,
        lambda w, a: (
            MeetingParticipant.objects.get(meeting=w.meeting, person=w.persons["arin"]).status
            == "confirmed"
        ),
    ),
    ("patch", M + "/participants/{id}"): (
        200,
        lambda w, a: (
            MeetingParticipant.objects.get(meeting=w.meeting, person=w.persons["bo"]).status
            == "declined"
        ),
    ),
    ("delete", M + "/participants/{id}"): (
        204,
        lambda w, a: (
            not MeetingParticipant.objects.filter(
                meeting=w.meeting, person=w.persons["bo"]
            ).exists()
        ),
    ),
    ("delete", M): (204, lambda w, a: not Meeting.objects.filter(pk=w.meeting.pk).exists()),
}


def test_every_endpoint_has_an_exact_expectation(setup):
    assert {(method, shape(path)) for method, path, _body, _allowed in setup} == set(EXPECTED)


@pytest.mark.parametrize("role", sorted(EVERYONE))
def test_allowed_roles_get_the_exact_answer_and_effect(client, world, setup, role):
    used = 0
    for method, path, body, allowed in setup:
        if role not in allowed:
            continue
        status, holds = EXPECTED[(method, shape(path))]
        response = call(client, world.users[role], method, path, body)
        assert response.status_code == status, (role, method, path, response.content[:300])
        assert holds(world, response), (role, method, path, response.content[:300])
        used += 1
    assert used >= 4


def test_anonymous_gets_401_everywhere(client, world, setup):
    for method, path, body, _allowed in setup:
        assert call(client, None, method, path, body).status_code == 401, (method, path)


def test_every_dialogues_endpoint_is_in_the_matrix(client, world, setup):
    from track2.api.urls import api

    schema = api.get_openapi_schema()
    documented = {
        (method, path.removeprefix("/api/v1"))
        for path, operations in schema["paths"].items()
        for method, op in operations.items()
        if "dialogues" in op.get("tags", []) and path != "/api/v1/dialogues"
    }
    d, m = world.dialogue.pk, world.meeting.pk
    covered = set()
    for method, path, _body, _allowed in setup:
        template = path.replace(f"/dialogues/{d}", "/dialogues/{dialogue_id}").replace(
            f"/meetings/{m}", "/meetings/{meeting_id}"
        )
        covered.add((method, template))
    missing = {
        (meth, p)
        for meth, p in documented
        if not any(meth == cm and _same_shape(p, cp) for cm, cp in covered)
    }
    assert not missing, missing


def _same_shape(template: str, concrete: str) -> bool:
    left, right = template.split("/"), concrete.split("/")
    return len(left) == len(right) and all(
        a == b or a.startswith("{") for a, b in zip(left, right, strict=True)
    )
