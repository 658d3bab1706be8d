"""CSV for spreadsheets: text that starts like a formula is kept as text; numbers stay numbers."""

from __future__ import annotations

import csv
import io

import pytest

from track2 import spreadsheet


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Quotas =fair", "Quotas =fair"),
        ("a\x1bb\x00c", "abc"),  # control characters never reach the file
        (-0.25, "-0.25"),  # a number, not text: kept as a number
        (-3, "-3"),
        (None, ""),
    ],
)
def test_a_cell_that_would_run_as_a_formula_is_written_as_text(value, written):
    out = io.StringIO()
    spreadsheet.writer(out).writerow([value])
    assert next(csv.reader(io.StringIO(out.getvalue()))) == [written]
