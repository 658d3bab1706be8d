"""Track 2 mode: the whole analysis of a conversation as one pure function.

:func:`analyze_track2` keeps the Pol.is analysis for what Pol.is does well and what people
recognise — the opinion map (PCA, projections, base clusters) and the whole-room consensus —
and replaces its opinion groups with the Track 2 latent-class groups (:mod:`track2mode`), which
recover planted groups better (docs/benchmarks.md). Everything Pol.is derives from its groups is
derived again from the Track 2 groups with the same rules: per-group counts, representative
statements (repness.clj), group-informed consensus and comment priorities
(conversation.clj). Bridging scores (:mod:`bridging`) and, when declared sides are given,
agreement per side (:mod:`sides`) complete it.

Alignment: :class:`PolisAnalysis` arrays follow ``matrix.without_empty()`` (participants and
statements with at least one vote); :class:`Track2Groups` labels follow the rows of ``matrix``.
Labels are carried over by participant id, never by position.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from track2.commonground.bridging import BridgingScores, bridging_scores
from track2.commonground.consensus import comment_priorities, group_informed_consensus
from track2.commonground.cores import usable_cores
from track2.commonground.group_map import GroupMap, group_map
from track2.commonground.matrix import OnehotVotes, VoteMatrix
from track2.commonground.pages import small_pages
from track2.commonground.polis import PolisAnalysis, analyze_polis
from track2.commonground.repness import (
    GroupStatementStats,
    RepresentativeStatement,
    group_statement_stats,
    group_vote_counts,
    select_representative,
)
from track2.commonground.sides import SideAgreement, agreement_by_side
from track2.commonground.track2mode import Track2Groups, track2_groups, vote_onehot

CONCURRENT_MIN_VOTES = 500_000  # below, a second thread saves little (1.06x at 46k votes)

__all__ = ["Track2Analysis", "analyze_track2", "labels_by_id", "rows_by_id"]


@dataclass(frozen=True, eq=False)
class Track2Analysis:
    """Everything Track 2 mode computes, with its intermediates.

    ``polis`` is the Pol.is analysis (map, projections, whole-room consensus). Arrays over
    participants follow ``participant_ids`` (= ``polis.participant_ids``); arrays over
    statements follow ``statement_ids`` (= ``polis.statement_ids``). ``group_labels`` is each
    participant's Track 2 group (0..k-1), -1 for a participant the groups leave out (no vote on
    an included statement). ``group_ids`` are the groups with at least one member, in order;
    rows of ``group_agree`` / ``group_disagree`` / ``group_seen`` follow them.
    ``base_cluster_group`` is, for each Pol.is base cluster, the Track 2 group most of its
    members belong to (-1 if none of them has one). ``map`` is the Track 2 map
    (:mod:`group_map`): its coordinates follow ``participant_ids`` (NaN for a participant in
    no group) and its ``axes`` say what the axes are; the report draws the groups there.
    """

    polis: PolisAnalysis
    groups: Track2Groups
    participant_ids: npt.NDArray[Any]
    statement_ids: npt.NDArray[Any]
    group_labels: npt.NDArray[np.int64]
    group_ids: npt.NDArray[np.int64]
    group_agree: npt.NDArray[np.int64]
    group_disagree: npt.NDArray[np.int64]
    group_seen: npt.NDArray[np.int64]
    group_stats: GroupStatementStats
    repness: dict[Any, tuple[RepresentativeStatement, ...]]
    group_informed_consensus: npt.NDArray[np.float64]
    comment_priorities: npt.NDArray[np.float64]
    base_cluster_group: npt.NDArray[np.int64]
    map: GroupMap
    bridging: BridgingScores
    sides: SideAgreement | None
    random_state: int

    @property
    def method(self) -> str:
        return self.groups.method

    @property
    def excluded(self) -> npt.NDArray[np.bool_]:
        return self.polis.excluded

    def group_members(self) -> dict[int, npt.NDArray[Any]]:
        """Participant ids of each Track 2 group, keyed by group id."""
        return {
            int(g): self.participant_ids[self.group_labels == g] for g in self.group_ids.tolist()
        }


def rows_by_id(label_ids: npt.NDArray[Any], wanted_ids: npt.NDArray[Any]) -> npt.NDArray[np.int64]:
    """For each of ``wanted_ids``, its row in ``label_ids`` (ids are unique).

    Every wanted id must be among ``label_ids``; a missing one is a programming error.
    Sorted search, not a dict: a million ids cost 0.1 s instead of 2 s.
    """
    if len(label_ids) == len(wanted_ids) and np.array_equal(label_ids, wanted_ids):
        return np.arange(len(wanted_ids), dtype=np.int64)
    if len(wanted_ids) == 0:
        return np.zeros(0, dtype=np.int64)
    if label_ids.dtype.kind != wanted_ids.dtype.kind or len(label_ids) == 0:
        # an int id never equals a str id
        raise ValueError(
            f"{len(wanted_ids)} participant ids have no label, e.g. {wanted_ids[0].item()!r}"
        )
    order = np.argsort(label_ids, kind="stable")
    ordered = label_ids[order]
    position = np.minimum(np.searchsorted(ordered, wanted_ids), len(ordered) - 1)
    found = ordered[position] == wanted_ids
    if not found.all():
        missing = wanted_ids[~found][0]
        raise ValueError(
            f"{int((~found).sum())} participant ids have no label, e.g. {missing.item()!r}"
        )
    return np.asarray(order[position], dtype=np.int64)


def labels_by_id(
    labels: npt.NDArray[np.int64], label_ids: npt.NDArray[Any], wanted_ids: npt.NDArray[Any]
) -> npt.NDArray[np.int64]:
    """``labels`` (one per ``label_ids``) re-ordered to follow ``wanted_ids``."""
    if len(labels) != len(label_ids):
        raise ValueError(f"{len(labels)} labels for {len(label_ids)} ids")
    return labels[rows_by_id(label_ids, wanted_ids)]


def _majority_group(
    base_labels: npt.NDArray[np.int64], member_groups: npt.NDArray[np.int64], n_base: int, k: int
) -> npt.NDArray[np.int64]:
    """For each base cluster, the most common group among its members (ties: the lower
    group); -1 when no member has a group."""
    has_group = member_groups >= 0
    key = base_labels[has_group] * k + member_groups[has_group]
    table = np.bincount(key, minlength=n_base * k).reshape(n_base, k)
    out = table.argmax(axis=1).astype(np.int64)
    out[table.sum(axis=1) == 0] = -1
    return out


class _Laps:
    """Seconds of each stage run on the calling thread: wall time and this thread's CPU time
    (with two threads, the process's CPU time would count the other's work too)."""

    def __init__(self, wall: dict[str, float], cpu: dict[str, float]) -> None:
        self.wall, self.cpu = wall, cpu
        self.restart()

    def restart(self) -> None:
        self.t, self.c = time.perf_counter(), time.thread_time()

    def __call__(self, stage: str) -> None:
        now, cpu_now = time.perf_counter(), time.thread_time()
        self.wall[stage], self.cpu[stage] = now - self.t, cpu_now - self.c
        self.t, self.c = now, cpu_now


def _two_threads(votes: VoteMatrix, workers: int | None) -> bool:
    """Whether the Pol.is analysis and the sides run on a second thread, beside the main
    thread's groups and map: when there are two cores to use and enough votes to pay."""
    if workers is None:
        workers = min(2, usable_cores()) if votes.n_votes >= CONCURRENT_MIN_VOTES else 1
    if workers < 1:
        raise ValueError(f"workers must be at least 1, not {workers}")
    return workers > 1


class _Jobs:
    """The parts that wait for a free thread (the bridging scores, then the Track 2 map and
    the groups' counts once the groups exist), each run by whichever thread is free first, in
    the order offered: on one shape the Pol.is map is the longer first part, on another the
    groups, and a fixed assignment left one thread idle for a second while the other drew the
    map after the bridging scores (docs/benchmarks.md, stop 35)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiting: list[Callable[[], None]] = []

    def offer(self, job: Callable[[], None]) -> None:
        with self._lock:
            self._waiting.append(job)

    def work(self) -> None:
        """Run waiting jobs, first offered first, until none is left."""
        while True:
            with self._lock:
                if not self._waiting:
                    return
                job = self._waiting.pop(0)
            job()


class _Beside:
    """``fn()`` on a daemon thread; :meth:`result` waits for it and returns or raises what it
    did. Daemon, not a pool's worker: when the main thread stops (an error, or Ctrl-C in
    ``track2 analyze``), nothing waits for this part to finish (a few seconds at 1M)."""

    def __init__(self, fn: Callable[[], Any]) -> None:
        self._fn = fn
        self._outcome: list[Any] = []
        self._thread = threading.Thread(target=self._run, name="track2-polis", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._outcome.append((True, self._fn()))
        except BaseException as err:  # noqa: BLE001 - handed to the main thread by result()
            self._outcome.append((False, err))

    def result(self) -> Any:
        self._thread.join()
        ok, value = self._outcome[0]
        if not ok:
            raise value
        return value


def _fill_caches(votes: VoteMatrix, work: VoteMatrix) -> None:
    """Compute the matrices' cached arrays before two threads share them, so that neither
    computes one the other is computing (each is hundreds of MB at 1M participants)."""
    for matrix in {id(votes): votes, id(work): work}.values():
        _ = matrix.statement_counts, matrix.votes_per_participant, matrix.compact_indptr


@small_pages()
def analyze_track2(
    votes: VoteMatrix,
    *,
    n_groups: int | None = None,
    random_state: int = 0,
    side_of: Sequence[str | None] | None = None,
    polis_kwargs: dict[str, Any] | None = None,
    timings: dict[str, float] | None = None,
    cpu_timings: dict[str, float] | None = None,
    workers: int | None = None,
) -> Track2Analysis:
    """Track 2 analysis of a vote matrix (see the module docstring).

    ``n_groups`` fixes the number of Track 2 groups (and of the Pol.is map's groups);
    otherwise each method chooses by its own criterion (held-out log-likelihood for Track 2).
    ``side_of[i]`` is the declared side of row ``i`` of ``votes`` (None: undeclared); when
    given, agreement per side is computed. ``polis_kwargs`` go to :func:`analyze_polis`
    (for example ``state``). Deterministic given ``random_state``. ``timings``, when given,
    receives the seconds of each stage (beside the result, not in it); ``cpu_timings`` the
    CPU seconds of the same stages on the thread that ran them, and the process's CPU seconds
    as ``total`` (on a shared machine, wall time is mostly load).

    ``workers``: threads to use, 1 or 2. The Pol.is analysis and the sides do not depend on
    the groups or the map, so with 2 they run on a second thread at the same time (scipy's
    sparse products and numpy's array loops release the GIL), and the bridging scores and
    then the Track 2 map go to whichever thread is free first; the result is the same bit
    for bit. By default 2 when the process may use two cores and there are at least
    ``CONCURRENT_MIN_VOTES`` votes, else 1; more than 2 are not used.
    """
    timings = {} if timings is None else timings
    cpu_timings = {} if cpu_timings is None else cpu_timings
    started, cpu_started = time.perf_counter(), time.process_time()
    work = votes.without_empty()
    work.require_analysable()  # one message whichever part would have met the gap first
    beside = _two_threads(work, workers)

    # One one-hot matrix of the votes for the groups, their map, the Pol.is map's products and
    # the bridging sweeps (at 46M votes 370 MB and 0.3 s to build), built first; the Pol.is
    # part waits for it after the sides.
    shared: list[OnehotVotes] = []  # placed for the Pol.is part (votes with a vote)
    every_row: list[OnehotVotes] = []  # for the bridging scores
    built = threading.Event()

    def polis_and_sides() -> tuple[PolisAnalysis, SideAgreement | None]:
        laps = _Laps(timings, cpu_timings)
        sides = None
        if side_of is not None:
            sides = agreement_by_side(votes, side_of)
            laps("sides")
        built.wait()
        if not shared:
            raise RuntimeError("the one-hot votes were not built (the main thread failed)")
        polis = analyze_polis(
            work,
            n_groups=n_groups,
            random_state=random_state,
            onehot=shared.pop(),
            **(polis_kwargs or {}),
        )
        laps("polis")
        return polis, sides

    jobs = _Jobs()
    bridged: list[BridgingScores] = []
    drawn: list[GroupMap] = []

    def score_bridging() -> None:
        laps = _Laps(timings, cpu_timings)
        bridged.append(bridging_scores(votes, random_state=random_state, onehot=every_row.pop()))
        laps("bridging")

    jobs.offer(score_bridging)

    def second_thread() -> tuple[PolisAnalysis, SideAgreement | None]:
        polis_sides = polis_and_sides()
        jobs.work()
        return polis_sides

    laps = _Laps(timings, cpu_timings)
    pending = None
    if beside:
        _fill_caches(votes, work)
        pending = _Beside(second_thread)
        laps.restart()
    held: list[sp.csr_array] = []
    try:
        held.append(vote_onehot(votes, np.asarray(votes.is_excluded, dtype=bool)))
        shared.append(OnehotVotes.of(held[0], votes))
        every_row.append(OnehotVotes.of(held[0], votes, nonempty=False))
    finally:
        built.set()
    laps("onehot")
    if not beside:
        jobs.work()  # the bridging scores
        polis, sides = polis_and_sides()
        laps.restart()
    groups = track2_groups(votes, n_groups=n_groups, random_state=random_state, onehot=held[0])
    laps("groups")

    def draw() -> None:
        laps = _Laps(timings, cpu_timings)
        whole = group_map(votes, groups, held.pop())
        rows = rows_by_id(votes.participant_ids, work.participant_ids)
        drawn.append(GroupMap(whole.coordinates[rows], whole.axes))
        laps("map")

    counted: list[tuple[np.ndarray, ...]] = []

    def count() -> None:
        # Each group's answers to each statement: one pass over every vote (0.3 s at 69M), on
        # whichever thread is free first; with two threads, the one that ended the Pol.is map
        # while the other scores bridging, instead of after both.
        laps = _Laps(timings, cpu_timings)
        labels = labels_by_id(groups.labels, votes.participant_ids, work.participant_ids)
        agree, disagree, seen = group_vote_counts(work, labels, groups.n_groups)
        # An EM group can end up with no participant as its argmax; it has nothing to report.
        present = np.flatnonzero(np.bincount(labels[labels >= 0], minlength=groups.n_groups) > 0)
        counted.append((labels, present, agree[present], disagree[present], seen[present]))
        laps("group_counts")

    jobs.offer(draw)
    jobs.offer(count)
    jobs.work()
    if pending is not None:
        polis, sides = pending.result()
    laps.restart()
    (bridging_result,) = bridged
    (drawn_map,) = drawn
    ((labels, present, agree, disagree, seen),) = counted

    stats = group_statement_stats(agree, disagree, seen)
    repness = select_representative(
        stats, work.statement_ids, polis.excluded, present, majority_only=True
    )
    laps("repness")

    gic = group_informed_consensus(agree, seen)
    priorities = comment_priorities(
        agree, disagree, seen, polis.pca.comment_extremity, work.is_meta
    )
    base = polis.base_clusters
    base_group = _majority_group(base.labels, labels[polis.in_conv_index], base.k, groups.n_groups)
    laps("consensus")

    timings["total"] = time.perf_counter() - started
    cpu_timings["total"] = time.process_time() - cpu_started
    return Track2Analysis(
        polis=polis,
        groups=groups,
        participant_ids=work.participant_ids,
        statement_ids=work.statement_ids,
        group_labels=labels,
        group_ids=present,
        group_agree=agree,
        group_disagree=disagree,
        group_seen=seen,
        group_stats=stats,
        repness=repness,
        group_informed_consensus=gic,
        comment_priorities=priorities,
        base_cluster_group=base_group,
        map=drawn_map,
        bridging=bridging_result,
        sides=sides,
        random_state=random_state,
    )
