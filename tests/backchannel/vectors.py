"""Loaders for the stored known-answer data (tests/data/backchannel, see its README)."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent.parent / "data" / "backchannel"


def rfc() -> dict[str, Any]:
    return json.loads((DATA / "rfc-vectors.json").read_text())


def c2sp(name: str) -> dict[str, Any]:
    return json.loads((DATA / "c2sp" / name).read_text())


def merkle_cases(kind: str) -> list[tuple[str, dict[str, Any]]]:
    """(name, case) for every stored transparency-dev/merkle case of `kind`."""
    root = DATA / "transparency-dev-merkle" / kind
    return [
        (str(path.relative_to(root)), json.loads(path.read_text()))
        for path in sorted(root.glob("*/*.json"))
    ]


def b64(text: str) -> bytes:
    return base64.b64decode(text)


# The eight leaves of RFC 6962's test tree, which transparency-dev/merkle's test data is built on.
RFC6962_LEAVES = [
    bytes.fromhex(h)
    for h in (
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    )
]
