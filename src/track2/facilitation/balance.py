"""Speaking balance: who had the floor, for how long, against who is in the room.

Pure functions over plain tuples (no database, no web): the facilitator's console and the tests
call them alike. Times are seconds (floats) on one clock; an interval is (start, end), end > start.

The rule (docs/facilitation.md): a side *dominates* when its share of speaking time exceeds its
share of the people present by more than DOMINANCE_MARGIN (15 percentage points), once at least
MIN_TURNS turns have been given — before that one long answer would raise a warning on its own.

Per agenda item, a turn's seconds are split by the item's running intervals: the part of a turn
spoken while the agenda timer was paused belongs to no item (it is reported as `outside_agenda`)
but still counts for the side's total. A turn counts as one turn for the item in which it began.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

DOMINANCE_MARGIN = 0.15
MIN_TURNS = 3


@dataclass(frozen=True)
class Turn:
    side: str
    start: float
    end: float


@dataclass(frozen=True)
class ItemInterval:
    item: str
    start: float
    end: float


@dataclass(frozen=True)
class SideShare:
    side: str
    seconds: float
    turns: int
    present: int
    share_of_time: float  # 0…1; 0 when nobody has spoken yet
    share_of_turns: float
    share_present: float
    dominates: bool


@dataclass(frozen=True)
class Balance:
    sides: tuple[SideShare, ...]
    total_seconds: float
    total_turns: int
    # item → side → seconds spoken while that item's timer ran
    seconds_by_item: Mapping[str, Mapping[str, float]]
    # item → side → turns that began while that item's timer ran
    turns_by_item: Mapping[str, Mapping[str, int]]
    outside_agenda: float  # seconds spoken while no item's timer ran

    @property
    def dominant(self) -> tuple[str, ...]:
        return tuple(s.side for s in self.sides if s.dominates)


def overlap(a_start: float, a_end: float, b_start: float, b_end: float) -> float:
    return max(0.0, min(a_end, b_end) - max(a_start, b_start))


def _share(part: float, whole: float) -> float:
    return part / whole if whole > 0 else 0.0


def balance(
    turns: Iterable[Turn],
    present: Mapping[str, int],
    intervals: Iterable[ItemInterval] = (),
    *,
    margin: float = DOMINANCE_MARGIN,
    min_turns: int = MIN_TURNS,
) -> Balance:
    """Seconds and turns per side and per item, and each side's shares against `present`
    (side → people present). A side that spoke but has nobody present still appears."""
    turns = list(turns)
    intervals = list(intervals)
    for t in turns:
        if t.end < t.start:
            raise ValueError(f"a turn ends before it starts: {t}")
    for i in intervals:
        if i.end < i.start:
            raise ValueError(f"an interval ends before it starts: {i}")
    sides = list(present) + sorted({t.side for t in turns} - set(present))
    seconds = dict.fromkeys(sides, 0.0)
    counts = dict.fromkeys(sides, 0)
    by_item: dict[str, dict[str, float]] = {}
    turns_by_item: dict[str, dict[str, int]] = {}
    in_agenda = 0.0
    for t in turns:
        seconds[t.side] += t.end - t.start
        counts[t.side] += 1
        for i in intervals:
            spoken = overlap(t.start, t.end, i.start, i.end)
            if spoken > 0:
                row = by_item.setdefault(i.item, {})
                row[t.side] = row.get(t.side, 0.0) + spoken
                in_agenda += spoken
            if i.start <= t.start < i.end:
                row_t = turns_by_item.setdefault(i.item, {})
                row_t[t.side] = row_t.get(t.side, 0) + 1
    total = sum(seconds.values())
    return from_totals(
        present,
        seconds,
        counts,
        by_item,
        turns_by_item,
        outside_agenda=total - in_agenda,
        margin=margin,
        min_turns=min_turns,
    )


def from_totals(
    present: Mapping[str, int],
    seconds: Mapping[str, float],
    turns: Mapping[str, int],
    seconds_by_item: Mapping[str, Mapping[str, float]] | None = None,
    turns_by_item: Mapping[str, Mapping[str, int]] | None = None,
    *,
    outside_agenda: float = 0.0,
    margin: float = DOMINANCE_MARGIN,
    min_turns: int = MIN_TURNS,
) -> Balance:
    """The shares and the warning from totals per side (what a closed floor keeps)."""
    sides = list(present) + sorted((set(seconds) | set(turns)) - set(present))
    total = float(sum(seconds.values()))
    total_turns = sum(turns.values())
    people = sum(present.values())
    shares = []
    for side in sides:
        of_time = _share(seconds.get(side, 0.0), total)
        of_present = _share(present.get(side, 0), people)
        shares.append(
            SideShare(
                side=side,
                seconds=float(seconds.get(side, 0.0)),
                turns=turns.get(side, 0),
                present=present.get(side, 0),
                share_of_time=of_time,
                share_of_turns=_share(turns.get(side, 0), total_turns),
                share_present=of_present,
                dominates=total_turns >= min_turns and of_time > of_present + margin,
            )
        )
    return Balance(
        sides=tuple(shares),
        total_seconds=total,
        total_turns=total_turns,
        seconds_by_item=seconds_by_item or {},
        turns_by_item=turns_by_item or {},
        outside_agenda=outside_agenda,
    )
