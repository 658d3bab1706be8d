"""The text rule every form, API schema and importer applies (`validation.text_problem`), against
the same rule as a Python loop over every character (the code before the regular expression),
side by side in one run: medians of 7 timings of 20 checks each.

    OMP_NUM_THREADS=1 PYTHONPATH=src .venv/bin/python benchmarks/bench_text_rule.py
"""

from __future__ import annotations

import statistics
import sys
import timeit
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from django.conf import settings  # noqa: E402

settings.configure(USE_I18N=False)

from track2 import validation  # noqa: E402

LINE_BREAKS = frozenset("\t\n\r")


def by_character(value: str, *, multiline: bool) -> bool:
    """The rule as the loop it was: True when some character is refused."""
    for char in value:
        code = ord(char)
        if 0xD800 <= code <= 0xDFFF:
            return True
        if char in LINE_BREAKS:
            if multiline:
                continue
            return True
        if char in validation.BIDI_CONTROLS and not multiline:
            return True
        if code < 0x20 or 0x7F <= code <= 0x9F:
            return True
    return False


TEXTS = {
    "a statement (106 characters)": "Joint patrols on the river border, said the delegate." * 2,
    "notes in Hebrew (2,000)": "ש" * 2000,
    "the form sweep's long value (100,000)": "x" * 100_000,
}


def median_us(check) -> float:
    return statistics.median(timeit.repeat(check, number=20, repeat=7)) / 20 * 1e6


def main() -> None:
    print("| text | character loop | regular expression | ratio |")
    print("|---|---|---|---|")
    for name, text in TEXTS.items():
        assert validation.text_problem(text, multiline=False) is None
        assert not by_character(text, multiline=False)
        loop = median_us(lambda text=text: by_character(text, multiline=False))
        scan = median_us(lambda text=text: validation.text_problem(text, multiline=False))
        print(f"| {name} | {loop:,.1f} µs | {scan:,.1f} µs | {loop / scan:.1f}× |")


if __name__ == "__main__":
    main()
