"""What a member sees of a meeting's attendance list.

A confidential list is the conveners' alone: a per-status count such as "declined: 1" on a
list of a dozen people names someone to anyone who knows who was expected. So whoever may
not read the list sees no counts at all, only that the list is confidential.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable


def attendance_counts(statuses: Iterable[str], *, sees_list: bool) -> dict[str, int] | None:
    """Per-status counts for a reader allowed to read the list itself; None for anyone else."""
    if not sees_list:
        return None
    return dict(Counter(statuses))
