"""Who may see and use a meeting's floor: the agenda timer, the speaking queue, the balance.

`access_floor` loads through `access_meeting` (so an outsider gets the same NotFound as for a
meeting that does not exist). Names in the queue follow the meeting's attribution mode: under the
Chatham House Rule and off the record only those present in the live meeting (and its
facilitators) read them; otherwise every member who may read attendance does.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from django.utils import timezone

from track2.access import NotFound, parse_id
from track2.access.meetings import CONFIRMED_STATUSES, MeetingAccess, access_meeting
from track2.dialogues.models import AttributionMode, Delegation, DelegationMember, Role
from track2.meetings.models import Meeting, MeetingParticipant

# Attribution modes under which names in the queue stay inside the live meeting.
NAMES_IN_ROOM_ONLY = (AttributionMode.CHATHAM_HOUSE, AttributionMode.OFF_RECORD)


@dataclass(frozen=True)
class _OfMeeting:
    """A context over one meeting: its meeting and dialogue, read from the meeting's access."""

    meeting_access: MeetingAccess

    @property
    def meeting(self) -> Meeting:
        return self.meeting_access.meeting

    @property
    def dialogue(self):
        return self.meeting_access.dialogue


@dataclass(frozen=True)
class FloorAccess(_OfMeeting):
    @property
    def roles(self) -> frozenset[str]:
        return self.meeting_access.dialogue_access.roles

    @property
    def may_facilitate(self) -> bool:
        return self.meeting_access.dialogue_access.may_facilitate

    @property
    def own_seat(self) -> MeetingParticipant | None:
        return self.meeting_access.own_seat

    @property
    def is_present(self) -> bool:
        """On the meeting's list and not declined or absent: a confirmed seat counts as present
        during the meeting until it is marked absent (docs/decisions.md)."""
        seat = self.own_seat
        return seat is not None and seat.status in CONFIRMED_STATUSES

    @property
    def may_speak(self) -> bool:
        """May raise a hand: a participant of the dialogue who is present."""
        return Role.PARTICIPANT in self.roles and self.is_present

    @cached_property
    def own_delegation_id(self) -> int | None:
        seat = self.own_seat
        if seat is None:
            return None
        return (
            DelegationMember.objects.filter(dialogue=self.dialogue, person_id=seat.person_id)
            .values_list("delegation_id", flat=True)
            .first()
        )

    @property
    def is_live(self) -> bool:
        """The meeting has not ended (its end has not passed, it is not archived)."""
        return self.meeting.archived_at is None and self.meeting.ends_at > timezone.now()

    @property
    def sees_names(self) -> bool:
        """Whether the queue and the floor show who is speaking (else: their delegation only).
        Under the Chatham House Rule and off the record, names stay inside the live meeting:
        once it has ended nobody reads them, even before the floor is closed."""
        if self.meeting.attribution_mode in NAMES_IN_ROOM_ONLY:
            return self.is_live and (self.may_facilitate or self.is_present)
        return self.may_facilitate or self.is_present or self.meeting_access.sees_attendance

    @property
    def sees_present(self) -> bool:
        """Who is present, on the console: the facilitators and conveners running the floor, even
        when the attendance is confidential (the issue's rule). Other members read the attendance
        on the meeting's page; the floor shows them no name outside the queue's rule."""
        return self.may_facilitate

    @property
    def sees_balance(self) -> bool:
        """The balance per delegation: facilitators and conveners (the console)."""
        return self.may_facilitate


def access_floor(user, dialogue_id, meeting_id, need: str = "member") -> FloorAccess:
    """A meeting's floor for a member with `need`; observers read nothing of it (it is about
    who speaks, which is not shared with them). Else NotFound."""
    found = access_meeting(user, dialogue_id, meeting_id, need=need)
    if found.dialogue_access.is_only_observer:
        raise NotFound
    return FloorAccess(found)


@dataclass(frozen=True)
class CaucusAccess:
    """A delegation's caucus as one of its members — or a facilitator it invited — uses it."""

    floor: FloorAccess
    delegation: Delegation
    person_id: int | None  # None: an invited facilitator, who reads and does not write
    is_guest: bool = False

    @property
    def meeting(self) -> Meeting:
        return self.floor.meeting

    @property
    def dialogue(self):
        return self.floor.dialogue


def access_caucus(user, dialogue_id, meeting_id, delegation_id) -> CaucusAccess:
    """The caucus of a side's delegation, for a member of that delegation (any role but
    observer), or a facilitator or convener the delegation invited in. Everyone else — the other
    sides, observers, facilitators not invited, outsiders — gets the same NotFound as for a
    caucus that does not exist."""
    from track2.facilitation.models import Caucus

    floor = access_floor(user, dialogue_id, meeting_id)
    pk = parse_id(delegation_id)
    seat = floor.meeting_access.dialogue_access.own_seat
    if seat is not None and seat.delegation_id == pk:
        if seat.delegation.kind != Delegation.Kind.SIDE:
            raise NotFound  # the facilitation team has the console, not a caucus
        return CaucusAccess(floor, seat.delegation, seat.person_id)
    if floor.may_facilitate:
        invited = (
            Caucus.objects.filter(
                meeting=floor.meeting,
                delegation_id=pk,
                delegation__kind=Delegation.Kind.SIDE,
                are_facilitators_invited=True,
            )
            .select_related("delegation")
            .first()
        )
        if invited is not None:
            return CaucusAccess(floor, invited.delegation, None, is_guest=True)
    raise NotFound


@dataclass(frozen=True)
class RecordAccess(_OfMeeting):
    """A meeting's record as one viewer may use it: rapporteurs, facilitators and conveners write
    it; participants comment on a draft; whoever may read the room's content reads the approved
    record."""

    reads_content: bool = False

    @property
    def may_write(self) -> bool:
        return self.meeting_access.has("rapporteur")

    @property
    def may_approve(self) -> bool:
        return self.meeting_access.has("facilitator")

    @property
    def may_comment(self) -> bool:
        return Role.PARTICIPANT in self.meeting_access.dialogue_access.roles and self.reads_content


def access_record(user, dialogue_id, meeting_id) -> RecordAccess:
    """The record for a writer, a participant or a reader of the room's content; else NotFound
    (observers and liaisons of an off-the-record or closed meeting read nothing of it)."""
    from track2.access.room import access_room

    found = access_meeting(user, dialogue_id, meeting_id)
    try:
        access_room(user, dialogue_id, meeting_id)
        reads = True
    except NotFound:
        reads = False
    ctx = RecordAccess(found, reads)
    if not (ctx.may_write or reads):
        raise NotFound
    return ctx


def access_meeting_events(user, dialogue_id, meeting_id) -> None:
    """The meeting's live updates, for a caller who may read one of the pages that follow them:
    the room's content (its map, the facilitators' room panel), the floor or the record. Else
    NotFound: an observer of a closed or off-the-record meeting learns nothing of it, not even
    when its room is busy. (A liaison of such a meeting follows its floor, so its ticks reach
    them: that the meeting moved, never what moved.)"""
    from track2.access.room import access_room

    for loader in (access_room, access_floor, access_record):
        try:
            loader(user, dialogue_id, meeting_id)
            return
        except NotFound:
            continue
    raise NotFound
