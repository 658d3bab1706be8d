"""k: the smallest number of people a breakdown may show in a cell.

Each dialogue has its own k; the site's ``TRACK2_K_ANONYMITY`` is the default for new
dialogues and the floor under every dialogue and every report, so that one convener's
setting (or one command-line option) cannot weaken what the site promises. Below 3 the
rule protects nobody (a cell of two lets each of the two people name the other), so the
floor itself is at least 3.
"""

from __future__ import annotations

K_MINIMUM = 3
K_MAXIMUM = 50  # beyond this every breakdown of a dialogue-sized group is hidden


def k_problem(value: object, floor: int) -> str | None:
    """What is wrong with ``value`` as a dialogue's (or a report's) k, or None if it is fine."""
    if isinstance(value, bool) or not isinstance(value, int):
        return f"k must be a whole number from {floor} to {K_MAXIMUM}."
    if value < floor:
        return (
            f"k = {value} is below this site's floor of {floor} (TRACK2_K_ANONYMITY): "
            f"choose {floor} or more."
        )
    if value > K_MAXIMUM:
        return f"k = {value} is above {K_MAXIMUM}: every breakdown would be hidden; choose less."
    return None


def effective_k(value: int | None, floor: int) -> int:
    """The k a breakdown uses: the dialogue's own, never below the floor (a dialogue saved
    before the floor was raised is read at the floor until its data migration runs)."""
    return max(value or floor, floor, K_MINIMUM)
