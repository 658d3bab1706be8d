"""The balance arithmetic against cases worked by hand."""

from __future__ import annotations

import pytest

from track2.facilitation.balance import ItemInterval, Turn, balance, from_totals


def test_shares_and_dominance_by_hand():
    # North 3 present, South 1: North holds 75 % of the people.
    # North speaks 60 s in two turns, South 140 s in two turns: 200 s, 4 turns.
    turns = [
        Turn("North", 0, 30),
        Turn("South", 30, 100),
        Turn("North", 100, 130),
        Turn("South", 130, 200),
    ]
    found = balance(turns, {"North": 3, "South": 1})
    north, south = found.sides
    assert (north.seconds, north.turns, south.seconds, south.turns) == (60, 2, 140, 2)
    assert north.share_of_time == pytest.approx(0.3)
    assert south.share_of_time == pytest.approx(0.7)
    assert north.share_present == pytest.approx(0.75)
    assert south.share_present == pytest.approx(0.25)
    assert north.share_of_turns == south.share_of_turns == pytest.approx(0.5)
    # South: 0.70 > 0.25 + 0.15 → dominates; North: 0.30 < 0.90.
    assert found.dominant == ("South",)


def test_the_margin_is_strict_and_needs_enough_turns():
    # 55 % of time for 40 % of the people: exactly the margin, not beyond it.
    turns = [Turn("A", 0, 55), Turn("B", 55, 100), Turn("B", 100, 100)]
    found = balance(turns, {"A": 2, "B": 3})
    assert found.sides[0].share_of_time == pytest.approx(0.55)
    assert found.dominant == ()
    # One long turn is no pattern yet (fewer than MIN_TURNS turns).
    assert balance([Turn("A", 0, 100)], {"A": 1, "B": 1}).dominant == ()
    assert balance([Turn("A", 0, 100)] * 3, {"A": 1, "B": 1}).dominant == ("A",)


def test_a_turn_spanning_two_items_is_split_and_counts_where_it_began():
    # Item 1 runs 0–100, item 2 runs 100–200. A North turn 80–130: 20 s in item 1, 30 s in item 2.
    intervals = [ItemInterval("1", 0, 100), ItemInterval("2", 100, 200)]
    found = balance(
        [Turn("North", 80, 130), Turn("South", 140, 150)], {"North": 1, "South": 1}, intervals
    )
    assert found.seconds_by_item == {"1": {"North": 20}, "2": {"North": 30, "South": 10}}
    assert found.turns_by_item == {"1": {"North": 1}, "2": {"South": 1}}
    assert found.sides[0].seconds == 50
    assert found.outside_agenda == 0


def test_a_paused_timer_leaves_the_turn_outside_the_agenda():
    # Item 1 runs 0–60, is paused 60–90, runs again 90–120. A turn 50–100: 10 s + 10 s in item 1,
    # 30 s while paused (outside the agenda); still 50 s for South in all.
    intervals = [ItemInterval("1", 0, 60), ItemInterval("1", 90, 120)]
    found = balance([Turn("South", 50, 100)], {"South": 2}, intervals)
    assert found.seconds_by_item == {"1": {"South": 20}}
    assert found.outside_agenda == 30
    assert found.sides[0].seconds == 50
    # A turn begun during the pause counts for no item.
    paused = balance([Turn("South", 70, 80)], {"South": 2}, intervals)
    assert paused.turns_by_item == {} and paused.outside_agenda == 10


def test_nobody_spoke_and_nobody_present():
    found = balance([], {"North": 0, "South": 0})
    assert [s.share_of_time for s in found.sides] == [0, 0]
    assert found.dominant == ()
    # A side that spoke without anyone present still shows, with no share of the people.
    extra = balance([Turn("Guests", 0, 10)], {"North": 2})
    assert [s.side for s in extra.sides] == ["North", "Guests"]
    assert extra.sides[1].share_present == 0


def test_totals_give_the_same_shares_as_turns():
    turns = [
        Turn("North", 0, 30),
        Turn("South", 30, 100),
        Turn("North", 100, 130),
        Turn("South", 130, 200),
    ]
    live = balance(turns, {"North": 3, "South": 1})
    kept = from_totals(
        {"North": 3, "South": 1}, {"North": 60, "South": 140}, {"North": 2, "South": 2}
    )
    assert live.sides == kept.sides


def test_a_turn_that_ends_before_it_starts_is_refused():
    with pytest.raises(ValueError, match="ends before"):
        balance([Turn("A", 10, 5)], {"A": 1})
