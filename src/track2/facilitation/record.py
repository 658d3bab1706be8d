"""The rapporteur's record of a meeting: non-attributed notes per agenda item, versions, the
facilitator's approval, participants' comments on a draft.

Non-attributed by construction: no note or comment stores who wrote it — nor does the audit
trail, which records the approval (an administrative act) but no note or comment written,
revised or removed: an entry "Dr … changed meeting record" at the time of each note would name
its writer. The dialogue room's non-attribution check holds any text that names a participant,
their e-mail or affiliation. An approved version is never changed: the next edit opens a new
draft version, copied from it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from track2 import live
from track2.access.facilitation import RecordAccess, access_record
from track2.audit import record as audit
from track2.deliberation import map_data
from track2.errors import ActionRefused, NotPermitted, Problems
from track2.facilitation.caucus import _pk, clean_text, names_in
from track2.facilitation.models import (
    COMMENT_MAX,
    RECORD_NOTE_MAX,
    RecordComment,
    RecordNote,
    RecordVersion,
)
from track2.meetings.models import AgendaItem, Meeting

MAX_CITES = 20


def latest(meeting) -> RecordVersion | None:
    return RecordVersion.objects.filter(meeting=meeting).order_by("-number").first()


def latest_approved(meeting) -> RecordVersion | None:
    return (
        RecordVersion.objects.filter(meeting=meeting, approved_at__isnull=False)
        .order_by("-number")
        .first()
    )


def _writer(user, dialogue_id, meeting_id) -> RecordAccess:
    ctx = access_record(user, dialogue_id, meeting_id)
    if not ctx.may_write:
        raise NotPermitted(_("Only the rapporteur and the facilitators write the record."))
    return ctx


@dataclass(frozen=True)
class NoteChange:
    ctx: RecordAccess
    text: str
    item: AgendaItem | None
    cites: list[int]
    is_held: bool
    note: RecordNote | None  # the note of the latest version being revised


def _latest_note(ctx: RecordAccess, note_id, problems: Problems) -> RecordNote | None:
    version = latest(ctx.meeting)
    note = RecordNote.objects.filter(version=version, pk=_pk(note_id)).first() if version else None
    if note is None:
        problems.add(_("That is not a note of the record's latest version."), "note_id")
    return note


def check_note(
    user, dialogue_id, meeting_id, text, item_id=None, cites=None, note_id=None
) -> NoteChange:
    ctx = _writer(user, dialogue_id, meeting_id)
    problems = Problems()
    note = None
    if note_id is not None:
        note = _latest_note(ctx, note_id, problems)
    item = None
    if item_id is not None:
        item = AgendaItem.objects.filter(meeting=ctx.meeting, pk=_pk(item_id)).first()
        if item is None:
            problems.add(_("That is not an item of this meeting's agenda."), "item_id")
    cleaned = clean_text(text, "text", RECORD_NOTE_MAX, problems, multiline=True)
    cited: list[int] = []
    if cites:
        if not isinstance(cites, list) or len(cites) > MAX_CITES:
            problems.add(
                _("Cite at most %(n)d statements, as a list of ids.") % {"n": MAX_CITES}, "cites"
            )
        else:
            known = set(map_data.accepted(ctx.meeting).values_list("id", flat=True))
            for value in cites:
                pk = _pk(value)
                if pk not in known:
                    problems.add(
                        _("“%(id)s” is not an accepted statement of this meeting's room.")
                        % {"id": str(value)[:24]},
                        "cites",
                    )
                elif pk not in cited:
                    cited.append(pk)
    problems.raise_any()
    assert cleaned is not None  # noqa: S101  (raise_any raised otherwise)
    return NoteChange(ctx, cleaned, item, cited, bool(names_in(ctx.dialogue, cleaned)), note)


def check_revise(user, dialogue_id, meeting_id, note_id, text) -> NoteChange:
    """New words for a note (a held one revised without the name, on the record's page): its
    agenda item and citations stay as they are. The same writers' rules and the same
    non-attribution check as a note written anew; the API's PUT, which sends every field, goes
    through check_note."""
    ctx = _writer(user, dialogue_id, meeting_id)
    problems = Problems()
    note = _latest_note(ctx, note_id, problems)
    cleaned = clean_text(text, "text", RECORD_NOTE_MAX, problems, multiline=True)
    problems.raise_any()
    assert note is not None and cleaned is not None  # noqa: S101  (raise_any raised otherwise)
    held = bool(names_in(ctx.dialogue, cleaned))
    return NoteChange(ctx, cleaned, note.agenda_item, list(note.cites), held, note)


def _draft(meeting) -> tuple[RecordVersion, dict[int, RecordNote]]:
    """The draft to write in: the latest version if it is a draft, else a new version copied
    from the latest (approved) one. Returns it and old note id → its copy."""
    # One writer of the meeting's record at a time, by its meeting's row: locking the latest
    # version is not enough, since there is none before the first note, and a second writer
    # waiting on an approved one would not see the draft the first made and number another the
    # same (record_version_unique, a server error) — two notes written at once, or one written
    # as the record is approved.
    Meeting.objects.select_for_update(of=("self",)).filter(pk=meeting.pk).first()
    current = (
        RecordVersion.objects.select_for_update()
        .filter(meeting=meeting)
        .order_by("-number")
        .first()
    )
    if current is not None and not current.is_approved:
        return current, {n.pk: n for n in current.notes.all()}
    number = (current.number if current else 0) + 1
    draft = RecordVersion.objects.create(meeting=meeting, number=number)
    copies: dict[int, RecordNote] = {}
    if current is not None:
        for old in current.notes.order_by("pk"):
            copies[old.pk] = RecordNote.objects.create(
                version=draft,
                agenda_item=old.agenda_item,
                text=old.text,
                is_held=old.is_held,
                cites=old.cites,
            )
    return draft, copies


@transaction.atomic
def do_note(by, change: NoteChange) -> RecordNote:
    """`by` is not recorded (the module's docstring): the audit trail would name the writer."""
    draft, copies = _draft(change.ctx.meeting)
    if change.note is not None:
        note = copies[change.note.pk]
        note.text, note.agenda_item, note.cites, note.is_held = (
            change.text,
            change.item,
            change.cites,
            change.is_held,
        )
        note.save()
    else:
        note = RecordNote.objects.create(
            version=draft,
            agenda_item=change.item,
            text=change.text,
            cites=change.cites,
            is_held=change.is_held,
        )
    live.announce(live.meeting_topic(change.ctx.meeting.pk))
    return note


def check_remove_note(user, dialogue_id, meeting_id, note_id) -> tuple[RecordAccess, RecordNote]:
    ctx = _writer(user, dialogue_id, meeting_id)
    version = latest(ctx.meeting)
    note = RecordNote.objects.filter(version=version, pk=_pk(note_id)).first() if version else None
    if note is None:
        raise ActionRefused(_("That is not a note of the record's latest version."), "note_id")
    return ctx, note


@transaction.atomic
def do_remove_note(by, ctx: RecordAccess, note: RecordNote) -> None:
    """`by` is not recorded, as for do_note."""
    _draft_version, copies = _draft(ctx.meeting)
    copies[note.pk].delete()
    live.announce(live.meeting_topic(ctx.meeting.pk))


def check_approve(user, dialogue_id, meeting_id) -> tuple[RecordAccess, RecordVersion]:
    ctx = access_record(user, dialogue_id, meeting_id)
    if not ctx.may_approve:
        raise NotPermitted(_("Only the meeting's facilitators approve its record."))
    version = latest(ctx.meeting)
    problems = Problems()
    if version is None or version.is_approved:
        problems.add(_("There is no draft to approve: write or revise a note first."))
    else:
        if not version.notes.exists():
            problems.add(_("The draft has no notes yet."))
        held = version.notes.filter(is_held=True).count()
        if held:
            problems.add(
                ngettext(
                    "%(n)d note may name someone and is held: revise it without the name, or "
                    "remove it, before the record is approved and shared.",
                    "%(n)d notes may name someone and are held: revise them without the name, "
                    "or remove them, before the record is approved and shared.",
                    held,
                )
                % {"n": held}
            )
    problems.raise_any()
    assert version is not None  # noqa: S101  (raise_any raised otherwise)
    return ctx, version


@transaction.atomic
def do_approve(by, ctx: RecordAccess, version: RecordVersion) -> RecordVersion:
    updated = RecordVersion.objects.filter(pk=version.pk, approved_at__isnull=True).update(
        approved_at=timezone.now()
    )
    if not updated:
        raise ActionRefused(_("This version is already approved."))
    version.refresh_from_db()
    audit.record(by, "approve", version, fields=["approved_at"], dialogue=ctx.dialogue)
    live.announce(live.meeting_topic(ctx.meeting.pk))
    return version


def check_comment(user, dialogue_id, meeting_id, text) -> tuple[RecordVersion, str, bool]:
    ctx = access_record(user, dialogue_id, meeting_id)
    if not ctx.may_comment:
        raise NotPermitted(_("Participants of the meeting comment on a draft record."))
    problems = Problems()
    version = latest(ctx.meeting)
    if version is None or version.is_approved:
        problems.add(_("There is no draft to comment on: comments go on a draft."))
    cleaned = clean_text(text, "text", COMMENT_MAX, problems, multiline=True)
    problems.raise_any()
    assert version is not None and cleaned is not None  # noqa: S101  (raised otherwise)
    return version, cleaned, bool(names_in(ctx.dialogue, cleaned))


@transaction.atomic
def do_comment(version: RecordVersion, text: str, is_held: bool) -> RecordComment:
    comment = RecordComment.objects.create(version=version, text=text, is_held=is_held)
    live.announce(live.meeting_topic(version.meeting_id))
    return comment


# --- reading ---------------------------------------------------------------------------------


def citable(ctx: RecordAccess) -> list[dict]:
    """The statements a writer may cite (the meeting's accepted ones), ordered by their text:
    the choice the record's page offers (the API takes their ids)."""
    if not ctx.may_write:
        return []
    return [
        {"id": pk, "text": text}
        for pk, text in map_data.accepted(ctx.meeting)
        .order_by("text", "pk")
        .values_list("id", "text")
    ]


def _statement_texts(meeting, ids: set[int]) -> dict[int, str]:
    return dict(map_data.accepted(meeting).filter(pk__in=ids).values_list("id", "text"))


def version_dict(ctx: RecordAccess, version: RecordVersion, *, writers_view: bool) -> dict:
    notes = list(
        version.notes.select_related("agenda_item").order_by("agenda_item__position", "pk")
    )
    if not writers_view:
        notes = [n for n in notes if not n.is_held]
    texts = _statement_texts(ctx.meeting, {c for n in notes for c in n.cites})
    comments = version.comments.order_by("text")
    if not writers_view:
        comments = comments.filter(is_held=False)
    return {
        "number": version.number,
        "is_approved": version.is_approved,
        "notes": [
            {
                "id": n.pk,
                "item_id": n.agenda_item_id,
                "item": n.agenda_item.title if n.agenda_item else None,
                "text": n.text,
                "is_held": n.is_held,
                "cites": [{"id": c, "text": texts.get(c, "")} for c in n.cites],
            }
            for n in notes
        ],
        "comments": [{"text": c.text, "is_held": c.is_held} for c in comments],
    }


def record_for(ctx: RecordAccess) -> dict:
    """Writers: the latest version (held notes flagged) and the last approved one. Participants:
    also the latest draft, without held text, to comment on. Others: the approved record only."""
    from track2.disclosure.status import STATUS_LINE

    current = latest(ctx.meeting)
    approved = latest_approved(ctx.meeting)
    sees_draft = ctx.may_write or ctx.may_comment
    draft = current if current is not None and not current.is_approved and sees_draft else None
    return {
        "approved": version_dict(ctx, approved, writers_view=False) if approved else None,
        "draft": version_dict(ctx, draft, writers_view=ctx.may_write) if draft else None,
        "versions": [
            {"number": v.number, "is_approved": v.is_approved}
            for v in RecordVersion.objects.filter(meeting=ctx.meeting).order_by("number")
            if v.is_approved or sees_draft
        ],
        "may_write": ctx.may_write,
        "may_approve": ctx.may_approve,
        "may_comment": ctx.may_comment and draft is not None,
        "status_line": STATUS_LINE,
    }
