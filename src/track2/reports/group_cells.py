"""The small-cell rule for per-opinion-group figures (issue 15, item 5).

An opinion group is a set of people, so its figures name people as a side's do: a group's size,
and on each statement its votes and the share that agreed (or disagreed). Following
`track2.disclosure.cells` with whole rows, a group is shown whole or not at all: its size only
when the sizes table (groups × 1, total known) allows it, and its figures on a statement only
when its agree / disagree / pass cells are each empty or at least ``k`` people and no hidden
group's counts can be worked out from the shown groups and the whole room's counts (which the
report publishes). Every hidden figure reads the same words.

Text and HTML reports always apply it; the JSON export applies it unless ``--raw-counts``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from track2.disclosure.cells import suppress

HIDDEN = "hidden (small-cell rule)"


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
    _memo: dict[int, tuple[bool, ...]] = field(default_factory=dict, repr=False)

    @property
    def size_shown(self) -> dict[int, bool]:
        return _size_shown(self.k, self.sizes, self.group_ids)

    def shown_on(self, j: int) -> dict[int, bool]:
        """Whether each group's figures on statement column ``j`` may be shown."""
        return _statement_shown(self, j)

    def rule(self) -> str:
        return (
            f"A group's size is shown only when at least {self.k} people; its figures on a "
            f"statement only when each answer counts {self.k} or more people, or none, and "
            "no hidden group's counts can be worked out from the shown ones."
        )


def _size_shown(k: int, sizes: tuple[int, ...], group_ids: tuple[int, ...]) -> dict[int, bool]:
    if not sizes:
        return {}
    rows = suppress([[s] for s in sizes], k, whole_rows=True).shown_rows
    return dict(zip(group_ids, rows, strict=True))


def _rows_shown(cells: GroupCells, j: int) -> tuple[bool, ...]:
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
    cells._memo[j] = tuple(suppress(table, cells.k, whole_rows=True).shown_rows)
    return cells._memo[j]


def _statement_shown(cells: GroupCells, j: int) -> dict[int, bool]:
    if not cells.group_ids:
        return {}
    return dict(zip(cells.group_ids, _rows_shown(cells, j), strict=True))
