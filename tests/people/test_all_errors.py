"""The people pages converted to site.forms.submit show the form's errors and the action's
rules together, not one round at a time."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.helpers import sign_in
from track2.people import actions
from track2.people.models import Candidacy, CandidacyStep


@pytest.fixture
def conv_client(client, convener):
    sign_in(client, convener)
    return client


def _post(client, verb, candidacy, data):
    response = client.post(
        reverse(f"people:{verb}", args=[candidacy.dialogue_id, candidacy.person_id]), data
    )
    assert response.status_code == 400
    return response


def test_vet_form_shows_a_missing_voucher_and_a_candidacy_that_cannot_be_vetted_together(
    conv_client, add_person, convener
):
    candidacy = add_person()
    actions.do_withdraw(convener, candidacy)
    steps = CandidacyStep.objects.count()
    form = _post(conv_client, "vet", candidacy, {"vouched_by": "", "notes": ""}).context["vet_form"]
    assert "vouched_by" in form.errors  # the form's own check
    assert any(
        "Only a nominated person can be vetted" in m for m in form.non_field_errors()
    )  # the action's
    assert CandidacyStep.objects.count() == steps


def test_renominate_form_shows_a_missing_nominator_and_an_open_candidacy_together(
    conv_client, add_person
):
    candidacy = add_person()
    form = _post(conv_client, "renominate", candidacy, {"nominated_by": ""}).context[
        "renominate_form"
    ]
    assert "nominated_by" in form.errors
    assert any("Only a withdrawn or declined candidacy" in m for m in form.non_field_errors())


def test_withdraw_form_shows_inadmissible_notes_and_an_already_closed_candidacy_together(
    conv_client, add_person, convener
):
    candidacy = add_person()
    actions.do_withdraw(convener, candidacy)
    form = _post(conv_client, "withdraw", candidacy, {"notes": "bad\x00"}).context["withdraw_form"]
    assert "notes" in form.errors
    assert any(
        "already Withdrawn" in m or "already withdrawn" in m for m in form.non_field_errors()
    )
    assert Candidacy.objects.get(pk=candidacy.pk).status == Candidacy.Status.WITHDRAWN


def test_the_action_alone_still_checks_a_voucher_it_is_given_directly(add_person, convener):
    # The collecting check_vet refuses the same things as before when called without a form.
    candidacy = add_person()
    actions.do_withdraw(convener, candidacy)
    candidacy.refresh_from_db()
    with pytest.raises(actions.ActionRefused) as refused:
        actions.check_vet(candidacy, vouched_by="")
    assert [field for field, _m in refused.value.problems] == ["vouched_by", None]


def test_nominate_form_shows_a_missing_nominator_and_an_address_already_nominated_together(
    conv_client, add_person, dialogue
):
    add_person("amina@example.org")
    response = conv_client.post(
        reverse("people:nominate", args=[dialogue.pk]),
        {"email": "amina@example.org", "nominated_by": "", "role": "participant"},
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert "nominated_by" in form.errors  # the form's own check
    assert "already a candidate in this dialogue" in str(form.errors["email"])  # the action's rule
