"""Cited statements are checked: a paragraph cites only accepted statements of its own dialogue's
rooms, each once, at most 50; every problem is named with its place, through the actions, the API
and the drafting page alike. A statement of another dialogue gets the answer an unused id gets."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.helpers import sign_in
from tests.outcomes.test_api import call
from track2.deliberation.models import Statement
from track2.dialogues.models import Dialogue
from track2.errors import ActionRefused
from track2.institutions.models import Institution
from track2.meetings.models import Meeting
from track2.outcomes import actions
from track2.outcomes.models import OutcomeDocument, Version

UNUSED = 4_503_599_627_370_495  # below 2^53 like every statement id; no test makes it


def _meeting(dialogue) -> Meeting:
    start = timezone.now() - timedelta(hours=1)
    return Meeting.objects.create(
        dialogue=dialogue, title="Round", starts_at=start, ends_at=start + timedelta(hours=2)
    )


def _statement(meeting, status=Statement.Status.ACCEPTED, **fields) -> int:
    return Statement.objects.create(
        meeting=meeting, text="A statement.", status=status, **fields
    ).pk


@pytest.fixture
def room(world):
    """Statements of the world's dialogue in every state, and of two other dialogues."""
    here = _meeting(world.dialogue)
    ids = {s: _statement(here, s) for s in Statement.Status.values}
    ids["merged"] = _statement(
        here, Statement.Status.MERGED, merged_into_id=ids[Statement.Status.ACCEPTED]
    )
    ids["for_facilitator"] = _statement(here, is_for_facilitator=True)
    sibling = Dialogue.objects.create(title="Sibling", institution=world.dialogue.institution)
    ids["other_dialogue"] = _statement(_meeting(sibling))
    foreign = Dialogue.objects.create(
        title="Far", institution=Institution.objects.create(name="Far Institute of Ostrava")
    )
    ids["other_institution"] = _statement(_meeting(foreign))
    return ids


def _create(world, *paragraphs):
    return actions.do_create(
        world["facilitator"], world.dialogue.pk, kind="joint_statement", title="T",
        sections=[{"heading": "H", "paragraphs": list(paragraphs)}],
    )  # fmt: skip


def _refusal(world, *paragraphs) -> list[tuple[str | None, str]]:
    with pytest.raises(ActionRefused) as refused:
        _create(world, *paragraphs)
    return refused.value.problems


def test_accepted_statements_of_the_dialogue_are_cited(world, room):
    accepted = room[Statement.Status.ACCEPTED]
    document = _create(world, {"text": "Words.", "cites": [accepted]})
    assert actions.current(document).sections[0]["paragraphs"][0]["cites"] == [accepted]


def test_every_problem_at_once_with_its_place(world, room):
    before = Version.objects.count()
    problems = _refusal(
        world,
        {"text": "One.", "cites": [UNUSED, room[Statement.Status.PENDING], room["merged"]]},
        {"text": "Two.", "cites": [room[Statement.Status.REJECTED], room["for_facilitator"],
                                    room[Statement.Status.HELD]]},
        {"text": "Three.", "cites": [room[Statement.Status.ACCEPTED]] * 2 + [True, "7", 2**64]},
    )  # fmt: skip
    by_place: dict[str | None, list[str]] = {}
    for field, message in problems:
        by_place.setdefault(field, []).append(message)
    first, second, third = (f"sections[0].paragraphs[{i}].cites" for i in range(3))
    assert set(by_place) == {first, second, third}
    assert any(
        f"No statement {UNUSED} among the accepted statements of this dialogue's rooms" in m
        for m in by_place[first]
    )
    pending = room[Statement.Status.PENDING]
    assert any(f"Statement {pending} is not accepted" in m and "moderation" in m
               for m in by_place[first])  # fmt: skip
    accepted = room[Statement.Status.ACCEPTED]
    assert any(f"merged into statement {accepted}: cite that one" in m for m in by_place[first])
    rejected, held = room[Statement.Status.REJECTED], room[Statement.Status.HELD]
    assert any(f"Statement {rejected} is not accepted" in m for m in by_place[second])
    assert any(f"Statement {held} is not accepted" in m for m in by_place[second])
    assert any("note to the facilitators" in m for m in by_place[second])
    assert any(f"{accepted} appears more than once" in m for m in by_place[third])
    assert any("True, '7' is not one" in m for m in by_place[third])
    assert any("2^63" in m and "18446744073709551616" in m for m in by_place[third])
    assert Version.objects.count() == before


@pytest.mark.parametrize("where", ["other_dialogue", "other_institution"])
def test_another_dialogues_statement_is_answered_as_an_unused_id(world, room, where):
    def message(statement_id):
        (problem,) = _refusal(world, {"text": "Words.", "cites": [statement_id]})
        return problem[1].replace(str(statement_id), "ID")

    assert message(room[where]) == message(UNUSED)


def test_at_most_fifty_and_huge_numbers(world, room):
    (problem,) = _refusal(world, {"text": "Words.", "cites": list(range(1, 52))})
    assert "at most 50" in problem[1] and "cites 51" in problem[1]
    problems = _refusal(world, {"text": "Words.", "cites": [0, -3, 2**63, 10**5000]})
    assert len(problems) == 1
    assert "0, -3, 9223372036854775808, a number far above 2^63" in problems[0][1]
    assert len(problems[0][1]) < 400  # a 5,000-digit number is not repeated whole
    (problem,) = _refusal(world, {"text": "Words.", "cites": "12, 34"})
    assert "List the cited statements' ids" in problem[1]


def test_an_edit_meets_the_same_rule(world, room, statement_doc):
    sections = actions.current(statement_doc).sections
    sections[0]["paragraphs"][0]["cites"] = [room["other_institution"]]
    with pytest.raises(ActionRefused) as refused:
        actions.do_edit(world["facilitator"], world.dialogue.pk, statement_doc.pk,
                        title="T", sections=sections, base_version=1)  # fmt: skip
    assert refused.value.problems[0][0] == "sections[0].paragraphs[0].cites"
    assert "No statement" in refused.value.problems[0][1]
    sections[0]["paragraphs"][0]["cites"] = [room[Statement.Status.ACCEPTED]]
    version = actions.do_edit(world["facilitator"], world.dialogue.pk, statement_doc.pk,
                              title="T", sections=sections, base_version=1)  # fmt: skip
    assert version.number == 2


def test_through_the_api(client, world, room):
    path = f"/dialogues/{world.dialogue.pk}/outcomes"
    body = {"kind": "non_paper", "title": "N", "sections": [{"heading": "H", "paragraphs": [
        {"text": "One.", "cites": [room["other_institution"], room[Statement.Status.REJECTED]]},
        {"text": "Two.", "cites": [room[Statement.Status.ACCEPTED]] * 2},
    ]}]}  # fmt: skip
    refused = call(client, world["facilitator"], "post", path, body)
    assert refused.status_code == 400
    # Each message's first clause (up to its first colon or full stop).
    errors = {(e["field"], re.split("[:.]", e["message"])[0]) for e in refused.json()["errors"]}
    assert errors == {
        ("sections[0].paragraphs[0].cites",
         f"No statement {room['other_institution']} among the accepted statements of this "
         "dialogue's rooms"),
        ("sections[0].paragraphs[0].cites",
         f"Statement {room[Statement.Status.REJECTED]} is not accepted in the room (rejected)"),
        ("sections[0].paragraphs[1].cites", "Cite each statement once"),
    }  # fmt: skip
    assert not OutcomeDocument.objects.exists()
    # The API's schema holds the same limits and answers first, naming the place.
    for cites, words in ((list(range(1, 52)), "at most 50"), ([2**64], "Out of range")):
        body["sections"][0]["paragraphs"] = [{"text": "One.", "cites": cites}]
        too_much = call(client, world["facilitator"], "post", path, body)
        assert too_much.status_code == 422
        (error,) = too_much.json()["errors"]
        assert error["loc"][:6] == ["body", "sections", "0", "paragraphs", "0", "cites"]
        assert words in error["msg"]
    assert not OutcomeDocument.objects.exists()
    body["sections"][0]["paragraphs"] = [
        {"text": "One.", "cites": [room[Statement.Status.ACCEPTED]]}
    ]
    created = call(client, world["facilitator"], "post", path, body)
    assert created.status_code == 201
    (evidence,) = created.json()["sections"][0]["paragraphs"][0]["evidence"]
    assert evidence["statement"] == room[Statement.Status.ACCEPTED]


def test_through_the_drafting_page(client, world, room):
    sign_in(client, world["facilitator"])
    url = f"/dialogues/{world.dialogue.pk}/outcomes/"
    accepted, pending = room[Statement.Status.ACCEPTED], room[Statement.Status.PENDING]
    body = (
        f"## Fisheries\n\nStocks are shared.\ncites: {accepted}, {room['other_dialogue']}\n\n"
        f"## Incidents\n\nA hotline.\n\nData exchange.\nCites: {pending} {pending} x"
    )
    form = {"kind": "joint_statement", "title": "T", "attribution": "chatham_house", "body": body}
    refused = client.post(url, form)
    assert refused.status_code == 400  # the form again, with its errors
    page = refused.content.decode()
    assert f"Section 1, paragraph 1: No statement {room['other_dialogue']}" in page
    # The message says where ids are found, and they are there: this dialogue's accepted
    # statements, no other's, nothing pending.
    assert "Statements you can cite" in page
    listed = re.findall(r"<code data-statement-id>(\d+)</code>", page)
    assert listed == [str(accepted)]
    assert f"Section 2, paragraph 2: Statement {pending} is not accepted" in page
    assert f"Section 2, paragraph 2: Cite each statement once: {pending}" in page
    assert "Section 2, paragraph 2: Cite statements by their numeric ids; &#x27;x&#x27;" in page
    assert not OutcomeDocument.objects.exists()
    form["body"] = f"## Fisheries\n\nStocks are shared.\ncites: {accepted}\n\nA hotline."
    assert client.post(url, form).status_code == 302
    paragraphs = actions.current(OutcomeDocument.objects.get()).sections[0]["paragraphs"]
    assert [(p["text"], p["cites"]) for p in paragraphs] == [
        ("Stocks are shared.", [accepted]),
        ("A hotline.", []),
    ]


def test_the_editing_page_lists_the_statements_to_cite_and_refusals_point_there(
    client, world, room
):
    """The room's pages show no ids: the refusal says where they are, and they are there."""
    document = _create(world, {"text": "Words."})
    sign_in(client, world["facilitator"])
    url = f"/dialogues/{world.dialogue.pk}/outcomes/{document.pk}/edit/"
    page = client.get(url).content.decode()
    listed = re.findall(r"<code data-statement-id>(\d+)</code>", page)
    assert listed == [str(room[Statement.Status.ACCEPTED])]
    refused = client.post(
        url, {"title": "T", "body": f"## H\n\nWords.\ncites: {UNUSED}, 0", "base_version": "1"}
    )
    assert refused.status_code == 400
    shown = refused.content.decode()
    assert "room's page" not in shown
    assert shown.count("Statements you can cite") >= 3  # two messages and the list itself
