"""The issue's "Bad input" list, case by case, where test_actions.py leaves a path open: a document
reached through the wrong dialogue, drafts of another paragraph or document in a ranking, an
endorsement renewed on a new version, a stale amendment through the API and the page, a stored
version changed in place, and the same hash after the database round trip."""

from __future__ import annotations

import json

import pytest

from tests.helpers import sign_in
from tests.outcomes.conftest import SECTIONS
from tests.outcomes.test_api import call
from track2.access import NotFound
from track2.dialogues.models import Dialogue, Membership
from track2.errors import ActionRefused
from track2.outcomes import actions, queries, texts
from track2.outcomes.models import Amendment, Endorsement, Ranking, Version


@pytest.fixture
def elsewhere(world):
    """A second dialogue of the same institution where ostrava0 takes part too, with a document."""
    sibling = Dialogue.objects.create(title="Sibling", institution=world.dialogue.institution)
    Membership.objects.create(dialogue=sibling, user=world["ostrava0"], role="participant")
    Membership.objects.create(dialogue=sibling, user=world["facilitator"], role="facilitator")
    return actions.do_create(
        world["facilitator"], sibling.pk, kind="non_paper", title="Sibling paper",
        sections=SECTIONS,
    )  # fmt: skip


def test_a_document_through_another_dialogue_is_not_found(client, world, statement_doc, elsewhere):
    # ostrava0 takes part in both dialogues: the pair (dialogue, document) must still match.
    sha = actions.current(elsewhere).sha256
    with pytest.raises(NotFound):
        actions.do_endorse(
            world["ostrava0"], world.dialogue.pk, elsewhere.pk, grade="endorse", version_sha256=sha
        )
    with pytest.raises(NotFound):
        actions.do_rank(
            world["ostrava0"], world.dialogue.pk, elsewhere.pk, paragraph_key="fish", order=[1]
        )
    assert not Endorsement.objects.exists()
    response = call(
        client,
        world["ostrava0"],
        "put",
        f"/dialogues/{world.dialogue.pk}/outcomes/{elsewhere.pk}/endorsement",
        {"grade": "endorse", "version_sha256": sha},
    )
    assert response.status_code == 404


def test_rankings_refuse_drafts_of_another_paragraph_or_document(world, statement_doc, elsewhere):
    d = world.dialogue.pk
    mine = actions.do_add_alternative(
        world["facilitator"], d, statement_doc.pk, paragraph_key="line", text="A"
    )
    other_paragraph = actions.do_add_alternative(
        world["facilitator"], d, statement_doc.pk, paragraph_key="fish", text="F"
    )
    other_document = actions.do_add_alternative(
        world["facilitator"], elsewhere.dialogue_id, elsewhere.pk, paragraph_key="line", text="X"
    )
    with pytest.raises(ActionRefused) as refused:
        actions.do_rank(
            world["ostrava0"], d, statement_doc.pk, paragraph_key="line",
            order=[mine.pk, other_paragraph.pk, other_document.pk, 2**70],
        )  # fmt: skip
    ((field, message),) = refused.value.problems
    assert field == "order"
    # Said in words, never a Python list; a number no column holds is named, not printed.
    assert message == (
        f"This paragraph has no drafts {other_paragraph.pk}, {other_document.pk} and a number "
        f"far above 2^63: its drafts are {mine.pk}."
    )
    for order in ([], "1,2", None):
        with pytest.raises(ActionRefused, match="List the drafts' numbers"):
            actions.do_rank(
                world["ostrava0"], d, statement_doc.pk, paragraph_key="line", order=order
            )
    with pytest.raises(ActionRefused, match="True is not a draft number"):
        actions.do_rank(world["ostrava0"], d, statement_doc.pk, paragraph_key="line", order=[True])
    with pytest.raises(ActionRefused, match="no competing drafts"):
        actions.do_rank(
            world["ostrava0"], d, statement_doc.pk, paragraph_key="data", order=[mine.pk]
        )
    assert not Ranking.objects.exists()


def test_rankings_through_the_page_show_every_problem(client, world, statement_doc):
    d = world.dialogue.pk
    a = actions.do_add_alternative(
        world["facilitator"], d, statement_doc.pk, paragraph_key="line", text="A"
    )
    sign_in(client, world["ostrava0"])
    url = f"/dialogues/{d}/outcomes/{statement_doc.pk}/ranking/"
    refused = client.post(url, {"paragraph_key": "line", "order": f"{a.pk}, {a.pk}, 77"})
    assert refused.status_code == 400
    page = refused.content.decode()
    assert "This paragraph has no draft 77" in page
    assert f"Draft {a.pk} is listed more than once" in page
    assert not Ranking.objects.exists()
    assert client.post(url, {"paragraph_key": "line", "order": str(a.pk)}).status_code == 302
    assert Ranking.objects.get().order == [a.pk]


def test_endorsing_again_on_a_new_version_replaces_the_earlier_response(world, statement_doc):
    d = world.dialogue.pk
    first = actions.current(statement_doc)
    actions.do_endorse(world["norvik0"], d, statement_doc.pk, grade="object",
                       version_sha256=first.sha256, reason="Too vague.")  # fmt: skip
    sections = first.sections
    sections[0]["paragraphs"][0]["text"] = "Both sides share and study the stocks."
    second = actions.do_edit(world["facilitator"], d, statement_doc.pk, title="T",
                             sections=sections, base_version=1)  # fmt: skip
    assert queries.mine(statement_doc, world["norvik0"])["confirm_again"] is True
    actions.do_endorse(world["norvik0"], d, statement_doc.pk, grade="live_with",
                       version_sha256=second.sha256)  # fmt: skip
    endorsement = Endorsement.objects.get()
    assert (endorsement.grade, endorsement.version_number, endorsement.version_sha256) == (
        "live_with",
        2,
        second.sha256,
    )
    assert endorsement.reason == ""  # the objection's reason went with the objection,
    # which is recorded, for norvik0 alone.
    earlier = queries.mine(statement_doc, world["norvik0"])["earlier"]
    assert [(e["grade"], e["version"], e["reason"]) for e in earlier] == [
        ("object", 1, "Too vague.")
    ]
    assert queries.mine(statement_doc, world["norvik0"])["confirm_again"] is False


def test_a_stale_amendment_through_the_api_is_kept_as_a_conflict(client, world, statement_doc):
    o = f"/dialogues/{world.dialogue.pk}/outcomes/{statement_doc.pk}"
    seen = "Both sides share the stocks of the Varena Sea."
    sections = actions.current(statement_doc).sections
    sections[0]["paragraphs"][0]["text"] = "Both sides share the fish stocks."
    actions.do_edit(world["facilitator"], world.dialogue.pk, statement_doc.pk, title="T",
                    sections=sections, base_version=1)  # fmt: skip
    response = call(client, world["norvik0"], "post", o + "/amendments",
                    {"paragraph_key": "fish", "text": "They share them.", "base_text": seen})  # fmt: skip
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["base_text"], body["text"]) == (
        "conflict", seen, "They share them."
    )  # fmt: skip
    decision = call(client, world["facilitator"], "post",
                    o + f"/amendments/{body['id']}/decision", {"accept": True})  # fmt: skip
    assert decision.status_code == 400
    assert "changed since this amendment was proposed" in json.dumps(decision.json())
    assert Amendment.objects.get().status == Amendment.Status.CONFLICT


def test_a_stored_version_is_never_changed_in_place(statement_doc):
    version = Version.objects.get(document=statement_doc)
    version.title = "Something else"
    with pytest.raises(ValueError, match="never changed once written"):
        version.save()
    assert Version.objects.get(pk=version.pk).title == "Varena Sea: joint statement"


def test_the_hash_survives_the_database_round_trip(world):
    sections = [{"heading": "Données", "paragraphs": [
        {"key": "k1", "text": "cafe\u0301  —\tتبادل البيانات"},
        {"key": "k2", "text": "数据交换 « Обмен »"},
    ]}]  # fmt: skip
    document = actions.do_create(world["facilitator"], world.dialogue.pk,
                                 kind="non_paper", title="Ω title", sections=sections)  # fmt: skip
    stored = Version.objects.get(document=document)  # read back from the database
    again = texts.sha256_hex(texts.canonical_text("non_paper", stored.title, stored.sections))
    assert stored.sha256 == again
    assert texts.canonical_text("non_paper", stored.title, stored.sections) == (
        "type: non_paper\ntitle: Ω title\n## Données\n[k1] caf\u00e9 — تبادل البيانات\n"
        "[k2] 数据交换 « Обмен »\n"
    )
    # Pinned: these words have this hash on every database and platform.
    assert stored.sha256 == PINNED


PINNED = "8583aa0cac4b00cd20144f2a24e7ce69ae016a89a674fd8dbcefb2c1c1459c6e"
