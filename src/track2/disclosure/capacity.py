"""Who is shown as taking part "in a personal capacity", and how.

Everyone in a Track 2 or Track 1.5 dialogue takes part in a personal capacity (the status
line says so on every output). A serving official — admitted only to Track 1.5 — is the one
person whose presence could be read as their government's: every list that shows them says,
beside their name, that they are there in a personal capacity. One rule, one wording.
"""

from __future__ import annotations

TRACK_1_5 = "track1_5"
SERVING_OFFICIAL = "serving_official"

PERSONAL_CAPACITY_LABEL = "serving official, in a personal capacity"


def is_flagged_personal_capacity(sector: str, track: str) -> bool:
    """Whether a person of ``sector`` in a dialogue of ``track`` is flagged beside their name."""
    return sector == SERVING_OFFICIAL and track == TRACK_1_5


def personal_capacity_label(sector: str, track: str) -> str | None:
    """The words shown beside the person's name, or None when nothing is shown."""
    return PERSONAL_CAPACITY_LABEL if is_flagged_personal_capacity(sector, track) else None
