"""The text printed in the margins of every PDF page (the status line; an aide-mémoire copy's
watermark) goes into a CSS string through the `css_string` filter: correct CSS escapes, so the
PDF reads the plain words. `escapejs` wrote JavaScript escapes CSS does not know, and every page
printed "Nonu002Dbinding" and "copy 1 for Jeanu002DLuc Ou0027Neil" (audit, finding 1).

The record's own export is tested in test_record.py; the outcome document's and the evaluation
report's here, with the outcomes' world (this module's `world`)."""

from __future__ import annotations

import io
import re

from django.template import Context, Template
from hypothesis import given
from hypothesis import strategies as st
from pypdf import PdfReader

from tests.outcomes.conftest import world as world  # noqa: F401  (fixture: the outcomes' world)
from track2.disclosure.status import STATUS_LINE
from track2.disclosure.templatetags.css_string import css_string
from track2.impact import report
from track2.outcomes import actions, render

JAVASCRIPT_ESCAPE = re.compile(r"u00[0-9A-F]{2}")
CSS_ESCAPE = re.compile(r"\\([0-9A-Fa-f]{1,6}) ?")


def css_unescape(text: str) -> str:
    """What a CSS parser reads from the inside of a string (hex escapes only: css_string writes
    no other kind)."""
    return CSS_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)


def _pdf_text(pdf: bytes) -> str:
    return " ".join(
        " ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages
    )


def test_css_string_escapes_what_css_and_html_treat_specially():
    assert css_string(STATUS_LINE) == STATUS_LINE  # nothing to escape: it reads as it is
    assert css_string("Jean-Luc O'Neil") == "Jean-Luc O\\000027 Neil"
    assert css_string('say "no"') == "say \\000022 no\\000022 "
    assert css_string("a\\b") == "a\\00005C b"
    assert css_string("one\ntwo\r") == "one\\00000A two\\00000D "
    assert css_string("</style><script>") == "\\00003C /style\\00003E \\00003C script\\00003E "
    assert css_string("\x00\x1b\x7f") == "\\000000 \\00001B \\00007F "
    assert css_string("\u202eevil") == "\\00202E evil"  # a bidirectional override
    assert css_string("Aide-mémoire · نص — 和平") == "Aide-mémoire · نص — 和平"
    # An escape's space ends it; a space after it in the text is kept.
    assert css_unescape(css_string("it' s")) == "it' s"
    rendered = Template('{% load css_string %}"{{ v|css_string }}"').render(
        Context({"v": "O'Neil & <co>"})
    )
    assert rendered == '"O\\000027 Neil \\000026  \\00003C co\\00003E "'


@given(st.text(alphabet=st.characters(exclude_categories=["Cs"])))
def test_css_string_round_trips_and_never_ends_the_string(text):
    escaped = css_string(text)
    assert css_unescape(escaped) == text
    assert not set(escaped) & set("\"'<>&\n\r\f")
    # Every backslash starts a six-digit escape ended by a space.
    assert re.fullmatch(r"(?:[^\\]|\\[0-9A-F]{6} )*", escaped)


def _aide_memoire(world):
    return actions.do_create(
        world["convener"], world.dialogue.pk, kind="aide_memoire", title="Aide-mémoire",
        sections=[{"heading": "Data", "paragraphs": [{"text": "Catch data each season."}]}],
    )  # fmt: skip


def test_an_aide_memoire_copy_prints_its_recipient_in_the_margin(world):  # noqa: F811
    document = _aide_memoire(world)
    copy = actions.do_copy(
        world["convener"], world.dialogue.pk, document.pk, recipient="Jean-Luc O'Neil"
    )
    page = render.render(document, "html", copy=copy).decode()
    mark = "Confidential — copy 1 for Jean-Luc O\\000027 Neil — do not forward"
    assert f'@top-center {{ content: "{mark}";' in page
    assert f'content: "{STATUS_LINE} · " counter(page)' in page
    pdf = render.render(document, "pdf", copy=copy)
    text = _pdf_text(pdf)
    assert not JAVASCRIPT_ESCAPE.search(text), text
    # The watermark once in the body and once in the top margin of each page; the status line
    # twice in the body and once in the bottom margin of each page.
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    assert text.count("copy 1 for Jean-Luc O'Neil") == 1 + pages
    assert text.count(STATUS_LINE) >= 1 + pages


def test_an_outcome_document_prints_the_status_line_in_both_margins(world):  # noqa: F811
    document = _aide_memoire(world)
    page = render.render(document, "html").decode()
    assert f'@top-center {{ content: "{STATUS_LINE}";' in page
    pdf = render.render(document, "pdf")
    text = _pdf_text(pdf)
    assert "Non-binding" in text and not JAVASCRIPT_ESCAPE.search(text), text
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    assert text.count(STATUS_LINE) >= 2 * pages + 1


def test_the_evaluation_report_prints_the_status_line_in_the_margin(world):  # noqa: F811
    page = report.render(world.dialogue, "html").decode()
    assert f'@bottom-center {{ content: "{STATUS_LINE} · " counter(page)' in page
    pdf = report.render(world.dialogue, "pdf")
    text = _pdf_text(pdf)
    assert "Non-binding" in text and not JAVASCRIPT_ESCAPE.search(text), text
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    assert text.count(STATUS_LINE) >= pages + 1
