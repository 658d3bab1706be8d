"""Endorsing twice: "the second replaces the first, recorded". The replaced response is kept for
its giver (page and API), never shown to anyone else, never counted, and erased with the
dialogue's content by retention."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from tests.helpers import sign_in
from tests.outcomes.test_api import MEMBERS, ROLES, call
from track2.dialogues.models import Dialogue
from track2.errors import ActionRefused
from track2.operations import actions as operations
from track2.operations import retention
from track2.outcomes import actions, queries
from track2.outcomes.models import Endorsement, ReplacedEndorsement

CANARY = "Canary objection to the fisheries text."
DAY = date(2026, 5, 4)


@pytest.fixture(autouse=True)
def a_fixed_day(monkeypatch):
    """Every "today" in these tests is one fixed day: a run that crosses midnight between the
    fixture's responses and the page it reads would otherwise expect the wrong date."""
    real = timezone.localdate

    def localdate(value=None, timezone=None):
        return DAY if value is None else real(value, timezone)

    monkeypatch.setattr("django.utils.timezone.localdate", localdate)


def _endorse(world, name, document, grade, sha=None, **extra):
    sha = sha or actions.current(document).sha256
    return actions.do_endorse(
        world[name], world.dialogue.pk, document.pk, grade=grade, version_sha256=sha, **extra
    )


def _new_version(world, document):
    version = actions.current(document)
    sections = version.sections
    sections[0]["paragraphs"][0]["text"] += " Both study them."
    return actions.do_edit(world["facilitator"], world.dialogue.pk, document.pk,
                           title=version.title, sections=sections,
                           base_version=version.number)  # fmt: skip


@pytest.fixture
def replaced(world, statement_doc):
    """norvik0 objected to version 1 with a reason, then can live with version 2."""
    first = actions.current(statement_doc)
    _endorse(world, "norvik0", statement_doc, "object", reason=CANARY)
    second = _new_version(world, statement_doc)
    _endorse(world, "norvik0", statement_doc, "live_with", second.sha256)
    return first, second


def test_the_replaced_response_is_recorded_with_its_version_and_reason(
    world, statement_doc, replaced
):
    first, second = replaced
    today = DAY
    current = Endorsement.objects.get()
    assert (current.grade, current.version_number, current.reason, current.given_on) == (
        "live_with", 2, "", today)  # fmt: skip
    earlier = ReplacedEndorsement.objects.get()
    assert (earlier.document, earlier.user) == (statement_doc, world["norvik0"])
    assert (earlier.grade, earlier.version_number, earlier.version_sha256, earlier.reason) == (
        "object", 1, first.sha256, CANARY)  # fmt: skip
    assert earlier.given_on == today and earlier.replaced_on == today


def test_every_change_is_recorded_and_the_same_response_again_is_not(world, statement_doc):
    _endorse(world, "ostrava0", statement_doc, "endorse")
    _endorse(world, "ostrava0", statement_doc, "endorse", listed=True)  # nothing but `listed`
    assert not ReplacedEndorsement.objects.exists()
    assert Endorsement.objects.get().listed is True
    _endorse(world, "ostrava0", statement_doc, "endorse", reason="On reflection.")
    _endorse(world, "ostrava0", statement_doc, "stand_aside", reason="On reflection.")
    second = _new_version(world, statement_doc)
    _endorse(
        world, "ostrava0", statement_doc, "stand_aside", second.sha256, reason="On reflection."
    )
    rows = ReplacedEndorsement.objects.order_by("pk")
    assert [(r.grade, r.version_number, r.reason) for r in rows] == [
        ("endorse", 1, ""),
        ("endorse", 1, "On reflection."),
        ("stand_aside", 1, "On reflection."),
    ]
    assert Endorsement.objects.count() == 1
    mine = queries.mine(statement_doc, world["ostrava0"])
    # Latest first.
    assert [(e["grade"], e["version"]) for e in mine["earlier"]] == [
        ("stand_aside", 1), ("endorse", 1), ("endorse", 1)]  # fmt: skip


def test_a_refused_response_replaces_and_records_nothing(world, statement_doc):
    _endorse(world, "ostrava0", statement_doc, "object", reason=CANARY)
    with pytest.raises(ActionRefused):
        _endorse(world, "ostrava0", statement_doc, "maybe", "0" * 64)
    assert not ReplacedEndorsement.objects.exists()
    assert Endorsement.objects.get().grade == "object"


def test_the_history_is_not_counted(world, statement_doc, replaced):
    _first, second = replaced
    for name in ("norvik1", "norvik2", "norvik0"):
        _endorse(world, name, statement_doc, "endorse", second.sha256)
    assert ReplacedEndorsement.objects.count() == 2  # norvik0's objection and "live with it"
    consensus = queries.outline(statement_doc)["consensus"]
    rows = {r["delegation"]: r for r in consensus["delegations"]}
    assert rows["Norvik"]["counts"] == {
        "endorse": 3, "live_with": 0, "stand_aside": 0, "object": 0}  # fmt: skip
    assert rows["Norvik"]["level"] == "full"
    assert consensus["earlier_versions"] == 0  # a replaced response is no earlier-version one


def test_the_endorser_sees_their_earlier_response_on_the_page(
    client, world, statement_doc, replaced
):
    sign_in(client, world["norvik0"])
    page = client.get(f"/dialogues/{world.dialogue.pk}/outcomes/{statement_doc.pk}/")
    text = page.content.decode()
    day = DAY.isoformat()
    assert "data-my-earlier" in text
    assert (
        f"You earlier: object on version 1 ({replaced[0].sha256[:12]}…), replaced on {day}." in text
    )
    assert CANARY in text


@pytest.mark.parametrize("role", [*ROLES, "norvik1"])
def test_nobody_else_sees_it_on_any_page(client, world, statement_doc, replaced, role):
    sign_in(client, world[role])
    base = f"/dialogues/{world.dialogue.pk}/outcomes/"
    for url in (base, f"{base}{statement_doc.pk}/", f"{base}{statement_doc.pk}/diff/?a=1&b=2",
                *(f"{base}{statement_doc.pk}/export/{f}/" for f in ("markdown", "html"))):  # fmt: skip
        response = client.get(url)
        if role not in {*MEMBERS, "norvik1"}:
            assert response.status_code == 404, (role, url)
            continue
        assert response.status_code == 200, (role, url)
        text = response.content.decode()
        for secret in (CANARY, "data-my-earlier", "You earlier", "norvik0", "Norvik Person 0"):
            assert secret not in text, (role, url, secret)


def test_the_api_gives_the_caller_their_history(client, world, statement_doc, replaced):
    first, second = replaced
    path = f"/dialogues/{world.dialogue.pk}/outcomes/{statement_doc.pk}/endorsement"
    day = DAY.isoformat()
    mine = call(client, world["norvik0"], "get", path).json()
    assert (mine["grade"], mine["version"], mine["given_on"]) == ("live_with", 2, day)
    assert mine["earlier"] == [{
        "grade": "object", "grade_label": "object", "version": 1, "sha256": first.sha256,
        "reason": CANARY, "given_on": day, "replaced_on": day,
    }]  # fmt: skip
    # Through the API too, a second PUT replaces and records the first.
    again = call(client, world["norvik0"], "put", path,
                 {"grade": "endorse", "version_sha256": second.sha256})  # fmt: skip
    assert again.status_code == 200
    assert [(e["grade"], e["version"]) for e in again.json()["earlier"]] == [
        ("live_with", 2), ("object", 1)]  # fmt: skip
    assert ReplacedEndorsement.objects.count() == 2


@pytest.mark.parametrize("role", ROLES)
def test_no_other_caller_gets_it_from_the_api(client, world, statement_doc, replaced, role):
    o = f"/dialogues/{world.dialogue.pk}/outcomes/{statement_doc.pk}"
    own = call(client, world[role], "get", o + "/endorsement")
    if role == "participant":  # ostrava0, who never replaced a response
        assert own.status_code == 200 and own.json()["earlier"] == []
    elif role in MEMBERS:
        assert own.status_code in (403, 404)
    else:
        assert own.status_code == 404 and own.json() == {"detail": "Not found."}
    for path in (o, o + "/versions", o + "/amendments", o + "/diff?a=1&b=2",
                 *(o + f"/export?format={f}" for f in ("html", "markdown", "json"))):  # fmt: skip
        response = call(client, world[role], "get", path)
        assert response.status_code == (200 if role in MEMBERS else 404), (role, path)
        for secret in (CANARY, "norvik0", "Norvik Person 0", '"earlier"'):
            assert secret not in response.content.decode(), (role, path, secret)


def test_retention_erases_the_history_with_the_dialogues_content(world, statement_doc, replaced):
    operations.do_set_retention(world["convener"], world.dialogue, on_meeting_close="aggregates",
                                delete_content_after_days=0, destroy_key_on_close=False)  # fmt: skip
    # Still open: nothing is due.
    assert retention.apply(timezone.now()).erased.get("replaced endorsements", 0) == 0
    assert ReplacedEndorsement.objects.exists()
    Dialogue.objects.filter(pk=world.dialogue.pk).update(status=Dialogue.Status.CONCLUDED)
    done = retention.apply(timezone.now() + timedelta(days=1))
    assert done.erased["replaced endorsements"] == 1
    assert not ReplacedEndorsement.objects.exists()
    # The document and the responses it counts are the dialogue's product: they stay.
    assert Endorsement.objects.get().grade == "live_with"
    assert queries.mine(statement_doc, world["norvik0"])["earlier"] == []
