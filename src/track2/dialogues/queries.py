"""Reads about dialogues that pages, the API and the calendar share."""

from __future__ import annotations

from django.db.models import Count
from django.utils.translation import gettext as _

from track2.dialogues.models import Delegation, DelegationMember, Dialogue, Venue
from track2.people.models import Candidacy, Person

CLOSED_CANDIDACY = (Candidacy.Status.DECLINED, Candidacy.Status.WITHDRAWN)


def seated_persons(dialogue: Dialogue):
    """Delegation members: the people who may lead an agenda item or be asked to a meeting.
    (Candidates who are not seated stay a convener's matter.)"""
    return Person.objects.filter(delegation_seats__dialogue=dialogue).order_by("full_name")


def seatable_persons(dialogue: Dialogue):
    """Candidates still in the running who are not yet in a delegation: what the seat form offers.
    (The rule itself is `actions.check_seat_in_delegation`; this only spares a convener choices
    that would be refused.)"""
    return (
        Person.objects.filter(candidacies__dialogue=dialogue)
        .exclude(candidacies__dialogue=dialogue, candidacies__status__in=CLOSED_CANDIDACY)
        .exclude(delegation_seats__dialogue=dialogue)
        .distinct()
        .order_by("full_name")
    )


def delegations_with_counts(dialogue: Dialogue):
    return (
        Delegation.objects.filter(dialogue=dialogue)
        .select_related("party")
        .annotate(member_count=Count("members"))
        .order_by("kind", "name")
    )


def members_of(delegation: Delegation):
    return delegation.members.select_related("person").order_by("person__full_name")


def members_by_delegation(dialogue: Dialogue, delegation_ids) -> dict[int, list[DelegationMember]]:
    """The rosters of several delegations in one query (same order as members_of)."""
    rosters: dict[int, list[DelegationMember]] = {pk: [] for pk in delegation_ids}
    seats = (
        DelegationMember.objects.filter(dialogue=dialogue, delegation_id__in=rosters)
        .select_related("person")
        .order_by("person__full_name")
    )
    for seat in seats:
        rosters[seat.delegation_id].append(seat)
    return rosters


def neutrality_warning(dialogue: Dialogue, venue: Venue | None, parties=None) -> str | None:
    """A warning when the venue is in the country of one of the parties in tension.
    `parties`: the dialogue's parties when a caller checks many venues (read once)."""
    if venue is None or not venue.country or venue.kind == Venue.Kind.VIRTUAL:
        return None
    country = venue.country.strip().casefold()
    for party in dialogue.parties.all() if parties is None else parties:
        if party.country and party.country.strip().casefold() == country:
            return _(
                "%(venue)s is in %(country)s, the country of %(party)s, one of the parties. The other side "
                "may not see it as neutral ground; consider a third country or say why this host is acceptable."
            ) % {"venue": venue.name, "country": venue.country, "party": party.name}
    return None
