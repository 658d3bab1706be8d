"""Seating follows one rule whichever way it is asked for: the page and the API agree.

Regression (issue 9): the seat form offered only seatable candidates, but the API seated a
withdrawn candidate (201). The rule now lives in `actions.check_seat_in_delegation`.
"""

from __future__ import annotations

import html

import pytest
from django.urls import reverse

from track2.accounts import actions as account_actions
from track2.dialogues.models import DelegationMember
from track2.people import actions as people_actions
from track2.people.models import Candidacy


def seat_by_page(client, world, delegation, person) -> tuple[bool, str]:
    response = client.post(
        reverse("dialogues:delegation", args=[world.dialogue.pk, delegation.pk]),
        {"seat": "1", "person": person.pk},
    )
    if response.status_code == 302:
        return True, ""
    assert response.status_code == 200
    errors = response.context["seat_form"].errors["person"]
    return False, html.unescape(" ".join(errors))


def seat_by_api(client, world, delegation, person) -> tuple[bool, str]:
    raw, _token = account_actions.do_create_api_token(world.users["convener"], "seat test")
    response = client.post(
        f"/api/v1/dialogues/{world.dialogue.pk}/delegations/{delegation.pk}/seats",
        data={"person_id": person.pk},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    if response.status_code == 201:
        return True, ""
    assert response.status_code == 400, response.content
    assert response.json()["field"] == "person"
    return False, response.json()["detail"]


def withdraw(world, person) -> None:
    people_actions.do_withdraw(
        world.users["convener"], Candidacy.objects.get(dialogue=world.dialogue, person=person)
    )


def decline(world, person) -> None:
    Candidacy.objects.filter(dialogue=world.dialogue, person=person).update(
        status=Candidacy.Status.DECLINED
    )


def seat_elsewhere(world, person) -> None:
    from track2.dialogues import actions

    actions.do_seat_in_delegation(world.users["convener"], world.caldera, person)


CASES = {
    "open candidate": (None, True, ""),
    "withdrawn": (withdraw, False, "their candidacy is withdrawn"),
    "declined": (decline, False, "their candidacy is declined"),
    "seated in another delegation": (
        seat_elsewhere,
        False,
        "a person can be in only one delegation",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("way", ["page", "api"])
def test_page_and_api_seat_by_the_same_rule(case, way, world, signed_in):
    prepare, seated, reason = CASES[case]
    eli = world.persons["eli"]
    if prepare is not None:
        prepare(world, eli)
    client = signed_in(world.users["convener"])
    outcome = (seat_by_page if way == "page" else seat_by_api)(client, world, world.ostrava, eli)
    assert outcome[0] is seated and reason in outcome[1]
    assert DelegationMember.objects.filter(delegation=world.ostrava, person=eli).exists() is seated


def test_a_withdrawn_candidate_is_refused_with_the_same_words_on_page_and_api(world, signed_in):
    eli = world.persons["eli"]
    withdraw(world, eli)
    client = signed_in(world.users["convener"])
    by_page = seat_by_page(client, world, world.ostrava, eli)
    by_api = seat_by_api(client, world, world.ostrava, eli)
    assert (
        by_page
        == by_api
        == (
            False,
            "Eli Unseated cannot be seated: their candidacy is withdrawn. "
            "Nominate them again first (on their page under People).",
        )
    )
    assert not DelegationMember.objects.filter(person=eli).exists()
