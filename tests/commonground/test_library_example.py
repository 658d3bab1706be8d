"""docs/engine.md's "From Python" example runs as written, against the package's exports."""

from __future__ import annotations

import re
from pathlib import Path

import track2.commonground as library

ENGINE_MD = Path(__file__).resolve().parents[2] / "docs" / "engine.md"


def test_engine_md_example_runs() -> None:
    section = ENGINE_MD.read_text(encoding="utf-8").split("## From Python", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S)
    assert code is not None
    exec(compile(code.group(1), str(ENGINE_MD), "exec"), {})  # noqa: S102 - our own docs


def test_every_public_name_is_exported() -> None:
    for name in (
        "track2_groups",
        "Track2Groups",
        "bridging_scores",
        "BridgingScores",
        "agreement_by_side",
        "SideAgreement",
        "schulze",
        "SchulzeResult",
        "parse_ballots",
        "analyze_track2",
        "Track2Analysis",
        "OnehotVotes",
        "CentredVotes",
    ):
        assert name in library.__all__ and hasattr(library, name)
    for name in library.__all__:
        assert getattr(library, name) is not None
