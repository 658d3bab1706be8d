"""Ranking a paragraph's competing drafts on the page: the box says how to write the order, takes
spaces or commas, keeps what was typed when refused and says every problem plainly beside it,
holds the reader's own ranking once given; the tables d and p name their rows and columns."""

from __future__ import annotations

import html
import re

import pytest

from tests.facilitation.page_fields import errors_at, page_of
from tests.helpers import sign_in
from track2.outcomes import actions
from track2.outcomes.models import Ranking

ESC = "\x1b"


@pytest.fixture
def drafts(world, statement_doc):
    return [
        actions.do_add_alternative(
            world["facilitator"], world.dialogue.pk, statement_doc.pk, paragraph_key="line",
            text=text,
        ).pk
        for text in ("A hotline.", "A red telephone.", "A liaison office.")
    ]  # fmt: skip


def _url(world, document, tail=""):
    return f"/dialogues/{world.dialogue.pk}/outcomes/{document.pk}/{tail}"


@pytest.mark.parametrize("sep", [" ", ",", ", ", " ,  ", ";"])
def test_spaces_or_commas(client, world, statement_doc, drafts, sep):
    a, b, c = drafts
    sign_in(client, world["participant"])
    sent = client.post(
        _url(world, statement_doc, "ranking/"),
        {"paragraph_key": "line", "order": f" {b}{sep}{c}{sep}{a} "},
    )
    assert sent.status_code == 302
    assert Ranking.objects.get().order == [b, c, a]
    # The page holds the reader's ranking, to change it rather than type it again.
    page = page_of(client.get(_url(world, statement_doc)))
    assert page.controls["rank-line"].value == f"{b}, {c}, {a}"


def test_the_box_says_how_to_write_it_and_the_tables_are_labelled(
    client, world, statement_doc, drafts
):
    a, b, c = drafts
    actions.do_rank(world["ostrava1"], world.dialogue.pk, statement_doc.pk,
                    paragraph_key="line", order=[b, a])  # fmt: skip
    sign_in(client, world["participant"])
    content = html.unescape(client.get(_url(world, statement_doc)).content.decode())
    assert "draft numbers, best first, separated by spaces or commas (e.g. 3 1 2)" in content
    for n in drafts:
        assert f"Draft {n}:" in content
    assert page_of(client.get(_url(world, statement_doc))).controls["rank-line"].value == ""
    section = content[content.index('<section id="drafts">') :]
    tables = re.findall(r"<table.*?</table>", section, re.S)
    assert len(tables) == 2
    for table in tables:
        columns = re.findall(r'<th scope="col">(.*?)</th>', table)
        rows = re.findall(r'<th scope="row">(.*?)</th>', table)
        assert columns == [f"over draft {n}" for n in drafts]
        assert rows == [f"draft {n}" for n in drafts]
    assert "how many rankings put the row's draft above the column's draft" in tables[0]
    # d[b, a] = 1: the one ranking puts b above a.
    d_rows = re.findall(r"<tr><th scope=\"row\">draft (\d+)</th>(.*?)</tr>", tables[0])
    cells = {int(n): re.findall(r"<td>(.*?)</td>", row) for n, row in d_rows}
    assert cells[b] == ["1", "—", "1"] and cells[a] == ["—", "0", "1"]


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        (
            "9 9",
            ["This paragraph has no draft 9: its drafts are", "Draft 9 is listed more than once"],
        ),
        ("{a}, {a}", ["Draft {a} is listed more than once: name each draft once."]),
        ("{a} x {b}", ["'x' is not a draft number"]),
        ("9" * 40, ["This paragraph has no draft a number far above 2^63"]),
        ("-3", ["'-3' is not a draft number"]),
        ("{a} " * 1100, ["at most 2000 characters"]),
        (f"{{a}} {ESC}", ["control character"]),
        ("", ["This field is required."]),
        (" ,, ", ["Write the draft numbers, best first"]),
    ],
)
def test_refused_orders_keep_the_typed_text_and_say_every_problem(
    client, world, statement_doc, drafts, typed, words
):
    a, b, _c = drafts
    typed = typed.replace("{a}", str(a)).replace("{b}", str(b))
    sign_in(client, world["participant"])
    response = client.post(
        _url(world, statement_doc, "ranking/"), {"paragraph_key": "line", "order": typed}
    )
    assert response.status_code == 400
    page = page_of(response)
    assert page.controls["rank-line"].value == typed
    errors = html.unescape(errors_at(page, "rank-line"))
    for word in words:
        assert word.replace("{a}", str(a)) in errors, (word, errors)
    assert "[" not in errors  # no Python list
    assert not Ranking.objects.exists()


def test_a_paragraph_without_drafts_is_said_apart(client, world, statement_doc, drafts):
    sign_in(client, world["participant"])
    response = client.post(
        _url(world, statement_doc, "ranking/"), {"paragraph_key": "fish", "order": "1 2"}
    )
    assert response.status_code == 400
    # A paragraph the page offers no ranking for: a page altered on its way, said in one sentence.
    assert "The page was out of date" in html.unescape(response.content.decode())
    assert not Ranking.objects.exists()
