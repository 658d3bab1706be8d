"""Every format of the one renderer carries the document type and the status line."""

from __future__ import annotations

import html
import io

import pytest
from pypdf import PdfReader

from track2.disclosure.status import STATUS_LINE
from track2.outcomes import actions, render
from track2.outcomes.models import Kind

ARABIC = "تبادل البيانات"
RUSSIAN = "Обмен данными"
CHINESE = "数据交换"


def _pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


@pytest.mark.parametrize("kind", Kind.values)
@pytest.mark.parametrize("fmt", [f for f in render.FORMATS if f != "pdf"])
def test_every_text_format_and_type_carries_the_status_line(world, kind, fmt):
    document = actions.do_create(
        world["convener"], world.dialogue.pk, kind=kind, title="T",
        sections=[{"heading": "H", "paragraphs": [{"text": "Words."}]}],
    )  # fmt: skip
    body = render.render(document, fmt).decode()
    if fmt == "html":
        body = html.unescape(body)
    assert STATUS_LINE in body
    assert str(document.get_kind_display()) in body


def test_a_rendering_without_the_status_line_is_stopped():
    with pytest.raises(render.MissingStatus):
        render._stamped("just words", {"type_label": "joint statement"})


def test_pdf_is_valid_with_status_line_and_rtl_text_in_logical_order(world):
    document = actions.do_create(
        world["convener"], world.dialogue.pk, kind="aide_memoire", title="Aide-mémoire",
        sections=[{"heading": "Data", "paragraphs": [
            {"text": ARABIC}, {"text": RUSSIAN}, {"text": CHINESE}]}],
    )  # fmt: skip
    copy = actions.do_copy(world["convener"], world.dialogue.pk, document.pk, recipient="Envoy R")
    pdf = render.render(document, "pdf", copy=copy)
    assert pdf.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) >= 1
    text = _pdf_text(pdf)
    flat = " ".join(text.split())
    assert STATUS_LINE in flat
    assert "confidential aide-mémoire" in flat
    assert "copy 1 for Envoy R" in flat
    assert RUSSIAN in flat and CHINESE in flat
    assert ARABIC.replace(" ", "") in flat.replace(" ", "")
