"""The small-cell rule with complementary suppression, for tables of groups × answers.

A cell (group × answer) is shown only when it counts at least ``k`` people or none (an empty
cell names nobody). Hiding the small cells alone is not enough: a reader who also knows the
table's totals (each group's size, the whole room's count of each answer) can subtract the
shown cells and recover a lone hidden cell. So further cells are hidden until no hidden cell
can be derived from the shown cells and the row and column totals — unless the totals alone
already give it away (a room where nobody disagreed tells that nobody in any side did).

"Derived" means that every table of non-negative whole numbers that agrees with what is
published gives the cell the same value. With both margins published the possible tables
differ from the true one by circulations along cycles of hidden cells (rows and columns as
the two sides of a bipartite graph, hidden cells as its edges), so a hidden cell can move
iff some alternating cycle through it can move by one without making a cell negative; see
`derivable_cells`. This is the audit of Cox (1980) and Gusfield (1988) for two-way tables,
specialised to the small tables of a dialogue. tests/disclosure/test_cells.py checks it
against a linear programme.

Pure Python: no Django, no numpy (tables are a few groups by a few answers).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

Cell = tuple[int, int]
Table = Sequence[Sequence[int]]


@dataclass(frozen=True)
class Suppression:
    """Which cells of a table may be shown; ``hidden`` holds (row, column) pairs."""

    k: int
    n_rows: int
    n_columns: int
    hidden: frozenset[Cell]

    def is_shown(self, row: int, column: int) -> bool:
        return (row, column) not in self.hidden

    def is_row_shown(self, row: int) -> bool:
        return all(self.is_shown(row, c) for c in range(self.n_columns))

    @property
    def shown_rows(self) -> list[bool]:
        return [self.is_row_shown(r) for r in range(self.n_rows)]


def check_table(table: Table) -> tuple[int, int]:
    """The table's shape; ValueError unless it is a non-empty rectangle of counts ≥ 0."""
    n_rows = len(table)
    n_columns = len(table[0]) if n_rows else 0
    if n_rows == 0 or n_columns == 0:
        raise ValueError("a table needs at least one row and one column")
    for row in table:
        if len(row) != n_columns:
            raise ValueError("every row of the table needs the same number of columns")
        for value in row:
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"cells are counts of people (whole numbers ≥ 0), not {value!r}")
    return n_rows, n_columns


def is_small(count: int, k: int) -> bool:
    """The primary rule: a count of 1 to k − 1 people could name them."""
    return 0 < count < k


SLACK = -1  # the column of a row whose total is not published: any total would fit


def derivable_cells(
    table: Table, hidden: Iterable[Cell], free_rows: Iterable[int] = ()
) -> set[Cell]:
    """The hidden cells whose value follows from the shown cells, the column totals and the
    totals of every row except ``free_rows`` (rows whose size is not published)."""
    hidden = set(hidden)
    edges: list[tuple[int, int, int | None]] = [(r, c, table[r][c]) for r, c in hidden]
    # A row of unknown size behaves as if it had one more hidden cell, in a column of its own,
    # that could hold any number of people.
    edges += [(r, SLACK, None) for r in set(free_rows)]
    return {cell for cell in hidden if not _can_move(table, edges, cell)}


def _can_move(table: Table, edges: list[tuple[int, int, int | None]], cell: Cell) -> bool:
    r, c = cell
    others = [e for e in edges if (e[0], e[1]) != cell]
    # Raising the cell by one lowers the next hidden cell in its column, raises the next in
    # that cell's row, and so on back to its own row: the lowered cells must be ≥ 1.
    if _reaches(others, c, r, lowered="column_to_row"):
        return True
    return table[r][c] > 0 and _reaches(others, c, r, lowered="row_to_column")


def _reaches(
    edges: list[tuple[int, int, int | None]], start_column: int, target_row: int, lowered: str
) -> bool:
    """Is there a walk from column ``start_column`` to row ``target_row`` that alternates
    column→row and row→column steps along hidden cells, where the steps of the ``lowered``
    direction use only cells of at least one person?"""
    seen: set[tuple[str, int]] = {("c", start_column)}
    frontier = [("c", start_column)]
    while frontier:
        kind, index = frontier.pop()
        for r, c, value in edges:
            if kind == "c" and c == index:
                if lowered == "column_to_row" and value == 0:
                    continue
                node = ("r", r)
            elif kind == "r" and r == index:
                if lowered == "row_to_column" and value == 0:
                    continue
                node = ("c", c)
            else:
                continue
            if node == ("r", target_row):
                return True
            if node not in seen:
                seen.add(node)
                frontier.append(node)
    return False


def suppress(
    table: Table, k: int, *, whole_rows: bool = False, row_totals_published: bool | None = None
) -> Suppression:
    """Apply the small-cell rule with complementary suppression.

    The whole table's column totals (the room's count of each answer) are assumed known.
    ``whole_rows``: a group is shown whole or not at all (used when a row's figures, such as
    a share and its number of votes, give all its cells at once); a group with fewer than
    ``k`` people in the row is then hidden too, and so is a group of nobody (there is
    nothing to show). ``row_totals_published``: whether a hidden group's size is known to the
    reader (default: yes for single cells, no for whole rows, whose size is hidden with them).
    """
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise ValueError(f"k must be a whole number ≥ 1, not {k!r}")
    n_rows, n_columns = check_table(table)
    if row_totals_published is None:
        row_totals_published = not whole_rows
    everything = {(r, c) for r in range(n_rows) for c in range(n_columns)}

    def derivable(cells: set[Cell]) -> set[Cell]:
        free = () if row_totals_published else {r for r, _ in cells}
        return derivable_cells(table, cells, free)

    # What the margins give away on their own, whatever is hidden, is not ours to protect.
    given_by_margins = derivable(everything)
    hidden = {(r, c) for r, c in everything if is_small(table[r][c], k)}
    if whole_rows:
        small_rows = {r for r in range(n_rows) if sum(table[r]) < k}
        hidden |= {(r, c) for r in small_rows for c in range(n_columns)}
        hidden = _whole_rows(hidden, n_columns)
    while True:
        exposed = derivable(hidden) - given_by_margins
        if not exposed or hidden == everything:
            return Suppression(k, n_rows, n_columns, frozenset(hidden))
        hidden |= _complement(
            table, hidden, everything, derivable, given_by_margins, exposed, whole_rows, n_columns
        )


def _whole_rows(cells: set[Cell], n_columns: int) -> set[Cell]:
    return {(r, c) for r in {r for r, _ in cells} for c in range(n_columns)}


def _complement(
    table: Table,
    hidden: set[Cell],
    everything: set[Cell],
    derivable,
    given_by_margins: set[Cell],
    exposed: set[Cell],
    whole_rows: bool,
    n_columns: int,
) -> set[Cell]:
    """The next cells to hide: the choice that leaves the fewest hidden cells derivable, then
    the fewest people hidden, then the first in reading order (so that the result does not
    depend on anything but the table)."""
    shown = everything - hidden
    if whole_rows:
        options = [_whole_rows({cell}, n_columns) for cell in sorted({(r, 0) for r, _ in shown})]
    else:
        near = {(r, c) for r, c in shown if any(r == x or c == y for x, y in exposed)}
        options = [{cell} for cell in sorted(near or shown)]

    def cost(option: set[Cell]) -> tuple[int, int, Cell]:
        still = derivable(hidden | option) - given_by_margins
        return len(still), sum(table[r][c] for r, c in option), min(option)

    return min(options, key=cost)


DRAWN_SHARE = 0.2  # a side "makes up" a group from a fifth of it: 10 of 342 do not cut across


def drawn_on(table: Table, k: int, share: float = DRAWN_SHARE) -> list[list[bool] | None]:
    """Whether each cell counts at least ``k`` people and at least ``share`` of its row: all
    that is published of a cross-count whose rows and columns are also broken down elsewhere
    (opinion groups by side, beside each group's and each side's answers to every statement).
    Counts there, even suppressed cell by cell, would give the third margin of a three-way
    table (group × side × answer), from which a small cell can be pinned. A "no" bounds a cell
    to 0 … k − 1 once its row has 2k − 1 people or more (a "yes" needs k of them); a smaller
    row says nothing (None): a group of exactly k named by one side would tell that no one else
    is in it, and so how many of that side are in the other groups, to the person."""
    check_table(table)
    return [
        None if sum(row) < 2 * k - 1 else [n >= k and n >= share * sum(row) for n in row]
        for row in table
    ]


def drawn_names(table: Table, names: Sequence[str], k: int) -> list[list[str] | None]:
    """For each row, the names of the columns it is drawn on (:func:`drawn_on`), or None when
    the row is too small to say: what the reports and the room publish of groups by side."""
    return [
        None if row is None else [name for name, drawn in zip(names, row, strict=True) if drawn]
        for row in drawn_on(table, k)
    ]
