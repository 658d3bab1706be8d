"""Access rules for people data: identity details, vetting and invitations.

Only conveners of a dialogue see the people who are candidates in it, and only through that
dialogue: a convener of dialogue A cannot load a person through A who is a candidate only in
B, and nothing says whether such a person exists. A person belongs to one institution's
directory, and is loaded only through that institution's dialogues. Every refusal is `NotFound`.
"""

from __future__ import annotations

from track2.access import NotFound, access_dialogue, parse_id
from track2.dialogues.models import Dialogue
from track2.people.models import Candidacy, Person


def access_people(user, dialogue_id: int | str) -> Dialogue:
    """The dialogue whose people directory `user` may read and change (conveners only)."""
    return access_dialogue(user, dialogue_id, need="convener")


def access_candidacy(user, dialogue_id: int | str, person_id: int | str) -> Candidacy:
    """The candidacy of person `person_id` in the dialogue, for its conveners; else NotFound."""
    dialogue = access_people(user, dialogue_id)
    pk = parse_id(person_id)
    candidacy = (
        Candidacy.objects.select_related("person", "dialogue", "delegation")
        # The person must also belong to the dialogue's institution: nothing crosses institutions.
        .filter(dialogue=dialogue, person_id=pk, person__institution_id=dialogue.institution_id)
        .first()
    )
    if candidacy is None:
        raise NotFound
    return candidacy


def access_person(user, dialogue_id: int | str, person_id: int | str) -> Person:
    """The person, to conveners of a dialogue in which the person is a candidate; else NotFound."""
    return access_candidacy(user, dialogue_id, person_id).person
