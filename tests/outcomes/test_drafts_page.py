"""Competing drafts added from the page, and renderings that say how many responses were given
to an earlier version."""

from __future__ import annotations

import html
import json

import pytest

from tests.helpers import sign_in
from tests.outcomes.conftest import SECTIONS
from tests.outcomes.test_api import MEMBERS, ROLES
from track2.outcomes import actions, render
from track2.outcomes.models import Alternative

EDITORS = {"convener", "facilitator"}


def _url(world, document, tail=""):
    return f"/dialogues/{world.dialogue.pk}/outcomes/{document.pk}/{tail}"


@pytest.mark.parametrize("role", ROLES)
def test_access_matrix(client, world, statement_doc, role):
    sign_in(client, world[role])
    posted = client.post(_url(world, statement_doc, "drafts/"),
                         {"paragraph_key": "line", "text": "A red telephone."})  # fmt: skip
    if role in EDITORS:
        assert posted.status_code == 302
        assert Alternative.objects.get().text == "A red telephone."
        page = client.get(_url(world, statement_doc)).content.decode()
        assert "data-draft-for" in page and "A red telephone." in page
    elif role in MEMBERS:  # they read the document: told why not (as the API's 403)
        assert posted.status_code == 403, role
        assert "Only facilitators and conveners add competing drafts" in html.unescape(
            posted.content.decode()
        )
        assert not Alternative.objects.exists()
    else:
        assert posted.status_code == 404, role
        assert not Alternative.objects.exists()
    if role in {"rapporteur", "participant", "observer", "liaison"}:
        assert "data-draft-for" not in client.get(_url(world, statement_doc)).content.decode()
    assert client.get(_url(world, statement_doc, "drafts/")).status_code in (404, 405)


def test_drafts_of_an_aide_memoire_are_for_conveners_only(client, world):
    memo = actions.do_create(
        world["convener"], world.dialogue.pk, kind="aide_memoire", title="AM", sections=SECTIONS
    )
    sign_in(client, world["facilitator"])
    posted = client.post(_url(world, memo, "drafts/"), {"paragraph_key": "line", "text": "X."})
    assert posted.status_code == 404
    assert not Alternative.objects.exists()


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        # The hidden field's problems, which the writer cannot fix, are one sentence.
        ({"paragraph_key": "nope"}, "The page was out of date"),
        ({"paragraph_key": "x" * 17}, "The page was out of date"),
        ({"text": ""}, "This field is required."),
        ({"text": "   "}, "This field is required."),
        ({"text": "z" * 5001}, "at most 5000 characters"),
        ({"text": "Bell\x07"}, "control character"),
        ({"text": "Null\x00"}, "Null characters are not allowed."),
    ],
)
def test_bad_input_is_refused_and_nothing_is_added(client, world, statement_doc, fields, words):
    sign_in(client, world["facilitator"])
    refused = client.post(_url(world, statement_doc, "drafts/"),
                          {"paragraph_key": "line", "text": "Fine.", **fields})  # fmt: skip
    assert refused.status_code == 400
    assert words in html.unescape(refused.content.decode())
    assert not Alternative.objects.exists()


def test_renderings_count_responses_given_to_an_earlier_version(world, statement_doc):
    d = world.dialogue.pk
    version = actions.current(statement_doc)
    for name in ("ostrava0", "ostrava1", "norvik0"):
        actions.do_endorse(world[name], d, statement_doc.pk, grade="endorse",
                           version_sha256=version.sha256)  # fmt: skip
    for fmt in ("html", "markdown", "json"):
        assert "earlier version" not in render.render(statement_doc, fmt).decode()
    sections = version.sections
    sections[0]["paragraphs"][0]["text"] = "Changed."
    actions.do_edit(world["facilitator"], d, statement_doc.pk, title="T", sections=sections,
                    base_version=1)  # fmt: skip
    for fmt in ("html", "markdown", "email"):
        body = html.unescape(render.render(statement_doc, fmt).decode())
        assert "3 responses were given to an earlier version and are not counted" in body, fmt
    # Two still on the earlier version once one confirms: below k = 3, no exact number.
    actions.do_endorse(world["norvik0"], d, statement_doc.pk, grade="endorse",
                       version_sha256=actions.current(statement_doc).sha256)  # fmt: skip
    body = render.render(statement_doc, "markdown").decode()
    assert "Fewer than 3 responses were given to an earlier version" in body
    assert "2 responses" not in body


def test_the_markdown_export_shows_peoples_words_and_never_runs_them(world):
    """A viewer that renders inline HTML must show a title, a paragraph or a delegation's name
    as written: no element, no link, no entity of theirs (the audit found raw HTML passed on)."""
    from markdown_it import MarkdownIt

    from track2.dialogues.models import Delegation

    Delegation.objects.filter(dialogue=world.dialogue, name="Ostrava").update(
        name='Ostrava <img src=x onerror="alert(1)">'
    )
    words = "Patrols & <script>alert(1)</script> [see](javascript:alert(2)) \\<b>bold</b>"
    sections = [{"heading": "<i>Fish</i>", "paragraphs": [{"key": "p", "text": words}]}]
    doc = actions.do_create(world["facilitator"], world.dialogue.pk, kind="joint_statement",
                            title="<u>Varena</u> & co", sections=sections)  # fmt: skip
    source = render.render(doc, "markdown").decode()
    shown = MarkdownIt("commonmark", {"html": True}).render(source)
    for element in ("<img", "<script", "<a ", "<b>", "<i>", "<u>"):
        assert element not in shown, element
    text = html.unescape(shown)
    assert words in text  # every character as typed
    assert "<u>Varena</u> & co" in text and 'Ostrava <img src=x onerror="alert(1)">' in text


def test_an_aide_memoire_offers_nothing_only_participants_could_use(client, world, statement_doc):
    """Participants never read an aide-mémoire: its page has no competing drafts to add or rank,
    its exports no consensus that no response can ever fill, and no draft can be added to it."""
    memo = actions.do_create(
        world["convener"], world.dialogue.pk, kind="aide_memoire", title="AM", sections=SECTIONS
    )
    sign_in(client, world["convener"])
    page = html.unescape(client.get(_url(world, memo)).content.decode())
    for unusable in ("Add a competing draft", "Participants rank", "data-draft-for", 'id="drafts"',
                     'id="endorse"'):  # fmt: skip
        assert unusable not in page, unusable
    assert "Propose an amendment" in page  # conveners still amend it among themselves
    refused = client.post(_url(world, memo, "drafts/"), {"paragraph_key": "line", "text": "X."})
    assert refused.status_code == 400
    assert "do not read a confidential aide-mémoire" in html.unescape(refused.content.decode())
    assert not Alternative.objects.exists()
    copy = actions.do_copy(world["convener"], world.dialogue.pk, memo.pk, recipient="Envoy")
    markdown = render.render(memo, "markdown", copy=copy).decode()
    assert "## Consensus" not in markdown and "not enough responses" not in markdown
    page_copy = render.render(memo, "html", copy=copy).decode()  # what the PDF is printed from
    assert 'class="consensus"' not in page_copy and "<h2>Consensus</h2>" not in page_copy
    assert json.loads(render.render(memo, "json"))["is_open_to_participants"] is False
    # A document participants read keeps both.
    page = html.unescape(client.get(_url(world, statement_doc)).content.decode())
    assert "Add a competing draft" in page and "Participants rank" in page
    assert "## Consensus" in render.render(statement_doc, "markdown").decode()
    assert "<h2>Consensus</h2>" in render.render(statement_doc, "html").decode()
    assert json.loads(render.render(statement_doc, "json"))["is_open_to_participants"] is True
