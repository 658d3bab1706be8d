"""Agreement per declared delegation (side), with small-sample statistics.

A Track 2 room is 10-40 people in two or three delegations, so "most people agree" is not enough:
common ground means *a majority of every side agrees*, and with three people per side the honest
answer is often "too few votes to say". For each side ``s`` and statement:

* ``n`` votes seen (agree + disagree + pass), ``A`` agrees, ``D`` disagrees, ``P`` passes.
* **Passes count as votes that are not agreement** (and not disagreement): the agree share is
  ``A / n`` with passes in ``n``. "A majority agrees" therefore means more than half of the side's
  voters on the statement actively agreed; a pass never helps a statement become common ground.
* Posterior of the agree share with the Jeffreys prior Beta(1/2, 1/2):
  ``a_s ~ Beta(A + 1/2, n - A + 1/2)``; likewise the disagree share ``d_s ~ Beta(D + 1/2, n - D + 1/2)``.
* ``P(majority of s agrees) = P(a_s > 1/2) = 1 - I_{1/2}(A + 1/2, n - A + 1/2)`` (regularised
  incomplete beta function).
* Sides are independent, so ``P(common ground) = prod_s P(a_s > 1/2)``, which is exactly
  ``P(min_s a_s > 1/2)``: the agree share of the least-agreeing side is above one half.
* Credible intervals are **equal-tailed 90%** (5% in each tail): per side for ``a_s``, and for
  ``min_s a_s`` whose distribution function is ``1 - prod_s (1 - F_s(x))``.
* ``P(divisive)`` is the largest, over ordered pairs of different sides ``(s, t)``, of
  ``P(a_s > 1/2) * P(d_t > 1/2)``: the chance that one side's majority agrees while another
  side's majority disagrees (a lower bound when there are more than two sides).

Labels, in this order (thresholds are arguments with these defaults):

1. ``"too few votes to say"`` if any side has fewer than ``min_votes`` = 3 votes on the statement;
2. ``"common ground"`` if ``P(common ground) >= 0.9``;
3. ``"divisive"`` if ``P(divisive) >= 0.9``;
4. ``"no common ground"`` if ``P(common ground) <= 0.1`` (the evidence says some side's majority
   does not agree, without a clear split);
5. ``"too few votes to say"`` otherwise (the votes point neither way clearly).

With three voters per side and two sides, 3 of 3 agreeing on both sides gives
P = 0.9669^2 = 0.935 (common ground); 2 of 3 on one side gives 0.9669 * 0.7122 = 0.689 (too few
votes to say). See ``docs/commonground-track2.md`` for the worked example.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.special import betainc, betaincinv, betaln

from track2.commonground.csv_rows import RowProblems, control_character, csv_records
from track2.commonground.errors import CommonGroundError, InputFormatError
from track2.commonground.matrix import AGREE, DISAGREE, VoteMatrix
from track2.commonground.repness import group_vote_counts

__all__ = [
    "COMMON_GROUND",
    "DIVISIVE",
    "NO_COMMON_GROUND",
    "TOO_FEW_VOTES",
    "SideAgreement",
    "SidesError",
    "DeclaredSides",
    "agreement_by_side",
    "read_sides_csv",
    "side_of_participants",
    "statement_agreement",
]

COMMON_GROUND = "common ground"
DIVISIVE = "divisive"
NO_COMMON_GROUND = "no common ground"
TOO_FEW_VOTES = "too few votes to say"

SIDES_CSV = "a participant,side CSV file"
JEFFREYS = 0.5
# Safeguarded Newton for the quantile of the minimum share: at most this many steps (a step
# that leaves the bracket halves it instead, so even the worst case ends within 2^-60 of the
# bracket's width); it stops once every Newton correction is below _QUANTILE_TOL.
_QUANTILE_STEPS = 60
_QUANTILE_TOL = 1e-14
_FEW_STATEMENTS = 4  # up to here the quantile runs statement by statement on Python floats


class SidesError(CommonGroundError, ValueError):
    """Declared sides cannot be used: fewer than two sides, unknown participants, wrong length."""


@dataclass(frozen=True, eq=False)
class DeclaredSides:
    """Each matrix row's declared side, checked once: ``names`` (sorted) and ``index[i]``, the
    position in ``names`` of row ``i``'s side (-1: none declared). A live room keeps one and
    passes it to :func:`agreement_by_side` after every vote instead of the raw list."""

    names: tuple[str, ...]
    index: npt.NDArray[np.int64]

    @classmethod
    def from_side_of(cls, side_of: Sequence[str | None], n_participants: int) -> DeclaredSides:
        names, index = _side_indices(side_of, n_participants)
        index.setflags(write=False)
        return cls(names, index)

    def extended(self, side_of: Sequence[str | None]) -> DeclaredSides:
        """With rows appended for new participants (``side_of``: their sides); a side not yet
        declared by anyone is refused, since it would renumber every side's arrays."""
        position = {name: i for i, name in enumerate(self.names)}
        unknown = [side for side in side_of if side and side not in position]
        if unknown:
            raise SidesError(
                f"side {unknown[0]!r} is not one of the declared sides {list(self.names)}; "
                "start a new analysis to add a side"
            )
        extra = np.array([position[side] if side else -1 for side in side_of], dtype=np.int64)
        index = np.concatenate([self.index, extra])
        index.setflags(write=False)
        return DeclaredSides(self.names, index)


@dataclass(frozen=True)
class SideAgreement:
    """Per side and statement counts and posteriors (arrays are sides x statements).

    Per statement: ``p_common_ground``, ``p_divisive``, ``min_share_low`` / ``min_share_high``
    (interval of the least-agreeing side's agree share) and ``labels``.
    """

    sides: tuple[str, ...]
    statement_ids: npt.NDArray[Any]
    n: npt.NDArray[np.int64]
    agree: npt.NDArray[np.int64]
    disagree: npt.NDArray[np.int64]
    passes: npt.NDArray[np.int64]
    agree_share_mean: npt.NDArray[np.float64]
    agree_share_low: npt.NDArray[np.float64]
    agree_share_high: npt.NDArray[np.float64]
    p_majority_agrees: npt.NDArray[np.float64]
    p_majority_disagrees: npt.NDArray[np.float64]
    p_common_ground: npt.NDArray[np.float64]
    p_divisive: npt.NDArray[np.float64]
    min_share_low: npt.NDArray[np.float64]
    min_share_high: npt.NDArray[np.float64]
    labels: tuple[str, ...]
    credible_mass: float
    threshold: float
    min_votes: int

    def to_json(self) -> dict[str, Any]:
        """``{statement id: {"sides": {side: {...}}, "p_common_ground", ..., "label"}}``.

        Statement ids are strings (JSON object keys); probabilities are rounded to 6 places.
        """
        out: dict[str, Any] = {}
        for j, statement in enumerate(self.statement_ids.tolist()):
            per_side = {
                side: {
                    "n": int(self.n[s, j]),
                    "agree": int(self.agree[s, j]),
                    "disagree": int(self.disagree[s, j]),
                    "pass": int(self.passes[s, j]),
                    "p_majority_agrees": round(float(self.p_majority_agrees[s, j]), 6),
                    "agree_share": {
                        "mean": round(float(self.agree_share_mean[s, j]), 6),
                        "interval": [
                            round(float(self.agree_share_low[s, j]), 6),
                            round(float(self.agree_share_high[s, j]), 6),
                        ],
                    },
                }
                for s, side in enumerate(self.sides)
            }
            out[str(statement)] = {
                "sides": per_side,
                "p_common_ground": round(float(self.p_common_ground[j]), 6),
                "min_agree_share_interval": [
                    round(float(self.min_share_low[j]), 6),
                    round(float(self.min_share_high[j]), 6),
                ],
                "p_divisive": round(float(self.p_divisive[j]), 6),
                "label": self.labels[j],
            }
        return out


def side_of_participants(votes: VoteMatrix, sides: Mapping[Any, str]) -> list[str | None]:
    """Side per matrix row from ``{participant id: side}``; rows not in the mapping get None.

    Ids are matched by their text form, so ids read from a CSV file ("17") match integer ids.
    A mapped participant that is not in the votes raises :class:`SidesError`.
    """
    row_of = {str(pid): i for i, pid in enumerate(votes.participant_ids.tolist())}
    side_of: list[str | None] = [None] * votes.n_participants
    unknown = [str(pid) for pid in sides if str(pid) not in row_of]
    if unknown:
        shown = ", ".join(sorted(unknown)[:5]) + (" …" if len(unknown) > 5 else "")
        raise SidesError(
            f"{len(unknown)} participant(s) in the sides are not in the votes: {shown}; "
            "check the participant ids"
        )
    for pid, side in sides.items():
        side_of[row_of[str(pid)]] = side
    return side_of


def read_sides_csv(lines: Iterable[str], source: str = "<sides>") -> dict[str, str]:
    """Read ``participant,side`` CSV rows into ``{participant id: side}`` (typed errors: every
    bad row is named in one :class:`InputFormatError`, as the vote readers do). Give an open
    file through :func:`~track2.commonground.csv_rows.bounded_lines`, so that a file with no
    line break is refused without being read whole."""
    rows = csv_records(lines, source, SIDES_CSV)
    first = next(rows, None)
    if first is None:
        raise InputFormatError(source, 1, "the file is empty; write the header participant,side")
    header = first[1]
    if header and header[0].startswith("\ufeff"):
        header[0] = header[0][1:]
    if [field.strip().lower() for field in header] != ["participant", "side"]:
        raise InputFormatError(
            source,
            1,
            f"unknown header {','.join(header)!r}; the first line must be exactly participant,side",
        )
    sides: dict[str, str] = {}
    first_line: dict[str, int] = {}

    def side_row(line: int, row: list[str]) -> tuple[str, str]:
        if len(row) != 2:
            raise InputFormatError(
                source, line, f"expected 2 fields (participant,side), found {len(row)}; fix the row"
            )
        participant, side = (field.strip() for field in row)
        if not participant or not side:
            raise InputFormatError(
                source, line, "empty participant or side; give both on every row"
            )
        for what, text in (("participant", participant), ("side", side)):
            control = control_character(text)
            if control:  # a report prints the side's name: an escape sequence is no name
                raise InputFormatError(
                    source,
                    line,
                    f"the {what} {text!r} holds a control character ({control}); remove it",
                )
        if participant in first_line:
            raise InputFormatError(
                source,
                line,
                f"participant {participant!r} is listed twice (first on line "
                f"{first_line[participant]}); give each participant one side",
            )
        return participant, side

    last_line = 1
    filled = ((line, row) for line, row in rows if any(field.strip() for field in row))
    for line, (participant, side) in RowProblems().each(filled, side_row):
        first_line[participant] = line
        sides[participant] = side
        last_line = line
    distinct = set(sides.values())
    if len(distinct) < 2:
        found = f"only {next(iter(distinct))!r}" if distinct else "none"
        raise InputFormatError(
            source,
            last_line,
            f"agreement per side needs at least two sides, found {found}; "
            "declare each participant's delegation",
        )
    return sides


def _side_indices(
    side_of: Sequence[str | None], n_participants: int
) -> tuple[tuple[str, ...], npt.NDArray[np.int64]]:
    if len(side_of) != n_participants:
        raise SidesError(
            f"one side per participant is needed ({n_participants}), got {len(side_of)}"
        )
    names = tuple(sorted({side for side in side_of if side is not None and side != ""}))
    if len(names) < 2:
        raise SidesError(
            f"agreement per side needs at least two declared sides, found {len(names)}; "
            "declare each participant's delegation"
        )
    position = {name: i for i, name in enumerate(names)}
    index = np.array([position[side] if side else -1 for side in side_of], dtype=np.int64)
    return names, index


@dataclass(frozen=True, eq=False)
class GroupsBySide:
    """How many participants of each declared side fall in each opinion group: ``counts[g, s]``
    for group ``group_ids[g]`` and side ``sides[s]`` (participants with no declared side, or in
    no group, are not counted). Whether the groups follow the sides or cut across them is the
    first thing a convener asks of a dialogue's groups."""

    group_ids: tuple[int, ...]
    sides: tuple[str, ...]
    counts: npt.NDArray[np.int64]

    def table(self) -> list[list[int]]:
        """The counts as a list of rows (groups) of whole numbers, for the small-cell rule."""
        return [[int(n) for n in row] for row in self.counts]


def groups_by_side(
    group_labels: npt.ArrayLike, group_ids: Sequence[int], side_of: Sequence[str | None]
) -> GroupsBySide:
    """Cross-count opinion groups and declared sides, participant by participant:
    ``group_labels[i]`` is participant i's group id (-1: none), ``side_of[i]`` their side (None
    or "": none). Sides are sorted by name, as :func:`agreement_by_side` orders them."""
    labels = np.asarray(group_labels, dtype=np.int64)
    names, side_index = _side_indices(side_of, len(labels))
    ids = np.asarray([int(g) for g in group_ids], dtype=np.int64)
    # each participant's row of the table (-1: a label that is no listed group), by a sorted
    # search: a million participants' labels in one pass
    order = np.argsort(ids, kind="stable")
    at = np.minimum(np.searchsorted(ids[order], labels), max(len(ids) - 1, 0))
    rows = np.where(ids[order][at] == labels, order[at], -1) if len(ids) else labels * 0 - 1
    counted = (rows >= 0) & (side_index >= 0)
    flat = np.bincount(
        rows[counted] * len(names) + side_index[counted], minlength=len(ids) * len(names)
    )
    return GroupsBySide(tuple(ids.tolist()), names, flat.reshape(len(ids), len(names)))


def _beta_above_half(successes: npt.NDArray[Any], trials: npt.NDArray[Any]) -> npt.NDArray[Any]:
    a = successes + JEFFREYS
    b = trials - successes + JEFFREYS
    # P(X > 1/2) = 1 - I_{1/2}(a, b) = I_{1/2}(b, a), which keeps precision near 1.
    return np.asarray(betainc(b, a, 0.5), dtype=np.float64)


def _min_share_quantile(
    a: npt.NDArray[np.float64], b: npt.NDArray[np.float64], level: float | npt.NDArray[Any]
) -> npt.NDArray[np.float64]:
    """Quantile of min over sides of independent Beta(a_s, b_s), per statement (``level``:
    one for all, or one per statement, so both ends of an interval are found in one run).

    P(min <= x) = 1 - prod_s (1 - F_s(x)) lies between max_s F_s(x) and sum_s F_s(x), so the
    quantile lies between min_s q_s(level / sides) and min_s q_s(level), with q_s the side's
    own Beta quantile. Newton's method inside that bracket (bisection when a step would leave
    it) reaches float precision in a handful of steps where plain bisection needed 60: this
    runs after every vote in a live room."""
    n_sides = a.shape[0]
    if a.shape[1] <= _FEW_STATEMENTS:
        levels = np.broadcast_to(level, a.shape[1:]).tolist()
        return np.array(
            [_one_min_share_quantile(a[:, j], b[:, j], levels[j]) for j in range(a.shape[1])],
            dtype=np.float64,
        )
    levels = np.broadcast_to(np.asarray(level, dtype=np.float64), a.shape[1:])
    low = betaincinv(a, b, levels / n_sides).min(axis=0)
    high = betaincinv(a, b, levels).min(axis=0)
    # Start at the upper end: on random counts of 3 sides Newton then needed 6-10 steps at
    # both levels (17-21 at 0.95 from the lower end, where it overshoots into bisection).
    x = high.copy()
    log_norm = betaln(a, b)
    out = x.copy()
    # Each statement leaves the loop once its own correction is below the tolerance or its
    # bracket has closed, and the later steps run on the rest only. The start (the upper end)
    # can lie a rounding error below the root (betaincinv's precision): the bracket then closes
    # at once and every Newton step leaves it; at 1M x 5k such statements kept all 10,000
    # quantiles in the loop for its 60 steps, 0.35 s.
    active = np.arange(len(x))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for _ in range(_QUANTILE_STEPS):
            survival = 1.0 - betainc(a, b, x[None, :])
            gap = (1.0 - np.prod(survival, axis=0)) - levels
            below = gap < 0
            low = np.where(below, x, low)
            high = np.where(below, high, x)
            density = np.exp((a - 1.0) * np.log(x) + (b - 1.0) * np.log1p(-x) - log_norm)
            # d/dx of 1 - prod: each side's density times the other sides' survival (a side
            # whose survival underflowed to 0 gives nan here, and the step falls back).
            slope = (density * (np.prod(survival, axis=0) / survival)).sum(axis=0)
            correction = gap / slope
            step = x - correction
            done = (np.abs(correction) < _QUANTILE_TOL) | (high - low <= _QUANTILE_TOL)
            out[active[done]] = np.clip(step[done], low[done], high[done])
            inside = np.isfinite(step) & (step >= low) & (step <= high)
            x = np.where(inside, step, 0.5 * (low + high))
            if done.all():
                return out
            if done.any():
                left = ~done
                active, x, levels = active[left], x[left], levels[left]
                a, b, log_norm = a[:, left], b[:, left], log_norm[:, left]
                low, high = low[left], high[left]
    out[active] = x
    return out


def _one_min_share_quantile(
    a: npt.NDArray[np.float64],
    b: npt.NDArray[np.float64],
    level: float,
    bracket: tuple[float, float] | None = None,
    start: float | None = None,
    log_norm: list[float] | None = None,
) -> float:
    """:func:`_min_share_quantile` for one statement (``a``, ``b``: one entry per side), the
    same safeguarded Newton steps on Python floats: after a vote in a live room only that
    statement is recomputed, and there the cost is the number of numpy calls, not their
    size. ``bracket``: (min_s q_s(level / sides), min_s q_s(level)) when the caller has them;
    ``start``: a first guess inside it (the statement's quantile before one more vote, a
    Newton step or two away), else the upper end. ``log_norm``: log B(a_s, b_s), when the
    caller has it."""
    if bracket is None:
        low = float(betaincinv(a, b, level / len(a)).min())
        high = float(betaincinv(a, b, level).min())
    else:
        low, high = bracket
    if log_norm is None:
        log_norm = betaln(a, b).tolist()
    sides = list(zip(a.tolist(), b.tolist(), log_norm, strict=True))
    x = start if start is not None and low < start < high else high
    for _ in range(_QUANTILE_STEPS):
        survival = [1.0 - float(betainc(a_s, b_s, x)) for a_s, b_s, _ in sides]
        all_survive = math.prod(survival)
        gap = (1.0 - all_survive) - level
        if gap < 0:
            low = x
        else:
            high = x
        # d/dx of 1 - prod: each side's density times the other sides' survival; a side
        # whose survival underflowed to 0, or a density that overflows, leaves no Newton step.
        try:
            slope = sum(
                math.exp((a_s - 1.0) * math.log(x) + (b_s - 1.0) * math.log1p(-x) - norm)
                * (all_survive / s_x)
                for (a_s, b_s, norm), s_x in zip(sides, survival, strict=True)
            )
            correction = gap / slope
        except (ValueError, ZeroDivisionError, OverflowError):
            correction = math.nan
        step = x - correction
        # False on nan; a closed bracket: the start was a rounding error off the root
        if abs(correction) < _QUANTILE_TOL or high - low <= _QUANTILE_TOL:
            return min(max(step, low), high)
        x = step if low <= step <= high else 0.5 * (low + high)  # False on nan
    return x


def statement_agreement(
    n: Sequence[int],
    agree: Sequence[int],
    disagree: Sequence[int],
    *,
    credible_mass: float = 0.9,
    threshold: float = 0.9,
    min_votes: int = 3,
    start: tuple[float, float] | None = None,
) -> dict[str, Any]:
    """The figures of :func:`agreement_by_side` for one statement from its counts per side
    (``n`` votes seen, ``agree``, ``disagree``; one entry per side, in the order of the sides):
    per-side fields as arrays over the sides, per-statement fields as scalars, keyed by the
    :class:`SideAgreement` field names. A live room recomputes one statement after each vote;
    this does it in a handful of scipy calls on arrays of 2-4 sides (the same formulas, the
    same Newton steps). ``start``: the statement's previous (min_share_low, min_share_high),
    where the Newton steps begin (one vote moves them little)."""
    n_sides = len(n)
    counts_n = np.asarray(n, dtype=np.float64)
    counts_a = np.asarray(agree, dtype=np.float64)
    counts_d = np.asarray(disagree, dtype=np.float64)
    a = counts_a + JEFFREYS
    b = counts_n - counts_a + JEFFREYS
    # P(X > 1/2) = I_{1/2}(b, a) for the agree share, likewise for the disagree share.
    above_half = betainc(
        np.concatenate([b, counts_n - counts_d + JEFFREYS]),
        np.concatenate([a, counts_d + JEFFREYS]),
        0.5,
    ).tolist()
    p_agrees, p_disagrees = above_half[:n_sides], above_half[n_sides:]
    tail = (1.0 - credible_mass) / 2.0
    levels = (tail, 1.0 - tail)
    # Each side's interval ends and the brackets of the least-agreeing side's quantile
    # (min_s q_s(level / sides) .. min_s q_s(level)) in one call (rows: the four levels).
    ends = np.array([[tail], [1.0 - tail], [tail / n_sides], [(1.0 - tail) / n_sides]])
    quantiles = betaincinv(a, b, ends)
    share_low, share_high = quantiles[0], quantiles[1]
    bounds = np.minimum.reduce(quantiles, axis=1).tolist()
    log_norm = betaln(a, b).tolist()
    min_shares = [
        _one_min_share_quantile(
            a,
            b,
            levels[t],
            bracket=(bounds[2 + t], bounds[t]),
            start=None if start is None else start[t],
            log_norm=log_norm,
        )
        for t in range(2)
    ]
    p_common = math.prod(p_agrees)
    p_divisive = max(
        p_agrees[s] * p_disagrees[t] for s in range(n_sides) for t in range(n_sides) if s != t
    )
    label = TOO_FEW_VOTES
    if min(n) >= min_votes:
        if p_common >= threshold:
            label = COMMON_GROUND
        elif p_divisive >= threshold:
            label = DIVISIVE
        elif p_common <= 1.0 - threshold:
            label = NO_COMMON_GROUND
    return {
        "n": np.asarray(n, dtype=np.int64),
        "agree": np.asarray(agree, dtype=np.int64),
        "disagree": np.asarray(disagree, dtype=np.int64),
        "passes": np.asarray(n, dtype=np.int64) - np.asarray(agree) - np.asarray(disagree),
        "agree_share_mean": a / (a + b),
        "agree_share_low": share_low,
        "agree_share_high": share_high,
        "p_majority_agrees": np.asarray(p_agrees),
        "p_majority_disagrees": np.asarray(p_disagrees),
        "p_common_ground": p_common,
        "p_divisive": p_divisive,
        "min_share_low": min_shares[0],
        "min_share_high": min_shares[1],
        "labels": label,
    }


def agreement_by_side(
    votes: VoteMatrix,
    side_of: Sequence[str | None] | DeclaredSides,
    *,
    credible_mass: float = 0.9,
    threshold: float = 0.9,
    min_votes: int = 3,
    statements: npt.NDArray[np.int64] | None = None,
) -> SideAgreement:
    """Agreement of every declared side on every statement (see the module docstring).

    ``side_of[i]`` is the side of matrix row ``i`` (None or "" = no declared side: left out),
    or the same already checked as :class:`DeclaredSides`. ``statements``: column positions
    to compute, in this order (default: all); each statement's figures depend on its own
    votes only, so a live update recomputes just the statements that got votes.
    """
    if not 0.0 < credible_mass < 1.0:
        raise SidesError(f"credible_mass must be between 0 and 1, got {credible_mass}")
    if not 0.5 < threshold < 1.0:
        raise SidesError(f"threshold must be between 1/2 and 1, got {threshold}")
    if min_votes < 1:
        raise SidesError(f"min_votes must be at least 1, got {min_votes}")
    if isinstance(side_of, DeclaredSides):
        if len(side_of.index) != votes.n_participants:
            raise SidesError(
                f"one side per participant is needed ({votes.n_participants}), "
                f"got {len(side_of.index)}"
            )
        names, side_index = side_of.names, side_of.index
    else:
        names, side_index = _side_indices(side_of, votes.n_participants)
    n_sides = len(names)

    statement_ids = votes.statement_ids
    n_statements = votes.n_statements
    if statements is None:
        # Every statement: one counting pass over the votes (a side is a grouping of rows).
        agree, disagree, n = group_vote_counts(votes, side_index, n_sides)
    else:
        side_of_vote = side_index[votes.vote_rows]
        statements = np.asarray(statements, dtype=np.int64)
        position = np.full(votes.n_statements, -1, dtype=np.int64)
        position[statements] = np.arange(len(statements))
        column = position[votes.indices]
        counted = (side_of_vote >= 0) & (column >= 0)
        statement_ids = statement_ids[statements]
        n_statements = len(statements)
        key = side_of_vote[counted] * n_statements + column[counted]
        values = votes.values[counted]
        size = n_sides * n_statements

        def tally(mask: npt.NDArray[np.bool_] | None) -> npt.NDArray[np.int64]:
            chosen = key if mask is None else key[mask]
            return np.bincount(chosen, minlength=size).reshape(n_sides, n_statements)

        n = tally(None)
        agree = tally(values == AGREE)
        disagree = tally(values == DISAGREE)
    passes = n - agree - disagree

    a = (agree + JEFFREYS).astype(np.float64)
    b = (n - agree + JEFFREYS).astype(np.float64)
    tail = (1.0 - credible_mass) / 2.0
    # Both ends of each interval, and both answers, in one call each: after a vote in a live
    # room these run on one statement, where the cost is the number of calls.
    ends = np.repeat([tail, 1.0 - tail], n_statements)
    a2, b2 = np.concatenate([a, a], axis=1), np.concatenate([b, b], axis=1)
    above_half = _beta_above_half(
        np.concatenate([agree, disagree], axis=1), np.concatenate([n, n], axis=1)
    )
    p_agrees, p_disagrees = above_half[:, :n_statements], above_half[:, n_statements:]
    shares = betaincinv(a2, b2, ends)
    share_low, share_high = shares[:, :n_statements], shares[:, n_statements:]
    min_shares = _min_share_quantile(a2, b2, ends)
    min_share_low, min_share_high = min_shares[:n_statements], min_shares[n_statements:]
    p_common = np.prod(p_agrees, axis=0)
    split = p_agrees[:, None, :] * p_disagrees[None, :, :]
    split[np.arange(n_sides), np.arange(n_sides), :] = 0.0  # a side cannot split with itself
    p_divisive = split.max(axis=(0, 1))

    labels = np.full(n_statements, TOO_FEW_VOTES, dtype=object)
    enough = n.min(axis=0) >= min_votes
    labels[enough & (p_common <= 1.0 - threshold)] = NO_COMMON_GROUND
    labels[enough & (p_divisive >= threshold)] = DIVISIVE
    labels[enough & (p_common >= threshold)] = COMMON_GROUND

    return SideAgreement(
        sides=names,
        statement_ids=statement_ids,
        n=n,
        agree=agree,
        disagree=disagree,
        passes=passes,
        agree_share_mean=a / (a + b),
        agree_share_low=share_low,
        agree_share_high=share_high,
        p_majority_agrees=p_agrees,
        p_majority_disagrees=p_disagrees,
        p_common_ground=p_common,
        p_divisive=p_divisive,
        min_share_low=min_share_low,
        min_share_high=min_share_high,
        labels=tuple(str(label) for label in labels),
        credible_mass=credible_mass,
        threshold=threshold,
        min_votes=min_votes,
    )
