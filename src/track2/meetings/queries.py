"""Reads about meetings that pages, the API, e-mails and the calendar share."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Sum
from django.utils.translation import gettext as _

from track2.meetings.models import Meeting, MeetingParticipant
from track2.time_zones import is_time_zone

# People who hold or are offered a seat: what a venue's capacity is measured against.
SEAT_TAKING = (
    MeetingParticipant.Status.INVITED,
    MeetingParticipant.Status.CONFIRMED,
    MeetingParticipant.Status.ATTENDED,
)


def seats_taken(meeting: Meeting, excluding: MeetingParticipant | None = None) -> int:
    seats = meeting.participants.filter(status__in=SEAT_TAKING)
    if excluding is not None:
        seats = seats.exclude(pk=excluding.pk)
    return seats.count()


@dataclass(frozen=True)
class ZonedTimes:
    zone: str
    starts: datetime
    ends: datetime


def meeting_times(
    meeting: Meeting, viewer_zone: str | None
) -> tuple[ZonedTimes, ZonedTimes | None]:
    """The meeting's times in its own zone, and in the viewer's zone when that differs."""
    own = zoneinfo.ZoneInfo(meeting.time_zone)
    planned = ZonedTimes(
        meeting.time_zone, meeting.starts_at.astimezone(own), meeting.ends_at.astimezone(own)
    )
    if not viewer_zone or viewer_zone == meeting.time_zone or not is_time_zone(viewer_zone):
        return planned, None
    theirs = zoneinfo.ZoneInfo(viewer_zone)
    return planned, ZonedTimes(
        viewer_zone, meeting.starts_at.astimezone(theirs), meeting.ends_at.astimezone(theirs)
    )


@dataclass(frozen=True)
class AgendaTiming:
    agenda_minutes: int
    meeting_minutes: int

    @property
    def is_over(self) -> bool:
        return self.agenda_minutes > self.meeting_minutes


def agenda_timing(meeting: Meeting) -> AgendaTiming:
    total = meeting.agenda_items.aggregate(total=Sum("duration_minutes"))["total"] or 0
    length = int((meeting.ends_at - meeting.starts_at).total_seconds() // 60)
    return AgendaTiming(total, length)


def agenda_warning(meeting: Meeting, timing: AgendaTiming | None = None) -> str | None:
    timing = timing or agenda_timing(meeting)
    if timing.is_over:
        return _(
            "The agenda takes %(agenda)d minutes but the meeting lasts %(length)d minutes: shorten items "
            "or extend the meeting."
        ) % {"agenda": timing.agenda_minutes, "length": timing.meeting_minutes}
    return None
