"""What the trail's objects are called now: one lookup per kind of object, each scoped to the
dialogue being read and run once for all the entries of a page (one query per kind).

The trail keeps no copy of names (models.py), so a name is read from the object itself; an
object the lookup no longer finds was deleted since. A kind of which a dialogue holds one (its
disclosure settings, retention policy, key destruction) has nothing to name it by but is still
looked up, so that the page never calls an object deleted that is not. A statement is named by
its meeting, never by its words: the trail says what was done in which room, not what was said.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

# A lookup: (dialogue, ids) → {id: name}; "" for an object found that has no name of its own.
Lookup = Callable[[object, set[int]], dict[int, str]]


def _field(model_path: str, scope: str, field: str) -> Lookup:
    """Objects of `model_path` ("app.Model") in the dialogue (`scope`: the path to it), named by
    `field`."""

    def lookup(dialogue, ids: set[int]) -> dict[int, str]:
        from django.apps import apps

        model = apps.get_model(model_path)
        rows = model.objects.filter(**{scope: dialogue}, pk__in=ids).values_list("pk", field)
        return {pk: str(name) for pk, name in rows}

    return lookup


def _unnamed(model_path: str, scope: str) -> Lookup:
    """One object per dialogue: found or not, nothing more to call it."""

    def lookup(dialogue, ids: set[int]) -> dict[int, str]:
        from django.apps import apps

        model = apps.get_model(model_path)
        found = model.objects.filter(**{scope: dialogue}, pk__in=ids).values_list("pk", flat=True)
        return dict.fromkeys(found, "")

    return lookup


def _dialogue(dialogue, ids: set[int]) -> dict[int, str]:
    return {dialogue.pk: dialogue.title} if dialogue.pk in ids else {}


def _people(dialogue, ids: set[int]) -> dict[int, str]:
    """People this dialogue knows: a candidacy, a seat, a meeting's list or a role here (a person
    known only to another dialogue of the institution is not named here)."""
    from django.db.models import Q

    from track2.people.models import Person

    known = (
        Q(candidacies__dialogue=dialogue)
        | Q(delegation_seats__dialogue=dialogue)
        | Q(meeting_seats__meeting__dialogue=dialogue)
        | Q(user__memberships__dialogue=dialogue)
    )
    rows = Person.objects.filter(known, pk__in=ids).distinct().values_list("pk", "full_name")
    return dict(rows)


def _role_offers(dialogue, ids: set[int]) -> dict[int, str]:
    from track2.dialogues.models import RoleInvitation

    found = RoleInvitation.objects.filter(dialogue=dialogue, pk__in=ids)
    return {offer.pk: f"{offer.get_role_display()} for {offer.sent_to}" for offer in found}


def _key_bundles(dialogue, ids: set[int]) -> dict[int, str]:
    """A member's bundle by the member's name, an offline contact's by its label."""
    from track2.backchannel.models import DirectoryEntry

    rows = DirectoryEntry.objects.filter(dialogue=dialogue, pk__in=ids).values_list(
        "pk", "contact_label", "user__display_name", "user__email"
    )
    return {pk: label or shown or email or "" for pk, label, shown, email in rows}


def _by_meeting(model_path: str) -> Lookup:
    """Objects of a meeting (its room, floor or statements), named by the meeting."""
    return _field(model_path, "meeting__dialogue", "meeting__title")


def _record_versions(dialogue, ids: set[int]) -> dict[int, str]:
    from track2.facilitation.models import RecordVersion

    rows = RecordVersion.objects.filter(meeting__dialogue=dialogue, pk__in=ids).values_list(
        "pk", "meeting__title", "number"
    )
    return {pk: f"{title}, version {number}" for pk, title, number in rows}


def _surveys(dialogue, ids: set[int]) -> dict[int, str]:
    from track2.impact.models import Survey

    return {s.pk: str(s) for s in Survey.objects.filter(dialogue=dialogue, pk__in=ids)}


def _document_titles(dialogue, document_ids: Iterable[int]) -> dict[int, str]:
    """Each outcome document's current title (that of its latest version)."""
    from track2.outcomes.models import Version

    rows = (
        Version.objects.filter(document__dialogue=dialogue, document_id__in=set(document_ids))
        .order_by("document_id", "number")
        .values_list("document_id", "title")
    )
    return dict(rows)  # the latest version of each document comes last and wins


def _of_document(model_path: str, numbered: str = "") -> Lookup:
    """An object of an outcome document (an amendment, a draft, a copy), named by the document's
    current title; `numbered` ("copy") adds ", copy <its number>"."""

    def lookup(dialogue, ids: set[int]) -> dict[int, str]:
        from django.apps import apps

        model = apps.get_model(model_path)
        fields = ["pk", "document_id", "number"] if numbered else ["pk", "document_id"]
        rows = list(
            model.objects.filter(document__dialogue=dialogue, pk__in=ids).values_list(*fields)
        )
        titles = _document_titles(dialogue, {row[1] for row in rows})
        return {
            row[0]: titles.get(row[1], "") + (f", {numbered} {row[2]}" if numbered else "")
            for row in rows
        }

    return lookup


def _version_titles(dialogue, ids: set[int]) -> dict[int, str]:
    """A version by its own title (the words it was made with) and number."""
    from track2.outcomes.models import Version

    rows = Version.objects.filter(document__dialogue=dialogue, pk__in=ids).values_list(
        "pk", "title", "number"
    )
    return {pk: f"{title}, version {number}" for pk, title, number in rows}


# Every kind of object an entry can be about (queries.OBJECT_TYPES), and how it is named.
LOOKUPS: dict[str, Lookup] = {
    "dialogue": _dialogue,
    "party": _field("dialogues.Party", "dialogue", "name"),
    "delegation": _field("dialogues.Delegation", "dialogue", "name"),
    "venue": _field("dialogues.Venue", "dialogue", "name"),
    "roleinvitation": _role_offers,
    "meeting": _field("meetings.Meeting", "dialogue", "title"),
    "agendaitem": _field("meetings.AgendaItem", "meeting__dialogue", "title"),
    "person": _people,
    "room": _by_meeting("deliberation.Room"),
    "statement": _by_meeting("deliberation.Statement"),
    "floor": _by_meeting("facilitation.Floor"),
    "recordversion": _record_versions,
    "recommendation": _field("impact.Recommendation", "dialogue", "title"),
    "relay": _field("impact.Relay", "recommendation__dialogue", "recommendation__title"),
    "reaction": _field("impact.Reaction", "recommendation__dialogue", "recommendation__title"),
    "notification": _field("impact.Notification", "dialogue", "informed"),
    "survey": _surveys,
    "disclosure": _unnamed("impact.Disclosure", "dialogue"),
    "retentionpolicy": _unnamed("operations.RetentionPolicy", "dialogue"),
    "keydestruction": _unnamed("operations.KeyDestruction", "dialogue"),
    "dialoguedeletion": _unnamed("operations.DialogueDeletion", "dialogue"),
    "directoryentry": _key_bundles,
    "outcomedocument": _document_titles,
    "version": _version_titles,
    "amendment": _of_document("outcomes.Amendment"),
    "alternative": _of_document("outcomes.Alternative"),
    "copy": _of_document("outcomes.Copy", "copy"),
}

# Rows about a person (a role, a seat, a place on a meeting's list, a candidacy): named by the
# person, whose own row outlives them.
ABOUT_A_PERSON = ("membership", "delegationmember", "meetingparticipant", "candidacy")


def names(dialogue, wanted: dict[str, set[int]]) -> dict[tuple[str, int], str]:
    """(kind, id) → name for every object of `wanted` still in the dialogue ("" when it has no
    name of its own); an object missing from the answer was deleted since."""
    found: dict[tuple[str, int], str] = {}
    for kind, ids in wanted.items():
        lookup = LOOKUPS.get(kind)
        if lookup is None or not ids:
            continue
        found.update({(kind, pk): name for pk, name in lookup(dialogue, ids).items()})
    return found
