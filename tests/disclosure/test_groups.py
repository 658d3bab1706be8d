"""Which groups' survey figures may be shown: whole groups, k in every survey, and a second group
hidden with a lone hidden one."""

from track2.disclosure import is_total_shown, shown_groups


def test_groups_at_or_above_k_in_every_survey_are_shown():
    assert shown_groups([[3, 4], [5, 3]], 3) == [True, True]


def test_a_lone_small_group_takes_a_second_with_it():
    # Without the complement, the overall count minus the shown group's would give the hidden one.
    assert shown_groups([[3, 2], [5, 4], [6, 6]], 3).count(False) >= 2
    assert shown_groups([[3, 2], [5, 4], [6, 6]], 3)[0] is False


def test_no_groups_and_totals():
    assert shown_groups([], 3) == []
    assert is_total_shown([3, 7], 3) and not is_total_shown([3, 2], 3)
    assert not is_total_shown([], 3)
