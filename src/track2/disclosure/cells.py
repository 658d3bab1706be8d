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
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

Cell = tuple[int, int]
Table = Sequence[Sequence[int]]


@dataclass(frozen=True)
class Suppression:
    """Which cells of a table may be shown; ``hidden`` holds (row, column) pairs and
    ``hidden_totals`` the rows whose total may not be shown (with ``small_rows``, the rows of
    fewer than k people; with ``whole_rows``, every hidden row)."""

    k: int
    n_rows: int
    n_columns: int
    hidden: frozenset[Cell]
    hidden_totals: frozenset[int] = frozenset()

    def is_shown(self, row: int, column: int) -> bool:
        return (row, column) not in self.hidden

    def is_total_shown(self, row: int) -> bool:
        return row not in self.hidden_totals

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
    cells = sorted(set(hidden))
    graph = _graph(table, cells, free_rows)
    return {cell for index, cell in enumerate(cells) if not _movable(table, graph, cell, index)}


def _derivable_count(
    table: Table,
    hidden: set[Cell],
    free_rows: Iterable[int],
    spared: set[Cell],
    limit: int,
    first: AbstractSet[Cell] = frozenset(),
) -> int:
    """How many hidden cells outside ``spared`` are derivable (:func:`derivable_cells`), counted
    up to ``limit``, trying the cells of ``first`` before the others: the audit weighs dozens
    of options a step and needs to know only whether one leaves none, or fewer than the best."""
    cells = sorted(hidden)
    graph = _graph(table, cells, free_rows)
    count = 0
    for i in sorted(range(len(cells)), key=lambda i: (cells[i] not in first, cells[i])):
        if cells[i] not in spared and not _movable(table, graph, cells[i], i):
            count += 1
            if count >= limit:
                break
    return count


def _graph(table: Table, cells: list[Cell], free_rows: Iterable[int]) -> _Graph:
    """The hidden ``cells`` (numbered in this order) as the edges of a bipartite graph. A row
    of unknown size behaves as if it had one more hidden cell, in a column of its own, that
    could hold any number of people. Each node's cells are looked up rather than scanned: the
    audit asks this for every cell of every option it weighs (4 ms a table of 8 groups
    scanned)."""
    edges: list[tuple[int, int, int | None]] = [(r, c, table[r][c]) for r, c in cells]
    edges += [(r, SLACK, None) for r in sorted(set(free_rows))]
    graph = _Graph({}, {})
    for index, (r, c, value) in enumerate(edges):
        people = value != 0
        graph.from_column.setdefault(c, []).append((r, index, people))
        graph.from_row.setdefault(r, []).append((c, index, people))
    return graph


def _movable(table: Table, graph: _Graph, cell: Cell, index: int) -> bool:
    """Whether hidden cell number ``index`` can change. Raising it by one lowers the next hidden
    cell in its column, raises the next in that cell's row, and so on back to its own row: the
    lowered cells must be ≥ 1. Lowering it is the same walk with the other steps lowered."""
    r, c = cell
    return _reaches(graph, c, r, index, lowered_from_column=True) or (
        table[r][c] > 0 and _reaches(graph, c, r, index, lowered_from_column=False)
    )


@dataclass(frozen=True)
class _Graph:
    """Hidden cells as the edges of a bipartite graph: for each column, its (row, cell, has
    people) and for each row its (column, cell, has people)."""

    from_column: dict[int, list[tuple[int, int, bool]]]
    from_row: dict[int, list[tuple[int, int, bool]]]


def _reaches(
    graph: _Graph, start_column: int, target_row: int, skip: int, lowered_from_column: bool
) -> bool:
    """Is there a walk from column ``start_column`` to row ``target_row``, along hidden cells
    other than cell number ``skip``, that alternates column→row and row→column steps, where the
    lowered steps (column→row when ``lowered_from_column``, else row→column) use only cells of
    at least one person?"""
    seen_columns, seen_rows = {start_column}, set()
    columns: list[int] = [start_column]
    while columns:
        column = columns.pop()
        for row, edge, people in graph.from_column.get(column, ()):
            if edge == skip or (lowered_from_column and not people) or row in seen_rows:
                continue
            if row == target_row:
                return True
            seen_rows.add(row)
            for next_column, next_edge, next_people in graph.from_row.get(row, ()):
                if next_edge == skip or (not lowered_from_column and not next_people):
                    continue
                if next_column not in seen_columns:
                    seen_columns.add(next_column)
                    columns.append(next_column)
    return False


def suppress(
    table: Table,
    k: int,
    *,
    whole_rows: bool = False,
    row_totals_published: bool | None = None,
    small_rows: bool = False,
    worth: Sequence[int] | None = None,
) -> Suppression:
    """Apply the small-cell rule with complementary suppression.

    The whole table's column totals (the room's count of each answer) are assumed known.
    ``whole_rows``: a group is shown whole or not at all (used when a row's figures, such as
    a share and its number of votes, give all its cells at once); a group with fewer than
    ``k`` people in the row is then hidden too, and so is a group of nobody (there is
    nothing to show). ``row_totals_published``: whether a hidden group's size is known to the
    reader (default: yes for single cells, no for whole rows, whose size is hidden with them).
    ``small_rows`` (cell by cell): a row of fewer than ``k`` people (or none) is hidden whole
    and its total with it; every other row's total is published, and its cells are shown or
    hidden one by one (a group's number of votes and its agree share, with a small pass
    count hidden, not the whole row). ``worth``: what a shown cell of each column is worth to
    the reader (default 1 each), when two ways of protecting the table are weighed.
    """
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise ValueError(f"k must be a whole number ≥ 1, not {k!r}")
    n_rows, n_columns = check_table(table)
    if worth is not None and len(worth) != n_columns:
        raise ValueError(f"worth needs one value per column ({n_columns}), got {len(worth)}")
    if small_rows and whole_rows:
        raise ValueError("small_rows hides cell by cell; it does not go with whole_rows")
    if row_totals_published is None:
        row_totals_published = not whole_rows
    everything = {(r, c) for r in range(n_rows) for c in range(n_columns)}
    short = {r for r in range(n_rows) if sum(table[r]) < k}  # fewer than k people in the row
    small = short if small_rows else set()

    def unpublished(cells: set[Cell]) -> set[int]:
        return small if row_totals_published else small | {r for r, _ in cells}

    def derivable(cells: set[Cell]) -> set[Cell]:
        return derivable_cells(table, cells, unpublished(cells))

    # What the margins give away on their own, whatever is hidden, is not ours to protect.
    given_by_margins = derivable(everything)
    hidden = {(r, c) for r, c in everything if is_small(table[r][c], k)}
    if small_rows or whole_rows:
        hidden |= {(r, c) for r in short for c in range(n_columns)}
    if whole_rows:
        hidden = _whole_rows(hidden, n_columns)

    audit = (derivable, unpublished)
    # Both orders start alike (most tables have one exposed cell at a time, where the two
    # agree: hiding more never exposes a cell), so each cover's audit and step are made once.
    exposed_of: dict[frozenset[Cell], set[Cell]] = {}
    step_of: dict[frozenset[Cell], set[Cell]] = {}

    def complement(cover: set[Cell], exposed: set[Cell], target: Cell | None) -> set[Cell] | None:
        return _complement(
            table,
            cover,
            everything,
            audit,
            given_by_margins,
            exposed,
            whole_rows,
            n_columns,
            target=target,
        )

    def protect(one_at_a_time: bool) -> set[Cell]:
        cover = set(hidden)
        while True:
            key = frozenset(cover)
            if key not in exposed_of:
                exposed_of[key] = derivable(cover) - given_by_margins
            exposed = exposed_of[key]
            if not exposed or cover == everything:
                return cover
            step = None
            if one_at_a_time and len(exposed) > 1:
                step = complement(cover, exposed, min(exposed))
            if step is None:
                if key not in step_of:
                    found = complement(cover, exposed, None)
                    if found is None:  # None only answers a target
                        raise RuntimeError("no complement found for the whole exposure")
                    step_of[key] = found
                step = step_of[key]
            cover |= step

    # Two greedy orders, and the one that hides less is kept: the fewest cells (weighed by
    # ``worth``), then the fewest people. Protecting every exposed cell at once takes a cycle
    # through all of them when there is one, however many people it hides: two small cells in
    # opposite corners of two groups' rows took the rectangle through both, with a group of
    # 110's 102 agrees, where a cycle for each through small cells hides the same number of
    # answer counts, 56 people in all instead of 139, and shows those 102.
    candidates = [protect(one_at_a_time=False)]
    if not whole_rows:
        candidates.append(protect(one_at_a_time=True))
    weights = [1] * n_columns if worth is None else list(worth)
    chosen = min(
        candidates,
        key=lambda cells: (
            sum(weights[c] for _, c in cells),
            sum(table[r][c] for r, c in cells),
            len(cells),
            sorted(cells),
        ),
    )
    totals = frozenset(unpublished(chosen) & {r for r, _ in chosen})
    return Suppression(k, n_rows, n_columns, frozenset(chosen), totals)


def _whole_rows(cells: set[Cell], n_columns: int) -> set[Cell]:
    return {(r, c) for r in {r for r, _ in cells} for c in range(n_columns)}


def _complement(
    table: Table,
    hidden: set[Cell],
    everything: set[Cell],
    audit,
    given_by_margins: set[Cell],
    exposed: set[Cell],
    whole_rows: bool,
    n_columns: int,
    target: Cell | None = None,
) -> set[Cell] | None:
    """The next cells to hide: the choice that leaves the fewest hidden cells derivable, then
    the fewest people hidden, then the first in reading order (so that the result does not
    depend on anything but the table). Cell by cell, the choices are one cell beside an exposed
    one, or the three that close a rectangle with it: with row and column totals published a
    hidden cell needs a cycle of hidden cells to move along, and one cell at a time reduces no
    exposure until the cycle closes, so the cheapest single cells went first (3 groups with one
    small pass count: six cells hidden, where a rectangle of four protects it). ``audit``: the
    table's (derivable, unpublished) functions of a set of hidden cells. With ``target``
    (one exposed cell), the cheapest choice that protects that cell and its own cells, whatever
    stays exposed elsewhere, or None when none does."""
    derivable, unpublished = audit
    shown = everything - hidden
    focus = exposed if target is None else {target}
    if whole_rows:
        options = [_whole_rows({cell}, n_columns) for cell in sorted({(r, 0) for r, _ in shown})]
    else:
        near = {(r, c) for r, c in shown if any(r == x or c == y for x, y in focus)}
        options = [{cell} for cell in sorted(near or shown)]
        rows = sorted({r for r, _ in everything})
        for r, c in sorted(focus):
            for r2 in rows:
                for c2 in range(n_columns):
                    if r2 != r and c2 != c:
                        corners = {(r, c2), (r2, c), (r2, c2)} - hidden
                        if corners:
                            options.append(corners)

    # Ranked by people hidden, then reading order, the first option that leaves nothing
    # derivable is the best (none can leave fewer): only when none does are they all counted.
    ranked = sorted(options, key=lambda o: (sum(table[r][c] for r, c in o), min(o)))
    for option in ranked:
        cover = hidden | option
        free = unpublished(cover)
        covered = focus | option
        spared = given_by_margins if target is None else given_by_margins | (cover - covered)
        if not _stuck(cover, covered, free, spared) and not _derivable_count(
            table, cover, free, spared, 1, covered
        ):
            return option
    if target is not None:
        return None
    # None protects every cell: the fewest left derivable, the first in rank on a tie. A cell
    # with no partner in its column or row is derivable whatever else holds, so an option with
    # as many such cells as the best count so far cannot beat it and is not counted.
    best, best_count = ranked[0], len(derivable(hidden | ranked[0]) - given_by_margins)
    for option in ranked[1:]:
        cover = hidden | option
        free = unpublished(cover)
        if _stuck(cover, cover, free, given_by_margins) >= best_count:
            continue
        count = _derivable_count(table, cover, free, given_by_margins, best_count)
        if count < best_count:
            best, best_count = option, count
    return best


def _stuck(hidden: set[Cell], cells: set[Cell], free: set[int], given_by_margins: set[Cell]) -> int:
    """How many of ``cells`` are derivable on sight once ``hidden`` is hidden (a lower bound of
    those that are): a cell can only move along a cycle, so it needs another hidden cell in its
    column, and one in its row unless the row's total is unpublished (``free``)."""
    in_column: dict[int, int] = {}
    in_row: dict[int, int] = {}
    for r, c in hidden:
        in_column[c] = in_column.get(c, 0) + 1
        in_row[r] = in_row.get(r, 0) + 1
    return sum(
        1
        for r, c in cells - given_by_margins
        if in_column[c] < 2 or (r not in free and in_row[r] < 2)
    )


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
