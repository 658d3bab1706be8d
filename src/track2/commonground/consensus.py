"""Consensus statements and group-informed consensus (Pol.is).

``select_consensus`` follows repness.clj ``consensus-stats`` / ``select-consensus-comments``:
over everyone in the conversation, statements whose pseudocount probability of agreement (or
disagreement) is above ½ and significant at 90%, ranked by probability × test, top 5.
``group_informed_consensus`` follows conversation.clj ``:group-aware-consensus``: the product
over opinion groups of (A_g + 1)/(S_g + 2), high only when every group tends to agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from track2.commonground.stats import Z_90, prop_test


@dataclass(frozen=True)
class ConsensusStatement:
    statement: Any
    n_success: int
    n_trials: int
    p_success: float
    p_test: float


@dataclass(frozen=True)
class Consensus:
    agree: tuple[ConsensusStatement, ...]
    disagree: tuple[ConsensusStatement, ...]


def select_consensus(
    agree: np.ndarray,
    disagree: np.ndarray,
    seen: np.ndarray,
    statement_ids: np.ndarray,
    excluded: np.ndarray,
    top: int | None = 5,
) -> Consensus:
    """Top statements of broad agreement and of broad disagreement (counts per statement);
    ``top=None``: every statement that qualifies, in the same order (Pol.is's five are its
    first five).

    Both answers are scored in one pass over a 2 × statements array (the same elementwise
    operations): a live room re-selects after every vote, where the cost is the number of
    numpy calls."""
    seen = np.asarray(seen, dtype=np.int64)
    counts = np.stack([np.asarray(agree), np.asarray(disagree)])
    p = (1.0 + counts) / (2.0 + seen)
    t = prop_test(counts, seen)
    metric = p * t
    qualifies = (p > 0.5) & (t > Z_90) & ~np.asarray(excluded, dtype=bool)
    out: dict[str, tuple[ConsensusStatement, ...]] = {}
    for row, side in enumerate(("agree", "disagree")):
        ok = np.flatnonzero(qualifies[row])
        order = ok[np.argsort(-metric[row, ok], kind="stable")][:top].tolist()  # [:None]: all
        out[side] = tuple(
            ConsensusStatement(
                statement, int(counts[row, j]), int(seen[j]), float(p[row, j]), float(t[row, j])
            )
            for statement, j in zip(statement_ids[order].tolist(), order, strict=True)
        )
    return Consensus(agree=out["agree"], disagree=out["disagree"])


def group_informed_consensus(group_agree: np.ndarray, group_seen: np.ndarray) -> np.ndarray:
    """Π over groups of (A_g + 1)/(S_g + 2), per statement (inputs: groups × statements)."""
    a = np.asarray(group_agree, dtype=np.float64)
    s = np.asarray(group_seen, dtype=np.float64)
    return np.prod((a + 1.0) / (s + 2.0), axis=0)


def comment_priorities(
    group_agree: np.ndarray,
    group_disagree: np.ndarray,
    group_seen: np.ndarray,
    extremity: np.ndarray,
    is_meta: np.ndarray,
) -> np.ndarray:
    """conversation.clj ``priority-metric``: which statement to show next.

    importance = (1 − p_pass)·(extremity + 1)·p_agree with +1/+2 pseudocounts, boosted for
    new statements by 1 + 8·2^(−S/5), squared; meta statements get a fixed 7² = 49.
    """
    a = np.asarray(group_agree, dtype=np.float64).sum(axis=0)
    d = np.asarray(group_disagree, dtype=np.float64).sum(axis=0)
    s = np.asarray(group_seen, dtype=np.float64).sum(axis=0)
    p = s - (a + d)
    p_pass = (p + 1.0) / (s + 2.0)
    p_agree = (a + 1.0) / (s + 2.0)
    importance = (1.0 - p_pass) * (extremity + 1.0) * p_agree
    priority = (importance * (1.0 + 8.0 * np.power(2.0, -s / 5.0))) ** 2
    return np.where(is_meta, 49.0, priority)
