"""Reading the trail, for the dialogue's conveners: per dialogue, per object (with what belongs
to it: a meeting's agenda items and list, a delegation's seats) and per person.

Objects are named by what they are called now, looked up in this dialogue only, one query per
kind; an object deleted since reads as deleted — the trail keeps no copy of names."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from track2.audit.models import AuditEntry

# What a reader may filter on, with the words the pages use.
OBJECT_TYPES = {
    "dialogue": _("dialogue settings"),
    "party": _("party"),
    "membership": _("role"),
    "delegation": _("delegation"),
    "delegationmember": _("delegation seat"),
    "venue": _("venue"),
    "meeting": _("meeting"),
    "agendaitem": _("agenda item"),
    "meetingparticipant": _("meeting list"),
    "person": _("person"),
    "candidacy": _("candidacy"),
    "retentionpolicy": _("retention policy"),
    "keydestruction": _("key destruction"),
    "floor": _("meeting floor"),
    "recordversion": _("meeting record"),
    "recommendation": _("recommendation"),
    "relay": _("relay to officials"),
    "reaction": _("officials' reaction"),
    "notification": _("Track 1.5 notification"),
    "disclosure": _("public page, observers' reading and who reads who was briefed"),
    "survey": _("trust and tension survey"),
}
ACTIONS = {
    "create": _("created"),
    "update": _("changed"),
    "delete": _("deleted"),
    "add": _("added"),
    "grant": _("granted"),
    "revoke": _("revoked"),
    "seat": _("seated"),
    "unseat": _("unseated"),
    "move": _("moved"),
    "status": _("set the status of"),
    "remove": _("removed"),
    "nominate": _("nominated"),
    "vet": _("vetted"),
    "invite": _("invited"),
    "withdraw": _("withdrew"),
    "renominate": _("nominated again"),
    "request": _("asked for"),
    "destroy": _("confirmed and carried out"),
    "timer_start": _("started the agenda timer of"),
    "timer_pause": _("paused the agenda timer of"),
    "timer_resume": _("resumed the agenda timer of"),
    "timer_next": _("moved on to the next item on"),
    "caucus_break": _("called or ended a caucus break on"),
    "close": _("closed"),
    "approve": _("approved"),
    "relay": _("recorded"),
    "react": _("recorded"),
}


def for_dialogue(
    dialogue, *, object_type: str | None = None, object_id: int | None = None
) -> QuerySet[AuditEntry]:
    entries = AuditEntry.objects.filter(dialogue=dialogue)
    if object_type and object_id is not None:
        entries = entries.filter(
            Q(object_type=object_type, object_id=object_id)
            | Q(parent_type=object_type, parent_id=object_id)
        )
    elif object_type:
        entries = entries.filter(object_type=object_type)
    return entries


def for_person(dialogue, person_id: int) -> QuerySet[AuditEntry]:
    """A person's history as this dialogue's conveners may read it: what was done in this
    dialogue, and edits of the directory entry itself (which belong to no dialogue) made by this
    dialogue's own conveners — an edit by another dialogue's convener would tell that the person
    is known there, and who convenes it."""
    from track2.dialogues.models import Membership, Role

    conveners = Membership.objects.filter(dialogue=dialogue, role=Role.CONVENER).values("user_id")
    return AuditEntry.objects.filter(person_id=person_id).filter(
        Q(dialogue=dialogue) | Q(dialogue__isnull=True, actor_id__in=conveners)
    )


@dataclass(frozen=True)
class Line:
    entry: AuditEntry
    action: str
    kind: str
    name: str | None  # None: deleted since
    person: str | None


def _names(dialogue, entries: list[AuditEntry]) -> dict[tuple[str, int], str]:
    from track2.dialogues.models import Delegation, Party, Venue
    from track2.meetings.models import AgendaItem, Meeting
    from track2.people.models import Person

    wanted: dict[str, set[int]] = {}
    for e in entries:
        if e.object_id is not None:
            wanted.setdefault(e.object_type, set()).add(e.object_id)
        if e.person_id is not None:
            wanted.setdefault("person", set()).add(e.person_id)
    names: dict[tuple[str, int], str] = {}
    scoped = {
        "party": Party.objects.filter(dialogue=dialogue),
        "delegation": Delegation.objects.filter(dialogue=dialogue),
        "venue": Venue.objects.filter(dialogue=dialogue),
        "meeting": Meeting.objects.filter(dialogue=dialogue),
        "agendaitem": AgendaItem.objects.filter(meeting__dialogue=dialogue),
        # People known to this dialogue only (a candidacy here).
        "person": Person.objects.filter(candidacies__dialogue=dialogue),
    }
    for kind, ids in wanted.items():
        if kind == "dialogue":
            names.update({("dialogue", dialogue.pk): dialogue.title} if dialogue.pk in ids else {})
            continue
        queryset = scoped.get(kind)
        if queryset is None:
            continue
        field = (
            "full_name"
            if kind == "person"
            else "title"
            if kind in ("meeting", "agendaitem")
            else "name"
        )
        for pk, name in queryset.filter(pk__in=ids).values_list("pk", field):
            names[(kind, pk)] = name
    return names


def lines(dialogue, entries) -> list[Line]:
    entries = list(entries)
    names = _names(dialogue, entries)
    out = []
    for e in entries:
        if e.object_type in ("membership", "delegationmember", "meetingparticipant", "candidacy"):
            # Rows that are about a person: named by the person (their row may be gone).
            name = names.get(("person", e.person_id)) if e.person_id is not None else None
            if e.object_type == "membership" and name is None:
                name = str(_("an account"))
        else:
            name = names.get((e.object_type, e.object_id))
        out.append(
            Line(
                e,
                str(ACTIONS.get(e.action, e.action)),
                str(OBJECT_TYPES.get(e.object_type, e.object_type)),
                name,
                names.get(("person", e.person_id)) if e.person_id is not None else None,
            )
        )
    return out


def entry_out(line: Line) -> dict:
    e = line.entry
    return {
        "id": e.pk,
        "at": e.at.isoformat().replace("+00:00", "Z"),
        "actor": e.actor_name,
        "actor_id": e.actor_id,
        "action": e.action,
        "object_type": e.object_type,
        "object_id": e.object_id,
        "object_name": line.name,
        "parent_type": e.parent_type or None,
        "parent_id": e.parent_id,
        "person_id": e.person_id,
        "fields": list(e.fields),
    }
