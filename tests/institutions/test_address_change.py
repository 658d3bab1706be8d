"""An invitation goes to the address the person was vetted with; a person's account is theirs."""

from __future__ import annotations

import pytest

from track2.errors import ActionRefused
from track2.people import actions
from track2.people.models import Candidacy, Invitation

Status = Candidacy.Status


@pytest.fixture
def vetted(tenants):
    actions.do_vet(tenants.victim_convener, tenants.candidacy, vouched_by="Dr Vouch")
    tenants.candidacy.refresh_from_db()
    return tenants.candidacy


def test_new_address_sends_a_vetted_person_back_to_vetting(vetted, tenants):
    actions.do_update_person(
        tenants.victim_convener, vetted.person, email="arin.new@caldera.example"
    )
    vetted.refresh_from_db()
    assert vetted.status == Status.NOMINATED
    step = vetted.steps.last()
    assert step.status == Status.NOMINATED and step.by == tenants.victim_convener
    assert "arin@caldera.example" in step.notes and "arin.new@caldera.example" in step.notes


def test_new_address_revokes_the_open_invitation_in_every_dialogue(
    vetted, tenants, make_user, mailoutbox
):
    from track2.dialogues.actions import do_create_dialogue
    from track2.institutions.actions import do_grant_convener

    colleague = make_user("colleague@maritime.example")
    do_grant_convener(None, colleague.email, "Institute for Maritime Dialogue")
    second = do_create_dialogue(colleague, title="Second Channel")
    other = actions.do_nominate_by_email(
        colleague, second, email="arin@caldera.example", nominated_by="x"
    )
    actions.do_vet(colleague, other, vouched_by="v")
    actions.do_invite(tenants.victim_convener, vetted, base_url="https://track2.example")
    actions.do_update_person(colleague, other.person, email="arin.new@caldera.example")
    for candidacy in (vetted, other):
        candidacy.refresh_from_db()
        assert candidacy.status == Status.NOMINATED
    invitation = Invitation.objects.get()
    assert invitation.revoked_at is not None
    with pytest.raises(actions.InvitationUnusable):
        actions.find_invitation(mailoutbox[0].body.split("/invitations/")[1].split("/")[0])


def test_same_address_in_other_case_or_other_fields_change_nothing(vetted, tenants):
    actions.do_update_person(
        tenants.victim_convener, vetted.person, email="ARIN@caldera.example", pronouns="she"
    )
    vetted.refresh_from_db()
    assert vetted.status == Status.VETTED and vetted.steps.count() == 2


def test_nominated_person_keeps_status_with_a_new_address(tenants):
    actions.do_update_person(
        tenants.victim_convener, tenants.candidacy.person, email="x@caldera.example"
    )
    tenants.candidacy.refresh_from_db()
    assert tenants.candidacy.status == Status.NOMINATED and tenants.candidacy.steps.count() == 1


def test_the_address_of_a_person_with_an_account_follows_the_account(tenants, make_user, api_as):
    arin = make_user("arin@caldera.example")
    person = tenants.candidacy.person
    person.user = arin
    person.save()
    with pytest.raises(ActionRefused) as caught:
        actions.do_update_person(tenants.victim_convener, person, email="elsewhere@example.org")
    assert caught.value.field == "email" and "only they can change it" in caught.value.message
    path = f"/dialogues/{tenants.victim_dialogue.pk}/people/{person.pk}"
    response = api_as(
        tenants.victim_convener,
        "patch",
        path,
        {"email": "elsewhere@example.org", "full_name": "Renamed"},
    )
    assert response.status_code == 400 and response.json()["field"] == "email"
    person.refresh_from_db()
    arin.refresh_from_db()
    # Nothing of the request was applied, and the account is untouched.
    assert (person.email, person.full_name, arin.email) == (
        "arin@caldera.example",
        "Arin Solvei",
        "arin@caldera.example",
    )


def test_edit_page_shows_a_linked_address_as_fixed_and_ignores_a_posted_one(
    tenants, make_user, client
):
    from django.urls import reverse

    from tests.helpers import sign_in

    person = tenants.candidacy.person
    person.user = make_user("arin@caldera.example")
    person.save()
    sign_in(client, tenants.victim_convener)
    url = reverse("people:edit", args=[tenants.victim_dialogue.pk, person.pk])
    page = client.get(url).content.decode()
    assert "only they can change it" in page and "disabled" in page
    response = client.post(
        url,
        {
            "full_name": "Arin S.",
            "email": "hijack@example.org",
            "sector": "academia",
            "country": "Caldera",
            "aff-TOTAL_FORMS": "0",
            "aff-INITIAL_FORMS": "0",
            "candidacy-role": "participant",
        },
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.full_name, person.email) == ("Arin S.", "arin@caldera.example")
