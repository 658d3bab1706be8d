"""Every role × every page and form this part adds. Outsiders get 404, never 403, and the same
answer as for an id that does not exist; anonymous visitors are sent to sign in."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from track2.dialogues import role_actions, venue_actions
from track2.dialogues.models import (
    Delegation,
    DelegationMember,
    Membership,
    Party,
    RoleInvitation,
    Venue,
)
from track2.meetings import actions as meeting_actions
from track2.meetings.models import AgendaItem, Meeting, MeetingParticipant

from .page_list import pages

EVERYONE = {"convener", "facilitator", "rapporteur", "participant", "observer", "liaison"}
CONVENER = {"convener"}
ALLOWED = {
    "detail": EVERYONE,
    "edit": CONVENER,
    "parties": CONVENER,
    "roles": CONVENER,
    "delegations": EVERYONE,
    # the participant user is Arin, seated in the Caldera delegation; the facilitator is in the
    # facilitation team
    "delegation_own": {"convener", "participant"},
    "delegation_other": CONVENER,
    "balance": CONVENER,
    "venues": CONVENER,
    "venue_edit": CONVENER,
    "meetings": EVERYONE,
    "meeting_create": CONVENER,
    "meeting": EVERYONE,
    "meeting_edit": CONVENER,
    "meeting_ics": EVERYONE,
    "agenda_edit": {"convener", "facilitator"},
}
STRANGERS = {"outsider", "member_elsewhere", "foreign_convener", "site_admin"}
ALL_ROLES = sorted(EVERYONE | STRANGERS)


@pytest.fixture
def item(world):
    return meeting_actions.do_add_agenda_item(
        world.users["convener"], world.meeting, title="Opening", duration_minutes=20
    )


def test_matrix_covers_every_page(world, item):
    assert {name for name, _url in pages(world)} == set(ALLOWED)


@pytest.mark.parametrize("role", ALL_ROLES)
def test_pages_by_role(world, item, signed_in, role):
    client = signed_in(world.users[role])
    for name, url in pages(world):
        response = client.get(url)
        expected = 200 if role in ALLOWED[name] else 404
        assert response.status_code == expected, (role, name, url)
        if expected == 404:
            assert world.dialogue.title.encode() not in response.content, (role, name)


def test_anonymous_is_sent_to_sign_in_for_real_and_unknown_ids(world, item, client):
    for _name, url in pages(world):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
    unknown = client.get(reverse("dialogues:detail", args=[987654]))
    assert unknown.status_code == 302


def test_unknown_ids_look_like_forbidden_ones(world, signed_in):
    client = signed_in(world.users["outsider"])
    real = client.get(reverse("dialogues:detail", args=[world.dialogue.pk]))
    missing = client.get(reverse("dialogues:detail", args=[world.dialogue.pk + 1000]))
    assert real.status_code == missing.status_code == 404

    def without_csrf(html: bytes) -> bytes:  # the sign-out form's token differs per response
        return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", html)

    assert without_csrf(real.content) == without_csrf(missing.content)


def test_meeting_of_another_dialogue_is_not_found(world, signed_in, make_user):
    from track2.dialogues import actions

    other = actions.do_create_dialogue(world.users["convener"], title="Other")
    client = signed_in(world.users["convener"])
    url = reverse("dialogues:meeting", args=[other.pk, world.meeting.pk])
    assert client.get(url).status_code == 404


def post_forms(world, item):
    """(name, url, data, check that nothing changed) for each form that changes something."""
    d, m = world.dialogue.pk, world.meeting.pk
    seat = DelegationMember.objects.get(person=world.persons["bo"])
    participant = MeetingParticipant.objects.create(
        meeting=world.meeting, person=world.persons["bo"]
    )
    MeetingParticipant.objects.create(
        meeting=world.past_meeting, person=world.persons["cyra"], status="confirmed"
    )
    membership = Membership.objects.get(dialogue=world.dialogue, role="observer")
    party = Party.objects.create(dialogue=world.dialogue, name="Spare", country="Nowhere")
    spare_venue = Venue.objects.create(dialogue=world.dialogue, name="Spare room", kind="virtual")
    offer, _link = role_actions.do_invite_to_role(
        world.users["convener"],
        world.dialogue,
        email="offer@example.org",
        role="observer",
        base_url="https://track2.example",
    )
    counts = lambda: (  # noqa: E731 - a snapshot of everything a form could change
        Party.objects.count(),
        Delegation.objects.count(),
        DelegationMember.objects.count(),
        Venue.objects.count(),
        Meeting.objects.count(),
        list(AgendaItem.objects.values_list("pk", "position", "title")),
        list(Venue.objects.values_list("pk", "name")),
        list(MeetingParticipant.objects.values_list("pk", "status")),
        Membership.objects.count(),
        list(RoleInvitation.objects.values_list("pk", "revoked_at")),
        world.dialogue.__class__.objects.get(pk=d).title,
        list(Meeting.objects.values_list("pk", "archived_at")),
    )
    forms = [
        (
            "edit",
            reverse("dialogues:edit", args=[d]),
            {
                "title": "Hijacked",
                "track": "track2",
                "status": "active",
                "default_attribution_mode": "on_record",
                "k_anonymity": 3,
                "min_members_per_side": 1,
                "max_side_ratio": "2",
                "max_gender_share": 80,
            },
            CONVENER,
        ),
        (
            "party_add",
            reverse("dialogues:parties", args=[d]),
            {"name": "Isle", "country": "Isle"},
            CONVENER,
        ),
        ("party_remove", reverse("dialogues:party_remove", args=[d, party.pk]), {}, CONVENER),
        (
            "role_offer",
            reverse("dialogues:roles", args=[d]),
            {"email": "new.liaison@example.org", "role": "liaison"},
            CONVENER,
        ),
        (
            "role_offer_cancel",
            reverse("dialogues:role_invitation_cancel", args=[d, offer.pk]),
            {},
            CONVENER,
        ),
        ("role_remove", reverse("dialogues:role_remove", args=[d, membership.pk]), {}, CONVENER),
        (
            "delegation_add",
            reverse("dialogues:delegations", args=[d]),
            {"name": "Team", "kind": "facilitation"},
            CONVENER,
        ),
        (
            "seat",
            reverse("dialogues:delegation", args=[d, world.caldera.pk]),
            {"seat": "1", "person": world.persons["eli"].pk},
            CONVENER,
        ),
        ("unseat", reverse("dialogues:unseat", args=[d, world.caldera.pk, seat.pk]), {}, CONVENER),
        (
            "venue_add",
            reverse("dialogues:venues", args=[d]),
            {"name": "Hall", "kind": "university", "country": "Norland"},
            CONVENER,
        ),
        (
            "venue_edit",
            reverse("dialogues:venue_edit", args=[d, spare_venue.pk]),
            {"name": "Renamed room", "kind": "virtual"},
            CONVENER,
        ),
        ("venue_delete", reverse("dialogues:venue_delete", args=[d, spare_venue.pk]), {}, CONVENER),
        (
            "meeting_add",
            reverse("dialogues:meeting_create", args=[d]),
            {
                "title": "R9",
                "time_zone": "UTC",
                "starts_at": "2031-01-01T10:00",
                "ends_at": "2031-01-01T12:00",
                "attribution_mode": "chatham_house",
            },
            CONVENER,
        ),
        (
            "agenda_add",
            reverse("dialogues:agenda_add", args=[d, m]),
            {"title": "More", "duration_minutes": 5},
            {"convener", "facilitator"},
        ),
        (
            "agenda_move",
            reverse("dialogues:agenda_move", args=[d, m, item.pk]),
            {"direction": "down"},
            {"convener", "facilitator"},
        ),
        (
            "agenda_delete",
            reverse("dialogues:agenda_delete", args=[d, m, item.pk]),
            {},
            {"convener", "facilitator"},
        ),
        (
            "participants_add",
            reverse("dialogues:participants_add", args=[d, m]),
            {"persons": [world.persons["cyra"].pk], "status": "invited"},
            CONVENER,
        ),
        (
            "participant_status",
            reverse("dialogues:participant_status", args=[d, m, participant.pk]),
            {"status": "declined"},
            CONVENER,
        ),
        (
            "participants_attended",
            reverse("dialogues:participants_attended", args=[d, world.past_meeting.pk]),
            {},
            CONVENER,
        ),
        (
            "meeting_archive",
            reverse("dialogues:meeting_archive", args=[d, world.past_meeting.pk]),
            {"archived": "1"},
            CONVENER,
        ),
        ("meeting_delete", reverse("dialogues:meeting_delete", args=[d, m]), {}, CONVENER),
    ]
    return forms, counts


@pytest.mark.parametrize("role", sorted((EVERYONE - CONVENER) | STRANGERS))
def test_forms_refused_to_other_roles_change_nothing(world, item, signed_in, role):
    forms, counts = post_forms(world, item)
    client = signed_in(world.users[role])
    for name, url, data, allowed in forms:
        if role in allowed:
            continue
        before = counts()
        response = client.post(url, data)
        assert response.status_code == 404, (role, name)
        assert counts() == before, (role, name)


def test_convener_forms_all_work(world, item, signed_in):
    forms, counts = post_forms(world, item)
    client = signed_in(world.users["convener"])
    for name, url, data, _allowed in forms:
        before = counts()
        response = client.post(url, data)
        assert response.status_code == 302, (name, response.content[:500])
        assert counts() != before, name


def test_facilitator_runs_the_agenda(world, item, signed_in):
    client = signed_in(world.users["facilitator"])
    d, m = world.dialogue.pk, world.meeting.pk
    response = client.post(
        reverse("dialogues:agenda_add", args=[d, m]), {"title": "Closing", "duration_minutes": 10}
    )
    assert response.status_code == 302
    assert list(world.meeting.agenda_items.values_list("title", flat=True)) == [
        "Opening",
        "Closing",
    ]


def test_a_convener_of_two_dialogues_sees_each_ones_venues_apart(world, signed_in):
    from track2.dialogues import actions

    other = actions.do_create_dialogue(world.users["convener"], title="Other series")
    hidden = venue_actions.do_create_venue(
        world.users["convener"],
        other,
        name="Hidden villa",
        kind="private_home",
        country="X",
        address="1 Hidden Road",
    )
    # a second convener of the first dialogue only
    Membership.objects.create(dialogue=world.dialogue, user=world.users["liaison"], role="convener")
    client = signed_in(world.users["liaison"])
    page = client.get(reverse("dialogues:venues", args=[world.dialogue.pk])).content
    assert b"Hidden villa" not in page and b"Lakeside Centre" in page
    assert (
        client.get(reverse("dialogues:venue_edit", args=[world.dialogue.pk, hidden.pk])).status_code
        == 404
    )
    assert (
        client.get(reverse("dialogues:venue_edit", args=[other.pk, hidden.pk])).status_code == 404
    )
