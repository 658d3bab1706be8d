"""Retention for survey answers (track2.operations.retention), registered as an eraser.

Surveys are the dialogue's measure across meetings (before/after pairs), so "aggregates only" at
a meeting's end leaves them alone. The whole dialogue's content due for deletion: every answer to
its surveys goes (numbers and free text); the surveys themselves (round, phase) stay.
"""

from __future__ import annotations

from track2.impact.models import Response
from track2.operations.retention import register_eraser


@register_eraser("survey answers")
def erase_survey_answers(dialogue, *, meeting=None, aggregates_only=False) -> int:
    if meeting is not None:
        return 0
    return Response.objects.filter(survey__dialogue=dialogue).delete()[0]
