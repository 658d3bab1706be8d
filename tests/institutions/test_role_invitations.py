"""A role is given only when its holder accepts: offers by e-mail, one-time links, pages and API."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.dialogues.conftest import make_person
from tests.helpers import sign_in
from track2.dialogues import role_actions
from track2.dialogues.models import Membership, RoleInvitation
from track2.institutions.models import ConveningRight

BASE = "https://track2.example"


def secret_of(mail) -> str:
    return mail.body.split("/role-invitation/")[1].split("/")[0]


def offer(world, email, role="observer"):
    invitation, link = role_actions.do_invite_to_role(
        world.users["convener"], world.dialogue, email=email, role=role, base_url=BASE
    )
    return invitation, link.rstrip("/").rsplit("/", 1)[-1]


def test_page_flow_offer_sign_in_accept(world, client, mailoutbox):
    sign_in(client, world.users["convener"])
    response = client.post(
        reverse("dialogues:roles", args=[world.dialogue.pk]),
        {"email": "OUTSIDER@example.org", "role": "liaison"},
    )
    assert response.status_code == 302
    (mail,) = mailoutbox
    assert mail.to == ["OUTSIDER@example.org"] and "Institute for Maritime Dialogue" in mail.body
    secret = secret_of(mail)
    assert not RoleInvitation.objects.filter(digest=secret).exists()  # only the digest is stored
    assert (
        "OUTSIDER@example.org"
        in client.get(reverse("dialogues:roles", args=[world.dialogue.pk])).content.decode()
    )

    url = reverse("dialogues:role_invitation", args=[secret])
    client.logout()
    anonymous = client.get(url)
    assert anonymous.status_code == 200 and "Sign in to answer" in anonymous.content.decode()
    assert anonymous["Cache-Control"] == "no-store"
    assert not Membership.objects.filter(user=world.users["outsider"]).exists()
    refused = client.post(url, {"answer": "accept"})
    assert (
        refused.status_code == 400
        and not Membership.objects.filter(user=world.users["outsider"]).exists()
    )

    sign_in(client, world.users["outsider"])
    accepted = client.post(url, {"answer": "accept"})
    assert accepted.status_code == 302 and accepted["Location"] == world.dialogue.get_absolute_url()
    assert Membership.objects.filter(
        user=world.users["outsider"], dialogue=world.dialogue, role="liaison"
    ).exists()
    again = client.post(url, {"answer": "accept"})
    assert again.status_code == 410 and "already been used" in again.content.decode()


def test_someone_else_holding_the_link_gets_nothing(world, client, mailoutbox):
    _invitation, secret = offer(world, world.users["outsider"].email, role="convener")
    url = reverse("dialogues:role_invitation", args=[secret])
    for intruder in ("participant", "member_elsewhere", "foreign_convener", "site_admin"):
        client.logout()
        sign_in(client, world.users[intruder])
        page = client.get(url)
        assert page.status_code == 200 and "but this role is offered to" in page.content.decode()
        for answer in ("accept", "decline"):
            response = client.post(url, {"answer": answer})
            assert response.status_code == 400, (intruder, answer)
        assert not Membership.objects.filter(
            user=world.users[intruder], dialogue=world.dialogue, role="convener"
        ).exists()
    assert RoleInvitation.objects.get().is_open


def test_convener_role_needs_a_right_in_the_institution(world, client):
    outsider = world.users["outsider"]
    _invitation, secret = offer(world, outsider.email, role="convener")
    sign_in(client, outsider)
    url = reverse("dialogues:role_invitation", args=[secret])
    response = client.post(url, {"answer": "accept"})
    assert response.status_code == 400 and "grant-convener" in response.content.decode()
    assert not Membership.objects.filter(user=outsider, role="convener").exists()
    # A right in another institution is not enough.
    foreign = world.users["foreign_convener"].convening_rights.get().institution
    ConveningRight.objects.create(institution=foreign, user=outsider)
    assert client.post(url, {"answer": "accept"}).status_code == 400
    ConveningRight.objects.create(institution=world.dialogue.institution, user=outsider)
    assert client.post(url, {"answer": "accept"}).status_code == 302
    assert Membership.objects.filter(
        user=outsider, dialogue=world.dialogue, role="convener"
    ).exists()


def test_serving_official_refused_in_track_2(world, client, make_user):
    official = make_user("official@example.org")
    make_person(world.dialogue, "Sera Official", sector="serving_official", user=official)
    _invitation, secret = offer(world, official.email, role="observer")
    sign_in(client, official)
    response = client.post(
        reverse("dialogues:role_invitation", args=[secret]), {"answer": "accept"}
    )
    assert response.status_code == 400 and "serving official" in response.content.decode()


@pytest.mark.parametrize(
    "state", ["expired", "cancelled", "replaced", "declined", "bad", "truncated"]
)
def test_unusable_links(world, client, state):
    outsider = world.users["outsider"]
    invitation, secret = offer(world, outsider.email)
    expected = 410
    if state == "expired":
        RoleInvitation.objects.filter(pk=invitation.pk).update(
            expires_at=timezone.now() - timedelta(seconds=1)
        )
    elif state == "cancelled":
        role_actions.do_cancel_role_invitation(world.users["convener"], invitation)
    elif state == "replaced":
        offer(world, outsider.email)
    elif state == "declined":
        role_actions.do_decline_role(secret, outsider)
    elif state == "bad":
        secret, expected = "A" * 43, 404
    else:
        secret, expected = secret[:20], 404
    sign_in(client, outsider)
    url = reverse("dialogues:role_invitation", args=[secret])
    assert client.get(url).status_code == expected
    assert client.post(url, {"answer": "accept"}).status_code == expected
    assert not Membership.objects.filter(user=outsider).exists()


def test_api_flow(world, client, api_as, mailoutbox):
    d = world.dialogue.pk
    made = api_as(
        world.users["convener"],
        "post",
        f"/dialogues/{d}/roles",
        {"email": world.users["outsider"].email, "role": "rapporteur"},
    )
    assert made.status_code == 202 and "secret" not in made.content.decode()
    assert secret_of(mailoutbox[0]) not in made.content.decode()
    listed = api_as(world.users["convener"], "get", f"/dialogues/{d}/role-invitations").json()
    assert [(i["email"], i["role"]) for i in listed] == [
        (world.users["outsider"].email, "rapporteur")
    ]
    secret = secret_of(mailoutbox[0])
    wrong = api_as(
        world.users["participant"], "post", "/role-invitations/accept", {"secret": secret}
    )
    assert wrong.status_code == 400 and world.users["outsider"].email in wrong.json()["detail"]
    ok = api_as(world.users["outsider"], "post", "/role-invitations/accept", {"secret": secret})
    assert ok.status_code == 201 and ok.json() == {"dialogue_id": d, "role": "rapporteur"}
    used = api_as(world.users["outsider"], "post", "/role-invitations/accept", {"secret": secret})
    assert used.status_code == 400 and "already been used" in used.json()["detail"]
    assert api_as(world.users["convener"], "get", f"/dialogues/{d}/role-invitations").json() == []


def test_api_cancel_and_decline(world, api_as, mailoutbox):
    d = world.dialogue.pk
    first, _secret = offer(world, "someone@example.org")
    assert (
        api_as(
            world.users["convener"], "delete", f"/dialogues/{d}/role-invitations/{first.pk}"
        ).status_code
        == 204
    )
    again = api_as(world.users["convener"], "delete", f"/dialogues/{d}/role-invitations/{first.pk}")
    assert again.status_code == 400
    _second, secret = offer(world, world.users["outsider"].email)
    assert (
        api_as(
            world.users["outsider"], "post", "/role-invitations/decline", {"secret": secret}
        ).status_code
        == 204
    )
    assert not Membership.objects.filter(user=world.users["outsider"]).exists()


@pytest.mark.parametrize(
    "body",
    [
        {"email": "not-an-address", "role": "observer"},
        {"email": "a@example.org", "role": "king"},
        {"email": "a@example.org\x00", "role": "observer"},
        {"email": "x" * 10_000 + "@example.org", "role": "observer"},
        {"email": "", "role": ""},
    ],
)
def test_api_offer_bad_input(world, api_as, body, mailoutbox):
    response = api_as(
        world.users["convener"], "post", f"/dialogues/{world.dialogue.pk}/roles", body
    )
    # Control characters and over-long text break the schema (422); the rest the action refuses (400).
    expected = 422 if "\x00" in body["email"] or len(body["email"]) > 254 else 400
    assert response.status_code == expected and response.json()["detail"]
    assert not RoleInvitation.objects.exists() and not mailoutbox


@pytest.mark.parametrize("secret", ["", "x" * 100_000, "\x00" * 43, "é" * 43, 42])
def test_api_accept_bad_secret(world, api_as, secret):
    response = api_as(
        world.users["outsider"], "post", "/role-invitations/accept", {"secret": secret}
    )
    assert response.status_code in (400, 422)
    assert not Membership.objects.filter(user=world.users["outsider"]).exists()


def test_a_candidacy_as_convener_needs_the_right_too(tenants, make_user):
    """The people pages' invitation can carry the convener role; accepting it follows the same rule."""
    from track2.people import actions as people_actions
    from track2.people.models import Candidacy

    t = tenants
    candidacy = people_actions.do_add_person(
        t.victim_convener,
        t.victim_dialogue,
        full_name="Co Convener",
        email="co@maritime.example",
        sector="think_tank",
        country="N",
        nominated_by="x",
        role="convener",
    )
    people_actions.do_vet(t.victim_convener, candidacy, vouched_by="v")
    _invitation, link = people_actions.do_invite(t.victim_convener, candidacy, base_url=BASE)
    secret = link.rstrip("/").rsplit("/", 1)[-1]
    co = make_user("co@maritime.example")
    with pytest.raises(people_actions.ActionRefused) as caught:
        people_actions.do_accept_invitation(secret, co)
    assert "grant-convener" in caught.value.message
    assert not Membership.objects.filter(user=co).exists()
    ConveningRight.objects.create(institution=t.victim_dialogue.institution, user=co)
    people_actions.do_accept_invitation(secret, co)
    assert Candidacy.objects.get(pk=candidacy.pk).status == Candidacy.Status.CONFIRMED
    assert Membership.objects.filter(user=co, dialogue=t.victim_dialogue, role="convener").exists()


def test_seating_refuses_a_person_of_another_institution(tenants):
    from track2.dialogues import actions as dialogue_actions
    from track2.dialogues.models import Delegation

    t = tenants
    delegation = dialogue_actions.do_create_delegation(
        t.attacker, t.attacker_dialogue, name="Team", kind=Delegation.Kind.FACILITATION
    )
    with pytest.raises(dialogue_actions.ActionRefused):
        dialogue_actions.do_seat_in_delegation(t.attacker, delegation, t.candidacy.person)
    assert not delegation.members.exists()
