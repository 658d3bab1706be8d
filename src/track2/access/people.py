"""Access rules for people data: identity details, vetting and invitations.

Only conveners of a dialogue see the people who are candidates in it, and only through that
dialogue: a convener of dialogue A cannot load a person through A who is a candidate only in
B, and nothing says whether such a person exists. A person belongs to one institution's
directory, and is loaded only through that institution's dialogues. Every refusal is `NotFound`.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _

from track2.access import DialogueAccess, NotFound, access_dialogue, parse_id
from track2.dialogues.models import Dialogue
from track2.errors import ActionRefused
from track2.people.models import Candidacy, Person


def access_people(user, dialogue_id: int | str) -> DialogueAccess:
    """The dialogue whose people directory `user` may read and change (conveners only)."""
    return access_dialogue(user, dialogue_id, need="convener")


def candidacy(ctx: DialogueAccess, person_id: int | str) -> Candidacy:
    """The candidacy of person `person_id` in a dialogue whose people the caller may read."""
    if not ctx.is_convener:
        raise NotFound
    pk = parse_id(person_id)
    found = (
        Candidacy.objects.select_related("person", "dialogue", "delegation")
        # The person must also belong to the dialogue's institution: nothing crosses institutions.
        .filter(
            dialogue=ctx.dialogue, person_id=pk, person__institution_id=ctx.dialogue.institution_id
        )
        .first()
    )
    if found is None:
        raise NotFound
    return found


def access_candidacy(user, dialogue_id: int | str, person_id: int | str) -> Candidacy:
    """The candidacy of person `person_id` in the dialogue, for its conveners; else NotFound."""
    return candidacy(access_people(user, dialogue_id), person_id)


def access_person(user, dialogue_id: int | str, person_id: int | str) -> Person:
    """The person, to conveners of a dialogue in which the person is a candidate; else NotFound."""
    return access_candidacy(user, dialogue_id, person_id).person


def persons_of(dialogue: Dialogue):
    """People a convener of this dialogue may refer to: candidates and delegation members.
    (Anyone else's id is treated as unknown, so no person outside the dialogue can be probed.)"""
    return (
        Person.objects.filter(
            Q(candidacies__dialogue=dialogue) | Q(delegation_seats__dialogue=dialogue),
            institution_id=dialogue.institution_id,
        )
        .distinct()
        .order_by("full_name")
    )


def person_named(ctx: DialogueAccess, person_id: int, field: str = "person_id") -> Person:
    """A person a convener's request names in its body: one of the dialogue's people, or a
    refusal on that field that says nothing of whether the id exists elsewhere."""
    found = persons_of(ctx.dialogue).filter(pk=person_id).first() if ctx.is_convener else None
    if found is None:
        raise ActionRefused(
            _("No person with this id is a candidate in this dialogue."), field=field
        )
    return found


def persons_named(
    ctx: DialogueAccess, person_ids: list[int], field: str = "person_ids"
) -> list[Person]:
    """Several people by id, all of them the dialogue's, or a refusal on that field."""
    found = list(persons_of(ctx.dialogue).filter(pk__in=person_ids)) if ctx.is_convener else []
    if len(found) != len(set(person_ids)):
        raise ActionRefused(_("Some person ids are not people of this dialogue."), field=field)
    return found
