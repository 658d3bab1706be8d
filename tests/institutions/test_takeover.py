"""Issue 8, finding 1: the directory takeover, end to end through the API, with the attacker
convening in another institution. Before institutions, the attacker "nominated" the victim's
address, received the shared entry, changed its e-mail to their own, and received the link when
the victim's convener invited the person. Now nothing crosses institutions."""

from __future__ import annotations

import pytest

from track2.dialogues.models import Membership
from track2.people import actions as people_actions
from track2.people.models import Candidacy, Invitation, Person

VICTIM = "arin@caldera.example"


def test_the_directory_takeover_fails_at_every_step(tenants, api_as, mailoutbox):
    t = tenants
    victim_person = t.candidacy.person
    d_attack = t.attacker_dialogue.pk

    # 1. "Nominate" the victim's address: this institution's directory does not know it, and the
    #    answer is the one for an address nobody has ever used.
    nominated = api_as(
        t.attacker,
        "post",
        f"/dialogues/{d_attack}/people/nominate",
        {"email": VICTIM, "nominated_by": "Me"},
    )
    never_seen = api_as(
        t.attacker,
        "post",
        f"/dialogues/{d_attack}/people/nominate",
        {"email": "nobody@nowhere.example", "nominated_by": "Me"},
    )
    assert nominated.status_code == never_seen.status_code == 400
    assert nominated.json() == never_seen.json()
    assert "Arin" not in nominated.content.decode() and "+99" not in nominated.content.decode()

    # 2. Add the address by hand: a new, empty entry in the attacker's institution, nothing shared.
    added = api_as(
        t.attacker,
        "post",
        f"/dialogues/{d_attack}/people",
        {
            "full_name": "Whoever",
            "email": VICTIM,
            "sector": "academia",
            "country": "X",
            "nominated_by": "Me",
        },
    )
    assert added.status_code == 201, added.content
    copy = added.json()
    assert copy["id"] != victim_person.pk
    assert copy["phone"] == "" and copy["languages"] == [] and copy["affiliations"] == []
    assert "CANARY-RISK" not in added.content.decode()

    # 3. Change that entry's e-mail to the attacker's: only the attacker's own entry changes.
    changed = api_as(
        t.attacker,
        "patch",
        f"/dialogues/{d_attack}/people/{copy['id']}",
        {"email": t.attacker.email},
    )
    assert changed.status_code == 200
    victim_person.refresh_from_db()
    assert victim_person.email == VICTIM and victim_person.full_name == "Arin Solvei"

    # 4. Reach the victim's entry directly, through either dialogue: not found, and no change.
    for path in (
        f"/dialogues/{d_attack}/people/{victim_person.pk}",
        f"/dialogues/{t.victim_dialogue.pk}/people/{victim_person.pk}",
    ):
        assert api_as(t.attacker, "get", path).status_code == 404
        assert api_as(t.attacker, "patch", path, {"email": t.attacker.email}).status_code == 404
    victim_person.refresh_from_db()
    assert victim_person.email == VICTIM

    # 5. The victim's convener vets and invites: the link goes to the vetted address only.
    vetted = api_as(
        t.victim_convener,
        "post",
        f"/dialogues/{t.victim_dialogue.pk}/people/{victim_person.pk}/vet",
        {"vouched_by": "Dr Vouch"},
    )
    assert vetted.status_code == 200
    invited = api_as(
        t.victim_convener,
        "post",
        f"/dialogues/{t.victim_dialogue.pk}/people/{victim_person.pk}/invite",
    )
    assert invited.status_code == 201 and invited.json()["sent_to"] == VICTIM
    assert [m.to for m in mailoutbox] == [[VICTIM]]
    assert not any(t.attacker.email in m.body for m in mailoutbox)

    # 6. Even holding the link, the attacker cannot accept it: it is for the victim's address.
    secret = mailoutbox[0].body.split("/invitations/")[1].split("/")[0]
    try:
        people_actions.do_accept_invitation(secret, t.attacker)
    except people_actions.ActionRefused as refusal:
        assert VICTIM in refusal.message
    else:
        raise AssertionError("the attacker accepted someone else's invitation")
    assert not Membership.objects.filter(user=t.attacker, dialogue=t.victim_dialogue).exists()
    assert Invitation.objects.get().used_at is None
    assert Candidacy.objects.get(dialogue=t.victim_dialogue).status == Candidacy.Status.INVITED


def test_two_institutions_hold_separate_entries_for_one_address(tenants, api_as):
    t = tenants
    api_as(
        t.attacker,
        "post",
        f"/dialogues/{t.attacker_dialogue.pk}/people",
        {
            "full_name": "Other Arin",
            "email": VICTIM.upper(),
            "sector": "media",
            "country": "Y",
            "nominated_by": "Me",
        },
    )
    entries = Person.objects.filter(email__iexact=VICTIM)
    assert entries.count() == 2
    assert {p.institution.name for p in entries} == {
        "Institute for Maritime Dialogue",
        "Elsewhere Foundation",
    }


def test_an_account_without_a_convening_right_cannot_create_a_dialogue(make_user, api_as):
    nobody = make_user("nobody@example.org")
    response = api_as(nobody, "post", "/dialogues", {"title": "My own talks"})
    assert response.status_code == 403
    assert "track2 grant-convener nobody@example.org" in response.json()["detail"]
    assert not Membership.objects.filter(user=nobody).exists()


def test_a_convener_cannot_create_in_another_institution(tenants, api_as):
    t = tenants
    response = api_as(
        t.attacker,
        "post",
        "/dialogues",
        {"title": "Planted", "institution_id": t.victim_dialogue.institution_id},
    )
    assert response.status_code == 400 and response.json()["field"] == "institution"
    assert "Elsewhere Foundation" in response.json()["detail"]
    assert "Maritime" not in response.json()["detail"]
    made = api_as(t.attacker, "post", "/dialogues", {"title": "Own talks"})
    assert made.status_code == 201 and made.json()["institution"]["name"] == "Elsewhere Foundation"
    me = api_as(t.attacker, "get", "/me").json()
    assert [i["name"] for i in me["convening_institutions"]] == ["Elsewhere Foundation"]


@pytest.mark.parametrize("bad", [0, -1, 2**63, 10**30, "1", True, 1.5, [1]])
def test_create_dialogue_with_a_bad_institution_id(tenants, api_as, bad):
    response = api_as(
        tenants.attacker, "post", "/dialogues", {"title": "Odd", "institution_id": bad}
    )
    assert response.status_code in (400, 422), response.content
    assert response.status_code != 500
    assert not Membership.objects.filter(user=tenants.attacker, dialogue__title="Odd").exists()
