"""Synthetic dialogues with planted opinion groups, for demos, tests and benchmarks.

Generative model (all draws from one ``numpy.random.Generator`` seeded by ``seed``):

1. **Opinion groups.** ``n_groups`` planted groups with shares drawn from a symmetric
   Dirichlet(``group_concentration``) (floored at ``min_group_share``). Participant i belongs to
   group ``g_i`` drawn from those shares.
2. **Declared sides.** ``n_sides`` delegations. With probability ``side_fidelity`` a
   participant's side is ``g_i mod n_sides`` (sides follow opinion), otherwise uniform.
3. **Statements.** Each statement is of one kind, drawn with the probabilities
   ``consensus_share``, ``divisive_share``, ``noise_share`` (the rest is "mixed"):
   consensus — every group agrees with probability ``U(0.75, 0.95)`` (or disagrees: the
   mirrored value, with probability ½); divisive — groups are split into two camps at random
   and one camp agrees with probability ``U(0.8, 0.95)``, the other with one minus that;
   noise — every group agrees with probability ½; mixed — each group independently
   ``Beta(2, 2)``. ``agree_probability[g, j]`` is the chance that a member of group g who votes
   (does not pass) on statement j agrees.
4. **Exposure.** Participant i sees ``n_i`` statements, ``n_i`` heavy-tailed: a Pareto(α =
   ``exposure_tail``) draw scaled to mean ``mean_votes``, clipped to [1, n_statements].
   Statements are drawn with popularity weights ∝ (rank)^(−``popularity_skew``) in a random
   rank order (early, popular statements are seen by many), duplicates merged.
5. **Votes.** Each seen statement is passed with probability ``pass_rate``; otherwise agreed
   with probability ``agree_probability[g_i, j]`` and disagreed otherwise.
6. **Revisions.** A share ``revision_rate`` of votes gets an earlier vote with a different
   value (a changed mind); the later one is the true, final vote.
7. **Moderation.** A share ``moderation_rate`` of statements is moderated out (mod = -1).

The truth (groups, sides, probabilities, kinds, moderation) is kept in :class:`SyntheticTruth`,
so a Bayes-oracle classifier can be computed (part 2) and ARI measured against planted groups.
Big dialogues are generated and written in chunks of participants, so 1M × 5k (~50M votes)
needs a bounded amount of memory.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from track2.commonground.formats import COMMENTS_HEADER, VOTES_HEADER, polis_datetime
from track2.commonground.matrix import VoteMatrix

KINDS = ("consensus", "divisive", "noise", "mixed")
_START_MS = 1_700_000_000_000
BLOCK = 20_000  # participants per generation block (fixed: part of the seeded model)


@dataclass(frozen=True)
class SimulationParams:
    n_participants: int = 500
    n_statements: int = 60
    n_groups: int = 3
    n_sides: int = 2
    mean_votes: float = 30.0
    exposure_tail: float = 2.5
    popularity_skew: float = 1.0
    pass_rate: float = 0.12
    consensus_share: float = 0.15
    divisive_share: float = 0.45
    noise_share: float = 0.15
    group_concentration: float = 5.0
    min_group_share: float = 0.08
    side_fidelity: float = 0.8
    revision_rate: float = 0.02
    moderation_rate: float = 0.03

    def __post_init__(self) -> None:
        if self.n_participants < 2 or self.n_statements < 2:
            raise ValueError("a dialogue needs at least 2 participants and 2 statements")
        if not 1 <= self.n_groups <= 50 or not 1 <= self.n_sides <= 50:
            raise ValueError("n_groups and n_sides must be between 1 and 50")
        shares = (self.consensus_share, self.divisive_share, self.noise_share)
        if min(shares) < 0 or sum(shares) > 1:
            raise ValueError("statement kind shares must be ≥ 0 and sum to at most 1")
        for name in ("pass_rate", "side_fidelity", "revision_rate", "moderation_rate"):
            if not 0 <= getattr(self, name) < 1:
                raise ValueError(f"{name} must be in [0, 1)")
        if self.mean_votes < 1 or self.exposure_tail <= 1:
            raise ValueError("mean_votes must be ≥ 1 and exposure_tail > 1")


@dataclass(frozen=True, eq=False)
class SyntheticTruth:
    """The planted parameters. Participant ids are 0..n-1, statement ids 0..m-1."""

    params: SimulationParams
    seed: int
    group_shares: np.ndarray
    group: np.ndarray  # planted opinion group of each participant
    side: np.ndarray  # declared side (delegation) of each participant
    agree_probability: np.ndarray  # groups × statements, P(agree | votes, not pass)
    pass_probability: float
    statement_kind: np.ndarray  # index into KINDS
    popularity: np.ndarray  # exposure weight of each statement (sums to 1)
    moderated_out: np.ndarray  # bool per statement


@dataclass(frozen=True, eq=False)
class SyntheticDialogue:
    truth: SyntheticTruth
    matrix: VoteMatrix


def plant(params: SimulationParams, seed: int) -> SyntheticTruth:
    """Draw the planted parameters (steps 1–3 and 7 of the model)."""
    rng = np.random.default_rng([seed, 0])
    g, m = params.n_groups, params.n_statements
    shares = rng.dirichlet(np.full(g, params.group_concentration))
    shares = np.maximum(shares, params.min_group_share)
    shares /= shares.sum()
    kind_p = [params.consensus_share, params.divisive_share, params.noise_share]
    kind_p.append(1.0 - sum(kind_p))
    kind = rng.choice(len(KINDS), size=m, p=kind_p)
    prob = np.empty((g, m))
    for j in range(m):
        if kind[j] == 0:
            level = rng.uniform(0.75, 0.95)
            prob[:, j] = level if rng.random() < 0.5 else 1.0 - level
        elif kind[j] == 1:
            camp = rng.random(g) < 0.5
            if camp.all() or not camp.any():
                camp[rng.integers(g)] = not camp[0]
            level = rng.uniform(0.8, 0.95)
            prob[:, j] = np.where(camp, level, 1.0 - level)
        elif kind[j] == 2:
            prob[:, j] = 0.5
        else:
            prob[:, j] = rng.beta(2.0, 2.0, size=g)
    ranks = rng.permutation(m) + 1.0
    popularity = ranks**-params.popularity_skew
    popularity /= popularity.sum()
    moderated = rng.random(m) < params.moderation_rate
    # participants are drawn in chunks later; their groups and sides come from their own stream
    prng = np.random.default_rng([seed, 1])
    group = prng.choice(g, size=params.n_participants, p=shares).astype(np.int16)
    faithful = prng.random(params.n_participants) < params.side_fidelity
    side = np.where(
        faithful, group % params.n_sides, prng.integers(params.n_sides, size=params.n_participants)
    ).astype(np.int16)
    return SyntheticTruth(
        params, seed, shares, group, side, prob, params.pass_rate, kind, popularity, moderated
    )


def vote_chunks(truth: SyntheticTruth) -> Iterator[tuple[np.ndarray, ...]]:
    """Yield (timestamps ms, statement ids, participant ids, votes) per block of participants,
    revisions included (earlier rows first), rows sorted by participant then time. Each block
    has its own random stream, so the dialogue does not depend on how it is consumed."""
    chunk = BLOCK
    p = truth.params
    m = p.n_statements
    cum = np.cumsum(truth.popularity)
    cum[-1] = 1.0
    scale = p.mean_votes * (p.exposure_tail - 1) / p.exposure_tail
    for c, lo in enumerate(range(0, p.n_participants, chunk)):
        rng = np.random.default_rng([truth.seed, 2, c])
        hi = min(lo + chunk, p.n_participants)
        n = hi - lo
        seen = np.clip(np.round(scale * (1.0 + rng.pareto(p.exposure_tail, n))), 1, m).astype(
            np.int64
        )
        rows = np.repeat(np.arange(lo, hi, dtype=np.int64), seen)
        cols = np.searchsorted(cum, rng.random(len(rows)), side="right").astype(np.int64)
        key = np.unique(rows * m + cols)  # merge duplicates, sorted by participant
        rows, cols = key // m, key % m
        del key
        u = rng.random(len(rows))
        agree_p = truth.agree_probability[truth.group[rows], cols]
        passed = rng.random(len(rows)) < p.pass_rate
        votes = np.where(passed, 0, np.where(u < agree_p, 1, -1)).astype(np.int8)
        # every participant votes in one session: a start time plus one second per vote
        start = _START_MS + rows * 7_000
        ts = start + (np.arange(len(rows)) - np.searchsorted(rows, rows)) * 1_000
        revised = np.flatnonzero(rng.random(len(rows)) < p.revision_rate)
        if len(revised):
            earlier = np.where(votes[revised] == 1, -1, 1).astype(np.int8)
            rows = np.concatenate([rows, rows[revised]])
            cols = np.concatenate([cols, cols[revised]])
            votes = np.concatenate([votes, earlier])
            ts = np.concatenate([ts, ts[revised] - 500])
            order = np.lexsort((ts, rows))
            rows, cols, votes, ts = rows[order], cols[order], votes[order], ts[order]
        yield ts, cols, rows, votes


def simulate_dialogue(params: SimulationParams, seed: int = 0) -> SyntheticDialogue:
    """Generate a dialogue in memory (moderation applied, revisions reduced to the latest)."""
    truth = plant(params, seed)
    m = params.n_statements
    statement_ids = np.arange(m)
    indptr_parts = [np.zeros(1, dtype=np.int64)]
    indices_parts: list[np.ndarray] = []
    values_parts: list[np.ndarray] = []
    offset = 0
    # Each block holds every vote of its participants, so blocks become CSR row blocks one at a
    # time: memory stays near the final ~5 bytes per vote even at 1M × 5k.
    for lo, (ts, sids, pids, votes) in zip(
        range(0, params.n_participants, BLOCK), vote_chunks(truth), strict=True
    ):
        hi = min(lo + BLOCK, params.n_participants)
        block = VoteMatrix.from_triples(
            pids,
            sids,
            votes,
            timestamps=ts,
            participant_ids=np.arange(lo, hi),
            statement_ids=statement_ids,
        )
        indptr_parts.append(block.indptr[1:] + offset)
        indices_parts.append(block.indices)
        values_parts.append(block.values)
        offset += block.n_votes
    matrix = VoteMatrix(
        np.arange(params.n_participants, dtype=np.int64),
        statement_ids,
        np.concatenate(indptr_parts),
        np.concatenate(indices_parts),
        np.concatenate(values_parts),
        truth.moderated_out.copy(),
        np.zeros(m, dtype=bool),
    )
    return SyntheticDialogue(truth, matrix)


def _format_rows(ts: np.ndarray, sids: np.ndarray, pids: np.ndarray, votes: np.ndarray) -> str:
    # The datetime column changes once per second; format each distinct second once.
    secs = ts // 1000
    uniq, inv = np.unique(secs, return_inverse=True)
    dts = np.asarray([polis_datetime(int(s) * 1000) for s in uniq.tolist()])[inv]
    lines = map(
        ",".join,
        zip(
            ts.astype(str), dts, sids.astype(str), pids.astype(str), votes.astype(str), strict=True
        ),
    )
    return "\n".join(lines) + "\n"


def write_polis_folder(
    folder: str | Path,
    params: SimulationParams,
    seed: int = 0,
    *,
    participants_votes: bool | None = None,
) -> SyntheticTruth:
    """Write a Pol.is export folder (votes.csv, comments.csv, sides.csv, truth.npz and, for
    small dialogues, participants-votes.csv with the planted group as ``group-id``)."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    truth = plant(params, seed)
    with (out / "votes.csv").open("w", encoding="utf-8", newline="") as f:
        f.write(",".join(VOTES_HEADER) + "\n")
        for ts, sids, pids, votes in vote_chunks(truth):
            f.write(_format_rows(ts, sids, pids, votes))
    with (out / "comments.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(COMMENTS_HEADER)
        for j in range(params.n_statements):
            created = _START_MS - (params.n_statements - j) * 60_000
            w.writerow(
                (
                    created // 1000,
                    polis_datetime(created),
                    j,
                    "",
                    0,
                    0,
                    -1 if truth.moderated_out[j] else 1,
                    f"Synthetic statement {j} ({KINDS[int(truth.statement_kind[j])]})",
                )
            )
    with (out / "sides.csv").open("w", encoding="utf-8", newline="") as f:
        f.write("participant,side\n")
        for lo in range(0, params.n_participants, 200_000):
            ids = np.arange(lo, min(lo + 200_000, params.n_participants))
            f.write(
                "".join(
                    f"{i},side-{s}\n"
                    for i, s in zip(ids.tolist(), truth.side[ids].tolist(), strict=True)
                )
            )
    np.savez_compressed(
        out / "truth.npz",
        group=truth.group,
        side=truth.side,
        agree_probability=truth.agree_probability,
        statement_kind=truth.statement_kind,
        moderated_out=truth.moderated_out,
        group_shares=truth.group_shares,
        seed=np.int64(seed),
    )
    small = params.n_participants * params.n_statements <= 20_000_000
    if participants_votes if participants_votes is not None else small:
        from track2.commonground.formats import read_votes_csv, write_participants_votes_csv

        matrix = read_votes_csv(out / "votes.csv")
        write_participants_votes_csv(
            out / "participants-votes.csv",
            matrix,
            group_ids={int(i): int(truth.group[i]) for i in matrix.participant_ids.tolist()},
        )
    return truth


def load_truth(folder: str | Path) -> dict[str, np.ndarray]:
    """Read ``truth.npz`` written by :func:`write_polis_folder`."""
    with np.load(Path(folder) / "truth.npz") as data:
        return {k: data[k] for k in data.files}
