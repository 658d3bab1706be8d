"""Who may do what in a meeting's room (statements, votes, the map, exports).

`access_room` applies `access_dialogue`'s rule (so an outsider gets the same NotFound as for
a room that does not exist) and returns the caller's context: their roles,
whether they hold a place on the meeting's list, and — only when they may take part — their
pseudonym, computed from the dialogue's key and never stored next to their identity.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import connection

from track2.access import NotFound, has_need, is_signed_in, parse_id, roles_of
from track2.dialogues.models import Dialogue, Membership, Role
from track2.disclosure import attribution
from track2.meetings.models import Meeting, MeetingParticipant
from track2.people.models import Person

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

    def has(self, need: str) -> bool:
        return has_need(self.roles, need)

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

    @property
    def map_refusal(self) -> str | None:
        """Why the caller may not see the meeting's common-ground map now; None when they may:
        facilitators and rapporteurs always, the room as the facilitators chose (never / after
        voting on a statement, participants only / always / after the meeting). The room's
        navigation offers the map only to those who may see it."""
        from django.utils.translation import gettext as _

        from track2.deliberation.models import Room

        room = self.room
        if self.has("rapporteur") or room.results == Room.Results.ALWAYS:
            return None
        if room.results == Room.Results.AFTER_MEETING:
            if room.is_open:
                return _("The facilitators show the results to the room after the meeting.")
            return None
        if room.results == Room.Results.NEVER:
            return _("The facilitators keep this meeting's results to themselves.")
        if not self.is_participant:
            # Observers and liaisons do not vote, so "after voting" never comes for them.
            return _(
                "The facilitators show each statement's results to the participants who have "
                "voted on it; as you do not vote in this room, the results are not shown to you "
                "here."
            )
        return None

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


@dataclass(frozen=True)
class StatementState:
    """What the vote path needs to know of the statement voted on."""

    pk: int
    status: str
    is_for_facilitator: bool


def _vote_sql() -> str:
    from track2.deliberation.models import Room, Statement

    t = {
        "meeting": Meeting._meta.db_table,
        "membership": Membership._meta.db_table,
        "room": Room._meta.db_table,
        "seat": MeetingParticipant._meta.db_table,
        "person": Person._meta.db_table,
        "statement": Statement._meta.db_table,
    }
    # One row per role the caller holds in the meeting's dialogue (none: not a member, or no
    # such meeting in that dialogue — the same NotFound), each with the meeting, its room, the
    # caller's seat (a person belongs to one user: at most one seat) and the statement.
    return f"""
        SELECT r.role, m.attribution_mode, m.dialogue_id, room.meeting_id, room.status,
               seat.person_id, seat.status, s.id, s.status, s.is_for_facilitator
        FROM {t["meeting"]} m
        JOIN {t["membership"]} r ON r.dialogue_id = m.dialogue_id AND r.user_id = %s
        LEFT JOIN {t["room"]} room ON room.meeting_id = m.id
        LEFT JOIN {t["seat"]} seat ON seat.meeting_id = m.id
            AND seat.person_id = (SELECT p.id FROM {t["person"]} p WHERE p.user_id = %s)
        LEFT JOIN {t["statement"]} s ON s.id = %s AND s.meeting_id = m.id
        WHERE m.id = %s AND m.dialogue_id = %s
    """  # noqa: S608  (table names from the models; every value a parameter)


_VOTE_SQL: str | None = None


def access_room_for_vote(
    user, dialogue_id, meeting_id, statement_id
) -> tuple[RoomAccess, StatementState | None]:
    """`access_room(user, dialogue_id, meeting_id)` and the statement voted on, in one query:
    the same rules and the same NotFound, for the hottest path of a room (a vote). The meeting
    and its room come back with only the fields a vote reads; the others load on first use.
    The statement is None when it is not in this meeting."""
    global _VOTE_SQL
    dialogue_pk = parse_id(dialogue_id)
    meeting_pk = parse_id(meeting_id)
    statement_pk = parse_id(statement_id)
    if not is_signed_in(user):
        raise NotFound
    if _VOTE_SQL is None:
        _VOTE_SQL = _vote_sql()
    with connection.cursor() as cursor:
        cursor.execute(_VOTE_SQL, [user.pk, user.pk, statement_pk, meeting_pk, dialogue_pk])
        rows = cursor.fetchall()
    roles = frozenset(row[0] for row in rows)
    if not has_need(roles, "member"):
        raise NotFound
    _role, mode, dialogue, room_pk, room_status, person, seat_status, sid, status, private = rows[0]
    meeting = Meeting.from_db(
        connection.alias, ["id", "dialogue_id", "attribution_mode"], [meeting_pk, dialogue, mode]
    )
    ctx = RoomAccess(meeting=meeting, roles=roles, person_id=person, seat_status=seat_status)
    if room_pk is not None:
        from track2.deliberation.models import Room

        ctx._room = Room.from_db(connection.alias, ["meeting_id", "status"], [room_pk, room_status])
    if not ctx.attribution.sees_content:
        raise NotFound
    statement = None if sid is None else StatementState(sid, status, bool(private))
    return ctx, statement
