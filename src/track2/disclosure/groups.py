"""Figures per group (a delegation's mean warmth, its change between surveys): which groups may
be shown. A group's figures are shown whole or not at all, and only when it counts at least k
respondents in every survey compared; complementary suppression then hides a further group when
one hidden group's figures could be worked out from the overall figures and the shown groups
(`cells.suppress` with whole rows, each survey's overall count being published)."""

from __future__ import annotations

from collections.abc import Sequence

from track2.disclosure.cells import suppress


def shown_groups(counts: Sequence[Sequence[int]], k: int) -> list[bool]:
    """`counts[g][s]`: respondents of group g in survey s. Whether each group may be shown."""
    if not counts:
        return []
    return suppress(counts, k, whole_rows=True).shown_rows


def is_total_shown(counts_per_survey: Sequence[int], k: int) -> bool:
    """Overall figures across all groups: shown when every survey compared has k respondents."""
    return bool(counts_per_survey) and all(n >= k for n in counts_per_survey)
