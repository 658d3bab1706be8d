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
# An e-mail's local part names its owner only when it is built from their name. Shared and role
# addresses are ordinary words: counted as names, "participant@…" held "Every participant should
# receive the data" (audit, finding 2), and "info@…" or "office@…" would hold as much.
ROLE_WORDS = frozenset(
    """
    participant participants delegate delegates delegation member members observer observers
    liaison facilitator facilitators convener conveners rapporteur secretariat secretary chair
    cochair admin administrator administration info information contact contacts office offices
    mail email post postmaster webmaster hostmaster noreply no reply donotreply hello help
    support service services team staff desk press media news newsletter enquiries enquiry
    inquiries inquiry reception front director board sales marketing accounts billing finance hr
    legal policy research programme program project projects events dialogue users user guest
    guests visitor test demo example
    """.split()
)
# Honorifics and ranks in a full name ("Amb. (ret.) Lisbet Varga", "Gen.", "Prof.") are not
# names: "ret" or "general" would hold statements that name nobody.
HONORIFICS = frozenset(
    """
    mr mrs ms mx dr prof professor sir dame amb ambassador ret gen general capt captain col
    colonel adm admiral hon rev
    """.split()
)
# A local part's separators: "elena.petrova", "jean-paul_sartre", "elena+dialogue".
_LOCAL_SEPARATORS = re.compile(r"[._\-+]")


def fold(text: str) -> str:
    """Lower-case, accent-free, punctuation-free text with single spaces."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(_NON_WORD.sub(" ", bare.casefold()).split())


def _name_parts(name: str) -> list[str]:
    """The words of a folded full name that are names (no honorific), in order."""
    return [part for part in name.split() if part not in HONORIFICS]


def local_part_term(email: str, name: str) -> str | None:
    """The folded local part of `email` when it looks like its owner's name (`name`, folded),
    else None. The whole address is a term all the same (people_terms).

    One word counts when it is made of the owner's name: one of its words ("petrova@…" for
    Elena Petrova, as the name parts already are), all of them run together ("elenapetrova@…")
    or the first initial and the last name ("epetrova@…"). Separators (. _ - +) splitting it
    into two or more name-like words count too: letters only, two or more of them, none a role
    or common word ("elena.petrova@…", "jean-paul.sartre@…"). "participant@…", "info@…",
    "participant.ostrava@…", "p0@…" and "person.05@…" name nobody."""
    local = email.split("@", 1)[0]
    words = fold(_LOCAL_SEPARATORS.sub(" ", local)).split()
    if len(words) == 1:
        word = words[0]
        parts = _name_parts(name)
        made_of_name = {*(p for p in parts if len(p) >= MIN_PART), "".join(parts)}
        if len(parts) >= 2:
            made_of_name.add(parts[0][0] + parts[-1])
        if len(word) >= MIN_PART + 1 and word in made_of_name and word not in ROLE_WORDS:
            return word
        return None
    if len(words) >= 2 and all(
        w.isalpha() and len(w) >= 2 and w not in ROLE_WORDS and w not in HONORIFICS for w in words
    ):
        return " ".join(words)
    return None


def _terms_of(full_name: str, email: str, organisations: Iterable[str]) -> set[str]:
    terms = set()
    name = fold(full_name)
    if name:
        terms.add(name)
        terms.update(part for part in _name_parts(name) if len(part) >= MIN_PART)
    address = fold(email)
    if address:
        terms.add(address)
        local = local_part_term(email, name)
        if local:
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
