"""Correcting a recommendation (audit of the impact app, finding 6): whoever may write one may
correct it, on its own page; the rules of writing hold (and its date stays before its relays
and reactions); the audit trail records an update with the fields' names only."""

from __future__ import annotations

import pytest

from tests.facilitation.page_fields import errors_at, page_of
from tests.helpers import sign_in
from tests.impact.conftest import past
from tests.outcomes.test_api import ROLES
from track2.audit.models import AuditEntry
from track2.errors import ActionRefused, NotPermitted
from track2.impact import actions
from track2.impact.models import Recommendation

WRITERS = {"convener", "facilitator", "liaison"}
READERS = {"rapporteur", "participant"}  # read it, may not correct it: the page is not there


def url(world, recommendation):
    return f"/dialogues/{world.dialogue.pk}/impact/recommendations/{recommendation.pk}/correct/"


def sent(recommendation, **changes) -> dict:
    """The correction form as the page fills it, with `changes`."""
    return {
        "title": recommendation.title, "text": recommendation.text,
        "target_kind": recommendation.target_kind,
        "target_institution": recommendation.target_institution,
        "owner_id": str(recommendation.owner_id or ""), "priority": recommendation.priority,
        "recommended_on": recommendation.recommended_on.isoformat(),
        "due_on": recommendation.due_on.isoformat() if recommendation.due_on else "",
        "paragraph_key": f"{recommendation.document_id}:{recommendation.paragraph_key}",
    } | changes  # fmt: skip


@pytest.mark.parametrize("role", ROLES)
def test_access_matrix(client, world, recommendation, role):
    sign_in(client, world[role])
    page = client.get(url(world, recommendation))
    posted = client.post(url(world, recommendation), sent(recommendation, title="Corrected"))
    title = Recommendation.objects.get(pk=recommendation.pk).title
    if role in WRITERS:
        assert page.status_code == 200, role
        assert 'value="Hotline"' in page.content.decode()
        assert posted.status_code == 302, (role, posted.content[:300])
        assert title == "Corrected"
        entry = AuditEntry.objects.get(action="update", object_type="recommendation")
        assert entry.actor == world[role] and entry.fields == ["title"]
    else:
        # Readers who may not correct it, observers (recommendations not opened to them),
        # outsiders, members of another dialogue or institution, the site administrator.
        assert (page.status_code, posted.status_code) == (404, 404), role
        assert title == "Hotline"
        assert not AuditEntry.objects.filter(action="update").exists()


@pytest.mark.parametrize("role", ["rapporteur", "participant", "observer", "outsider",
                                  "member_elsewhere", "foreign_convener", "site_admin"])  # fmt: skip
def test_the_action_refuses_whoever_may_not_write_one(world, recommendation, role):
    from track2.access import NotFound

    with pytest.raises((NotPermitted, NotFound)) as refused:
        actions.do_correct_recommendation(world[role], world.dialogue.pk, recommendation.pk,
                                          **_fields(recommendation, title="X"))  # fmt: skip
    if role in READERS:
        assert isinstance(refused.value, NotPermitted)
    assert Recommendation.objects.get(pk=recommendation.pk).title == "Hotline"


def _fields(recommendation, **changes) -> dict:
    return {
        "title": recommendation.title, "text": recommendation.text,
        "target_kind": recommendation.target_kind,
        "target_institution": recommendation.target_institution,
        "owner_id": recommendation.owner_id, "priority": recommendation.priority,
        "recommended_on": recommendation.recommended_on, "due_on": recommendation.due_on,
        "document_id": recommendation.document_id, "paragraph_key": recommendation.paragraph_key,
    } | changes  # fmt: skip


def test_the_page_links_the_correction_for_writers_only(client, world, recommendation):
    page = f"/dialogues/{world.dialogue.pk}/impact/recommendations/{recommendation.pk}/"
    for role, linked in (("facilitator", True), ("participant", False)):
        sign_in(client, world[role])
        assert ("Correct this recommendation" in client.get(page).content.decode()) is linked


def test_only_changed_fields_are_recorded_and_nothing_when_nothing_changed(world, recommendation):
    by = world["convener"]
    assert actions.do_correct_recommendation(by, world.dialogue.pk, recommendation.pk,
                                             **_fields(recommendation)) == []  # fmt: skip
    assert not AuditEntry.objects.filter(action="update").exists()
    names = actions.do_correct_recommendation(
        by, world.dialogue.pk, recommendation.pk,
        **_fields(recommendation, priority="high", due_on=past(1)),
    )  # fmt: skip
    assert sorted(names) == ["due_on", "priority"]
    entry = AuditEntry.objects.get(action="update")
    assert entry.fields == ["due_on", "priority"]  # names only: no value is kept


def test_a_correction_keeps_the_version_it_was_drawn_from(world, statement_doc, recommendation):
    from tests.outcomes.conftest import SECTIONS
    from track2.outcomes import actions as outcome_actions

    drawn = (recommendation.version_number, recommendation.version_sha256)
    changed = [dict(s, paragraphs=[dict(p, text=p["text"] + " Now.") for p in s["paragraphs"]])
               for s in SECTIONS]  # fmt: skip
    outcome_actions.do_edit(world["facilitator"], world.dialogue.pk, statement_doc.pk,
                            title="Varena Sea: joint statement", sections=changed,
                            base_version=1)  # fmt: skip
    actions.do_correct_recommendation(world["liaison"], world.dialogue.pk, recommendation.pk,
                                      **_fields(recommendation, title="Hotline now"))  # fmt: skip
    recommendation.refresh_from_db()
    assert (recommendation.version_number, recommendation.version_sha256) == drawn
    # Another paragraph is drawn from the current version.
    actions.do_correct_recommendation(world["liaison"], world.dialogue.pk, recommendation.pk,
                                      **_fields(recommendation, paragraph_key="fish", text=""))  # fmt: skip
    recommendation.refresh_from_db()
    assert recommendation.version_number == 2 and recommendation.text.endswith("Now.")


def test_a_correction_keeps_its_date_before_its_relays(world, recommendation):
    actions.do_relay(world["liaison"], world.dialogue.pk, recommendation.pk, briefed="MFA",
                     channel="meeting", relayed_on=past(10))  # fmt: skip
    with pytest.raises(ActionRefused) as refused:
        actions.do_correct_recommendation(world["liaison"], world.dialogue.pk, recommendation.pk,
                                          **_fields(recommendation, recommended_on=past(5)))  # fmt: skip
    assert (
        "after this recommendation was first relayed"
        in dict(refused.value.problems)["recommended_on"]
    )


def test_a_refused_correction_shows_every_problem_and_keeps_what_was_typed(
    client, world, recommendation
):
    sign_in(client, world["liaison"])
    typed = sent(recommendation, title="Hot\x07line", text="t" * 5001, target_kind="moon",
                 owner_id="999999999999999999999999", recommended_on=past(5).isoformat(),
                 due_on=past(9).isoformat(), paragraph_key="1:nonexistent")  # fmt: skip
    response = client.post(url(world, recommendation), typed)
    assert response.status_code == 400
    page = page_of(response)
    assert "invisible control characters" in errors_at(page, "id_title")
    assert "at most 5000 characters" in errors_at(page, "id_text")
    assert "Select a valid choice" in errors_at(page, "id_target_kind")
    assert "Select a valid choice" in errors_at(page, "id_owner_id")
    assert "before the recommendation was made" in errors_at(page, "id_due_on")
    assert "Select a valid choice" in errors_at(page, "id_paragraph_key")
    assert page.controls["id_title"].value == "Hot\x07line"
    assert page.controls["id_text"].value == "t" * 5001
    assert page.controls["id_due_on"].value == past(9).isoformat()
    empty = client.post(url(world, recommendation), {})
    assert empty.status_code == 400
    assert "required" in errors_at(page_of(empty), "id_title")
    unchanged = Recommendation.objects.get(pk=recommendation.pk)
    assert (unchanged.title, unchanged.due_on) == ("Hotline", None)
    assert not AuditEntry.objects.filter(action="update").exists()


def _as_api(recommendation, **changes) -> dict:
    """The correction as the API takes it: every field of writing one, with `changes`."""
    return {
        "title": recommendation.title, "text": recommendation.text,
        "target_kind": recommendation.target_kind,
        "target_institution": recommendation.target_institution,
        "owner_id": recommendation.owner_id, "priority": recommendation.priority,
        "recommended_on": recommendation.recommended_on.isoformat(),
        "due_on": recommendation.due_on.isoformat() if recommendation.due_on else None,
        "document_id": recommendation.document_id, "paragraph_key": recommendation.paragraph_key,
    } | changes  # fmt: skip


@pytest.mark.parametrize("role", ROLES)
def test_the_api_corrects_for_writers_only(client, world, recommendation, role):
    from tests.outcomes.test_api import call

    path = f"/dialogues/{world.dialogue.pk}/impact/recommendations/{recommendation.pk}"
    answer = call(client, world[role], "put", path, _as_api(recommendation, title="Corrected"))
    title = Recommendation.objects.get(pk=recommendation.pk).title
    if role in WRITERS:
        assert answer.status_code == 200, (role, answer.content[:300])
        assert answer.json()["changed"] == ["title"] and answer.json()["title"] == "Corrected"
        assert title == "Corrected"
    else:
        # a member who reads it is told why; anyone else finds nothing
        assert answer.status_code == (403 if role in READERS else 404), role
        assert title == "Hotline"
        assert not AuditEntry.objects.filter(action="update").exists()


def test_the_api_refuses_bad_corrections_with_every_problem(client, world, recommendation):
    from tests.outcomes.test_api import call

    path = f"/dialogues/{world.dialogue.pk}/impact/recommendations/{recommendation.pk}"
    schema = _as_api(recommendation, title="A\x07bell", owner_id=2**63)
    answer = call(client, world["convener"], "put", path, schema)
    assert answer.status_code == 422  # the schema's own: every problem at once
    assert {e["loc"][-1] for e in answer.json()["errors"]} == {"title", "owner_id"}
    rules = _as_api(recommendation, due_on="2000-01-01", paragraph_key="nonexistent")
    answer = call(client, world["convener"], "put", path, rules)
    assert answer.status_code == 400, answer.content[:300]
    assert {e["field"] for e in answer.json()["errors"]} >= {"due_on", "paragraph_key"}
    assert Recommendation.objects.get(pk=recommendation.pk).title == "Hotline"
