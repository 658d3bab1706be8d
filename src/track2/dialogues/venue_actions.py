"""Every write about a dialogue's venues: `check_*` validates, `do_*` writes.
(A venue's capacity is measured against the meetings held there: track2.meetings.)"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from track2.audit import record as audit
from track2.dialogues.actions import invalid_problems
from track2.dialogues.models import Dialogue, Venue
from track2.editable import Editable, apply_update
from track2.errors import ActionRefused, Problems
from track2.meetings.queries import seats_taken

# One declaration of a venue's editable fields: the form, the API schemas and the actions use it.
VENUE = Editable(
    Venue,
    (
        "name",
        "kind",
        "city",
        "country",
        "address",
        "is_confidential",
        "capacity",
        "accessibility_notes",
    ),
)
VENUE_FIELDS = VENUE.names


def _venue_checked(venue: Venue) -> Venue:
    problems = Problems()
    for name in ("name", "city", "country", "address", "accessibility_notes"):
        setattr(venue, name, (getattr(venue, name) or "").strip())
    if not venue.name:
        problems.add(_("Name the venue."), "name")
    if venue.kind not in Venue.Kind.values:
        problems.add(_("Choose what kind of venue this is."), "kind")
    if venue.kind != Venue.Kind.VIRTUAL and not venue.country:
        problems.add(_("Give the venue's country (needed for the neutrality check)."), "country")
    if venue.capacity is not None and venue.capacity < 1:
        problems.add(
            _("Capacity is a number of people, at least 1 (leave it empty for no limit)."),
            "capacity",
        )
    problems.add_unsaid(invalid_problems(venue, exclude=["created_by", "dialogue"]))
    problems.raise_any()
    return venue


def check_venue(dialogue: Dialogue, fields: dict) -> None:
    """Every rule on a venue's fields at once (fields a form could not read are left out)."""
    _venue_checked(Venue(dialogue=dialogue, **VENUE.only(fields)))


@transaction.atomic
def do_create_venue(by, dialogue: Dialogue, **fields) -> Venue:
    VENUE.refuse_unknown(fields)
    venue = _venue_checked(Venue(dialogue=dialogue, created_by=by, **fields))
    venue.save()
    audit.record(by, "create", venue, fields=fields)
    return venue


@transaction.atomic
def do_update_venue(by, venue: Venue, **fields) -> Venue:
    venue = Venue.objects.select_for_update().get(pk=venue.pk)
    return apply_update(by, venue, fields, editable=VENUE, check=_venue_fits)


def _venue_fits(venue: Venue) -> None:
    """The venue's own rules, and room for everyone already asked to its coming meetings."""
    _venue_checked(venue)
    if venue.capacity is not None:
        for meeting in venue.meetings.filter(ends_at__gt=timezone.now()):
            taken = seats_taken(meeting)
            if taken > venue.capacity:
                raise ActionRefused(
                    _(
                        "“%(meeting)s” at this venue already has %(taken)d people invited or confirmed; "
                        "a capacity of %(capacity)d is too small."
                    )
                    % {"meeting": meeting.title, "taken": taken, "capacity": venue.capacity},
                    field="capacity",
                )


@transaction.atomic
def do_delete_venue(by, venue: Venue) -> None:
    meeting = venue.meetings.order_by("starts_at").first()
    if meeting is not None:
        raise ActionRefused(
            _(
                "“%(meeting)s” takes place at this venue. Move that meeting elsewhere (or cancel it) first."
            )
            % {"meeting": meeting.title}
        )
    audit.record(by, "delete", venue)
    venue.delete()
