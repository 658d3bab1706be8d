"""Who may do what in a meeting's room (statements, votes, the map, exports).

`access_room` applies `access_dialogue`'s rule (so an outsider gets the same NotFound as for
a room that does not exist) and returns the caller's context: their roles,
whether they hold a place on the meeting's list, and — only when they may take part — their
pseudonym, computed from the dialogue's key and never stored next to their identity.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from track2.access import NotFound, has_need, parse_id, roles_of
from track2.dialogues.models import Dialogue, Meeting, MeetingParticipant, Role
from track2.disclosure import attribution

# A place on the list that lets someone take part in the room (not declined, not absent).
TAKING_PART = (
    MeetingParticipant.Status.INVITED,
    MeetingParticipant.Status.CONFIRMED,
    MeetingParticipant.Status.ATTENDED,
)


@dataclass
class RoomAccess:
    meeting: Meeting
    roles: frozenset[str]
    # The caller's person id when they hold a place on the meeting's list (any status).
    person_id: int | None = None
    seat_status: str | None = None
    _room: object = field(default=None, repr=False)

    @property
    def dialogue(self) -> Dialogue:
        return self.meeting.dialogue

    @property
    def is_facilitator(self) -> bool:
        return has_need(self.roles, "facilitator")

    @property
    def is_convener(self) -> bool:
        return has_need(self.roles, "convener")

    @property
    def is_participant(self) -> bool:
        """A participant of the dialogue with a place on this meeting's list."""
        return (
            Role.PARTICIPANT in self.roles
            and self.person_id is not None
            and self.seat_status in TAKING_PART
        )

    @property
    def reader(self) -> str:
        """Which reader of track2.disclosure.attribution the caller is for this meeting."""
        if self.is_facilitator or Role.RAPPORTEUR in self.roles or self.seat_status is not None:
            return attribution.MEMBER
        return attribution.DIALOGUE

    @property
    def attribution(self) -> attribution.Attribution:
        return attribution.attribution_of(self.meeting.attribution_mode, self.reader)

    @property
    def room(self):
        if self._room is None:
            from track2.deliberation.queries import room_of

            self._room = room_of(self.meeting)
        return self._room

    def pseudonym(self) -> str:
        """The caller's pseudonym in this dialogue (KeyDestroyed once the key is gone)."""
        from track2 import keyring

        if self.person_id is None:
            raise NotFound
        return keyring.pseudonym(self.meeting.dialogue_id, self.person_id)


def access_room(user, dialogue_id, meeting_id, need: str = "member") -> RoomAccess:
    """The meeting's room for a caller with `need` in the dialogue who may read its content
    (a closed or off-the-record meeting's statements are its members' alone); else NotFound."""
    # access_dialogue's rule, with the dialogue read in the meeting's query (the vote path is hot).
    dialogue_pk = parse_id(dialogue_id)
    roles = roles_of(user, dialogue_pk)
    if not has_need(roles, need):
        raise NotFound
    try:
        meeting = Meeting.objects.select_related("dialogue__institution", "room").get(
            pk=parse_id(meeting_id), dialogue_id=dialogue_pk
        )
    except Meeting.DoesNotExist:
        raise NotFound from None
    seat = (
        MeetingParticipant.objects.filter(meeting=meeting, person__user=user)
        .values_list("person_id", "status")
        .first()
    )
    ctx = RoomAccess(
        meeting=meeting,
        roles=roles,
        person_id=seat[0] if seat else None,
        seat_status=seat[1] if seat else None,
    )
    room = getattr(meeting, "room", None)
    if room is not None:
        ctx._room = room
    if not ctx.attribution.sees_content:
        raise NotFound
    return ctx
