"""Telling people they were added to a meeting: one plain-text e-mail each, with the meeting's
calendar file (.ics) attached.

Sent after the addition is saved and outside its transaction: a mail server that refuses does
not undo the addition (the convener is told who was not reached, and can tell them another way).
"""

from __future__ import annotations

import smtplib
import zoneinfo

from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from track2.meetings.calendar import meeting_event, render_calendar
from track2.meetings.models import MeetingParticipant


def tell_added_participants(
    added: list[MeetingParticipant], *, base_url: str
) -> dict[int, str | None]:
    """E-mail each added person. Returns, per participant id, None when sent or what went wrong."""
    outcome: dict[int, str | None] = {}
    for participant in added:
        outcome[participant.pk] = _tell_one(participant, base_url=base_url.rstrip("/"))
    return outcome


def _tell_one(participant: MeetingParticipant, *, base_url: str) -> str | None:
    person, meeting = participant.person, participant.meeting
    if not person.email:
        return _("%(name)s has no e-mail address.") % {"name": person.full_name}
    url = base_url + reverse("dialogues:meeting", args=[meeting.dialogue_id, meeting.pk])
    venue = meeting.venue
    # A private home's or confidential venue's address is never put in an e-mail: it is shown on
    # the meeting page to those confirmed for it.
    shows_address = venue is not None and not venue.is_address_restricted
    zone = zoneinfo.ZoneInfo(meeting.time_zone)
    context = {
        "person": person,
        "meeting": meeting,
        "dialogue": meeting.dialogue,
        "url": url,
        "status": participant.status,
        "venue": venue,
        "shows_address": shows_address,
        "starts": meeting.starts_at.astimezone(zone),
        "ends": meeting.ends_at.astimezone(zone),
    }
    # One line, whatever the titles contain (a newline would be a header injection).
    subject = " ".join(render_to_string("meetings/added_subject.txt", context).split())
    body = render_to_string("meetings/added_email.txt", context)
    host = base_url.split("://", 1)[-1] or "track2"
    event = meeting_event(meeting, show_address=shows_address, host=host, url=url)
    message = EmailMessage(subject, body, None, [person.email])
    message.attach(f"meeting-{meeting.pk}.ics", render_calendar([event]), "text/calendar")
    try:
        message.send()
    except (smtplib.SMTPException, OSError) as err:
        return _("The e-mail to %(name)s could not be sent (%(error)s).") % {
            "name": person.full_name,
            "error": err.__class__.__name__,
        }
    return None
