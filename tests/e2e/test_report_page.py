"""The HTML report in a browser: a narrow window, a statement that is one long link, statements in
Arabic and Hebrew, and axe-core's accessibility checks (the new_page fixture runs them)."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.helpers import write_two_camps

pytestmark = pytest.mark.browser

LINK = "https://example.org/" + "a" * 300
ARABIC, HEBREW = "يجب أن تتعاون خفر السواحل.", "צריך להקים קו חם."


def _report(folder: Path) -> Path:
    write_two_camps(folder, [LINK, ARABIC, HEBREW, "Share data.", "No.", "Yes."], per_camp=6)
    page = folder / "report.html"
    call_command(
        "analyze", str(folder), "--format", "html", "--output", str(page), stdout=StringIO()
    )
    return page


def test_report_fits_a_narrow_window_and_runs_rtl_text_right_to_left(tmp_path, new_page):
    page = new_page(viewport={"width": 480, "height": 800})
    page.goto(_report(tmp_path).as_uri())
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 480, f"the page is {width} px wide in a 480 px window"
    directions = page.evaluate(
        "Array.from(document.querySelectorAll('bdi'))"
        ".map(b => [b.textContent, getComputedStyle(b).direction])"
    )
    by_text = dict(directions)
    assert by_text[ARABIC] == "rtl" and by_text[HEBREW] == "rtl"
    assert by_text["Share data."] == "ltr"
    # A group's answer ("agrees") and its column's head stay whole words: the statement column
    # may wrap anywhere, and once wrapped these too ("agre / es").
    lines = page.evaluate(
        "Array.from(document.querySelectorAll('td.word, th.word')).map(c => {"
        "const r = document.createRange(); r.selectNodeContents(c);"
        "return [c.textContent, r.getClientRects().length]; })"
    )
    assert lines and all(n <= 1 for _, n in lines), lines
