"""Reads about dialogues that pages, the API and the calendar share."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from track2.dialogues.models import (
    Delegation,
    DelegationMember,
    Dialogue,
    Meeting,
    MeetingParticipant,
    Membership,
    Venue,
)
from track2.people.models import Candidacy, Person
from track2.time_zones import is_time_zone

CLOSED_CANDIDACY = (Candidacy.Status.DECLINED, Candidacy.Status.WITHDRAWN)


def persons_of(dialogue: Dialogue):
    """People a convener of this dialogue may refer to: candidates and delegation members.
    (Anyone else's id is treated as unknown, so no person outside the dialogue can be probed.)"""
    return (
        Person.objects.filter(
            Q(candidacies__dialogue=dialogue) | Q(delegation_seats__dialogue=dialogue),
            institution_id=dialogue.institution_id,
        )
        .distinct()
        .order_by("full_name")
    )


def seated_persons(dialogue: Dialogue):
    """Delegation members: the people who may lead an agenda item or be asked to a meeting.
    (Candidates who are not seated stay a convener's matter.)"""
    return Person.objects.filter(delegation_seats__dialogue=dialogue).order_by("full_name")


def seatable_persons(dialogue: Dialogue):
    """Candidates still in the running who are not yet in a delegation: what the seat form offers.
    (The rule itself is `actions.check_seat_in_delegation`; this only spares a convener choices
    that would be refused.)"""
    return (
        Person.objects.filter(candidacies__dialogue=dialogue)
        .exclude(candidacies__dialogue=dialogue, candidacies__status__in=CLOSED_CANDIDACY)
        .exclude(delegation_seats__dialogue=dialogue)
        .distinct()
        .order_by("full_name")
    )


def person_of_user(user) -> Person | None:
    if user is None or not user.is_authenticated:
        return None
    return Person.objects.filter(user=user).first()


def own_seat(user, dialogue: Dialogue) -> DelegationMember | None:
    person = person_of_user(user)
    if person is None:
        return None
    return (
        DelegationMember.objects.filter(dialogue=dialogue, person=person)
        .select_related("delegation")
        .first()
    )


def delegations_with_counts(dialogue: Dialogue):
    return (
        Delegation.objects.filter(dialogue=dialogue)
        .select_related("party")
        .annotate(member_count=Count("members"))
        .order_by("kind", "name")
    )


def members_of(delegation: Delegation):
    return delegation.members.select_related("person").order_by("person__full_name")


def members_by_delegation(dialogue: Dialogue, delegation_ids) -> dict[int, list[DelegationMember]]:
    """The rosters of several delegations in one query (same order as members_of)."""
    rosters: dict[int, list[DelegationMember]] = {pk: [] for pk in delegation_ids}
    seats = (
        DelegationMember.objects.filter(dialogue=dialogue, delegation_id__in=rosters)
        .select_related("person")
        .order_by("person__full_name")
    )
    for seat in seats:
        rosters[seat.delegation_id].append(seat)
    return rosters


def neutrality_warning(dialogue: Dialogue, venue: Venue | None, parties=None) -> str | None:
    """A warning when the venue is in the country of one of the parties in tension.
    `parties`: the dialogue's parties when a caller checks many venues (read once)."""
    if venue is None or not venue.country or venue.kind == Venue.Kind.VIRTUAL:
        return None
    country = venue.country.strip().casefold()
    for party in dialogue.parties.all() if parties is None else parties:
        if party.country and party.country.strip().casefold() == country:
            return _(
                "%(venue)s is in %(country)s, the country of %(party)s, one of the parties. The other side "
                "may not see it as neutral ground; consider a third country or say why this host is acceptable."
            ) % {"venue": venue.name, "country": venue.country, "party": party.name}
    return None


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


def participant_counts(meeting: Meeting) -> dict[str, int]:
    """Status label → how many on the meeting's list, in the statuses' own order (one query)."""
    found = dict(meeting.participants.order_by().values_list("status").annotate(n=Count("pk")))
    return {status.label: found.get(status.value, 0) for status in MeetingParticipant.Status}


def meetings_for_user(user):
    """Every meeting of every dialogue the user belongs to (for the private feed)."""
    dialogue_ids = Membership.objects.filter(user=user).values("dialogue_id")
    return (
        Meeting.objects.filter(dialogue_id__in=dialogue_ids)
        .select_related("venue", "dialogue")
        .order_by("starts_at")
    )
