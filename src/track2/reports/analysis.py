"""`track2 analyze`: read a Pol.is-format conversation, run the engine, render a report.

Pure functions (no database): :func:`run_analysis` does the work, :func:`report_dict` builds
the stable JSON document (schema in docs/analyze.md), :func:`render_text` and
:func:`render_html` render it for people. Ids in every output are the ids of the input files;
agree is +1 everywhere.
"""

from __future__ import annotations

import html
import json
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

import numpy as np

from track2.commonground import (
    Conversation,
    InputFormatError,
    PolisAnalysis,
    StateMismatchError,
    analyze_polis,
    load_conversation,
    load_polis_state,
    pass_shares,
    rounds_said,
    select_consensus,
)
from track2.commonground.csv_rows import bounded_lines, first_bad_utf8_line
from track2.commonground.group_map import NO_AXIS
from track2.commonground.pages import small_pages
from track2.commonground.sides import (
    SideAgreement,
    SidesError,
    agreement_by_side,
    groups_by_side,
    read_sides_csv,
    side_of_participants,
)
from track2.commonground.track2_analysis import Track2Analysis, analyze_track2
from track2.disclosure.answers import SHOWN, Figures
from track2.disclosure.answers import rule as cells_rule
from track2.disclosure.cells import DRAWN_SHARE, drawn_names
from track2.disclosure.status import STATUS_LINE
from track2.disclosure.threshold import K_MINIMUM
from track2.reports.common_ground import (
    bridging_html,
    bridging_text,
    sides_html,
    sides_text,
    visible_sides,
)
from track2.reports.consensus import (
    GroupsVerdict,
    consensus_html,
    consensus_text,
    groups_note,
    groups_verdict,
)
from track2.reports.group_cells import HIDDEN, GroupCells, percent
from track2.reports.opinion_map import GROUP_COLOURS, group_map_svg, opinion_map_svg
from track2.reports.progress import Progress
from track2.validation import printable

SCHEMA = "track2.analyze/1"
MODES = ("track2", "polis")  # the first is the default (issue 5)
FORMATS = ("text", "json", "html")
# The most opinion groups a report may be asked for: more is no map a dialogue can read, and a
# fixed k is searched through every smaller k (its cost grows with the square of k).
MAX_GROUPS_ASKED = 20
N_DIVISIVE = 5
CONSENSUS_LISTED = 5  # per answer, as Pol.is lists
STATUS = STATUS_LINE


@dataclass(frozen=True, eq=False)
class AnalysisRun:
    """One analysed conversation with how it was asked for.

    ``analysis`` is always the Pol.is analysis (in track2 mode: ``track2.polis``, kept for the
    opinion map and the whole-room consensus); ``track2`` is set in track2 mode; ``sides`` is
    the agreement per declared side when a sides file was given, in either mode.
    """

    path: str
    mode: str
    seed: int
    polis_state_path: str | None
    conversation: Conversation
    analysis: PolisAnalysis
    load_seconds: float
    track2: Track2Analysis | None = None
    sides: SideAgreement | None = None
    sides_path: str | None = None
    k_anonymity: int = K_MINIMUM
    raw_counts: bool = False
    timings: dict[str, float] | None = None  # seconds per stage of the analysis
    groups_asked: int | None = None  # --groups K
    side_of: tuple[str | None, ...] | None = None  # each matrix row's declared side (--sides)


def load_sides(path: str | Path, conversation: Conversation) -> list[str | None]:
    """Declared side of every row of the conversation's matrix, from a ``participant,side``
    CSV file. Typed errors (:class:`InputFormatError`) name the file, and the line when known."""
    source = str(path)
    try:
        with Path(path).open(encoding="utf-8", newline="") as f:
            mapping = read_sides_csv(bounded_lines(f), source)
    except OSError as err:
        raise InputFormatError(
            source, None, f"cannot read the sides file ({err.strerror}); check the --sides path"
        ) from err
    except UnicodeDecodeError as err:
        raise InputFormatError(
            source,
            first_bad_utf8_line(Path(path)),
            "not UTF-8 text; save the sides file as UTF-8 CSV",
        ) from err
    try:
        return side_of_participants(conversation.matrix, mapping)
    except SidesError as err:
        raise InputFormatError(source, None, str(err)) from err


@small_pages()
def run_analysis(
    path: str | Path,
    *,
    mode: str = "track2",
    polis_state: str | Path | None = None,
    groups: int | None = None,
    seed: int = 0,
    sides: str | Path | None = None,
    k_anonymity: int = K_MINIMUM,
    progress: Progress | None = None,
    raw_counts: bool = False,
    workers: int | None = None,
) -> AnalysisRun:
    """Read ``path`` (a Pol.is export or math folder, or a votes file) and analyse it.

    ``mode="track2"`` (the default) runs :func:`analyze_track2`: Track 2 opinion groups,
    bridging scores and, with ``sides``, agreement per side. ``mode="polis"`` runs the Pol.is
    maths exactly; a ``sides`` file then adds agreement per side, a separate statistic that
    does not touch the Pol.is results. ``k_anonymity`` is the small-cell threshold of the
    per-side breakdown and of the per-group figures in the text and HTML reports, and of the
    per-group figures in JSON unless ``raw_counts``. Raises the engine's typed errors.
    ``progress`` draws a bar for each step that runs long (reading, analysing) on a terminal.
    ``workers``: threads for track2 mode (see :func:`analyze_track2`; None: its own choice).
    """
    steps = progress if progress is not None else Progress(sys.stderr, enabled=False)
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}; use one of {', '.join(MODES)}")
    if groups is not None and not 1 <= groups <= MAX_GROUPS_ASKED:
        raise ValueError(f"groups must be from 1 to {MAX_GROUPS_ASKED}, not {groups}")
    if k_anonymity < K_MINIMUM:
        raise ValueError(f"k_anonymity must be at least {K_MINIMUM}")
    t0 = time.perf_counter()
    with steps.step(f"reading {Path(path).name}", total=1.0) as advance:
        conversation = load_conversation(path, progress=advance)
        state = load_polis_state(polis_state) if polis_state is not None else None
        side_of = load_sides(sides, conversation) if sides is not None else None
    load_seconds = time.perf_counter() - t0
    track2: Track2Analysis | None = None
    timings: dict[str, float] = {}
    try:
        with steps.step(f"analysing ({mode} mode)"):
            if mode == "track2":
                track2 = analyze_track2(
                    conversation.matrix,
                    n_groups=groups,
                    random_state=seed,
                    side_of=side_of,
                    polis_kwargs={"state": state},
                    timings=timings,
                    workers=workers,
                )
                analysis = track2.polis
            else:
                analysis = analyze_polis(
                    conversation.matrix,
                    state=state,
                    n_groups=groups,
                    random_state=seed,
                    timings=timings,
                )
    except StateMismatchError as err:  # name the state file in the message
        raise InputFormatError(str(polis_state), None, str(err)) from err
    except SidesError as err:
        raise InputFormatError(str(sides), None, str(err)) from err
    agreement = track2.sides if track2 is not None else None
    if side_of is not None and agreement is None:
        try:
            agreement = agreement_by_side(conversation.matrix, side_of)
        except SidesError as err:
            raise InputFormatError(str(sides), None, str(err)) from err
    return AnalysisRun(
        str(path),
        mode,
        seed,
        None if polis_state is None else str(polis_state),
        conversation,
        analysis,
        load_seconds,
        track2=track2,
        sides=agreement,
        sides_path=None if sides is None else str(sides),
        k_anonymity=k_anonymity,
        raw_counts=raw_counts,
        timings=timings,
        groups_asked=groups,
        side_of=None if side_of is None else tuple(side_of),
    )


@dataclass(frozen=True)
class _Groups:
    """The opinion groups a report shows: Pol.is's in polis mode, Track 2's in track2 mode."""

    ids: list[int]
    members: dict[int, np.ndarray]
    centers: dict[int, list[float]]
    repness: dict[Any, tuple[Any, ...]]
    agree: np.ndarray
    disagree: np.ndarray
    seen: np.ndarray
    group_informed_consensus: np.ndarray
    comment_priorities: np.ndarray
    method: str
    timings: dict[str, float]


def _groups_of(run: AnalysisRun) -> _Groups:
    a = run.analysis
    t = run.track2
    if t is None:
        return _Groups(
            ids=[int(g) for g in a.group_clusters.ids.tolist()],
            members=a.group_members(),
            centers={
                int(g): [float(x) for x in a.group_clusters.centers[c]]
                for c, g in enumerate(a.group_clusters.ids.tolist())
            },
            repness=a.repness,
            agree=a.group_agree,
            disagree=a.group_disagree,
            seen=a.group_seen,
            group_informed_consensus=a.group_informed_consensus,
            comment_priorities=a.comment_priorities,
            method=a.method,
            timings=run.timings or {},
        )
    # A Track 2 group's centre on the Track 2 map: the mean position of its members.
    centers = {
        int(g): [float(x) for x in t.map.coordinates[t.group_labels == g].mean(axis=0)]
        for g in t.group_ids.tolist()
    }
    return _Groups(
        ids=[int(g) for g in t.group_ids.tolist()],
        members=t.group_members(),
        centers=centers,
        repness=t.repness,
        agree=t.group_agree,
        disagree=t.group_disagree,
        seen=t.group_seen,
        group_informed_consensus=t.group_informed_consensus,
        comment_priorities=t.comment_priorities,
        method=t.method,
        timings=run.timings or {},
    )


def group_cells(run: AnalysisRun, view: _Groups) -> GroupCells:
    """The small-cell rule over the groups ``view`` shows (see :mod:`track2.reports.group_cells`);
    with sides, the room's rule on top."""
    side_hidden = None
    if run.sides is not None:
        of_side = {sid: j for j, sid in enumerate(run.sides.statement_ids.tolist())}
        side_hidden = tuple(
            sid in of_side and not all(visible_sides(run.sides, of_side[sid], run.k_anonymity))
            for sid in run.analysis.statement_ids.tolist()
        )
    return GroupCells(
        k=run.k_anonymity,
        group_ids=tuple(view.ids),
        sizes=tuple(len(view.members[g]) for g in view.ids),
        agree=np.asarray(view.agree),
        disagree=np.asarray(view.disagree),
        seen=np.asarray(view.seen),
        side_hidden=side_hidden,
    )


def _key(value: Any) -> str:
    return str(value)


def _num(value: Any) -> float:
    return float(round(float(value), 12))


def _points(ids: list[Any], coordinates: np.ndarray, *, drop_nan: bool) -> dict[str, list[float]]:
    """``{id: [x, y]}`` rounded to 12 decimals like :func:`_num` but by numpy (a million points
    in 0.2 s instead of 3.5 s; it may differ from Python's ``round`` in the last binary digit).
    ``drop_nan``: leave out rows with a NaN (a participant in no group is not on the map)."""
    points = np.asarray(coordinates, dtype=np.float64)
    if drop_nan:
        placed = ~np.isnan(points).any(axis=1)
        ids = [p for p, keep in zip(ids, placed.tolist(), strict=True) if keep]
        points = points[placed]
    return dict(zip(map(str, ids), np.round(points, 12).tolist(), strict=True))


def divisive_statements(a: PolisAnalysis, top: int = N_DIVISIVE) -> list[dict[str, Any]]:
    """Statements on which the Pol.is opinion groups differ most (see
    :func:`divisive_statements_of`)."""
    return divisive_statements_of(
        a.group_agree, a.group_seen, a.group_clusters.ids.tolist(), a.statement_ids, a.excluded, top
    )


def divisive_statements_of(
    group_agree: np.ndarray,
    group_seen: np.ndarray,
    group_ids: list[int],
    statement_ids: np.ndarray,
    excluded: np.ndarray,
    top: int = N_DIVISIVE,
    shown: np.ndarray | None = None,
) -> list[dict[str, Any]]:
    """Statements on which the opinion groups differ most: the range over groups of the
    pseudocount agreement probability (A_g + 1)/(S_g + 2), which keeps a group of three from
    ranking first on its own. Beside it each group's plain share A_g / S_g (None without
    votes): what the reports print, the figure the representative statements show too (three
    of three who agreed read "80 %" as the pseudocount). Needs at least two groups.

    ``shown`` (groups × statements, bool): the agree shares the small-cell rule lets the report
    show. Then the range is over those groups only, a statement needs two of them to be
    ranked, and a hidden group's figures are None: a range over every group printed a hidden
    group's pseudocount share whenever it was the highest or lowest (with the room's counts,
    a few candidate counts, often one), and the list was full of lines with every group hidden
    (london.youth.policing: three of five)."""
    if len(group_ids) < 2:
        return []
    p = (group_agree + 1.0) / (group_seen + 2.0)
    counted = np.ones(p.shape, dtype=bool) if shown is None else np.asarray(shown, dtype=bool)
    high = np.where(counted, p, -np.inf).max(axis=0)
    low = np.where(counted, p, np.inf).min(axis=0)
    ranked = ~excluded & (counted.sum(axis=0) >= 2)
    spread = np.where(ranked, high - low, 0.0)
    cand = np.flatnonzero(ranked)
    order = cand[np.argsort(-spread[cand], kind="stable")][:top]
    return [
        {
            "statement": statement_ids[j].item(),
            "spread": _num(spread[j]),
            "group_agree": {
                _key(g): _num(p[c, j]) if counted[c, j] else None for c, g in enumerate(group_ids)
            },
            "group_agree_share": {
                _key(g): _num(group_agree[c, j] / group_seen[c, j])
                if counted[c, j] and group_seen[c, j]
                else None
                for c, g in enumerate(group_ids)
            },
        }
        for j in order
    ]


def _divisive_shares(d: dict[str, Any]) -> list[tuple[Any, str]]:
    """Each group's agree share on a divisive statement as the reports print it."""
    return [
        (g, HIDDEN if p is None else "no votes" if share is None else f"{share:.0%}")
        for (g, p), share in zip(
            d["group_agree"].items(), d["group_agree_share"].values(), strict=True
        )
    ]


def report_dict(
    run: AnalysisRun, *, per_participant: bool = True, raw_counts: bool | None = None
) -> dict[str, Any]:
    """The JSON document of docs/analyze.md. ``per_participant=False`` leaves out the lists
    that grow with the number of participants (ids, projections, group members), which the
    text and HTML reports do not show. Unless ``raw_counts`` (default: the run's
    ``--raw-counts``), per-group figures that the small-cell rule hides are null and carry
    ``"shown": false``."""
    a = run.analysis
    conv = run.conversation
    raw = run.raw_counts if raw_counts is None else raw_counts
    sids = a.statement_ids.tolist()
    column = {sid: j for j, sid in enumerate(sids)}
    pids = a.participant_ids.tolist() if per_participant else []
    counts = conv.matrix.statement_counts
    index = conv.matrix.statement_index
    statements = []
    for j, sid in enumerate(sids):
        k = index[sid]
        statements.append(
            {
                "id": sid,
                "text": conv.text(sid),
                "moderated_out": bool(conv.matrix.is_moderated_out[k]),
                "meta": bool(conv.matrix.is_meta[k]),
                "agree": int(counts["agree"][k]),
                "disagree": int(counts["disagree"][k]),
                "pass": int(counts["pass"][k]),
                "excluded": bool(a.excluded[j]),
            }
        )
    view = _groups_of(run)
    cells = group_cells(run, view)
    size_shown = {g: True for g in view.ids} if raw else cells.size_shown

    def figures(gid: Any, sid: Any) -> Figures:
        if raw or int(gid) not in cells.group_ids:
            return SHOWN
        return cells.shown_on(column[sid])[int(gid)]

    # What the rule shows of each group on each statement (every figure with --raw-counts).
    grid = [[figures(g, s) for s in sids] for g in view.ids]
    agree_grid = np.array([[f.answer("agree") for f in row] for row in grid], dtype=bool).reshape(
        len(view.ids), len(sids)
    )
    # A group's pass share sums its passes over the statements: over those whose pass count
    # the shown figures give (votes, agrees and disagrees), or the sum would give away a
    # hidden one.
    passes_hidden = ~np.array([[f.passes for f in row] for row in grid], dtype=bool).reshape(
        len(view.ids), len(sids)
    )
    passing = pass_shares(
        view.agree, view.disagree, view.seen, passes_hidden | np.asarray(a.excluded, dtype=bool)
    )
    groups = [
        {
            "id": gid,
            "shown": size_shown[gid],
            "size": len(view.members[gid]) if size_shown[gid] else None,
            "center": [_num(x) for x in view.centers[gid]],
            "members": view.members[gid].tolist() if per_participant and size_shown[gid] else [],
            "pass_share": _num(share) if size_shown[gid] and share is not None else None,
        }
        for gid, share in zip(view.ids, passing, strict=True)
    ]
    repness = {
        _key(gid): [_repness_entry(r, figures(gid, r.statement).answer(r.repful_for)) for r in reps]
        for gid, reps in view.repness.items()
    }
    # Π over groups of (A_g + 1)/(S_g + 2) holds every group's agree count and votes: shown
    # only when each of them is (one hidden group's factor is the quotient by the others').
    informed = {
        _key(s): (_num(v) if agree_grid[:, j].all() else None)
        for j, (s, v) in enumerate(zip(sids, view.group_informed_consensus, strict=True))
    }
    answer_counts = {"agree": np.asarray(view.agree), "disagree": np.asarray(view.disagree)}
    group_seen = np.asarray(view.seen)

    def verdict_on(sid: Any, side: str) -> GroupsVerdict:
        # the room's count of each answer is published (``statements``): it bounds hidden ones
        published = statements[column[sid]]
        return groups_verdict(
            side,
            column[sid],
            view.ids,
            answer_counts,
            group_seen,
            lambda gid: figures(gid, sid),
            {name: published[name] for name in ("agree", "disagree", "pass")},
        )

    # The group-informed consensus is high when every group tends to agree, and the bridging
    # intercept when agreement crosses the main divide, but a group that disagreed more than it
    # agreed only lowers the one and can sit off the other's divide: the reports say which
    # group beside each (15-per-hour-seattle: the informed consensus's second to fourth, and
    # seven of the ten bridging statements, for one group of three).
    not_every_group_agrees = {}
    for sid in sids:
        verdict = verdict_on(sid, "agree")
        if verdict.not_held_by or verdict.share_hidden_for:
            not_every_group_agrees[_key(sid)] = {
                "answer": "agree",
                "not_held_by": list(verdict.not_held_by),
                "share_hidden_for": list(verdict.share_hidden_for),
            }

    def consensus_entry(c: Any, side: str) -> dict[str, Any]:
        verdict = verdict_on(c.statement, side)
        return {
            "statement": c.statement,
            "answer": side,
            "n_success": c.n_success,
            "n_trials": c.n_trials,
            "p_success": _num(c.p_success),
            "p_test": _num(c.p_test),
            "every_group": verdict.every_group,
            "not_held_by": list(verdict.not_held_by),
            "share_hidden_for": list(verdict.share_hidden_for),
        }

    consensus = {
        side: [consensus_entry(c, side) for c in getattr(a.consensus, side)]
        for side in ("agree", "disagree")
    }
    # Every statement that passes Pol.is's test, in its order (its five are the first five),
    # for the first five that every group holds too.
    qualifying = select_consensus(
        np.array([st["agree"] for st in statements], dtype=np.int64),
        np.array([st["disagree"] for st in statements], dtype=np.int64),
        np.array([st["agree"] + st["disagree"] + st["pass"] for st in statements], dtype=np.int64),
        a.statement_ids,
        a.excluded,
        top=None,
    )
    every_group = {
        side: list(
            islice(
                (
                    entry
                    for entry in (consensus_entry(c, side) for c in getattr(qualifying, side))
                    if entry["every_group"]
                ),
                CONSENSUS_LISTED,
            )
        )
        for side in ("agree", "disagree")
    }
    doc: dict[str, Any] = {
        "schema": SCHEMA,
        "method": view.method,
        "mode": run.mode,
        "seed": run.seed,
        "polis_state": run.polis_state_path,
        "status": STATUS,
        "k_anonymity": run.k_anonymity,
        "raw_counts": raw,
        "participants": pids if per_participant else [],
        "statements": statements,
        "votes": int(a.n_votes),
        "in_conv": a.participant_ids[a.in_conv].tolist() if per_participant else [],
        "pca": {
            "center": {_key(s): _num(v) for s, v in zip(sids, a.pca.center, strict=True)},
            "components": [
                {_key(s): _num(v) for s, v in zip(sids, comp, strict=True)}
                for comp in a.pca.components
            ],
            "eigenvalues": [_num(v) for v in a.pca.eigenvalues],
        },
        "projections": _points(pids, a.projections, drop_nan=False) if per_participant else {},
        "groups": groups,
        "silhouettes": {_key(k): _num(v) for k, v in sorted(a.silhouettes.items())},
        "repness": repness,
        "consensus": consensus,
        "consensus_of_every_group": every_group,
        "divisive": divisive_statements_of(
            view.agree, view.seen, view.ids, a.statement_ids, a.excluded, shown=agree_grid
        ),
        "group_informed_consensus": informed,
        "not_every_group_agrees": not_every_group_agrees,
        "comment_priorities": {
            _key(s): _num(v) for s, v in zip(sids, view.comment_priorities, strict=True)
        },
        "timings": {k: _num(v) for k, v in view.timings.items()},
    }
    if run.track2 is not None:
        # The silhouettes belong to the Pol.is map's groups, not the groups shown here.
        del doc["silhouettes"]
        doc["held_out_log_likelihood"] = {
            _key(k): _num(v) for k, v in sorted(run.track2.groups.held_out_log_likelihood.items())
        }
        # false: no k predicted held-out participants better than one group (null: k as asked)
        doc["beats_one_group"] = run.track2.groups.beats_one_group
        # the k each fifth held out in turn chose (null: none beat one group); [] for one round
        doc["k_by_round"] = list(run.track2.groups.k_by_round)
        # how many splits into fifths those rounds came from (five rounds each)
        doc["n_splits"] = run.track2.groups.n_splits
        # the rounds' k with each split left out in turn, and whether each is k (several only)
        doc["k_without_split"] = list(run.track2.groups.k_without_split)
        doc["k_settled"] = run.track2.groups.k_settled
        # each k's pooled out-of-fold gain over k - 1 in standard errors (several rounds only),
        # and the numbers of groups whose gain came near the bar for one more group
        doc["pooled_gains"] = {
            _key(k): _num(v) for k, v in sorted(run.track2.groups.pooled_gains.items())
        }
        doc["close_calls"] = sorted(run.track2.groups.close_calls())
        doc["bridging"] = run.track2.bridging.to_json()
        doc["map"] = {
            "axes": list(run.track2.map.axes),
            "coordinates": _points(pids, run.track2.map.coordinates, drop_nan=True)
            if per_participant
            else {},
        }
    crossed = _groups_by_side(run, view, raw)
    if crossed is not None:
        doc["groups_by_side"] = crossed
    if run.sides is not None:
        doc["sides"] = {
            "file": run.sides_path,
            "sides": list(run.sides.sides),
            "credible_mass": run.sides.credible_mass,
            "threshold": run.sides.threshold,
            "min_votes": run.sides.min_votes,
            "statements": run.sides.to_json(),
        }
    return doc


def _groups_by_side(run: AnalysisRun, view: _Groups, raw: bool) -> dict[str, Any] | None:
    """For each opinion group, the declared sides (``--sides``) that make up at least a fifth
    of it and k of its participants, and with ``raw`` the counts themselves. Without ``raw`` no
    count is written: beside each group's and each side's answers to every statement, counts
    would be the third margin of a three-way table (``track2.disclosure.cells.drawn_on``). None
    without a sides file or without two sides."""
    if run.side_of is None:
        return None
    labels = np.full(len(run.side_of), -1, dtype=np.int64)
    row_of = run.conversation.matrix.participant_index
    for gid, members in view.members.items():
        labels[[row_of[p] for p in members.tolist()]] = int(gid)
    try:
        crossed = groups_by_side(labels, view.ids, run.side_of)
    except SidesError:
        return None
    names = drawn_names(crossed.table(), crossed.sides, run.k_anonymity)
    rows: list[dict[str, Any]] = []
    for g, gid in enumerate(crossed.group_ids):
        row: dict[str, Any] = {"group": gid, "sides": names[g]}  # None: too few to say
        if raw:
            row["counts"] = {
                side: int(crossed.counts[g, c]) for c, side in enumerate(crossed.sides)
            }
        rows.append(row)
    return {"sides": list(crossed.sides), "k": run.k_anonymity, "rows": rows}


def _groups_by_side_what(k: int) -> str:
    return (
        f"the sides that make up at least {DRAWN_SHARE:.0%} of each group, and {k} or more of its "
        "participants; a group that draws on several sides cuts across them, and is where "
        "agreement can grow"
    )


def _crossed_line(row: dict[str, Any], k: int, name: Callable[[str], str] = str) -> str:
    """One group's line of groups by side; ``name`` writes a side's name (the HTML isolates and
    escapes it; the rest of the line is the report's own words)."""
    if row["sides"] is None:
        return f"Group {row['group']}: fewer than {2 * k - 1} participants, too few to say"
    if not row["sides"]:
        return f"Group {row['group']}: no side makes up {DRAWN_SHARE:.0%} of it with {k} or more"
    across = " (cuts across the sides)" if len(row["sides"]) > 1 else ""
    return f"Group {row['group']}: {', '.join(name(s) for s in row['sides'])}{across}"


def _repness_entry(r: Any, shown: bool) -> dict[str, Any]:
    """One representative statement: its numbers when ``shown``, else null; ``weak`` says it
    is a fallback (it failed the tests, or a majority of the group did not give the answer)."""
    figures = {
        "n_success": r.n_success,
        "n_trials": r.n_trials,
        "p_success": _num(r.p_success),
        "p_test": _num(r.p_test),
        "repness": _num(r.repness),
        "repness_test": _num(r.repness_test),
    }
    return {
        "statement": r.statement,
        "repful_for": r.repful_for,
        **{name: (value if shown else None) for name, value in figures.items()},
        "best_agree": r.best_agree,
        "passes": r.passes,
        "majority": r.majority,
        "weak": r.weak,
        "shown": shown,
    }


# Above this many participants the JSON is written compact: json's indenting encoder is pure
# Python (19 s for a million participants' projections, map places and groups; compact: ~2 s).
INDENTED_MAX_PARTICIPANTS = 10_000


def render_json(run: AnalysisRun) -> str:
    doc = report_dict(run)
    if len(doc["participants"]) > INDENTED_MAX_PARTICIPANTS:
        return json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n"
    return json.dumps(doc, ensure_ascii=False, indent=1) + "\n"


def nothing_listed(group: dict[str, Any]) -> str:
    """Why a group has no representative statement, in words: Track 2 mode lists only answers
    a majority of the group gave, and a group that mostly passed (or split) has none; a bare
    heading would read as a fault (vtaiwan.uberx: a group of 157 that passed on 75 % of its
    votes)."""
    share = group["pass_share"]
    passes = HIDDEN if not group["shown"] else "no votes" if share is None else f"{share:.0%}"
    return (
        "Nothing listed: on no statement did a majority of this group's voters give the same "
        f"answer (passes among their votes, where the small-cell rule shows them: {passes})."
    )


WEAK_LABEL = "  (weak: fallback, not a significant majority answer of the group)"
WEAK_RULE = (
    "A statement is listed for a group when it sets the group apart (Pol.is's tests) and a "
    "majority of the group's voters gave the listed answer; one that does not is marked weak."
)


def k_not_settled(run: AnalysisRun) -> str | None:
    """The caution a report gives when Track 2 mode's number of groups could come out otherwise
    on another run: it does not survive leaving out one split into fifths
    (``Track2Groups.k_settled``), or the pooled test for one more group was a close call
    (``Track2Groups.close_calls``). Either way the votes support two numbers almost alike, and
    another seed may draw the other. None when neither holds or nothing was asked."""
    if run.track2 is None:
        return None
    groups = run.track2.groups
    reasons = []
    if groups.k_settled is False:
        tally = Counter(groups.k_without_split)
        order = sorted(tally, key=lambda k: (-tally[k], k is None, k or 0))
        times = {1: "once", 2: "twice", 3: "three times", 4: "four times"}  # 5 of 5: settled
        said = [f"{'no groups' if k is None else k} {times[tally[k]]}" for k in order]
        together = "no groups" if groups.beats_one_group is False else groups.n_groups
        chose = ", ".join(said[:-1]) + f" and {said[-1]}" if len(said) > 1 else said[0]
        reasons.append(
            f"leaving out each of the {groups.n_splits} splits into fifths in turn, the other "
            f"rounds chose {chose} (all {groups.n_splits} together: {together})"
        )
    close = sorted(groups.close_calls().items())
    if close:
        (k, gain), *more = close  # at most two: k over k - 1, and k + 1 over k
        gains = [f"{k} groups gained {gain:.1f} standard errors over {k - 1}"]
        gains += [f"{k} groups {gain:.1f} over {k - 1}" for k, gain in more]
        reasons.append(
            f"on the participants held out, {' and '.join(gains)}, "
            f"{'each ' if len(gains) > 1 else ''}near the {groups.bar:.2f} that one more group "
            "must gain"
        )
    if not reasons:
        return None
    return "Another run may draw another number of groups: " + "; ".join(reasons) + "."


def cautions(run: AnalysisRun) -> list[str]:
    """What a report says about its groups before showing them."""
    return [c for c in (groups_not_shown(run), k_not_settled(run)) if c is not None]


def groups_not_shown(run: AnalysisRun) -> str | None:
    """The caution a report gives when Track 2 mode's groups did not predict the held-out
    participants better than one group (``Track2Groups.beats_one_group``), else None."""
    if run.track2 is None or run.track2.groups.beats_one_group is not False:
        return None
    shown = len(run.track2.group_ids)  # groups with a member (an EM group can end up empty)
    if shown < 2:
        return (
            "These votes do not show distinct opinion groups: every participant is most likely "
            "in the same group, so the one group below is everyone."
        )
    return (
        "These votes do not show distinct opinion groups: no number of groups predicted the "
        "votes of participants held out of the fit better than one group of everyone. The "
        f"{shown} groups below are the fewest the analysis draws, not groups the votes show."
    )


def _groups_count(n: int) -> str:
    return f"{n} opinion group" if n == 1 else f"{n} opinion groups"


def informed_ranking(doc: dict[str, Any], excluded: np.ndarray) -> list[tuple[float, Any]]:
    """(group-informed consensus, statement id), highest first, of the included statements
    whose figure the small-cell rule lets the report show (the JSON's non-null values): a
    hidden one is left out of the ranking, not listed as hidden, so its place does not tell
    how high it is."""
    informed = doc["group_informed_consensus"]
    values = [
        (informed[_key(st["id"])], st["id"])
        for st, left_out in zip(doc["statements"], excluded.tolist(), strict=True)
        if informed[_key(st["id"])] is not None and not left_out
    ]
    return sorted(values, key=lambda t: -t[0])


INFORMED_RULE = (
    "Pol.is's product over the groups of each one's agree share, high when every group tends "
    "to agree; marked where a group disagreed as often or more"
)


def _agree_note(doc: dict[str, Any], sid: Any) -> str:
    """Which groups did not lean to agree with a statement, in words ("" when every group
    did)."""
    apart = doc["not_every_group_agrees"].get(_key(sid))
    return groups_note(apart) if apart else ""


def _cells_rule(run: AnalysisRun) -> str:
    if run.sides is None:
        return cells_rule(run.k_anonymity)
    k = run.k_anonymity
    return cells_rule(k) + (
        f" With the sides given, as in the dialogue room: a share only when those who did not give"
        f" that answer are none or {k} or more too, and no group's figures on a statement where a"
        " side's are hidden."
    )


def _size(group: dict[str, Any]) -> str:
    return f"{group['size']} participants" if group["shown"] else f"size {HIDDEN}"


def _rep_figures(r: dict[str, Any]) -> str:
    if not r["shown"]:
        return f"{r['repful_for'] + 's':<9} {HIDDEN}"
    share = percent(r["n_success"], r["n_trials"])
    return f"{share:>4} {r['repful_for'] + 's':<9} (of {r['n_trials']:>4})"


def _how_chosen(run: AnalysisRun) -> str:
    if run.groups_asked is not None:
        kept = len(_groups_of(run).ids)  # groups with a member
        if kept < run.groups_asked:  # "1 opinion group (as asked)" after --groups 20 misled
            return (
                f"{run.groups_asked} asked for; only {kept} kept any member, the others ended "
                f"empty, seed {run.seed}"
            )
        return "as asked"
    if run.track2 is not None:
        rounds = run.track2.groups.k_by_round
        if rounds:
            said = rounds_said(rounds)
            splits = run.track2.groups.n_splits
            on = f" ({splits} splits into fifths)" if splits > 1 else ""
            return (
                f"chosen by held-out log-likelihood: each fifth of the participants, held out "
                f"in turn{on}, chose {said}; seed {run.seed}"
            )
        if len(run.track2.groups.held_out_log_likelihood) > 1:
            return f"chosen by held-out log-likelihood, seed {run.seed}"
        return f"the only number tried here, seed {run.seed}"
    if run.polis_state_path:
        return "continued from the Pol.is state"
    if len(run.analysis.silhouettes) > 1:
        return f"chosen by silhouette, seed {run.seed}"
    # Pol.is tries 2 groups up to 2 + one per 12 base clusters: a small map tries only 2
    (tried,) = run.analysis.silhouettes
    formed = run.analysis.group_clusters.k
    if formed < tried:  # k-means drops a group left empty: the places coincide
        return f"{tried} tried, seed {run.seed}; the participants' places allowed only {formed}"
    return f"the only number tried here, seed {run.seed}"


def _excluded_ids(run: AnalysisRun) -> set[Any]:
    m = run.conversation.matrix
    return set(m.statement_ids[m.is_excluded].tolist())


def render_text(run: AnalysisRun) -> str:
    """A readable report: groups and sizes, representative statements with text, consensus,
    divisive statements."""
    a = run.analysis
    conv = run.conversation
    doc = report_dict(run, per_participant=False, raw_counts=False)
    view = _groups_of(run)

    def text_of(sid: Any) -> str:
        # one statement, one line: a newline or tab in a statement would break the layout
        return " ".join(conv.text(sid).split())

    out: list[str] = []
    out.append(f"Conversation: {run.path}")
    out.append(STATUS)
    out.append(
        f"{len(a.participant_ids)} participants, {len(doc['statements'])} statements, "
        f"{doc['votes']} votes; {in_map(run)} participants in the opinion map."
    )
    # the number of groups first, on a line of its own: the method that follows is long
    out.append(f"{_groups_count(len(view.ids))} ({_how_chosen(run)}).")
    out.append(f"Method: {view.method} (mode {run.mode}).")
    out.extend(cautions(run))
    out.append("")
    if run.track2 is not None:
        out.append(f"Map (HTML, JSON `map`): {_axes_words(run.track2)}")
    out.append(f"Opinion groups: {_cells_rule(run)} {WEAK_RULE}")
    for g in doc["groups"]:
        out.append(f"Group {g['id']}: {_size(g)}")
        for r in doc["repness"].get(str(g["id"]), []):
            out.append(
                f"  {_rep_figures(r)}  [{r['statement']}] {text_of(r['statement'])}"
                f"{WEAK_LABEL if r['weak'] else ''}"
            )
        if not doc["repness"].get(str(g["id"])):
            out.append(f"  {nothing_listed(g)}")
        out.append("")
    out.extend(consensus_text(doc, run.track2 is not None, text_of))
    out.append("")
    out.append("Divisive (groups differ most):")
    for d in doc["divisive"]:
        per = ", ".join(f"group {g}: {share}" for g, share in _divisive_shares(d))
        out.append(f"  [{d['statement']}] {text_of(d['statement'])}  (agree: {per})")
    out.append("")
    out.append(f"Group-informed consensus ({INFORMED_RULE}):")
    for value, sid in informed_ranking(doc, a.excluded)[:5]:
        note = _agree_note(doc, sid)
        out.append(f"  {value:.3f}  [{sid}] {text_of(sid)}" + (f"  ({note})" if note else ""))
    out.append("")
    if run.track2 is not None:
        out.extend(
            bridging_text(
                run.track2.bridging, _excluded_ids(run), text_of, lambda sid: _agree_note(doc, sid)
            )
        )
        out.append("")
    if run.sides is not None:
        out.extend(sides_text(run.sides, conv.matrix.is_excluded, text_of, run.k_anonymity))
        out.append("")
    if "groups_by_side" in doc:
        k = doc["groups_by_side"]["k"]
        out.append(f"Opinion groups by side ({_groups_by_side_what(k)}):")
        out.extend(f"  {_crossed_line(row, k)}" for row in doc["groups_by_side"]["rows"])
        out.append("")
    out.append("Timings (s): " + ", ".join(f"{k} {v:.3f}" for k, v in view.timings.items()))
    # It goes to a terminal, and what it quotes (statements, side names) comes from the files
    # read: an escape sequence in a statement could clear the screen or retitle the window.
    return printable("\n".join(out)) + "\n"


_CSS = """
body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
h1{font-size:1.5rem} h2{font-size:1.2rem;margin-top:2rem}
table{border-collapse:collapse;width:100%} td,th{border-bottom:1px solid #ddd;padding:.3rem;
text-align:left;vertical-align:top;overflow-wrap:anywhere} .num{text-align:right;white-space:nowrap}
.word{white-space:nowrap;overflow-wrap:normal}
.status,.caution{background:#fff6d5;padding:.5rem;border-left:4px solid #d9a400}
.swatch{display:inline-block;width:.8rem;height:.8rem;border-radius:50%;margin-right:.3rem}
figure{margin:1rem 0} figcaption{font-size:.9rem;color:#555} details{margin:.5rem 0}
"""


_MAP_CAPTION = (
    "Opinion map: each circle is a base cluster of participants who vote alike (area ∝ "
    "people), coloured by opinion group; axes are the first two principal components of "
    "the votes."
)


def _map_caption(run: AnalysisRun) -> str:
    t = run.track2
    if t is None:
        return _MAP_CAPTION
    return (
        "Opinion map of the Track 2 groups: each circle pools the members of one group who sit "
        "close together (area ∝ people), coloured by group; a group's label sits at the mean "
        "position of its members (or as near as other labels allow). The positions come from "
        f"the same model that makes the groups. {_axes_words(t)}{_rings_words(len(t.group_ids))}"
    )


def _rings_words(n_groups: int) -> str:
    n = len(GROUP_COLOURS)
    if n_groups <= n:
        return ""
    dashed = f", from group {2 * n} on dashed" if n_groups > 2 * n else ""
    return (
        f" Groups {n} and later are drawn as rings in the colours of groups 0 to {n - 1}{dashed}."
    )


def _axes_words(t: Track2Analysis) -> str:
    if t.map.axes == (NO_AXIS, NO_AXIS):
        return "Everyone is in one group, drawn at the centre: there is no axis to draw."
    return f"Horizontal axis: {t.map.axes[0]}; vertical axis: {t.map.axes[1]}."


def in_map(run: AnalysisRun) -> int:
    """How many participants the report's map draws: Pol.is's map holds the participants with
    enough votes (``in_conv``), Track 2 mode's every member of a group (its map comes from the
    model that groups everyone with a vote; saying Pol.is's count there understated it)."""
    t = run.track2
    if t is None:
        return int(run.analysis.in_conv.sum())
    return int(np.count_nonzero(t.group_labels >= 0))


def _map(run: AnalysisRun) -> str:
    t = run.track2
    if t is None:
        return opinion_map_svg(run.analysis)
    return group_map_svg(t.map.coordinates, t.group_labels, [int(g) for g in t.group_ids])


def render_html(run: AnalysisRun) -> str:
    """A self-contained HTML page (inline CSS and SVG, no external resource)."""
    from track2.reports.opinion_map import swatch_css

    a = run.analysis
    conv = run.conversation
    doc = report_dict(run, per_participant=False, raw_counts=False)
    view = _groups_of(run)
    e = html.escape

    def text(sid: Any) -> str:
        # Isolated, so that an Arabic or Hebrew statement runs right to left, its full stop
        # at its own end, whatever the English around it ("[3] ...").
        return f"<bdi>{e(conv.text(sid))}</bdi>"

    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Opinion groups — {e(Path(run.path).name)}</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>Opinion groups and common ground: {e(Path(run.path).name)}</h1>",
        f'<p class="status">{e(STATUS)}</p>',
        f"<p>{len(a.participant_ids)} participants, {len(doc['statements'])} statements, "
        f"{doc['votes']} votes; {in_map(run)} participants in the map; "
        f"{_groups_count(len(view.ids))} ({e(_how_chosen(run))}).</p>",
        # the method runs to a paragraph: folded, so that the groups come first
        f"<details><summary>Method (mode {e(run.mode)})</summary><p>{e(view.method)}.</p>"
        "</details>",
        *(f'<p class="caution" role="note">{e(caution)}</p>' for caution in cautions(run)),
        "<figure>",
        _map(run),
        f"<figcaption>{e(_map_caption(run))}</figcaption></figure>",
        f"<p>{e(_cells_rule(run))} {e(WEAK_RULE)}</p>",
    ]
    for c, g in enumerate(doc["groups"]):
        # Track 2 groups are coloured by id, as on the map; Pol.is groups by position.
        slot = g["id"] if run.track2 is not None else c
        parts.append(
            f'<h2><span class="swatch" style="{swatch_css(slot)}"></span>'
            f"Group {g['id']} — {e(_size(g))}</h2>"
        )
        if not doc["repness"].get(str(g["id"])):
            parts.append(f"<p>{e(nothing_listed(g))}</p>")
            continue
        parts.append(
            '<table><tr><th>statement</th><th class="word">group</th><th class="num">share</th>'
            '<th class="num">votes</th></tr>'
        )
        for r in doc["repness"].get(str(g["id"]), []):
            shown = r["shown"]
            parts.append(
                f"<tr><td>[{e(str(r['statement']))}] {text(r['statement'])}"
                f"{e(WEAK_LABEL) if r['weak'] else ''}</td>"
                f'<td class="word">{e(r["repful_for"])}s</td>'
                f'<td class="num">{percent(r["n_success"], r["n_trials"]) if shown else HIDDEN}</td>'
                f'<td class="num">{r["n_trials"] if shown else ""}</td></tr>'
            )
        parts.append("</table>")
    parts.extend(consensus_html(doc, run.track2 is not None, text))
    parts.append(
        "<h2>Divisive statements</h2><table><tr><th>statement</th><th>agreement by group</th></tr>"
    )
    for d in doc["divisive"]:
        per = ", ".join(f"group {e(g)}: {e(share)}" for g, share in _divisive_shares(d))
        parts.append(
            f"<tr><td>[{e(str(d['statement']))}] {text(d['statement'])}</td><td>{per}</td></tr>"
        )
    parts.append("</table>")
    parts.append(
        f"<h2>Group-informed consensus</h2><p>{e(INFORMED_RULE[:1].upper())}"
        f"{e(INFORMED_RULE[1:])}.</p><table><tr><th>statement</th>"
        '<th class="num">Π (A+1)/(S+2)</th><th>opinion groups</th></tr>'
    )
    for value, sid in informed_ranking(doc, a.excluded)[:10]:
        parts.append(
            f'<tr><td>[{e(str(sid))}] {text(sid)}</td><td class="num">{value:.3f}</td>'
            f"<td>{e(_agree_note(doc, sid) or 'every group leans to agree')}</td></tr>"
        )
    parts.append("</table>")
    if run.track2 is not None:
        parts.extend(
            bridging_html(
                run.track2.bridging,
                _excluded_ids(run),
                conv.text,
                lambda sid: _agree_note(doc, sid),
            )
        )
    if run.sides is not None:
        parts.extend(sides_html(run.sides, conv.matrix.is_excluded, conv.text, run.k_anonymity))
    if "groups_by_side" in doc:
        k = doc["groups_by_side"]["k"]
        what = _groups_by_side_what(k)
        parts.append(f"<h2>Opinion groups by side</h2><p>{e(what[0].upper() + what[1:])}.</p><ul>")
        for row in doc["groups_by_side"]["rows"]:
            line = _crossed_line(row, k, lambda side: f"<bdi>{e(side)}</bdi>")
            parts.append(f"<li>{line}</li>")
        parts.append("</ul>")
    parts.append(
        "<p><small>Timings (s): "
        + e(", ".join(f"{k} {v:.3f}" for k, v in view.timings.items()))
        + "</small></p>"
    )
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def render(run: AnalysisRun, fmt: str) -> str:
    if fmt == "json":
        return render_json(run)
    if fmt == "html":
        return render_html(run)
    if fmt == "text":
        return render_text(run)
    raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
