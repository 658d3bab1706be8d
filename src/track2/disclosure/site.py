"""The disclosure rules, connected to Django: the site's floor for k, a dialogue's k, the
model validator and default, and the personal-capacity rule for a person in a dialogue."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError

from track2.disclosure.capacity import is_flagged_personal_capacity, personal_capacity_label
from track2.disclosure.threshold import K_MINIMUM, effective_k, k_problem


def k_floor() -> int:
    """TRACK2_K_ANONYMITY: the default for new dialogues and the floor under every one."""
    return max(int(getattr(settings, "TRACK2_K_ANONYMITY", K_MINIMUM)), K_MINIMUM)


def default_k() -> int:
    return k_floor()


def validate_k(value) -> None:
    problem = k_problem(value, k_floor())
    if problem:
        raise ValidationError(problem, code="k_anonymity")


def k_of(dialogue) -> int:
    """The k every breakdown of ``dialogue`` uses."""
    return effective_k(getattr(dialogue, "k_anonymity", None), k_floor())


def capacity_label_of(person, dialogue) -> str | None:
    return personal_capacity_label(person.sector, dialogue.track)


def is_shown_in_personal_capacity(person, dialogue) -> bool:
    return is_flagged_personal_capacity(person.sector, dialogue.track)
