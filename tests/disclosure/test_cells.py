"""The small-cell rule with complementary suppression, against hand-computed tables and, as
a property, against a linear programme that tries to pin down each hidden cell."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from track2.disclosure.cells import derivable_cells, suppress


def _hidden(table, k, **kw):
    return set(suppress(table, k, **kw).hidden)


# --- hand-computed ----------------------------------------------------------------------------


def test_a_table_without_small_cells_is_shown_whole() -> None:
    assert _hidden([[5, 3], [4, 0], [3, 9]], 3) == set()


def test_one_small_cell_takes_a_row_partner_a_column_partner_and_the_corner() -> None:
    # 1 is small. With row and column totals known, hiding it alone gives it away (row total −
    # 7); hiding a square of four leaves every hidden cell free to move round the square.
    table = [[1, 7], [6, 5]]
    assert _hidden(table, 3) == {(0, 0), (0, 1), (1, 0), (1, 1)}
    table = [[1, 7, 8], [6, 5, 9], [4, 4, 4]]
    hidden = _hidden(table, 3)
    assert (0, 0) in hidden and len(hidden) == 4
    assert derivable_cells(table, hidden) == set()


def test_two_sides_one_under_k_one_above_both_hidden_when_the_room_total_is_known() -> None:
    # The mutation of issue 8: exactly two sides; the whole room's counts are printed, so the
    # large side's figures would give the small one away by subtraction.
    table = [[2, 0], [9, 3]]  # side A: 2 agree; side B: 9 agree, 3 not
    shown = suppress(table, 3, whole_rows=True).shown_rows
    assert shown == [False, False]
    assert suppress([[1, 1], [9, 3]], 3, whole_rows=True).shown_rows == [False, False]


def test_with_three_sides_the_smallest_shown_side_goes_with_the_hidden_one() -> None:
    table = [[8, 1], [4, 0], [3, 0]]  # A has one "not agree": hidden
    assert suppress(table, 3, whole_rows=True).shown_rows == [False, True, False]


def test_whole_rows_hide_a_side_of_fewer_than_k_voters_and_a_side_of_nobody() -> None:
    table = [[3, 3], [2, 0], [4, 5], [0, 0]]
    shown = suppress(table, 3, whole_rows=True).shown_rows
    assert shown[1] is False and shown[3] is False


def test_an_answer_nobody_gave_is_no_secret() -> None:
    # Nobody in the room disagreed: the room's count says so for every side; the rule does not
    # hide the whole table to pretend otherwise.
    table = [[5, 0], [2, 0], [6, 0]]
    hidden = _hidden(table, 3, whole_rows=True)
    assert hidden and hidden != {(r, c) for r in range(3) for c in range(2)}


def test_cell_by_cell_a_small_pass_count_hides_cells_not_groups() -> None:
    # Two groups of 47 and 40 votes; group 0's two passes are a small cell. Its whole row went
    # before; now the pass cell, and the cells that would give it away, and nothing else: each
    # group keeps its agree count, and both their votes.
    table = [[40, 5, 2], [10, 27, 3]]
    assert suppress(table, 3, whole_rows=True).shown_rows == [False, False]
    result = suppress(table, 3, small_rows=True)
    assert result.is_shown(0, 0) and result.is_shown(1, 0)
    assert not result.is_shown(0, 2) and result.hidden_totals == frozenset()
    # A group of two votes goes whole, its total with it.
    result = suppress([[40, 5, 2], [1, 1, 0], [10, 27, 3]], 3, small_rows=True)
    assert result.hidden_totals == {1} and not any(result.is_shown(1, c) for c in range(3))
    with pytest.raises(ValueError, match="small_rows"):
        suppress(table, 3, whole_rows=True, small_rows=True)


def test_two_small_cells_far_apart_each_get_a_cycle_of_small_cells() -> None:
    """ssis.land-bank-farmland, a statement's groups × (agree, disagree, pass): group 0's one
    disagree and group 3's one agree. One rectangle through both hid group 0's 102 agrees (139
    people); a cycle for each through the pass column hides as many answer counts and 56 people,
    and the largest group's agree share on its own representative statement stays shown."""
    table = [[102, 1, 7], [20, 7, 47], [4, 38, 3], [1, 35, 5]]
    result = suppress(table, 3, small_rows=True, worth=(1, 1, 0))
    assert result.is_shown(0, 0) and not result.is_shown(0, 1) and not result.is_shown(3, 0)
    assert sum(table[r][c] for r, c in result.hidden) == 56
    assert sorted(result.hidden) == [(0, 1), (0, 2), (2, 0), (2, 2), (3, 0), (3, 1), (3, 2)]
    # every column weighed alike, the rectangle hides fewer cells (4 against 7) and is kept
    assert sorted(suppress(table, 3, small_rows=True).hidden) == [(0, 0), (0, 1), (3, 0), (3, 1)]
    with pytest.raises(ValueError, match="one value per column"):
        suppress(table, 3, worth=(1, 1))


def test_k_and_tables_are_checked() -> None:
    with pytest.raises(ValueError, match="k must be"):
        suppress([[1]], 0)
    with pytest.raises(ValueError, match="same number of columns"):
        suppress([[1, 2], [3]], 3)
    with pytest.raises(ValueError, match="whole numbers"):
        suppress([[1, -2]], 3)
    with pytest.raises(ValueError, match="at least one row"):
        suppress([], 3)


# --- the property -----------------------------------------------------------------------------


def _range(table, hidden, cell, free_rows):
    """Smallest and largest value of ``cell`` over all tables of counts ≥ 0 that agree with the
    shown cells, the column totals and the totals of the rows not in ``free_rows``. The margin
    constraints are totally unimodular, so the linear programme's optimum is a whole number."""
    table = np.asarray(table)
    cells = sorted(hidden)
    index = {c: i for i, c in enumerate(cells)}
    rows_eq, rhs = [], []
    n_rows, n_cols = table.shape
    for r in range(n_rows):
        if r in free_rows:
            continue
        line = [index[(r, c)] for c in range(n_cols) if (r, c) in index]
        if line:
            a = np.zeros(len(cells))
            a[line] = 1
            rows_eq.append(a)
            rhs.append(sum(table[r, c] for c in range(n_cols) if (r, c) in index))
    for c in range(n_cols):
        line = [index[(r, c)] for r in range(n_rows) if (r, c) in index]
        if line:
            a = np.zeros(len(cells))
            a[line] = 1
            rows_eq.append(a)
            rhs.append(sum(table[r, c] for r in range(n_rows) if (r, c) in index))
    objective = np.zeros(len(cells))
    objective[index[cell]] = 1
    bounds = [(0, None)] * len(cells)
    low = linprog(objective, A_eq=np.array(rows_eq), b_eq=rhs, bounds=bounds, method="highs")
    high = linprog(-objective, A_eq=np.array(rows_eq), b_eq=rhs, bounds=bounds, method="highs")
    assert low.status == 0 and high.status == 0
    return round(low.fun), round(-high.fun)


tables = st.integers(1, 4).flatmap(
    lambda rows: st.integers(1, 3).flatmap(
        lambda cols: st.lists(
            st.lists(st.integers(0, 7), min_size=cols, max_size=cols), min_size=rows, max_size=rows
        )
    )
)


@settings(max_examples=400, deadline=None)
@given(
    table=tables,
    k=st.integers(2, 5),
    mode=st.sampled_from(["cells", "whole", "small"]),
    spare_last=st.booleans(),
)
def test_no_hidden_cell_can_be_derived_from_shown_cells_and_totals(
    table, k, mode, spare_last
) -> None:
    whole_rows, small_rows = mode == "whole", mode == "small"
    # the last column worth nothing (as the answers' pass counts): the other order is kept more
    worth = [1] * (len(table[0]) - 1) + [0] if spare_last else None
    result = suppress(table, k, whole_rows=whole_rows, small_rows=small_rows, worth=worth)
    everything = {(r, c) for r in range(len(table)) for c in range(len(table[0]))}
    short = {r for r in range(len(table)) if sum(table[r]) < k}
    # Every small cell is hidden, and rows go whole when asked.
    for r, c in everything:
        if 0 < table[r][c] < k:
            assert not result.is_shown(r, c)
    if whole_rows:
        for r in range(len(table)):
            assert result.is_row_shown(r) or not any(
                result.is_shown(r, c) for c in range(len(table[0]))
            )
    # Cell by cell: a row of fewer than k people goes whole, its total with it; only its total.
    if small_rows:
        assert all(not result.is_shown(r, c) for r, c in everything if r in short)
        assert result.hidden_totals == frozenset(short)
    if mode == "cells":
        assert result.hidden_totals == frozenset()
    # Whatever a reader works out must already follow from the totals alone.
    free = {r for r, _ in result.hidden} if whole_rows else short if small_rows else set()
    free_all = set(range(len(table))) if whole_rows else short if small_rows else set()
    if whole_rows:
        assert result.hidden_totals == frozenset(free)
    for cell in result.hidden:
        low, high = _range(table, result.hidden, cell, free)
        assert low <= table[cell[0]][cell[1]] <= high
        if low == high:
            assert _range(table, everything, cell, free_all) == (low, high), (table, cell)


@settings(max_examples=150, deadline=None)
@given(table=tables, data=st.data())
def test_derivable_cells_agrees_with_the_linear_programme(table, data) -> None:
    everything = sorted({(r, c) for r in range(len(table)) for c in range(len(table[0]))})
    hidden = set(data.draw(st.lists(st.sampled_from(everything), min_size=1, unique=True)))
    free = set(data.draw(st.lists(st.sampled_from(range(len(table))), unique=True)))
    pinned = derivable_cells(table, hidden, free)
    for cell in hidden:
        low, high = _range(table, hidden, cell, free)
        assert (low == high) == (cell in pinned), (table, hidden, free, cell)


def test_drawn_on_needs_k_people_and_a_fifth_of_the_row() -> None:
    from track2.disclosure.cells import drawn_on

    table = [[10, 2], [2, 2], [332, 10], [60, 40], [3, 12], [3, 0], [3, 1], [3, 2], [3, 3]]
    assert drawn_on(table, 3) == [
        [True, False],  # 2 is under k
        None,  # a group of four: under 2k - 1 people, nothing said
        [True, False],  # 10 of 342 is no fifth
        [True, True],  # a group that cuts across
        [True, True],  # 3 of 15: k, and exactly a fifth
        None,  # a group of exactly k named by one side would say no one else is in it
        None,  # nor may a "no" narrow a cell to 0 or 1
        [True, False],  # five: the "no" leaves 0, 1 or 2
        [True, True],
    ]
    with pytest.raises(ValueError):
        drawn_on([[1, -1]], 3)


def test_the_report_line_of_a_group_no_side_makes_up() -> None:
    from track2.reports.analysis import _crossed_line

    assert _crossed_line({"group": 2, "sides": None}, 3) == (
        "Group 2: fewer than 5 participants, too few to say"
    )
    assert _crossed_line({"group": 4, "sides": []}, 3) == (
        "Group 4: no side makes up 20% of it with 3 or more"
    )
    assert (
        _crossed_line({"group": 1, "sides": ["A", "B"]}, 3)
        == "Group 1: A, B (cuts across the sides)"
    )
