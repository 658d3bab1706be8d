"""Survey comments (free text) through the disclosure layer: read by facilitators and conveners
only, on the survey page and the API; only once closed, at least k or none, a comment naming one
of the dialogue's people withheld; never in the evaluation, report or CSV."""

from __future__ import annotations

import pytest

from tests.helpers import sign_in
from tests.impact.test_actions import answer
from tests.outcomes.test_api import MEMBERS, ROLES, call
from track2.disclosure.status import STATUS_LINE
from track2.impact import actions, report

RUNNERS = {"convener", "facilitator"}
PEOPLE = ("ostrava0", "ostrava1", "norvik0", "norvik1")
COMMENTS = ["Slow start, frank second day", "we need a hotline", "Agenda too long", "x"]
NAMING = "Ask ostrava2@example.org about the maps"  # names a participant: withheld


@pytest.fixture
def answered(world, survey):
    for name, text in zip(PEOPLE, COMMENTS, strict=True):
        answer(world, world[name], survey, free_text=text)
    answer(world, world["norvik2"], survey, free_text=NAMING)
    answer(world, world["ostrava2"], survey, free_text="")
    return survey


def path(world, survey):
    return f"/dialogues/{world.dialogue.pk}/impact/surveys/{survey.pk}/comments"


def close(world, survey):
    actions.do_close_survey(world["facilitator"], world.dialogue.pk, survey.pk)


@pytest.mark.parametrize("role", ROLES)
def test_access_matrix(client, world, answered, role):
    close(world, answered)
    response = call(client, world[role], "get", path(world, answered))
    if role in RUNNERS:
        assert response.status_code == 200
        assert response.json()["status_line"] == STATUS_LINE
    elif role in MEMBERS:
        assert response.status_code == 404, role
    else:
        assert response.status_code == 404 and response.json() == {"detail": "Not found."}
    page = f"/dialogues/{world.dialogue.pk}/impact/surveys/{answered.pk}/"
    client.logout()
    sign_in(client, world[role])
    body = client.get(page).content.decode()
    assert ("we need a hotline" in body) == (role in RUNNERS), role


def test_anonymous_callers_are_refused(client, world, answered):
    assert call(client, None, "get", path(world, answered)).status_code == 401


def test_nothing_while_open_then_at_least_k_in_word_order(client, world, answered):
    got = call(client, world["facilitator"], "get", path(world, answered)).json()
    assert got["comments"] == [] and "closed" in got["hidden_because"]
    close(world, answered)
    got = call(client, world["facilitator"], "get", path(world, answered)).json()
    assert got["comments"] == sorted(COMMENTS, key=str.casefold)
    assert got["written"] == 5 and got["withheld_naming"] == 1 and got["hidden_because"] is None
    assert set(got) == {"k", "comments", "written", "withheld_naming", "hidden_because",
                        "status_line"}  # fmt: skip


def test_canary_the_naming_comment_and_identities_never_leave(client, world, answered):
    close(world, answered)
    sign_in(client, world["convener"])
    page = client.get(f"/dialogues/{world.dialogue.pk}/impact/surveys/{answered.pk}/")
    api = call(client, world["convener"], "get", path(world, answered))
    for body in (page.content.decode(), api.content.decode()):
        assert "ostrava2@example.org" not in body and "about the maps" not in body
        for name in PEOPLE:
            assert world[name].email not in body
        for delegation in ("Ostrava", "Norvik"):
            assert f"{delegation}:" not in body
    assert "1 comment withheld" in page.content.decode()
    outputs = [
        report.render(world.dialogue, fmt).decode(errors="replace") for fmt in ("html", "csv")
    ]
    outputs.append(call(client, world["convener"], "get",
                        f"/dialogues/{world.dialogue.pk}/impact/evaluation").content.decode())  # fmt: skip
    for body in outputs:
        assert "we need a hotline" not in body and "about the maps" not in body


def test_fewer_than_k_writers_show_none(client, world, survey):
    answer(world, world["ostrava0"], survey, free_text="only me")
    answer(world, world["norvik0"], survey, free_text="and me")
    answer(world, world["norvik1"], survey, free_text="Norvik Person 1 said so")  # names: withheld
    close(world, survey)
    got = call(client, world["convener"], "get", path(world, survey)).json()
    assert got["comments"] == [] and got["withheld_naming"] == 1
    assert "Fewer than k" in got["hidden_because"]
    sign_in(client, world["convener"])
    body = client.get(f"/dialogues/{world.dialogue.pk}/impact/surveys/{survey.pk}/").content
    assert b"only me" not in body and b"Fewer than k" in body


@pytest.mark.parametrize("bad", ["x", "-1", "0", str(10**40), "1e3", "%00"])
def test_bad_survey_ids_are_not_found(client, world, answered, bad):
    d = world.dialogue.pk
    response = call(
        client, world["convener"], "get", f"/dialogues/{d}/impact/surveys/{bad}/comments"
    )
    assert response.status_code in (404, 422)
    assert "we need a hotline" not in response.content.decode()


def test_another_dialogues_survey_is_not_found(client, world, answered, make_user):
    close(world, answered)
    response = call(client, world["convener"], "get",
                    f"/dialogues/{world.dialogue.pk + 999}/impact/surveys/{answered.pk}/comments")  # fmt: skip
    assert response.status_code == 404
