"""What may be shown of opinion groups' answers to one statement: the small-cell rule cell by
cell over the table groups × (agree, disagree, pass), for the reports and the room alike.

A group with fewer than ``k`` votes on the statement is hidden whole, its number of votes with
it. Any other group's number of votes is shown, and its count (so its share) of each answer
only when that count is empty or at least ``k`` people and no hidden count can be worked out
from the shown ones, the groups' votes and the whole room's counts of each answer
(`cells.suppress` with ``small_rows``). A share needs its count and the votes it is a share of.

Why cell by cell: hiding a group's whole row whenever one of its three counts was small hid
most of what a report says of its groups, since passes are few; on a public conversation of
339 people a group of 156 had its figures hidden on 3 of its 5 representative statements, for
one or two passes.
"""

from __future__ import annotations

from dataclasses import dataclass

from track2.disclosure.cells import suppress


def rule(k: int) -> str:
    """The rule in the reports' words."""
    return (
        f"A group's size is shown only when at least {k} people; on a statement, its number of "
        f"votes only when {k} or more, and its share of an answer only when that answer counts "
        f"{k} or more of its members, or none, and no hidden count can be worked out from the "
        "shown ones."
    )


@dataclass(frozen=True)
class Figures:
    """Which of one group's figures on one statement may be shown: its number of votes, and
    its count (so its share) of agrees and of disagrees."""

    votes: bool
    agree: bool
    disagree: bool

    def answer(self, answer: str) -> bool:
        """Whether the share of ``answer`` ("agree" or "disagree") may be shown: its count and
        the votes it is a share of."""
        return self.votes and (self.agree if answer == "agree" else self.disagree)

    @property
    def passes(self) -> bool:
        """Whether the shown figures give the group's pass count (votes − agrees − disagrees):
        a sum of its passes over statements may count only these, or it gives a hidden one
        away."""
        return self.votes and self.agree and self.disagree


SHOWN = Figures(votes=True, agree=True, disagree=True)


def answer_figures(table: list[list[int]], k: int) -> tuple[Figures, ...]:
    """Each row's :class:`Figures` of a groups × (agree, disagree, pass) table (rows: groups;
    counts of people)."""
    # A report prints groups' shares of agree and of disagree; a pass count only enters sums
    # of passes, so of two ways to protect a table the one that hides fewer answers wins.
    result = suppress(table, k, small_rows=True, worth=(1, 1, 0))
    return tuple(
        Figures(result.is_total_shown(g), result.is_shown(g, 0), result.is_shown(g, 1))
        for g in range(len(table))
    )
