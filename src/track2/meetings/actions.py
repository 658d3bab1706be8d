"""Every write about meetings (rounds), agendas, meeting participants and the private calendar
feed token: `check_*` validates, `do_*` writes.
"""

from __future__ import annotations

import hashlib
import secrets
import zoneinfo
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from track2 import live
from track2 import validation as admissible
from track2.access.meetings import LEAD_NOT_SEATED
from track2.access.venues import venues_of
from track2.accounts.actions import check_password_again
from track2.accounts.mail import tell_owner
from track2.audit import record as audit
from track2.dialogues.models import AttributionMode, DelegationMember, Dialogue, Venue
from track2.editable import Editable, apply_update
from track2.errors import ActionRefused, Problems
from track2.meetings.models import AgendaItem, Meeting, MeetingParticipant
from track2.meetings.queries import SEAT_TAKING, seats_taken
from track2.time_zones import is_time_zone

AFTER_THE_FACT = (MeetingParticipant.Status.ATTENDED, MeetingParticipant.Status.ABSENT)


# --- meetings --------------------------------------------------------------------------------


def check_time_zone(name: str) -> zoneinfo.ZoneInfo:
    name = (name or "").strip()
    if not is_time_zone(name):
        raise ActionRefused(
            _(
                "“%(zone)s” is not a known time zone. Use an IANA name such as Europe/Vienna, "
                "Asia/Singapore or UTC."
            )
            % {"zone": name},
            field="time_zone",
        )
    return zoneinfo.ZoneInfo(name)


def _in_zone(moment: datetime | None, zone: zoneinfo.ZoneInfo, field: str) -> datetime:
    if moment is None:
        raise ActionRefused(_("Give a date and time."), field=field)
    if timezone.is_naive(moment):
        # A wall-clock time as planned in the meeting's own zone.
        return moment.replace(tzinfo=zone)
    return moment


def check_capacity(
    meeting: Meeting, venue: Venue | None, needed: int, field: str = "person"
) -> None:
    if venue is None or venue.capacity is None:
        return
    if needed > venue.capacity:
        raise ActionRefused(
            ngettext(
                "%(venue)s holds %(capacity)d person; this would make %(needed)d invited or confirmed for "
                "“%(meeting)s”. Choose a larger venue or mark someone as declined first.",
                "%(venue)s holds %(capacity)d people; this would make %(needed)d invited or confirmed for "
                "“%(meeting)s”. Choose a larger venue or mark someone as declined first.",
                venue.capacity,
            )
            % {
                "venue": venue.name,
                "capacity": venue.capacity,
                "needed": needed,
                "meeting": meeting.title,
            },
            field=field,
        )


def _meeting_checked(meeting: Meeting, dialogue: Dialogue) -> Meeting:
    problems = Problems()
    meeting.title = (meeting.title or "").strip()
    if not meeting.title:
        problems.add(_("Give the meeting a title (e.g. “Round 3”)."), "title")
    zone = problems.collect(check_time_zone, meeting.time_zone)
    if zone is not None:
        meeting.time_zone = str(zone.key)
    problems.collect(admissible.check_model_text, meeting)
    for name in ("starts_at", "ends_at"):
        moment = getattr(meeting, name)
        if moment is None:
            problems.add(_("Give a date and time."), name)
            continue
        problems.collect(admissible.check_moment, moment, name)
        if zone is not None and not problems.has(name):
            converted = problems.collect(_in_zone, moment, zone, name)
            if converted is not None:
                setattr(meeting, name, converted)
    starts, ends = meeting.starts_at, meeting.ends_at
    if (
        starts is not None
        and ends is not None
        and timezone.is_aware(starts) == timezone.is_aware(ends)
        and ends <= starts
    ):
        problems.add(
            _("The meeting must end after it starts: check the end date and time."), "ends_at"
        )
    if meeting.attribution_mode not in AttributionMode.values:
        problems.add(_("Choose an attribution mode."), "attribution_mode")
    if meeting.venue is not None and not venues_of(dialogue).filter(pk=meeting.venue.pk).exists():
        problems.add(_("That venue is not in this dialogue's venue list."), "venue")
    problems.raise_any()
    return meeting


# One declaration of what a convener sets on a meeting and a facilitator on an agenda item: the
# forms, the API's schemas and these actions take their fields from here (track2.editable).
MEETING = Editable(
    Meeting, ("title", "starts_at", "ends_at", "time_zone", "venue", "attribution_mode")
)
AGENDA_ITEM = Editable(AgendaItem, ("title", "duration_minutes", "description", "lead"))


def check_meeting(dialogue: Dialogue, fields: dict) -> None:
    """Every rule on a meeting's fields at once (fields a form could not read are left out)."""
    _meeting_checked(Meeting(dialogue=dialogue, **MEETING.only(fields)), dialogue)


@transaction.atomic
def do_create_meeting(
    by,
    dialogue: Dialogue,
    *,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    time_zone: str,
    venue: Venue | None = None,
    attribution_mode: str | None = None,
) -> Meeting:
    """Schedule a round. Naive times are wall-clock times in `time_zone`."""
    meeting = Meeting(
        dialogue=dialogue,
        title=title,
        venue=venue,
        starts_at=starts_at,
        ends_at=ends_at,
        time_zone=time_zone,
        attribution_mode=attribution_mode or dialogue.default_attribution_mode,
    )
    _meeting_checked(meeting, dialogue).save()
    audit.record(by, "create", meeting, fields=list(MEETING))
    return meeting


@transaction.atomic
def do_update_meeting(by, meeting: Meeting, **fields) -> Meeting:
    MEETING.refuse_unknown(fields, also=["is_archived"])
    archived = fields.pop("is_archived", None)
    meeting = (
        Meeting.objects.select_for_update(of=("self",)).select_related("venue").get(pk=meeting.pk)
    )
    if fields:
        # Only archiving (the API's {"is_archived": true}) is the archive page's write, recorded once
        # as "archive", not also as an update that changed nothing.
        meeting = apply_update(by, meeting, fields, editable=MEETING, check=_meeting_fits)
        live.announce(live.meeting_topic(meeting.pk))
    if archived is not None:
        meeting = do_archive_meeting(by, meeting, archived=archived)
    return meeting


def _meeting_fits(meeting: Meeting) -> None:
    """The meeting's own rules, and room at its (new) venue for everyone already asked."""
    _meeting_checked(meeting, meeting.dialogue)
    check_capacity(meeting, meeting.venue, seats_taken(meeting), field="venue")


@transaction.atomic
def do_delete_meeting(by, meeting: Meeting) -> None:
    """Cancel a meeting that has not happened. A round that has started is the dialogue's
    record (agenda, attendance, the balance dashboard's continuity): it is archived instead."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.has_started:
        raise ActionRefused(
            _(
                "“%(title)s” has already taken place, so it cannot be cancelled or deleted: its agenda and "
                "attendance are part of the dialogue's record. Archive it instead to hide it from the list "
                "of meetings."
            )
            % {"title": meeting.title},
            field="meeting",
        )
    audit.record(by, "delete", meeting)
    meeting.delete()


@transaction.atomic
def do_archive_meeting(by, meeting: Meeting, archived: bool = True) -> Meeting:
    """Hide a held round from the default list of meetings (or bring it back). Nothing is removed:
    its agenda and attendance stay, and it still counts in the balance dashboard."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    before = audit.snapshot(meeting)
    if archived and not meeting.has_started:
        raise ActionRefused(
            _(
                "“%(title)s” has not taken place yet, so there is nothing to archive. Cancel it instead if it "
                "will not happen."
            )
            % {"title": meeting.title},
            field="is_archived",
        )
    if archived and meeting.archived_at is None:
        meeting.archived_at = timezone.now()
    elif not archived:
        meeting.archived_at = None
    meeting.save(update_fields=["archived_at"])
    audit.record(
        by, "archive" if archived else "restore", meeting, fields=audit.changed(before, meeting)
    )
    return meeting


# --- agenda ----------------------------------------------------------------------------------


def _agenda_checked(item: AgendaItem) -> AgendaItem:
    problems = Problems()
    item.title = (item.title or "").strip()
    item.description = (item.description or "").strip()
    if not item.title:
        problems.add(_("Give the agenda item a title."), "title")
    problems.collect(admissible.check_model_text, item)
    if item.duration_minutes is None or not 1 <= int(item.duration_minutes) <= 24 * 60:
        problems.add(
            _("Give the item's length in minutes, between 1 and 1440."), "duration_minutes"
        )
    if item.lead is not None:
        seated = DelegationMember.objects.filter(
            dialogue_id=item.meeting.dialogue_id, person=item.lead
        )
        if not seated.exists():
            problems.add(str(LEAD_NOT_SEATED), "lead")
    problems.raise_any()
    return item


def check_agenda_item(meeting: Meeting, fields: dict) -> None:
    """Every rule on an agenda item's fields at once (fields a form could not read are left out)."""
    _agenda_checked(AgendaItem(meeting=meeting, **AGENDA_ITEM.only(fields)))


@transaction.atomic
def do_add_agenda_item(
    by, meeting: Meeting, *, title: str, duration_minutes: int, description: str = "", lead=None
) -> AgendaItem:
    Meeting.objects.select_for_update().get(pk=meeting.pk)  # one writer of positions at a time
    last = meeting.agenda_items.aggregate(last=Max("position"))["last"] or 0
    item = AgendaItem(
        meeting=meeting,
        position=last + 1,
        title=title,
        description=description,
        duration_minutes=duration_minutes,
        lead=lead,
    )
    _agenda_checked(item).save()
    audit.record(by, "create", item, fields=list(AGENDA_ITEM))
    live.announce(live.meeting_topic(meeting.pk))
    return item


@transaction.atomic
def do_update_agenda_item(by, item: AgendaItem, **fields) -> AgendaItem:
    item = apply_update(by, item, fields, editable=AGENDA_ITEM, check=_agenda_checked)
    live.announce(live.meeting_topic(item.meeting_id))
    return item


@transaction.atomic
def do_delete_agenda_item(by, item: AgendaItem) -> None:
    # Positions may have gaps; pages number items by order, not by position.
    audit.record(by, "delete", item)
    live.announce(live.meeting_topic(item.meeting_id))
    item.delete()


@transaction.atomic
def do_move_agenda_item(by, item: AgendaItem, direction: str) -> AgendaItem:
    """Swap an item with its neighbour ("up" or "down")."""
    Meeting.objects.select_for_update().get(pk=item.meeting_id)
    item = AgendaItem.objects.get(pk=item.pk)
    siblings = AgendaItem.objects.filter(meeting_id=item.meeting_id)
    if direction == "up":
        neighbour = siblings.filter(position__lt=item.position).order_by("-position").first()
    elif direction == "down":
        neighbour = siblings.filter(position__gt=item.position).order_by("position").first()
    else:
        raise ActionRefused(_("Move an item up or down."), field="direction")
    if neighbour is None:
        raise ActionRefused(
            _("“%(title)s” is already at the %(end)s of the agenda.")
            % {"title": item.title, "end": _("top") if direction == "up" else _("bottom")},
            field="direction",
        )
    mine, theirs = item.position, neighbour.position
    # Positions are unique per meeting and PostgreSQL checks that row by row, so park one
    # item on 0 (never used: positions start at 1) while swapping.
    item.position = 0
    item.save(update_fields=["position"])
    neighbour.position = mine
    neighbour.save(update_fields=["position"])
    item.position = theirs
    item.save(update_fields=["position"])
    audit.record(by, "move", item, fields=["position"])
    live.announce(live.meeting_topic(item.meeting_id))
    return item


# --- participants ----------------------------------------------------------------------------


@transaction.atomic
def do_add_participants(
    by, meeting: Meeting, persons, status: str = MeetingParticipant.Status.INVITED
) -> list[MeetingParticipant]:
    """Invite members of the dialogue's delegations to a meeting, all or none."""
    meeting = (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("venue", "dialogue")
        .get(pk=meeting.pk)
    )
    persons = list(persons)
    if not persons:
        raise ActionRefused(_("Choose at least one person."), field="person")
    if status not in (MeetingParticipant.Status.INVITED, MeetingParticipant.Status.CONFIRMED):
        raise ActionRefused(
            _("New participants are invited or confirmed; mark attendance afterwards."),
            field="status",
        )
    seated = set(
        DelegationMember.objects.filter(dialogue=meeting.dialogue).values_list(
            "person_id", flat=True
        )
    )
    present = set(meeting.participants.values_list("person_id", flat=True))
    for person in persons:
        if person.pk not in seated:
            raise ActionRefused(
                _(
                    "%(name)s is not in a delegation of this dialogue; seat them in a delegation first."
                )
                % {"name": person.full_name},
                field="person",
            )
        if person.pk in present:
            raise ActionRefused(
                _("%(name)s is already on this meeting's list.") % {"name": person.full_name},
                field="person",
            )
    check_capacity(meeting, meeting.venue, seats_taken(meeting) + len(persons))
    try:
        with transaction.atomic():
            added = [
                MeetingParticipant.objects.create(meeting=meeting, person=p, status=status)
                for p in persons
            ]
    except IntegrityError:
        raise ActionRefused(
            _("Someone was just added to this meeting; reload and try again."), field="person"
        ) from None
    for participant in added:
        audit.record(by, "add", participant, fields=["status"])
    return added


def add_participants(
    by,
    meeting: Meeting,
    persons,
    status: str = MeetingParticipant.Status.INVITED,
    *,
    notify: bool = True,
    base_url: str = "",
) -> tuple[list[MeetingParticipant], dict[int, str | None]]:
    """Add people to a meeting, then (unless the convener said not to) e-mail each of them with the
    calendar file. Deliberately not one transaction: the addition is saved first, so a mail server
    that refuses loses nothing; returns the participants and, per participant id, None when the
    e-mail was sent or what went wrong (empty when nobody was to be told)."""
    from track2.meetings.mail import tell_added_participants

    added = do_add_participants(by, meeting, persons, status)
    if not notify:
        return added, {}
    return added, tell_added_participants(added, base_url=base_url)


@transaction.atomic
def do_set_participant_status(
    by, participant: MeetingParticipant, status: str
) -> MeetingParticipant:
    meeting = (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("venue")
        .get(pk=participant.meeting_id)
    )
    if status not in MeetingParticipant.Status.values:
        raise ActionRefused(_("Unknown status “%(status)s”.") % {"status": status}, field="status")
    if status in AFTER_THE_FACT and meeting.starts_at > timezone.now():
        raise ActionRefused(
            _("Attendance can be recorded once the meeting has started."), field="status"
        )
    if status in SEAT_TAKING:
        check_capacity(meeting, meeting.venue, seats_taken(meeting, excluding=participant) + 1)
    participant.status = status
    participant.save(update_fields=["status", "updated_at"])
    audit.record(by, "status", participant, fields=["status"])
    return participant


ANSWERS = (MeetingParticipant.Status.CONFIRMED, MeetingParticipant.Status.DECLINED)


@transaction.atomic
def do_answer_meeting_invitation(
    user, participant: MeetingParticipant, status: str
) -> MeetingParticipant:
    """A person says whether they will come. Only before the meeting starts; a confirmation
    needs a free seat at the venue."""
    if participant.person.user_id != user.pk:
        raise ValueError("only the invited person answers their own invitation")
    meeting = (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("venue")
        .get(pk=participant.meeting_id)
    )
    if status not in ANSWERS:
        raise ActionRefused(_("Answer with confirmed or declined."), field="status")
    if meeting.starts_at <= timezone.now():
        raise ActionRefused(
            _("This meeting has started; ask the convener to change your attendance."),
            field="status",
        )
    if participant.status not in (MeetingParticipant.Status.INVITED, *ANSWERS):
        raise ActionRefused(_("Your attendance is already recorded."), field="status")
    if (
        status == MeetingParticipant.Status.CONFIRMED
        and participant.status == MeetingParticipant.Status.DECLINED
    ):
        check_capacity(meeting, meeting.venue, seats_taken(meeting, excluding=participant) + 1)
    participant.status = status
    participant.save(update_fields=["status", "updated_at"])
    return participant


@transaction.atomic
def do_record_confirmed_as_attended(by, meeting: Meeting) -> int:
    """After a round: everyone still marked confirmed came. Returns how many were marked."""
    meeting = Meeting.objects.select_for_update(of=("self",)).get(pk=meeting.pk)
    if meeting.starts_at > timezone.now():
        raise ActionRefused(
            _("Attendance can be recorded once the meeting has started."), field="status"
        )
    confirmed = list(meeting.participants.filter(status=MeetingParticipant.Status.CONFIRMED))
    for participant in confirmed:
        participant.status = MeetingParticipant.Status.ATTENDED
        participant.save(update_fields=["status", "updated_at"])
        audit.record(by, "status", participant, fields=["status"])
    return len(confirmed)


@transaction.atomic
def do_remove_participant(by, participant: MeetingParticipant) -> None:
    audit.record(by, "remove", participant)
    participant.delete()


# --- the private calendar feed ---------------------------------------------------------------
# The feed's secret is a credential that lasts (a calendar app keeps it for years): like an API
# token, only its SHA-256 is stored, so a copy of the database opens no one's feed, and the
# address is shown once, when it is made.


def feed_digest(token: str) -> str:
    """What is stored for a feed's secret. A 256-bit random secret needs no salt or slow hash."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def do_issue_calendar_token(user, password: str, address: str) -> str:
    """A new secret for the user's feed URL, returned to be shown once; the old URL stops
    working. The password is asked again (counted like a sign-in), as for every credential that
    outlasts the session: a session left open must not become a lasting feed of the meetings."""
    check_password_again(user, password, address)
    token = secrets.token_urlsafe(32)
    user.calendar_token = feed_digest(token)
    user.save(update_fields=["calendar_token"])
    tell_owner(user, _("A new calendar feed address was made for your account."))
    return token


def do_revoke_calendar_token(user) -> None:
    user.calendar_token = ""
    user.save(update_fields=["calendar_token"])


def user_for_calendar_token(token: str):
    from track2.accounts.models import User

    # token_urlsafe(32) is 43 characters; anything far from that is not worth a query.
    if not token or len(token) < 32 or len(token) > 64 or not token.isascii():
        return None
    digest = feed_digest(token)
    user = User.objects.filter(calendar_token=digest, is_active=True).first()
    if user is None or not secrets.compare_digest(user.calendar_token, digest):
        return None
    return user
