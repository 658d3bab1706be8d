"""Whether the whole room's consensus is every opinion group's too.

Pol.is's consensus test looks at everyone at once: a statement qualifies when more than half
of all voters gave one answer, significantly. A statement can pass it while one opinion group
answers the other way to a person: on a public conversation of 536 people, "Please stop
poisoning our lovely forests from the sky" was listed as broad disagreement (67 % of 330)
while every voter of one group of 54 agreed with it, and the same report listed it among the
most divisive statements. A reader takes "consensus" to mean common ground, so the reports say,
for each statement, whether in every group more voters gave that answer than the opposite one.
Passes do not count against it: a group that mostly passed (on vtaiwan.uberx, one passes on
three votes in four) has not opposed what everyone else agrees on, and requiring a majority of
its votes would leave no consensus at all.

Only what the report publishes decides it (the figures the small-cell rule shows, each
group's votes and the room's count of each answer), so that listing a statement or not gives
no hidden count away: a group hidden whole on the statement (fewer than k votes) says nothing
either way; a group whose published figures do not settle it leaves it unknown.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from track2.disclosure.answers import Figures
from track2.reports.group_cells import HIDDEN, percent


@dataclass(frozen=True)
class GroupsVerdict:
    """Whether every opinion group leaned to one answer on a statement: ``every_group`` is
    True when each group whose shown figures settle it gave that answer more often than the
    opposite one, and at least one did; False when some group gave the opposite answer as often
    or more (``not_held_by``); None when no group settles it, or some group's shown figures do
    not (``share_hidden_for``)."""

    every_group: bool | None
    not_held_by: tuple[Any, ...]
    share_hidden_for: tuple[Any, ...]


OPPOSITE = {"agree": "disagree", "disagree": "agree"}


def groups_verdict(
    answer: str,
    j: int,
    group_ids: Sequence[Any],
    counts: dict[str, np.ndarray],
    seen: np.ndarray,
    figures: Callable[[Any], Figures],
    totals: dict[str, int] | None = None,
) -> GroupsVerdict:
    """The verdict on statement column ``j`` for ``answer`` ("agree" or "disagree"):
    ``counts[answer]`` and ``seen`` are groups × statements (rows follow ``group_ids``), and
    ``figures(gid)`` says which of a group's figures on the statement may be shown.
    ``totals``: the room's count of each answer ("agree", "disagree", "pass") on the
    statement, when the report publishes them.

    A hidden count is bounded by what is published: its group's votes less its shown counts,
    and its answer's room total less the shown counts of that answer. A group shares the
    answer when the fewest it can have given exceed the most it can have given of the other
    one, and does not when the reverse holds; otherwise its verdict is unknown. So a statement
    95 % of the room agreed with stays every group's even where the rule hides each group's
    one or two other answers, and with it their agree counts (bg2050-volunteers, [1])."""
    rows = [(row, gid, figures(gid)) for row, gid in enumerate(group_ids)]
    rows = [(row, gid, f) for row, gid, f in rows if f.votes and int(seen[row, j]) > 0]
    # What is left of each answer's room total once the shown counts are taken off: no hidden
    # count can be larger (groups hidden whole, and people in no group, only add to it).
    left = {"agree": np.inf, "disagree": np.inf, "pass": np.inf}
    if totals is not None:
        left = {name: float(total) for name, total in totals.items()}
        for row, _, f in rows:
            for name in ("agree", "disagree"):
                if f.answer(name):
                    left[name] -= int(counts[name][row, j])
            if f.passes:
                left["pass"] -= int(
                    seen[row, j] - counts["agree"][row, j] - counts["disagree"][row, j]
                )
    other = OPPOSITE[answer]
    held, dissent, hidden = 0, [], []
    for row, gid, f in rows:
        low, high = _bounds(row, j, f, counts, int(seen[row, j]), left)
        if low[answer] > high[other]:
            held += 1
        elif low[other] >= high[answer]:
            dissent.append(gid)
        else:
            hidden.append(gid)
    every = False if dissent else None if hidden or not held else True
    return GroupsVerdict(every, tuple(dissent), tuple(hidden))


def _bounds(
    row: int, j: int, shown: Figures, counts: dict[str, np.ndarray], votes: int, left: dict
) -> tuple[dict[str, float], dict[str, float]]:
    """The fewest and the most agrees and disagrees one group can have given on statement
    ``j``, from its shown counts, its votes and what is left of each answer's room total."""
    known = {
        name: int(counts[name][row, j]) if shown.answer(name) else None
        for name in ("agree", "disagree")
    }
    given = sum(v for v in known.values() if v is not None)
    passes = votes - given if shown.passes else None
    high = {
        name: float(value) if value is not None else min(left[name], votes - given)
        for name, value in known.items()
    }
    high_pass = float(passes) if passes is not None else min(left["pass"], votes - given)
    low = {
        name: float(value)
        if value is not None
        else max(0.0, votes - high[OPPOSITE[name]] - high_pass)
        for name, value in known.items()
    }
    return low, high


# What the consensus section lists, by mode (True: Track 2 mode).
CONSENSUS_RULE = {
    True: "a significant majority of everyone gave the same answer, and in every opinion group "
    "more voters gave it than the opposite one",
    False: "broad agreement across everyone, Pol.is's selection; marked where some opinion "
    "group gave the opposite answer as often or more",
}
NOT_EVERY_GROUP = (
    "a majority overall, but not every opinion group's (Pol.is lists them as consensus)"
)


def groups_note(entry: dict[str, Any]) -> str:
    """Why a consensus statement is not every group's: the groups that gave the opposite answer
    as often or more, and those whose figures the small-cell rule hides."""
    notes = []
    answer = entry["answer"]
    other = "disagree" if answer == "agree" else "agree"
    if entry["not_held_by"]:
        notes.append(f"{_groups_named(entry['not_held_by'])}: as many or more {other}")
    if entry["share_hidden_for"]:
        # the group's share of one answer may be printed elsewhere; what is hidden is the other
        # count, so whether the group leans this way
        notes.append(
            f"{_groups_named(entry['share_hidden_for'])}: whether more {answer} than {other} "
            f"is {HIDDEN}"
        )
    return "; ".join(notes)


def _no_consensus(doc: dict[str, Any], track2_mode: bool) -> str:
    if track2_mode and any(doc["consensus"].values()):
        return "none that every opinion group shares (below: those that pass the test)"
    return "none passes the test"


def _groups_named(ids: list[Any]) -> str:
    names = [str(g) for g in ids]
    if len(names) == 1:
        return f"group {names[0]}"
    return "groups " + ", ".join(names[:-1]) + f" and {names[-1]}"


def consensus_text(
    doc: dict[str, Any], track2_mode: bool, text_of: Callable[[Any], str]
) -> list[str]:
    """The consensus section of the text report (``doc``: the JSON document). Track 2 mode
    lists what every group shares and then, apart, what Pol.is lists that some group does not;
    Pol.is mode lists Pol.is's own selection and marks those."""

    def line(c: dict[str, Any], side: str, note: str = "") -> str:
        return (
            f"  {percent(c['n_success'], c['n_trials']):>4} {side + 's':<9} "
            f"(of {c['n_trials']:>4})  [{c['statement']}] {text_of(c['statement'])}"
            + (f"  ({note})" if note else "")
        )

    sides = ("agree", "disagree")
    out = [f"Consensus ({CONSENSUS_RULE[track2_mode]}):"]
    listed = doc["consensus_of_every_group"] if track2_mode else doc["consensus"]
    for side in sides:
        out.extend(line(c, side, "" if track2_mode else groups_note(c)) for c in listed[side])
    if not any(listed.values()):
        out.append(f"  {_no_consensus(doc, track2_mode)}")
    apart = [(c, side) for side in sides for c in doc["consensus"][side] if not c["every_group"]]
    if track2_mode and apart:
        out.append(_sentence(NOT_EVERY_GROUP) + ":")
        out.extend(line(c, side, groups_note(c)) for c, side in apart)
    return out


def consensus_html(
    doc: dict[str, Any], track2_mode: bool, text_of: Callable[[Any], str]
) -> list[str]:
    """The consensus section of the HTML report, as :func:`consensus_text` words it
    (``text_of`` returns a statement's escaped text)."""
    e = html.escape
    sides = ("agree", "disagree")
    head = (
        '<table><tr><th>statement</th><th class="word">everyone</th>'
        '<th class="num">share</th><th class="num">votes</th><th>opinion groups</th></tr>'
    )

    def row(c: dict[str, Any], side: str, note: str) -> str:
        return (
            f"<tr><td>[{e(str(c['statement']))}] {text_of(c['statement'])}</td>"
            f'<td class="word">{side}s</td>'
            f'<td class="num">{percent(c["n_success"], c["n_trials"])}</td>'
            f'<td class="num">{c["n_trials"]}</td><td>{e(note)}</td></tr>'
        )

    listed = doc["consensus_of_every_group"] if track2_mode else doc["consensus"]
    parts = [f"<h2>Consensus</h2><p>{e(_sentence(CONSENSUS_RULE[track2_mode]))}.</p>", head]
    for side in sides:
        for c in listed[side]:
            note = "every group" if c["every_group"] else groups_note(c)
            parts.append(row(c, side, note))
    parts.append("</table>")
    if not any(listed.values()):
        parts.append(f"<p>{e(_sentence(_no_consensus(doc, track2_mode)))}.</p>")
    apart = [(c, side) for side in sides for c in doc["consensus"][side] if not c["every_group"]]
    if track2_mode and apart:
        parts.append(f"<p>{e(_sentence(NOT_EVERY_GROUP))}.</p>")
        parts.append(head)
        parts.extend(row(c, side, groups_note(c)) for c, side in apart)
        parts.append("</table>")
    return parts


def _sentence(words: str) -> str:
    return words[:1].upper() + words[1:]
