"""The balance dashboard: counts, continuity and each warning rule."""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse

from track2.dialogues.balance import DelegationBalance, Thresholds, balance_warnings, build_balance
from track2.meetings.models import MeetingParticipant

LIMITS = Thresholds(
    min_members_per_side=3,
    max_side_ratio=Decimal("1.5"),
    max_gender_share=75,
    required_sectors=("academia",),
)


def side(name, size, sectors=None, genders=None):
    return DelegationBalance(name, "side", name, size, sectors or {"academia": size}, genders or {})


def test_balanced_sides_have_no_warnings():
    assert (
        balance_warnings(
            [
                side("A", 3, genders={"woman": 2, "man": 1}),
                side("B", 4, genders={"woman": 2, "man": 2}),
            ],
            LIMITS,
        )
        == []
    )


def test_under_represented_side():
    warnings = balance_warnings([side("A", 2), side("B", 3)], LIMITS)
    assert any("A has 2 members, fewer than the 3" in w for w in warnings)


def test_uneven_sides():
    warnings = balance_warnings([side("A", 3), side("B", 5)], LIMITS)
    assert any("Sides are uneven: B has 5 members, A has 3" in w for w in warnings)
    assert not any("uneven" in w for w in balance_warnings([side("A", 4), side("B", 6)], LIMITS))


def test_missing_required_sector():
    warnings = balance_warnings([side("A", 3, sectors={"business": 3}), side("B", 3)], LIMITS)
    assert warnings == ["A has nobody from academia, a sector every side should include."]


def test_gender_imbalance_counts_recorded_genders_only():
    warnings = balance_warnings(
        [side("A", 4, genders={"man": 4}), side("B", 4, genders={"woman": 1, "": 3})], LIMITS
    )
    assert len(warnings) == 1 and "A is 100% man" in warnings[0]


def test_no_sides_yet():
    assert balance_warnings([], LIMITS) == [
        "No side delegations yet: add the parties and their delegations."
    ]


def test_build_balance_counts_and_continuity(world):
    MeetingParticipant.objects.create(
        meeting=world.past_meeting, person=world.persons["arin"], status="attended"
    )
    MeetingParticipant.objects.create(
        meeting=world.past_meeting, person=world.persons["bo"], status="absent"
    )
    report = build_balance(world.dialogue)
    caldera = next(d for d in report.delegations if d.name == world.caldera.name)
    assert caldera.size == 2
    assert caldera.by_sector == {"academia": 1, "business": 1}
    assert caldera.by_gender == {"woman": 1, "man": 1}
    assert report.held_meetings == [
        (world.past_meeting.pk, "Round 1")
    ]  # the future round is not held yet
    rows = {r.person: r for r in report.attendance}
    assert rows["Arin Solvei"].statuses == ("attended",) and rows["Arin Solvei"].attended == 1
    assert rows["Bo Tarn"].statuses == ("absent",)
    assert rows["Cyra Vell"].statuses == ("",)
    assert report.continuity_percent == 20.0  # 1 of 5 delegation members attended every held round
    assert any("fewer than the 4" in w for w in report.warnings)


def test_thresholds_are_dialogue_settings(world):
    world.dialogue.min_members_per_side = 2
    world.dialogue.save()
    assert not any("fewer than" in w for w in build_balance(world.dialogue).warnings)


def test_dashboard_page_shows_warnings(world, signed_in):
    response = signed_in(world.users["convener"]).get(
        reverse("dialogues:balance", args=[world.dialogue.pk])
    )
    assert b"fewer than the 4 this dialogue asks of each side" in response.content
    assert b"Attendance continuity" in response.content
