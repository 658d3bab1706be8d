"""Every `type: ignore` in the code names its error code and says why (issue 9's guardrail):
an ignore without a reason cannot be reviewed, and a bare one hides every error of its line."""

from __future__ import annotations

import re
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src" / "track2"
IGNORE = re.compile(r"#\s*type:\s*ignore(?P<rest>.*)$")
EXPLAINED = re.compile(r"^\[[a-z-]+(, *[a-z-]+)*\]\s+#\s*\S")


def unexplained(text: str) -> list[int]:
    lines = []
    for number, line in enumerate(text.splitlines(), 1):
        found = IGNORE.search(line)
        if found and not EXPLAINED.match(found.group("rest")):
            lines.append(number)
    return lines


def test_the_rule_catches_bare_and_unexplained_ignores():
    assert unexplained("x = 1  # type: ignore\n") == [1]
    assert unexplained("x = 1  # type: ignore[misc]\n") == [1]
    assert unexplained("x = 1\ny = 2  # type: ignore[misc]  # the stubs lag\n") == []


def test_every_ignore_in_the_code_says_why():
    offenders = [
        f"{path.relative_to(SRC)}:{line}"
        for path in sorted(SRC.rglob("*.py"))
        if "migrations" not in path.parts
        for line in unexplained(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
