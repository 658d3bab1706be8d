"""Who may see which meeting, venue address, agenda item and attendance list.

`access_meeting` loads through `access_dialogue`, so an outsider gets the same NotFound for a
meeting of a dialogue they are not in as for a meeting that does not exist; what it returns,
a MeetingAccess, answers every question a page or the API asks about the viewer.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property

from django.utils.translation import gettext_lazy

from track2.access import (
    DialogueAccess,
    NotFound,
    access_dialogue,
    dialogue_access,
    is_signed_in,
    one_of,
)
from track2.dialogues.models import Membership
from track2.errors import ActionRefused
from track2.meetings.models import AgendaItem, Meeting, MeetingParticipant
from track2.people.models import Person

# Statuses that make someone a confirmed member of a meeting (they may see a private address).
CONFIRMED_STATUSES = (MeetingParticipant.Status.CONFIRMED, MeetingParticipant.Status.ATTENDED)

_UNREAD = object()


def own_meeting_seat(user, meeting: Meeting) -> MeetingParticipant | None:
    """The viewer's own place on a meeting's list (shown to them even when the list is
    confidential: it is about them)."""
    if not is_signed_in(user):
        return None
    return (
        MeetingParticipant.objects.filter(meeting=meeting, person__user=user)
        .select_related("person")
        .first()
    )


def shows_venue_address(ctx: DialogueAccess, meeting: Meeting, seat) -> bool:
    """The address of a private-home or confidential venue: only conveners of the dialogue
    and confirmed members of that meeting. Other addresses: every member of the dialogue.
    `seat`: the viewer's own place on the meeting's list (None: no place)."""
    if not ctx.is_member:
        return False
    venue = meeting.venue
    if venue is None:
        return False
    if not venue.is_address_restricted or ctx.is_convener:
        return True
    return seat is not None and seat.status in CONFIRMED_STATUSES


@dataclass(frozen=True)
class MeetingAccess:
    """A meeting as one viewer may use it: the meeting, the viewer's DialogueAccess, and the
    viewer's own place on its list (read when first asked, or given by a list that read all)."""

    meeting: Meeting
    dialogue_access: DialogueAccess
    given_seat: object = _UNREAD

    @property
    def dialogue(self):
        return self.dialogue_access.dialogue

    @property
    def is_convener(self) -> bool:
        return self.dialogue_access.is_convener

    @property
    def may_manage_agenda(self) -> bool:
        return self.dialogue_access.may_manage_agenda

    @property
    def sees_attendance(self) -> bool:
        return self.dialogue_access.sees_attendance

    def has(self, need: str) -> bool:
        return self.dialogue_access.has(need)

    @cached_property
    def own_seat(self) -> MeetingParticipant | None:
        if self.given_seat is not _UNREAD:
            return self.given_seat  # type: ignore[return-value]  # a seat or None, read by a list
        return own_meeting_seat(self.dialogue_access.user, self.meeting)

    @property
    def shows_venue_address(self) -> bool:
        return shows_venue_address(self.dialogue_access, self.meeting, self.own_seat)

    def seeing(self, meeting: Meeting) -> MeetingAccess:
        """The same viewer's context for this meeting as an action just saved it."""
        meeting.dialogue = self.dialogue
        return MeetingAccess(meeting, self.dialogue_access)

    def agenda_item(self, item_id) -> AgendaItem:
        return one_of(AgendaItem.objects.filter(meeting=self.meeting), item_id)

    def participant(self, participant_id) -> MeetingParticipant:
        return one_of(self.meeting.participants.select_related("person"), participant_id)


def access_meeting(user, dialogue_id, meeting_id, need: str = "member") -> MeetingAccess:
    """The meeting of that dialogue if `user` satisfies `need` in it; else NotFound."""
    ctx = access_dialogue(user, dialogue_id, need=need)
    meeting = one_of(
        Meeting.objects.select_related("venue").filter(dialogue=ctx.dialogue), meeting_id
    )
    meeting.dialogue = ctx.dialogue  # the one already loaded
    return MeetingAccess(meeting, ctx)


def scheduled(ctx: DialogueAccess, meeting: Meeting) -> MeetingAccess:
    """The context of a meeting its viewer has just scheduled in the dialogue of `ctx`."""
    if meeting.dialogue_id != ctx.dialogue.pk:
        raise NotFound
    meeting.dialogue = ctx.dialogue
    return MeetingAccess(meeting, ctx)


def access_attendance(user, dialogue_id, meeting_id) -> MeetingAccess:
    """A meeting whose list of participants the viewer may read; else NotFound."""
    found = access_meeting(user, dialogue_id, meeting_id, need="member")
    if not found.sees_attendance:
        raise NotFound
    return found


def access_own_meeting_seat(user, dialogue_id, meeting_id) -> MeetingParticipant:
    """The viewer's own place on a meeting's list (to answer an invitation); else NotFound."""
    seat = access_meeting(user, dialogue_id, meeting_id, need="member").own_seat
    if seat is None:
        raise NotFound
    return seat


def meetings_of(ctx: DialogueAccess, meetings) -> list[MeetingAccess]:
    """Several meetings of one dialogue, with the viewer's places on their lists read at once."""
    meetings = list(meetings)
    seats: dict[int, MeetingParticipant] = {}
    if is_signed_in(ctx.user):
        seats = {
            seat.meeting_id: seat
            for seat in MeetingParticipant.objects.filter(
                meeting__in=meetings, person__user=ctx.user
            ).select_related("person")
        }
    return [MeetingAccess(m, ctx, seats.get(m.pk)) for m in meetings]


def feed_for(user) -> list[MeetingAccess]:
    """Every meeting of every dialogue the user belongs to, for the private calendar feed:
    roles, meetings and the user's own places each read once."""
    if not is_signed_in(user):
        return []
    roles: dict[int, set[str]] = defaultdict(set)
    for dialogue_id, role in Membership.objects.filter(user=user).values_list(
        "dialogue_id", "role"
    ):
        roles[dialogue_id].add(role)
    meetings = (
        Meeting.objects.filter(dialogue_id__in=roles)
        .select_related("venue", "dialogue")
        .order_by("starts_at")
    )
    seats = {
        seat.meeting_id: seat
        for seat in MeetingParticipant.objects.filter(
            meeting__dialogue_id__in=roles, person__user=user
        )
    }
    contexts: dict[int, DialogueAccess] = {}
    found = []
    for meeting in meetings:
        ctx = contexts.get(meeting.dialogue_id)
        if ctx is None:
            ctx = contexts[meeting.dialogue_id] = dialogue_access(
                user, meeting.dialogue, frozenset(roles[meeting.dialogue_id])
            )
        found.append(MeetingAccess(meeting, ctx, seats.get(meeting.pk)))
    return found


# One wording for a lead who is not seated and for an id that is no seated person's, from every
# door (the page's choice, the API's id): neither tells a facilitator whether the id is a candidate's.
LEAD_NOT_SEATED = gettext_lazy("The lead must be a member of one of this dialogue's delegations.")


def lead_named(ctx: DialogueAccess, lead_id: int | None, field: str = "lead_id") -> Person | None:
    """The seated person an agenda item names as its lead (by id, as the API sends it)."""
    if lead_id is None:
        return None
    person = Person.objects.filter(delegation_seats__dialogue=ctx.dialogue, pk=lead_id).first()
    if person is None:
        raise ActionRefused(str(LEAD_NOT_SEATED), field=field)
    return person
