"""Text that people write (statements, notes, annotations, drafts) may be Arabic or Hebrew, and
sits among English words: each is isolated so that it runs in its own direction, its full stop
at its own end. Every place a template shows such a text is checked."""

from __future__ import annotations

import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "track2"
TEXT = re.compile(r"\{\{ [\w.]+\.text(?:\|[^}]*)? \}\}")


def _isolated(line: str, start: int, end: int) -> bool:
    before, after = line[:start], line[end:]
    if re.search(r"<bdi(?: [^<>]*)?>$", before) and after.startswith("</bdi>"):
        return True  # a <bdi>, with attributes or without (an id for aria-describedby)
    if before.endswith("&#x2068;") and after.startswith("&#x2069;"):  # in SVG text
        return True
    tag = before[before.rfind("<") :]
    if 'type="hidden"' in tag:  # never shown
        return True
    # an input's value, a textarea's or an option's text, or an element's whole content
    return 'dir="auto"' in tag and (tag.endswith('value="') or tag.endswith(">"))


def test_every_written_text_in_a_template_is_isolated() -> None:
    bare = []
    templates = [p for p in SRC.rglob("*.html") if "vendor" not in p.parts]
    assert len(templates) > 50
    for path in templates:
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            for match in TEXT.finditer(line):
                if not _isolated(line, match.start(), match.end()):
                    bare.append(f"{path.relative_to(SRC)}:{number}: {match.group(0)}")
    assert not bare, "\n".join(bare)
