"""Retention for facilitation (track2.operations.retention), registered as an eraser.

A meeting that ended under "aggregates only": its turns become totals per delegation, its caucus
polls and statements keep their counts and lose who answered or voted, held caucus notes and
statements (the only ones linked to a writer) go. The whole dialogue's content due for deletion: the floors' turns and totals, the
caucus rooms and the records go.
"""

from __future__ import annotations

from django.db import transaction

from track2.facilitation.actions import aggregate_turns
from track2.facilitation.models import (
    Caucus,
    CaucusAnswer,
    CaucusNote,
    CaucusPoll,
    CaucusStatement,
    CaucusVote,
    Hand,
    RecordVersion,
    SpeakingTotal,
    Turn,
)
from track2.operations.retention import register_eraser


@register_eraser("floor, caucus rooms and records")
@transaction.atomic
def erase_facilitation(dialogue, *, meeting=None, aggregates_only=False) -> int:
    if meeting is not None:
        done = Hand.objects.filter(meeting=meeting).delete()[0]
        # A turn nobody ended ends with the meeting.
        Turn.objects.filter(meeting=meeting, ended_at__isnull=True).update(ended_at=meeting.ends_at)
        done += aggregate_turns(meeting, by_item=False)
        for poll in CaucusPoll.objects.filter(caucus__meeting=meeting, kept_counts__isnull=True):
            answers = list(poll.answers.values_list("choice", flat=True))
            if answers:
                poll.kept_counts = [answers.count(i) for i in range(len(poll.options))]
                poll.save(update_fields=["kept_counts"])
                done += poll.answers.all().delete()[0]
        for statement in CaucusStatement.objects.filter(
            caucus__meeting=meeting, kept_counts__isnull=True
        ):
            votes = list(statement.votes.values_list("vote", flat=True))
            if votes:
                statement.kept_counts = [votes.count(1), votes.count(-1), votes.count(0)]
                statement.save(update_fields=["kept_counts"])
                done += statement.votes.all().delete()[0]
        for held in (CaucusNote, CaucusStatement):
            done += held.objects.filter(caucus__meeting=meeting, held_for__isnull=False).delete()[0]
        return done
    meetings = {"meeting__dialogue": dialogue}
    done = 0
    for model in (Hand, Turn, SpeakingTotal, RecordVersion):
        done += model.objects.filter(**meetings).delete()[0]
    done += CaucusAnswer.objects.filter(poll__caucus__meeting__dialogue=dialogue).delete()[0]
    done += CaucusVote.objects.filter(statement__caucus__meeting__dialogue=dialogue).delete()[0]
    done += Caucus.objects.filter(**meetings).delete()[0]
    return done
