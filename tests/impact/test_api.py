"""The impact API: every route × every role and outsider, observers reading only what the
convener opened, and the programme view within the institution."""

from __future__ import annotations

import pytest

from tests.impact.conftest import past
from tests.outcomes.test_api import MEMBERS, ROLES, call
from track2.disclosure.status import STATUS_LINE
from track2.impact import actions
from track2.institutions.models import ConveningRight

READERS = MEMBERS - {"observer"}
WRITERS = {"convener", "facilitator", "liaison"}
RECORDERS = {"convener", "liaison"}
RUNNERS = {"convener", "facilitator"}


@pytest.fixture
def routes(world, recommendation, survey):
    d = f"/dialogues/{world.dialogue.pk}/impact"
    r = f"{d}/recommendations/{recommendation.pk}"
    s = f"{d}/surveys/{survey.pk}"
    other = world.users["norvik0"]
    answer = {"thermometer": {}, "trust": {"keeps_word": 3, "good_faith": 3, "shares_concerns": 3},
              "escalation": 40}  # fmt: skip
    from track2.dialogues.models import Delegation

    norvik = Delegation.objects.get(dialogue=world.dialogue, name="Norvik")
    answer["thermometer"] = {str(norvik.pk): 55}
    assert other  # a second side exists to rate
    return [
        ("get", d + "/recommendations", None, READERS),
        ("post", d + "/recommendations", {"title": "T", "text": "Do it.", "target_kind": "un",
                                          "target_institution": "UN"}, WRITERS),
        ("get", r, None, READERS),
        ("post", r + "/relays", {"briefed": "A minister", "channel": "meeting",
                                 "relayed_on": past(3).isoformat()}, RECORDERS),
        ("post", r + "/reactions", {"status": "received", "reacted_on": past(1).isoformat()},
         RECORDERS),
        ("get", d + "/evaluation", None, READERS),
        ("get", d + "/evaluation/export?format=csv", None, READERS),
        ("get", d + "/notifications", None, RECORDERS),
        ("post", d + "/notifications", {"informed": "MFA", "informed_on": past(9).isoformat(),
                                        "informed_by": "the director"}, RECORDERS),
        ("get", d + "/disclosure", None, {"convener"}),
        ("put", d + "/disclosure", {"is_public": True}, {"convener"}),
        ("get", d + "/surveys", None, READERS),
        ("post", d + "/surveys", {"round_number": 2, "phase": "after"}, RUNNERS),
        ("put", s + "/response", answer, {"participant"}),
        ("post", s + "/close", None, RUNNERS),
    ]  # fmt: skip


@pytest.mark.parametrize("role", ROLES)
def test_access_matrix(client, world, routes, role):
    for method, path, body, allowed in routes:
        response = call(client, world[role], method, path, body)
        if role in allowed:
            assert response.status_code in (200, 201), (role, method, path, response.content[:300])
            if response["Content-Type"].startswith("application/json"):
                assert response.json()["status_line"] == STATUS_LINE
        elif role in MEMBERS:
            assert response.status_code in (403, 404), (role, method, path, response.status_code)
        else:
            assert response.status_code == 404, (role, method, path, response.status_code)
            assert response.json() == {"detail": "Not found."}


def test_anonymous_callers_are_refused(client, world, routes):
    for method, path, body, _allowed in routes:
        assert call(client, None, method, path, body).status_code == 401


def test_observers_read_only_what_the_convener_opened(client, world, recommendation):
    d = f"/dialogues/{world.dialogue.pk}/impact"
    observer = world["observer"]
    actions.do_set_relay_sensitivity(world["convener"], world.dialogue.pk,
                                     relay_sensitivity="members")  # fmt: skip
    actions.do_relay(world["liaison"], world.dialogue.pk, recommendation.pk, briefed="Minister Q",
                     channel="meeting", relayed_on=past(2), sensitivity="members")  # fmt: skip
    assert call(client, observer, "get", d + "/evaluation").status_code == 404
    assert call(client, observer, "get", d + "/recommendations").status_code == 404
    actions.do_set_disclosure(world["convener"], world.dialogue.pk, observers_see_evaluation=True)
    assert call(client, observer, "get", d + "/evaluation").status_code == 200
    assert call(client, observer, "get", d + "/recommendations").status_code == 404
    actions.do_set_disclosure(
        world["convener"], world.dialogue.pk, observers_see_recommendations=True
    )
    detail = call(client, observer, "get", f"{d}/recommendations/{recommendation.pk}")
    assert detail.status_code == 200
    # Who was briefed is never an observer's to read, whatever the relay's sensitivity.
    assert "Minister Q" not in detail.content.decode()
    member = call(client, world["participant"], "get", f"{d}/recommendations/{recommendation.pk}")
    assert "Minister Q" in member.content.decode()


def test_relay_sensitivity_hides_the_official_from_members(client, world, recommendation):
    actions.do_relay(world["liaison"], world.dialogue.pk, recommendation.pk, briefed="Envoy Z",
                     channel="non_paper", relayed_on=past(2))  # fmt: skip
    path = f"/dialogues/{world.dialogue.pk}/impact/recommendations/{recommendation.pk}"
    assert "Envoy Z" not in call(client, world["participant"], "get", path).content.decode()
    assert "Envoy Z" in call(client, world["liaison"], "get", path).content.decode()
    assert "Envoy Z" in call(client, world["convener"], "get", path).content.decode()


def test_programme_view_lists_only_dialogues_the_viewer_convenes(client, world, recommendation):
    institution = world.dialogue.institution
    path = f"/institutions/{institution.pk}/programme"
    assert call(client, world["convener"], "get", path).status_code == 404  # no convening right
    ConveningRight.objects.create(institution=institution, user=world["convener"])
    ConveningRight.objects.create(institution=institution, user=world["member_elsewhere"])
    mine = call(client, world["convener"], "get", path).json()
    assert [d["title"] for d in mine["dialogues"]] == [world.dialogue.title]
    assert mine["dialogues"][0]["funnel"]["stages"][0]["count"] == 1
    theirs = call(client, world["member_elsewhere"], "get", path).json()
    assert world.dialogue.title not in str(theirs)
    for role in ("foreign_convener", "outsider", "site_admin", "liaison"):
        assert call(client, world[role], "get", path).status_code == 404


def test_a_survey_answer_out_of_range_is_refused_in_one_answer(client, world, survey):
    from track2.dialogues.models import Delegation
    from track2.impact.models import Response

    norvik = Delegation.objects.get(dialogue=world.dialogue, name="Norvik")
    body = {
        "thermometer": {str(norvik.pk): True},
        "trust": {"keeps_word": 9, "good_faith": 3, "shares_concerns": 3},
        "escalation": 10**30,
        "free_text": "bell\x07",
    }
    path = f"/dialogues/{world.dialogue.pk}/impact/surveys/{survey.pk}/response"
    response = call(client, world["ostrava0"], "put", path, body)
    assert response.status_code == 422, response.content
    said = response.content.decode()
    for field in ("thermometer", "keeps_word", "escalation", "free_text"):
        assert field in said, (field, said)
    assert not Response.objects.exists()
