"""The shared PDF step: a valid PDF, text extractable in logical order, nothing fetched."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from track2.reports.pdf import FONT_STACK, PdfRefused, render_pdf

ARABIC = "سلام عادل"
HEBREW = "שלום"
RUSSIAN = "Мир и диалог"
CHINESE = "和平对话"


def _page(body: str) -> str:
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<style>body {{ font-family: {FONT_STACK}; }}</style></head><body>{body}</body></html>"
    )


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_pdf_is_valid_and_keeps_every_script():
    pdf = render_pdf(
        _page(
            "<p>Unofficial. Non-binding.</p>"
            f"<p dir='rtl' lang='ar'>{ARABIC}</p><p dir='rtl' lang='he'>{HEBREW}</p>"
            f"<p lang='ru'>{RUSSIAN}</p><p lang='zh'>{CHINESE}</p>"
        )
    )
    assert pdf.startswith(b"%PDF-")
    assert b"%%EOF" in pdf[-32:]
    text = _text(pdf)
    assert "Unofficial. Non-binding." in text
    assert RUSSIAN in text
    assert CHINESE in text
    # Right-to-left words come out in logical (reading) order, not reversed for display.
    assert HEBREW in text
    assert ARABIC.replace(" ", "") in text.replace(" ", "")


def test_remote_resources_are_refused(tmp_path):
    with pytest.raises(PdfRefused):
        render_pdf(_page("<img src='http://example.invalid/x.png'>"), base_url=tmp_path)


def test_files_outside_the_base_folder_are_refused(tmp_path):
    with pytest.raises(PdfRefused):
        render_pdf(_page("<img src='file:///etc/passwd'>"), base_url=tmp_path)
