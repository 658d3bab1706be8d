"""The small-cell rule for per-opinion-group figures (issue 15, item 5).

An opinion group is a set of people, so its figures name people as a side's do: a group's size,
and on each statement its number of votes and how many of them agreed or disagreed. Following
`track2.disclosure.cells`, a group's size is shown only when the sizes table (groups × 1, total
known) allows it. On a statement, the table is groups × (agree, disagree, pass), cell by cell
(``small_rows``): a group with fewer than ``k`` votes on it is hidden whole; any other group's
number of votes is shown, and each of its answer counts only when it is empty or at least ``k``
people and no hidden count can be worked out from the shown ones, the groups' votes and the
whole room's counts (which the report publishes). A group whose two passes hid its whole row
before (every figure of a group of 156 on 3 of its 5 representative statements of seattle)
now hides its passes, and the counts that would give them away, and shows its agree share.
Every hidden figure reads the same words.

With ``--sides`` (a room's export: its readers know each other, and its groups often are its
delegations) the room's stricter rule applies on top, as on the room's map
(docs/dialogue-room.md): a group's share of an answer is shown only when both those who gave it
and those who did not number 0 or at least ``k``, across the groups with complementary
suppression, and on a statement where a side's row is hidden every group's figures are hidden
too, or a group that is one side would show what its side's row hides.

Text and HTML reports always apply it; the JSON export applies it unless ``--raw-counts``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from track2.disclosure.answers import Figures, answer_figures
from track2.disclosure.answers import rule as answers_rule
from track2.disclosure.cells import suppress

HIDDEN = "hidden (small-cell rule)"


def percent(n: int, d: int) -> str:
    """A count as a whole percentage of ``d`` ("-" of nothing), as every report prints shares."""
    return f"{100.0 * n / d:.0f}%" if d else "-"


@dataclass(frozen=True, eq=False)
class GroupCells:
    """Which per-group figures may be shown. Rows of the count arrays follow ``group_ids``;
    columns follow the report's statements."""

    k: int
    group_ids: tuple[int, ...]
    sizes: tuple[int, ...]
    agree: np.ndarray
    disagree: np.ndarray
    seen: np.ndarray
    # With sides: the room's rule on top (module docstring). ``side_hidden[j]``: a side's row is
    # hidden on statement column ``j``.
    side_hidden: tuple[bool, ...] | None = None
    _memo: dict[int, tuple[Figures, ...]] = field(default_factory=dict, repr=False)

    @property
    def size_shown(self) -> dict[int, bool]:
        return _size_shown(self.k, self.sizes, self.group_ids)

    def shown_on(self, j: int) -> dict[int, Figures]:
        """Which of each group's figures on statement column ``j`` may be shown."""
        return _statement_shown(self, j)

    def rule(self) -> str:
        return answers_rule(self.k)


def _size_shown(k: int, sizes: tuple[int, ...], group_ids: tuple[int, ...]) -> dict[int, bool]:
    if not sizes:
        return {}
    rows = suppress([[s] for s in sizes], k, whole_rows=True).shown_rows
    return dict(zip(group_ids, rows, strict=True))


def _rows_shown(cells: GroupCells, j: int) -> tuple[Figures, ...]:
    if j in cells._memo:
        return cells._memo[j]
    table = [
        [
            int(cells.agree[g, j]),
            int(cells.disagree[g, j]),
            int(cells.seen[g, j] - cells.agree[g, j] - cells.disagree[g, j]),
        ]
        for g in range(len(cells.group_ids))
    ]
    figures = answer_figures(table, cells.k)
    if cells.side_hidden is not None:
        figures = _as_the_room_shows(table, figures, cells.k, cells.side_hidden[j])
    cells._memo[j] = figures
    return cells._memo[j]


def _as_the_room_shows(
    table: list[list[int]], figures: tuple[Figures, ...], k: int, side_hidden: bool
) -> tuple[Figures, ...]:
    """The room's rule on top of the cell-by-cell one (module docstring)."""
    if side_hidden:
        return tuple(Figures(votes=False, agree=False, disagree=False) for _ in figures)
    agree, disagree = (
        suppress(
            [[row[answer], sum(row) - row[answer]] for row in table], k, whole_rows=True
        ).shown_rows
        for answer in (0, 1)
    )
    return tuple(
        Figures(f.votes, f.agree and bool(a), f.disagree and bool(d))
        for f, a, d in zip(figures, agree, disagree, strict=True)
    )


def _statement_shown(cells: GroupCells, j: int) -> dict[int, Figures]:
    if not cells.group_ids:
        return {}
    return dict(zip(cells.group_ids, _rows_shown(cells, j), strict=True))
