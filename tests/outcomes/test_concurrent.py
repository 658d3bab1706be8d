"""Outcome documents written by several people at once, as several served processes would:
every version keeps its own number and no accepted words are lost (PostgreSQL only: SQLite
writes one transaction at a time)."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from tests.outcomes.conftest import new_statement_doc
from tests.parallel import at_once
from track2.outcomes import actions
from track2.outcomes.models import Amendment, Version

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL"
    ),
]


def _in_request(action, *args, **kwargs):
    # The API and the pages run each request in one transaction (ATOMIC_REQUESTS).
    def run():
        with transaction.atomic():
            return action(*args, **kwargs)

    return run


def test_two_amendments_accepted_at_once_make_two_versions(world, statement_doc):
    d = world.dialogue.pk
    fish = actions.do_propose(
        world["ostrava0"], d, statement_doc.pk, paragraph_key="fish", text="Both share the stocks."
    )
    line = actions.do_propose(
        world["norvik0"], d, statement_doc.pk, paragraph_key="line", text="A hotline, staffed."
    )
    _done, errors = at_once(
        [
            _in_request(
                actions.do_decide, world["facilitator"], d, statement_doc.pk, fish.pk, accept=True
            ),
            _in_request(
                actions.do_decide, world["convener"], d, statement_doc.pk, line.pk, accept=True
            ),
        ]
    )
    assert not errors, errors
    versions = list(Version.objects.filter(document=statement_doc).order_by("number"))
    assert [v.number for v in versions] == [1, 2, 3]
    texts = {p["key"]: p["text"] for s in versions[-1].sections for p in s["paragraphs"]}
    assert texts["fish"] == "Both share the stocks." and texts["line"] == "A hotline, staffed."


def test_accepting_while_the_text_is_edited_loses_no_words(world, statement_doc):
    d = world.dialogue.pk
    for attempt in range(5):
        document = statement_doc if attempt == 0 else new_statement_doc(world)
        fish = actions.do_propose(
            world["ostrava0"], d, document.pk, paragraph_key="fish", text="Both share the stocks."
        )
        sections = [
            {
                **s,
                "paragraphs": [
                    {**p, "text": "A hotline, staffed day and night."} if p["key"] == "line" else p
                    for p in s["paragraphs"]
                ],
            }
            for s in actions.current(document).sections
        ]
        accept = _in_request(
            actions.do_decide, world["facilitator"], d, document.pk, fish.pk, accept=True
        )
        edit = _in_request(
            actions.do_edit,
            world["convener"],
            d,
            document.pk,
            title="Varena",
            sections=sections,
            base_version=1,
        )
        _done, errors = at_once([accept, edit])
        # The edit may be refused (its base was replaced meanwhile) with a clear message; no
        # server error, and nothing that was accepted or edited is missing from the last version.
        assert all(isinstance(e, actions.ActionRefused) for e in errors), errors
        versions = list(Version.objects.filter(document=document).order_by("number"))
        assert [v.number for v in versions] == list(range(1, len(versions) + 1))
        last = {p["key"]: p["text"] for s in versions[-1].sections for p in s["paragraphs"]}
        if Amendment.objects.get(pk=fish.pk).status == Amendment.Status.ACCEPTED:
            assert last["fish"] == "Both share the stocks."
        if any(v.note == "edited" for v in versions):
            assert last["line"] == "A hotline, staffed day and night."
