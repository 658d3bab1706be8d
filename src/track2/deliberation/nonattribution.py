"""The non-attribution check: does a statement name one of the dialogue's people?

Under the Chatham House Rule a statement that names a participant ("as Dr Petrova said"),
their e-mail or their organisation attributes something to them. Such a statement is held
for the facilitator instead of being shown. Matching is on Unicode-folded text (NFKD, marks
removed, case-folded, punctuation as spaces) and on whole words, so "PETROVA", "Petróva" and
"petrova's" all match "Petrova" while "Petrovabad" does not.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from track2.dialogues.models import Dialogue
from track2.people.models import Affiliation, Person

MIN_PART = 3  # name parts shorter than this ("Li" aside) match too many ordinary words
_NON_WORD = re.compile(r"[\W_]+")


def fold(text: str) -> str:
    """Lower-case, accent-free, punctuation-free text with single spaces."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(_NON_WORD.sub(" ", bare.casefold()).split())


def _terms_of(full_name: str, email: str, organisations: Iterable[str]) -> set[str]:
    terms = set()
    name = fold(full_name)
    if name:
        terms.add(name)
        terms.update(part for part in name.split() if len(part) >= MIN_PART)
    address = fold(email)
    if address:
        terms.add(address)
        local = fold(email.split("@", 1)[0])
        if len(local) >= MIN_PART + 1:
            terms.add(local)
    terms.update(t for t in (fold(o) for o in organisations) if len(t) >= MIN_PART)
    return terms


def people_terms(dialogue: Dialogue) -> set[str]:
    """Folded names, name parts, e-mails and affiliations of everyone seated in the dialogue
    or on the list of one of its meetings."""
    people = (
        Person.objects.filter(models_q_seated(dialogue))
        .distinct()
        .values_list("pk", "full_name", "email")
    )
    ids = [pk for pk, _n, _e in people]
    organisations: dict[int, list[str]] = {}
    for person_id, organisation in Affiliation.objects.filter(person_id__in=ids).values_list(
        "person_id", "organisation"
    ):
        organisations.setdefault(person_id, []).append(organisation)
    terms: set[str] = set()
    for pk, full_name, email in people:
        terms |= _terms_of(full_name, email, organisations.get(pk, ()))
    return terms


def models_q_seated(dialogue: Dialogue):
    from django.db.models import Q

    return Q(delegation_seats__dialogue=dialogue) | Q(meeting_seats__meeting__dialogue=dialogue)


def named_terms(text: str, terms: set[str]) -> list[str]:
    """The folded terms `text` contains as whole words (empty: it names nobody)."""
    folded = f" {fold(text)} "
    return sorted(t for t in terms if f" {t} " in folded)
