"""Reading the trail, for the dialogue's conveners: per dialogue, per object (with what belongs
to it: a meeting's agenda items and list, a delegation's seats) and per person.

Objects are named by what they are called now, looked up in this dialogue only, one query per
kind (names.py); an object deleted since reads as deleted — the trail keeps no copy of names."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from track2.audit import names
from track2.audit.models import AuditEntry

# Every kind of object an entry can be about, with the words the pages use: what a reader may
# filter on (the page's choices, the API's `object_type`, docs/api.md) and, unless IN_A_LINE
# says it otherwise, how a line of the trail calls it. tests/audit/test_naming.py fails when a
# write records a kind or an action that is not listed here.
OBJECT_TYPES = {
    "dialogue": _("dialogue settings"),
    "party": _("party"),
    "membership": _("role"),
    "roleinvitation": _("role offer"),
    "delegation": _("delegation"),
    "delegationmember": _("delegation seat"),
    "venue": _("venue"),
    "meeting": _("meeting"),
    "agendaitem": _("agenda item"),
    "meetingparticipant": _("meeting list"),
    "person": _("person"),
    "candidacy": _("candidacy"),
    "room": _("dialogue room"),
    "statement": _("statement (moderation)"),
    "floor": _("meeting floor (agenda timer, caucus breaks)"),
    "recordversion": _("meeting record"),
    "recommendation": _("recommendation"),
    "relay": _("relay to officials"),
    "reaction": _("officials' reaction"),
    "notification": _("Track 1.5 notification"),
    "survey": _("trust and tension survey"),
    "disclosure": _("public page, observers' reading and who reads who was briefed"),
    "retentionpolicy": _("retention policy"),
    "keydestruction": _("destruction of the dialogue's pseudonym key"),
    "dialoguedeletion": _("request to delete the whole dialogue"),
    "directoryentry": _("back-channel key bundle"),
    "outcomedocument": _("outcome document"),
    "version": _("outcome document version"),
    "amendment": _("amendment (decisions)"),
    "alternative": _("competing draft"),
    "copy": _("numbered copy of an aide-mémoire"),
}
# A kind as a line of the trail says it before the object's name, where the name alone would
# not say what it is ("accepted statement in the room of meeting “Round 2”").
IN_A_LINE = {
    "room": _("dialogue room of meeting"),
    "statement": _("statement in the room of meeting"),
    "floor": _("floor of meeting"),
    "relay": _("relay to officials of recommendation"),
    "reaction": _("officials' reaction to recommendation"),
    "notification": _("Track 1.5 notification of"),
    "directoryentry": _("back-channel key bundle of"),
    "amendment": _("amendment to outcome document"),
    "alternative": _("competing draft for outcome document"),
    "copy": _("numbered copy of outcome document"),
}
# Every action an entry can record, in plain words ("moderate_reject" is "rejected").
ACTIONS = {
    "create": _("created"),
    "update": _("changed"),
    "delete": _("deleted"),
    "add": _("added"),
    "grant": _("granted"),
    "revoke": _("revoked"),
    "invite": _("invited"),
    "cancel": _("cancelled"),
    "seat": _("seated"),
    "unseat": _("unseated"),
    "move": _("moved"),
    "status": _("set the status of"),
    "remove": _("removed"),
    "archive": _("archived"),
    "restore": _("restored"),
    "nominate": _("nominated"),
    "vet": _("vetted"),
    "withdraw": _("withdrew"),
    "renominate": _("nominated again"),
    "request": _("asked for"),
    "destroy": _("confirmed and carried out"),
    "reorder": _("set the order of the statements in"),
    "import_polis": _("imported a Pol.is conversation into"),
    "moderate_accept": _("accepted"),
    "moderate_accept_named": _("published a flagged"),  # on the facilitator's word
    "moderate_reject": _("rejected"),
    "moderate_fix": _("corrected"),
    "moderate_merge": _("merged"),
    "timer_start": _("started the agenda timer on"),
    "timer_pause": _("paused the agenda timer on"),
    "timer_resume": _("resumed the agenda timer on"),
    "timer_next": _("moved on to the next item on"),
    "caucus_break": _("called or ended a caucus break on"),
    "close": _("closed"),
    "approve": _("approved"),
    "relay": _("recorded"),
    "react": _("recorded"),
    "version": _("made"),
    "accepted": _("accepted"),
    "rejected": _("rejected"),
    "copy": _("made"),
    "publish key bundle": _("published"),
    "replace key bundle": _("replaced"),
    "change keys": _("published new keys in"),
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
    name: str | None  # what the object is called now; None: deleted, or nothing to call it
    person: str | None
    is_deleted: bool = False  # looked up in the dialogue and not found: deleted since


def _wanted(entries: list[AuditEntry]) -> dict[str, set[int]]:
    wanted: dict[str, set[int]] = {}
    for e in entries:
        if e.object_id is not None and e.object_type not in names.ABOUT_A_PERSON:
            wanted.setdefault(e.object_type, set()).add(e.object_id)
        if e.person_id is not None:
            wanted.setdefault("person", set()).add(e.person_id)
    return wanted


def lines(dialogue, entries) -> list[Line]:
    entries = list(entries)
    found = names.names(dialogue, _wanted(entries))
    out = []
    for e in entries:
        person = found.get(("person", e.person_id)) if e.person_id is not None else None
        if e.object_type in names.ABOUT_A_PERSON:
            # Rows that are about a person: named by the person (their row may be gone).
            name = person
            is_deleted = e.person_id is not None and person is None
            if e.object_type == "membership" and name is None:
                name, is_deleted = str(_("an account")), False
        elif e.object_type in names.LOOKUPS and e.object_id is not None:
            name = found.get((e.object_type, e.object_id))
            is_deleted = name is None
        else:
            # A kind no lookup knows (test_naming.py keeps this empty): say nothing rather
            # than call it deleted.
            name, is_deleted = None, False
        out.append(
            Line(
                e,
                str(ACTIONS.get(e.action, e.action.replace("_", " "))),
                str(IN_A_LINE.get(e.object_type) or OBJECT_TYPES.get(e.object_type, e.object_type)),
                name or None,
                person,
                is_deleted,
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
        "object_deleted": line.is_deleted,
        "parent_type": e.parent_type or None,
        "parent_id": e.parent_id,
        "person_id": e.person_id,
        "fields": list(e.fields),
    }
