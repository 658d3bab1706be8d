"""Word-level changes between any two versions from the page: a chooser, and numbers that are
no version answered with a message, never a server error."""

from __future__ import annotations

import html

import pytest

from tests.helpers import sign_in
from track2.outcomes import actions


@pytest.fixture
def three_versions(world, statement_doc):
    d = world.dialogue.pk
    for number, words in ((1, "Both sides share the fish."), (2, "Both sides manage the fish.")):
        sections = actions.current(statement_doc).sections
        sections[0]["paragraphs"][0]["text"] = words
        actions.do_edit(world["facilitator"], d, statement_doc.pk, title="T", sections=sections,
                        base_version=number)  # fmt: skip
    return statement_doc


def _url(world, document, tail=""):
    return f"/dialogues/{world.dialogue.pk}/outcomes/{document.pk}/{tail}"


def test_any_two_versions_from_the_chooser(client, world, three_versions):
    sign_in(client, world["observer"])
    page = client.get(_url(world, three_versions)).content.decode()
    assert "data-compare" in page
    assert '<option value="1" selected>' in page and '<option value="3" selected>' in page
    changes = html.unescape(
        client.get(_url(world, three_versions, "diff/?a=1&b=3")).content.decode()
    )
    assert "Changes from version 1 to 3" in changes
    assert "Both sides <del>share</del> <ins>manage</ins> the" in changes
    assert "<del>stocks of the Varena Sea.</del> <ins>fish.</ins>" in changes


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("a=1&b=" + "9" * 30, "There is no version so large a number of this document."),
        ("a=-1&b=1", "There is no version -1 of this document."),
        # Each problem its own message (site.forms.act_and_tell), not one run-on sentence.
        ("a=0&b=4", "There is no version 0 of this document.</"),
        ("a=0&b=4", "There is no version 4 of this document.</"),
        ("a=%ED%A0%80&b=1", "Choose two versions of this document to compare."),
        ("a=1&b=" + "9" * 5000, "Choose two versions of this document to compare."),
        ("a=abc&b=1", "Choose two versions of this document to compare."),
    ],
)
def test_numbers_that_are_no_version(client, world, three_versions, query, words):
    sign_in(client, world["participant"])
    answer = client.get(_url(world, three_versions, f"diff/?{query}"), follow=True)
    assert answer.status_code == 200
    assert words in html.unescape(answer.content.decode())
