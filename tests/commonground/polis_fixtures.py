"""Shared helpers for the Pol.is parity tests (tests/data/polis-math, tests/data/polis)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "data"
MATH_FIXTURES = ("below-100-ptpts", "25ptpt-3gp-no-strict-with-meta", "above-100-ptpts")
REAL_CONVERSATIONS = tuple(sorted(p.name for p in (DATA / "polis").iterdir() if p.is_dir()))


@cache
def math_state(name: str) -> dict:
    return json.loads((DATA / "polis-math" / name / "math-pca2.json").read_text())
