"""Who may see which meeting, venue address and attendance list.

Every function loads through `access_dialogue`, so an outsider gets the same NotFound for a
meeting of a dialogue they are not in as for a meeting that does not exist.
"""

from __future__ import annotations

from django.db.models import Q

from track2.access import NotFound, access_dialogue, has_need, parse_id, roles_of
from track2.dialogues.models import Delegation, DelegationMember, Dialogue, Role, Venue
from track2.meetings.models import Meeting, MeetingParticipant

# Statuses that make someone a confirmed member of a meeting (they may see a private address).
CONFIRMED_STATUSES = (MeetingParticipant.Status.CONFIRMED, MeetingParticipant.Status.ATTENDED)


def access_meeting(user, dialogue_id, meeting_id, need: str = "member") -> Meeting:
    """Return the meeting of that dialogue if `user` satisfies `need` in it; else NotFound."""
    dialogue = access_dialogue(user, dialogue_id, need=need)
    try:
        return Meeting.objects.select_related("venue", "dialogue").get(
            pk=parse_id(meeting_id), dialogue=dialogue
        )
    except Meeting.DoesNotExist:
        raise NotFound from None


def venues_of(dialogue: Dialogue):
    """The venue list of a dialogue: its own venues, and any venue one of its meetings uses.
    Never another dialogue's venues (their addresses may be confidential)."""
    return (
        Venue.objects.filter(Q(dialogue=dialogue) | Q(meetings__dialogue=dialogue))
        .distinct()
        .order_by("name")
    )


def access_venue(user, dialogue_id, venue_id, need: str = "convener") -> Venue:
    """A venue of the dialogue's catalogue, for someone with `need` in the dialogue."""
    dialogue = access_dialogue(user, dialogue_id, need=need)
    try:
        return venues_of(dialogue).get(pk=parse_id(venue_id))
    except Venue.DoesNotExist:
        raise NotFound from None


def is_confirmed_member(user, meeting: Meeting) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return MeetingParticipant.objects.filter(
        meeting=meeting, person__user=user, status__in=CONFIRMED_STATUSES
    ).exists()


_UNREAD = object()


def can_see_venue_address(user, meeting: Meeting, seat=_UNREAD) -> bool:
    """The address of a private-home or confidential venue: only conveners of the dialogue
    and confirmed members of that meeting. Other addresses: every member of the dialogue.
    `seat`: the viewer's own place on the meeting's list when already read (None: no place)."""
    roles = roles_of(user, meeting.dialogue_id)
    if not has_need(roles, "member"):
        return False
    venue = meeting.venue
    if venue is None:
        return False
    if not venue.is_address_restricted:
        return True
    if has_need(roles, "convener"):
        return True
    if seat is not _UNREAD:
        return seat is not None and seat.status in CONFIRMED_STATUSES
    return is_confirmed_member(user, meeting)


def can_see_attendance(user, dialogue: Dialogue) -> bool:
    """Who is invited to and attends meetings. Confidential lists: conveners only.
    Otherwise every member except observers (who read only what is shared with them)."""
    roles = roles_of(user, dialogue.pk)
    if has_need(roles, "convener"):
        return True
    if dialogue.is_attendance_confidential:
        return False
    return bool(roles - {Role.OBSERVER})


def can_manage_agenda(user, dialogue: Dialogue) -> bool:
    return has_need(roles_of(user, dialogue.pk), "facilitator")


def own_roster_delegation_id(user, dialogue: Dialogue) -> int | None:
    """The delegation whose members this viewer may list: their own, if they are seated and
    hold a role other than observer (observers read no rosters). Conveners: see access_delegation."""
    roles = roles_of(user, dialogue.pk)
    if not roles - {Role.OBSERVER}:
        return None
    seat = (
        DelegationMember.objects.filter(dialogue=dialogue, person__user=user)
        .only("delegation_id")
        .first()
    )
    return seat.delegation_id if seat is not None else None


def can_see_roster(user, delegation: Delegation, own_delegation_id=_UNREAD) -> bool:
    """`own_delegation_id`: own_roster_delegation_id(), when a list of delegations has read it once."""
    if has_need(roles_of(user, delegation.dialogue_id), "convener"):
        return True
    if own_delegation_id is _UNREAD:
        own_delegation_id = own_roster_delegation_id(user, delegation.dialogue)
    return own_delegation_id == delegation.pk


def access_delegation(user, dialogue_id, delegation_id) -> Delegation:
    """A delegation with its roster: any of the dialogue's for conveners, one's own for members."""
    dialogue = access_dialogue(user, dialogue_id, need="member")
    try:
        delegation = Delegation.objects.select_related("party", "dialogue").get(
            pk=parse_id(delegation_id), dialogue=dialogue
        )
    except Delegation.DoesNotExist:
        raise NotFound from None
    if not can_see_roster(user, delegation):
        raise NotFound
    return delegation


def own_meeting_seat(user, meeting: Meeting) -> MeetingParticipant | None:
    """The viewer's own place on a meeting's list (shown to them even when the list is
    confidential: it is about them)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    return (
        MeetingParticipant.objects.filter(meeting=meeting, person__user=user)
        .select_related("person")
        .first()
    )


def own_meeting_seats(user, dialogue: Dialogue) -> dict[int, MeetingParticipant]:
    """Meeting id → the viewer's own place on that meeting's list, for a whole dialogue at once."""
    if user is None or not user.is_authenticated or not user.is_active:
        return {}
    seats = MeetingParticipant.objects.filter(
        meeting__dialogue=dialogue, person__user=user
    ).select_related("person")
    return {seat.meeting_id: seat for seat in seats}


def access_own_meeting_seat(user, dialogue_id, meeting_id) -> MeetingParticipant:
    meeting = access_meeting(user, dialogue_id, meeting_id, need="member")
    seat = own_meeting_seat(user, meeting)
    if seat is None:
        raise NotFound
    return seat
