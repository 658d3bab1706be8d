"""The pure rules of the disclosure layer, by hand."""

from __future__ import annotations

import pytest

from track2.disclosure import attribution as modes
from track2.disclosure.attendance import attendance_counts
from track2.disclosure.capacity import is_flagged_personal_capacity, personal_capacity_label
from track2.disclosure.status import STATUS_LINE, status_line, with_status_line
from track2.disclosure.threshold import K_MAXIMUM, K_MINIMUM, effective_k, k_problem


def test_k_floor_and_ceiling() -> None:
    assert K_MINIMUM == 3  # pinned: a cell of two lets each of the two name the other
    assert k_problem(3, 3) is None and k_problem(5, 5) is None and k_problem(K_MAXIMUM, 3) is None
    assert "below this site's floor of 3" in k_problem(2, 3)
    assert "below this site's floor of 5" in k_problem(4, 5)
    assert "above 50" in k_problem(2**63, 3)
    assert "whole number" in k_problem("3", 3) and "whole number" in k_problem(True, 3)
    assert effective_k(2, 3) == 3 and effective_k(7, 3) == 7 and effective_k(None, 4) == 4
    assert effective_k(2, 1) == 3  # never below three, whatever the floor says


def test_personal_capacity_only_for_serving_officials_in_track_1_5() -> None:
    assert is_flagged_personal_capacity("serving_official", "track1_5")
    assert not is_flagged_personal_capacity("serving_official", "track2")
    assert not is_flagged_personal_capacity("former_diplomat", "track1_5")
    assert (
        personal_capacity_label("serving_official", "track1_5")
        == "serving official, in a personal capacity"
    )
    assert personal_capacity_label("academia", "track1_5") is None


def test_status_line() -> None:
    assert STATUS_LINE == "Unofficial. Non-binding. Participants took part in a personal capacity."
    assert status_line() == STATUS_LINE
    assert with_status_line(["a"]) == [STATUS_LINE, "a"]


@pytest.mark.parametrize(
    ("mode", "reader", "content", "authors", "aggregates"),
    [
        ("on_record", "outside", True, True, True),
        ("chatham_house", "member", True, False, True),
        ("chatham_house", "outside", True, False, True),
        ("off_record", "member", True, False, True),
        ("off_record", "dialogue", False, False, True),
        ("off_record", "outside", False, False, True),
        ("closed", "member", True, True, True),
        ("closed", "dialogue", False, False, False),
        ("closed", "outside", False, False, False),
    ],
)
def test_attribution_modes(mode, reader, content, authors, aggregates) -> None:
    seen = modes.attribution_of(mode, reader)
    assert (seen.sees_content, seen.sees_authors, seen.sees_aggregates) == (
        content,
        authors,
        aggregates,
    )


def test_attribution_modes_cover_the_models_choices_and_refuse_unknown_ones() -> None:
    from track2.dialogues.models import AttributionMode

    assert set(modes.MODES) == set(AttributionMode.values)
    assert modes.DEFAULT_MODE == AttributionMode.CHATHAM_HOUSE
    for mode in modes.MODES:
        assert modes.mode_help(mode) in modes.modes_help()
    with pytest.raises(ValueError, match="unknown attribution mode"):
        modes.attribution_of("public", "member")
    with pytest.raises(ValueError, match="unknown reader"):
        modes.attribution_of("closed", "admin")


def test_attendance_counts_only_for_readers_of_the_list() -> None:
    statuses = ["invited", "declined", "confirmed", "confirmed"]
    assert attendance_counts(statuses, sees_list=True) == {
        "invited": 1,
        "declined": 1,
        "confirmed": 2,
    }
    assert attendance_counts(statuses, sees_list=False) is None


def test_the_rules_import_no_django() -> None:
    import subprocess
    import sys

    code = (
        "import sys, track2.disclosure as d; "
        "import track2.disclosure.cells, track2.disclosure.threshold, track2.disclosure.capacity, "
        "track2.disclosure.status, track2.disclosure.attribution, track2.disclosure.attendance; "
        "assert not [m for m in sys.modules if m.split('.')[0] == 'django'], 'django imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)  # noqa: S603 - our own interpreter
