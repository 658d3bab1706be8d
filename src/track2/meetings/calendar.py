"""iCalendar (RFC 5545) for meetings, written by hand: the format is small and a dependency
would be larger than this module (the `icalendar` library was weighed: docs/decisions.md).

Times are written in UTC (form #2 of RFC 5545 §3.3.5, "DATE-TIME with UTC time"), so no
VTIMEZONE block is needed; the meeting's own zone is named in the description. A venue's
address appears as LOCATION only when the viewer may see it (track2.access.meetings), and a
private home's or confidential venue's address, or a virtual room's joining details, never: a
calendar file ends up with a calendar service (a subscribed feed is fetched and kept by the
provider's servers; a downloaded or mailed file is usually imported into a synced calendar), so
it says "Address on the meeting page" and links to that page, which needs a sign-in.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from track2.disclosure.status import STATUS_LINE
from track2.validation import printable

PRODID = "-//Track2//Track2 dialogues//EN"
MAX_OCTETS = 75  # RFC 5545 §3.1: lines SHOULD NOT be longer than 75 octets, excluding CRLF


@dataclass(frozen=True)
class CalendarEvent:
    uid: str
    starts_at: datetime
    ends_at: datetime
    summary: str
    description: str = ""
    location: str = ""
    url: str = ""


def escape_text(value: str) -> str:
    """TEXT escaping, RFC 5545 §3.3.11: backslash, semicolon, comma and newlines; control
    characters other than tab and line breaks are dropped, lone surrogates become U+FFFD."""
    # RFC 5545 TEXT admits no CONTROL character but tab (newlines are escaped below); input is
    # refused with them (track2.validation), and anything stored earlier is dropped here.
    value = printable(value)
    # U+2028/U+2029 are valid TEXT, but some clients start a new line at them: a one-line field
    # (the summary, a title) would show two. A space keeps the words apart.
    value = value.replace("\u2028", " ").replace("\u2029", " ")
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def fold(line: str) -> str:
    """Fold a content line at 75 octets (RFC 5545 §3.1), never inside a UTF-8 character.
    Continuation lines start with one space, which counts towards their 75 octets."""
    parts: list[str] = []
    current, size, limit = "", 0, MAX_OCTETS
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            parts.append(current)
            current, size, limit = "", 0, MAX_OCTETS - 1
        current += char
        size += width
    parts.append(current)
    return "\r\n ".join(parts)


def utc_stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _property(name: str, value: str) -> str:
    return fold(f"{name}:{value}")


def render_calendar(
    events: Iterable[CalendarEvent], *, name: str = "", now: datetime | None = None
) -> str:
    stamp = utc_stamp(now or timezone.now())
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ]
    if name:
        lines.append(_property("X-WR-CALNAME", escape_text(name)))
    for event in events:
        lines += [
            "BEGIN:VEVENT",
            _property("UID", printable(event.uid)),
            f"DTSTAMP:{stamp}",
            f"DTSTART:{utc_stamp(event.starts_at)}",
            f"DTEND:{utc_stamp(event.ends_at)}",
            _property("SUMMARY", escape_text(event.summary)),
        ]
        if event.description:
            lines.append(_property("DESCRIPTION", escape_text(event.description)))
        if event.location:
            lines.append(_property("LOCATION", escape_text(event.location)))
        if event.url:
            lines.append(_property("URL", printable(event.url)))
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "\r\n".join(lines) + "\r\n"


def meeting_event(meeting, *, show_address: bool, host: str, url: str = "") -> CalendarEvent:
    """The calendar entry for a meeting as one viewer may see it; `show_address`: whether the
    viewer may see the venue's address on the meeting page."""
    venue = meeting.venue
    where = ""
    if venue is not None and show_address:
        place = ", ".join(part for part in (venue.name, venue.city, venue.country) if part)
        if venue.is_address_restricted or venue.kind == venue.Kind.VIRTUAL:
            # Never in a calendar file (docs/decisions.md): the page is one sign-in away. A
            # virtual room's joining details let anyone in, confidential venue or not.
            where = f"{place}\n{_('Address on the meeting page')}" if venue.address else place
        else:
            where = f"{place}\n{venue.address}" if venue.address else place
    description = "\n".join(
        filter(
            None,
            [
                meeting.dialogue.title,
                _("Planned in %(zone)s; attribution: %(mode)s.")
                % {"zone": meeting.time_zone, "mode": meeting.get_attribution_mode_display()},
                _(STATUS_LINE),
            ],
        )
    )
    return CalendarEvent(
        uid=f"meeting-{meeting.pk}@{host}",
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        summary=f"{meeting.title} — {meeting.dialogue.title}",
        description=description,
        location=where,
        url=url,
    )
