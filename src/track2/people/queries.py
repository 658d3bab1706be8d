"""Reads about people that pages, the API and the roster export share."""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet, TextField
from django.db.models.functions import Cast

from track2.access import NotFound, parse_id
from track2.dialogues.models import DelegationMember, Dialogue
from track2.institutions.models import ConveningRight
from track2.meetings.models import MeetingParticipant
from track2.people.models import Affiliation, Candidacy, Person


@dataclass(frozen=True)
class PeopleFilter:
    """Search and filters of the people list. Empty values do not filter."""

    q: str = ""
    sector: str = ""
    country: str = ""
    status: str = ""
    # A delegation id, "none" for people without one, or "" for all.
    delegation: str = ""


def candidacies_of(dialogue: Dialogue, filters: PeopleFilter | None = None) -> QuerySet[Candidacy]:
    """The candidacies in `dialogue` (with person, affiliations and delegation), filtered."""
    filters = filters or PeopleFilter()
    rows = (
        Candidacy.objects.filter(dialogue=dialogue)
        .select_related("person", "delegation")
        .prefetch_related(Prefetch("person__affiliations", queryset=Affiliation.objects.all()))
        .order_by("person__full_name", "person_id")
    )
    q = filters.q.strip()
    if q:
        # Expertise is a JSON list; its stored text differs by database (SQLite escapes accents),
        # so tags are matched here, after a cheap look at each person's stored text.
        folded = q.casefold()
        by_tag = [
            pk
            for pk, raw in Candidacy.objects.filter(dialogue=dialogue).values_list(
                "pk", Cast("person__expertise", TextField())
            )
            if _may_match(raw, folded)
            and any(folded in str(tag).casefold() for tag in json.loads(raw) or [])
        ]
        # Affiliations through a subquery, not a join: a join repeats each candidacy per
        # affiliation and needs a DISTINCT over every column (slow at a directory's size).
        by_affiliation = Affiliation.objects.filter(
            Q(organisation__icontains=q) | Q(position__icontains=q)
        ).values("person_id")
        rows = rows.filter(
            Q(person__full_name__icontains=q)
            | Q(person__email__icontains=q)
            | Q(person_id__in=by_affiliation)
            | Q(pk__in=by_tag)
        )
    if filters.sector:
        rows = rows.filter(person__sector=filters.sector)
    if filters.country.strip():
        rows = rows.filter(person__country__iexact=filters.country.strip())
    if filters.status:
        rows = rows.filter(status=filters.status)
    # A person's delegation is their seat when seated (part of the dialogue), else the planned one.
    seated = DelegationMember.objects.filter(dialogue=dialogue)
    if filters.delegation == "none":
        rows = rows.filter(delegation__isnull=True).exclude(person__in=seated.values("person"))
    elif filters.delegation:
        try:
            delegation_id = parse_id(filters.delegation)
        except NotFound:
            return rows.none()
        rows = rows.filter(
            Q(delegation_id=delegation_id)
            | Q(person__in=seated.filter(delegation_id=delegation_id).values("person"))
        ).distinct()
    return rows


def _may_match(raw: str | None, folded: str) -> bool:
    """Whether a person's stored tags (JSON text) can contain `folded`: decoding every person's
    tags took most of a search in a 6,000-person directory. Plain ASCII tags appear verbatim in
    the text; anything escaped (backslash) or non-ASCII is decoded and checked."""
    if not raw:
        return False
    return "\\" in raw or not raw.isascii() or folded in raw.casefold()


def seats_in(dialogue: Dialogue, person_ids=None) -> dict[int, DelegationMember]:
    """Person id → their delegation seat in `dialogue` (of `person_ids` only, e.g. one page, when given)."""
    seats = DelegationMember.objects.filter(dialogue=dialogue).select_related("delegation")
    if person_ids is not None:
        seats = seats.filter(person_id__in=list(person_ids))
    return {seat.person_id: seat for seat in seats}


def countries_in(dialogue: Dialogue) -> list[str]:
    # order_by(): the model's ordering would join the name into SELECT DISTINCT, one row per person.
    names = (
        Person.objects.filter(candidacies__dialogue=dialogue)
        .order_by()
        .values_list("country", flat=True)
        .distinct()
    )
    return sorted({name for name in names if name}, key=str.lower)


def current_affiliation(person: Person) -> Affiliation | None:
    for affiliation in person.affiliations.all():
        if affiliation.is_current:
            return affiliation
    return None


def seat_of(person: Person, dialogue: Dialogue) -> DelegationMember | None:
    return (
        DelegationMember.objects.filter(dialogue=dialogue, person=person)
        .select_related("delegation")
        .first()
    )


def meeting_seats_of(person: Person, dialogue: Dialogue) -> QuerySet[MeetingParticipant]:
    """The person's place on each meeting list of the dialogue (invited, attended, …)."""
    return (
        MeetingParticipant.objects.filter(person=person, meeting__dialogue=dialogue)
        .select_related("meeting")
        .order_by("meeting__starts_at")
    )


def directory_keepers(dialogue: Dialogue) -> list[ConveningRight]:
    """Everyone who may look people up in the directory of the dialogue's institution (its
    conveners), with who granted each right and when: shown to the conveners, so that a right
    granted by a site administrator is never granted unseen."""
    return list(
        ConveningRight.objects.filter(institution_id=dialogue.institution_id)
        .select_related("user", "granted_by")
        .order_by("granted_at", "pk")
    )
