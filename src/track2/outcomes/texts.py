"""The pure part of outcome documents: canonical text and its hash, word diffs, consensus levels
and the Schulze count of alternative texts. No Django import, so every rule here is testable alone.
"""

from __future__ import annotations

import difflib
import hashlib
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from track2.commonground.schulze import SchulzeResult, schulze

# The graded scale of an endorsement, strongest support first (Loomio's consent scale).
GRADES = ("endorse", "live_with", "stand_aside", "object")
GRADE_LABELS = {
    "endorse": "endorse",
    "live_with": "can live with it",
    "stand_aside": "stand aside",
    "object": "object",
}

CONSENSUS_RULE = (
    "Per delegation, over endorsements of the current version: full consensus when every response "
    "is “endorse”; consensus with reservations when nobody objects but some can only live with it "
    "or stand aside; contested when anyone objects; not enough responses below k responses."
)

_SPACE = re.compile(r"\s+")


def clean(text: str) -> str:
    """One paragraph's text as it is hashed and stored: NFC, runs of white space made one space."""
    return _SPACE.sub(" ", unicodedata.normalize("NFC", text)).strip()


def canonical_text(kind: str, title: str, sections: Sequence[Mapping]) -> str:
    """The exact words a version consists of, in a form independent of database and platform:
    type, title, then each section's heading and paragraphs (key and text), one per line."""
    lines = [f"type: {kind}", f"title: {clean(title)}"]
    for section in sections:
        lines.append(f"## {clean(section['heading'])}")
        for paragraph in section["paragraphs"]:
            lines.append(f"[{paragraph['key']}] {clean(paragraph['text'])}")
    return "\n".join(lines) + "\n"


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def words(text: str) -> list[str]:
    return clean(text).split(" ") if clean(text) else []


def word_diff(before: str, after: str) -> list[tuple[str, str]]:
    """(op, words) runs turning `before` into `after`; op is "same", "removed" or "added"."""
    a, b = words(before), words(after)
    runs: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag == "equal":
            runs.append(("same", " ".join(a[i1:i2])))
            continue
        if i2 > i1:
            runs.append(("removed", " ".join(a[i1:i2])))
        if j2 > j1:
            runs.append(("added", " ".join(b[j1:j2])))
    return runs


def follow_keys(before: Sequence[tuple[str, str]], after: Sequence[str]) -> list[str | None]:
    """For each paragraph text of a new version, the key of the earlier paragraph it stands in
    for, or None for a new paragraph. `before` is (key, text) in document order. Unchanged
    paragraphs keep their key wherever the others moved them; within a run of changed
    paragraphs, the first changed ones take the replaced paragraphs' keys in order. So an edit
    sent without keys (the drafting page has none) keeps amendments, drafts and diffs on their
    paragraphs."""
    keys: list[str | None] = [None] * len(after)
    matcher = difflib.SequenceMatcher(a=[t for _k, t in before], b=list(after), autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag in ("equal", "replace"):
            for offset in range(min(i2 - i1, j2 - j1)):
                keys[j1 + offset] = before[i1 + offset][0]
    return keys


@dataclass(frozen=True)
class Level:
    code: str
    label: str


LEVELS = {
    "full": Level("full", "full consensus"),
    "reservations": Level("reservations", "consensus with reservations"),
    "contested": Level("contested", "contested"),
    "too_few": Level("too_few", "not enough responses"),
}


def consensus_level(grades: Mapping[str, int], k: int) -> Level:
    """The level of one delegation from its count per grade (current version only)."""
    total = sum(grades.get(g, 0) for g in GRADES)
    if total < k:
        return LEVELS["too_few"]
    if grades.get("object", 0):
        return LEVELS["contested"]
    if grades.get("endorse", 0) == total:
        return LEVELS["full"]
    return LEVELS["reservations"]


def rank_alternatives(ballots: Sequence[Sequence[int]], n_candidates: int) -> SchulzeResult:
    """Schulze over ballots that each list candidate indices, most preferred first; candidates a
    ballot leaves out rank below those it names, tied among themselves."""
    ranks = np.full((len(ballots), n_candidates), np.nan)
    for row, ballot in enumerate(ballots):
        for position, candidate in enumerate(ballot):
            ranks[row, candidate] = position
    return schulze(ranks)
