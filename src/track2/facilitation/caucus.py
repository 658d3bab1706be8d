"""Caucus rooms: each side's private statements, notes and small polls in a meeting, and the caucus break
the facilitator calls. Loaded only through `access_caucus`; changes are announced on the caucus's
own topic, which only that delegation may watch.

Notes are not attributed, and the non-attribution check of the dialogue room runs on them in
every attribution mode: a caucus note is read by a whole delegation, and one that names a
participant, their e-mail or their affiliation is held (kept for its writer, shown to nobody else).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from track2 import keyring, live
from track2.access.facilitation import CaucusAccess, access_caucus
from track2.audit import record as audit
from track2.deliberation import nonattribution
from track2.deliberation.models import STATEMENT_MAX
from track2.errors import ActionRefused, NotPermitted, Problems
from track2.facilitation import actions
from track2.facilitation.models import (
    NOTE_MAX,
    Caucus,
    CaucusAnswer,
    CaucusNote,
    CaucusPoll,
    CaucusStatement,
    CaucusVote,
)
from track2.validation import MAX_ID, text_problem

QUESTION_MAX = 300
OPTION_MAX = 200
MAX_OPTIONS = 6
MAX_BREAK_MINUTES = 120


def _pk(value) -> int:
    """An id as sent (a page's string, the API's int); anything else matches no row (0)."""
    try:
        pk = int(value)
    except (TypeError, ValueError):
        return 0
    return pk if 1 <= pk <= MAX_ID else 0


def caucus_of(ctx: CaucusAccess) -> Caucus:
    return Caucus.objects.get_or_create(meeting=ctx.meeting, delegation=ctx.delegation)[0]


def _member(user, dialogue_id, meeting_id, delegation_id) -> CaucusAccess:
    """The caucus for one of its delegation's members: invited facilitators read, never write."""
    ctx = access_caucus(user, dialogue_id, meeting_id, delegation_id)
    if ctx.is_guest:
        raise NotPermitted(_("You are invited to read this caucus: its delegation writes in it."))
    return ctx


def _announce(ctx: CaucusAccess) -> None:
    live.announce(live.caucus_topic(ctx.meeting.pk, ctx.delegation.pk))


def clean_text(text, field: str, limit: int, problems: Problems, *, multiline: bool) -> str | None:
    """Admissible text (no control characters, no lone surrogates) within `limit`, or None with
    the problem added."""
    if not isinstance(text, str):
        problems.add(_("Write it as text."), field)
        return None
    text = text.strip() if multiline else " ".join(text.split())
    if not text:
        problems.add(_("Write something: it is empty."), field)
        return None
    problem = text_problem(text, multiline=multiline)
    if problem:
        problems.add(problem, field)
        return None
    if len(text) > limit:
        problems.add(
            _("At most %(max)d characters (this has %(n)d): shorten it.")
            % {"max": limit, "n": len(text)},
            field,
        )
        return None
    return text


def names_in(dialogue, text: str) -> list[str]:
    """The dialogue's people (names, e-mails, affiliations) that `text` names."""
    return nonattribution.named_terms(text, nonattribution.people_terms(dialogue))


# --- notes -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class NoteDraft:
    ctx: CaucusAccess
    text: str
    is_held: bool
    note: CaucusNote | None = None  # a held note being revised


def _own_held_note(ctx: CaucusAccess, note_id) -> CaucusNote | None:
    """Only a held note is revised or deleted, and only by its writer: a published note is the
    caucus's."""
    return CaucusNote.objects.filter(
        caucus__meeting=ctx.meeting,
        caucus__delegation=ctx.delegation,
        pk=_pk(note_id),
        held_for_id=ctx.person_id,
    ).first()


def check_note(user, dialogue_id, meeting_id, delegation_id, text, note_id=None) -> NoteDraft:
    ctx = _member(user, dialogue_id, meeting_id, delegation_id)
    problems = Problems()
    note = None
    if note_id is not None:
        note = _own_held_note(ctx, note_id)
        if note is None:
            problems.add(_("That is not a held note of yours: only those are revised."), "note_id")
    cleaned = clean_text(text, "text", NOTE_MAX, problems, multiline=True)
    problems.raise_any()
    assert cleaned is not None  # noqa: S101  (raise_any raised otherwise)
    return NoteDraft(ctx, cleaned, bool(names_in(ctx.dialogue, cleaned)), note)


def _write(ctx: CaucusAccess, model, existing, text: str, is_held: bool):
    """A caucus note or statement, new or revised: held for its writer while it names someone."""
    held_for = ctx.person_id if is_held else None
    if existing is not None:
        existing.text, existing.held_for_id = text, held_for
        existing.save(update_fields=["text", "held_for"])
    else:
        existing = model.objects.create(caucus=caucus_of(ctx), text=text, held_for_id=held_for)
    _announce(ctx)
    return existing


@transaction.atomic
def do_note(draft: NoteDraft) -> CaucusNote:
    return _write(draft.ctx, CaucusNote, draft.note, draft.text, draft.is_held)


def check_delete_held(user, dialogue_id, meeting_id, delegation_id, note_id) -> CaucusNote:
    ctx = _member(user, dialogue_id, meeting_id, delegation_id)
    note = _own_held_note(ctx, note_id)
    if note is None:
        raise ActionRefused(_("That is not a held note of yours: only those are deleted."))
    return note


@transaction.atomic
def do_delete_held(note: CaucusNote) -> None:
    caucus = note.caucus
    note.delete()
    live.announce(live.caucus_topic(caucus.meeting_id, caucus.delegation_id))


# --- polls -----------------------------------------------------------------------------------


def check_poll(user, dialogue_id, meeting_id, delegation_id, question, options):
    ctx = _member(user, dialogue_id, meeting_id, delegation_id)
    problems = Problems()
    cleaned_q = clean_text(question, "question", QUESTION_MAX, problems, multiline=False)
    cleaned_o: list[str] = []
    if not isinstance(options, list) or not 2 <= len(options) <= MAX_OPTIONS:
        problems.add(_("Give between 2 and %(max)d options.") % {"max": MAX_OPTIONS}, "options")
    else:
        for option in options:
            one = clean_text(option, "options", OPTION_MAX, problems, multiline=False)
            if one is not None:
                if one in cleaned_o:
                    problems.add(
                        _("Each option once: “%(o)s” repeats.") % {"o": one[:40]}, "options"
                    )
                cleaned_o.append(one)
    for text in [cleaned_q or "", *cleaned_o]:
        if text and names_in(ctx.dialogue, text):
            problems.add(
                _("A poll names nobody: remove the name, e-mail or affiliation."), "question"
            )
            break
    problems.raise_any()
    return ctx, cleaned_q, cleaned_o


@transaction.atomic
def do_poll(ctx: CaucusAccess, question: str, options: list[str]) -> CaucusPoll:
    poll = CaucusPoll.objects.create(caucus=caucus_of(ctx), question=question, options=options)
    _announce(ctx)
    return poll


def check_answer(user, dialogue_id, meeting_id, delegation_id, poll_id, choice):
    ctx = _member(user, dialogue_id, meeting_id, delegation_id)
    poll = CaucusPoll.objects.filter(
        caucus__meeting=ctx.meeting, caucus__delegation=ctx.delegation, pk=_pk(poll_id)
    ).first()
    if poll is None:
        raise ActionRefused(_("That is not a poll of this caucus."), field="poll_id")
    if not poll.is_open:
        raise ActionRefused(_("This poll is closed."), field="poll_id")
    if (
        isinstance(choice, bool)
        or not isinstance(choice, int)
        or not 0 <= choice < len(poll.options)
    ):
        raise ActionRefused(
            _("Choose an option by its number, 0 to %(last)d.") % {"last": len(poll.options) - 1},
            field="choice",
        )
    return ctx, poll, choice


@transaction.atomic
def do_answer(ctx: CaucusAccess, poll: CaucusPoll, choice: int) -> None:
    CaucusAnswer.objects.update_or_create(
        poll=poll, person_id=ctx.person_id, defaults={"choice": choice}
    )
    _announce(ctx)


def check_close_poll(user, dialogue_id, meeting_id, delegation_id, poll_id):
    ctx, poll, _c = check_answer(user, dialogue_id, meeting_id, delegation_id, poll_id, 0)
    return ctx, poll


@transaction.atomic
def do_close_poll(ctx: CaucusAccess, poll: CaucusPoll) -> None:
    CaucusPoll.objects.filter(pk=poll.pk).update(is_open=False)
    _announce(ctx)


# --- statements ------------------------------------------------------------------------------
# The caucus's own statements live in their own table: the plenary room's statements, its map,
# the engine, the record's citations and every export read `deliberation.Statement` only, so a
# caucus statement cannot reach them.

VOTES = {"agree": 1, "disagree": -1, "pass": 0}


@dataclass(frozen=True)
class StatementDraft:
    ctx: CaucusAccess
    text: str
    is_held: bool
    statement: CaucusStatement | None = None  # a held statement being revised


def _own_held_statement(ctx: CaucusAccess, statement_id) -> CaucusStatement | None:
    return CaucusStatement.objects.filter(
        caucus__meeting=ctx.meeting,
        caucus__delegation=ctx.delegation,
        pk=_pk(statement_id),
        held_for_id=ctx.person_id,
    ).first()


def check_statement(
    user, dialogue_id, meeting_id, delegation_id, text, statement_id=None
) -> StatementDraft:
    ctx = _member(user, dialogue_id, meeting_id, delegation_id)
    problems = Problems()
    statement = None
    if statement_id is not None:
        statement = _own_held_statement(ctx, statement_id)
        if statement is None:
            problems.add(
                _("That is not a held statement of yours: only those are revised."),
                "statement_id",
            )
    cleaned = clean_text(text, "text", STATEMENT_MAX, problems, multiline=False)
    problems.raise_any()
    assert cleaned is not None  # noqa: S101  (raise_any raised otherwise)
    return StatementDraft(ctx, cleaned, bool(names_in(ctx.dialogue, cleaned)), statement)


@transaction.atomic
def do_statement(draft: StatementDraft) -> CaucusStatement:
    return _write(draft.ctx, CaucusStatement, draft.statement, draft.text, draft.is_held)


def check_delete_held_statement(
    user, dialogue_id, meeting_id, delegation_id, statement_id
) -> CaucusStatement:
    ctx = _member(user, dialogue_id, meeting_id, delegation_id)
    statement = _own_held_statement(ctx, statement_id)
    if statement is None:
        raise ActionRefused(
            _("That is not a held statement of yours: only those are deleted."),
            field="statement_id",
        )
    return statement


@transaction.atomic
def do_delete_held_statement(statement: CaucusStatement) -> None:
    caucus = statement.caucus
    statement.delete()
    live.announce(live.caucus_topic(caucus.meeting_id, caucus.delegation_id))


def check_vote(user, dialogue_id, meeting_id, delegation_id, statement_id, vote):
    """A member votes on a published statement of their caucus: "agree", "disagree" or "pass"."""
    ctx = _member(user, dialogue_id, meeting_id, delegation_id)
    problems = Problems()
    statement = CaucusStatement.objects.filter(
        caucus__meeting=ctx.meeting,
        caucus__delegation=ctx.delegation,
        pk=_pk(statement_id),
        held_for__isnull=True,
    ).first()
    if statement is None:
        problems.add(_("That is not a statement of this caucus."), "statement_id")
    if not isinstance(vote, str) or vote not in VOTES:
        problems.add(_("Vote “agree”, “disagree” or “pass”."), "vote")
    problems.raise_any()
    assert statement is not None  # noqa: S101  (raise_any raised otherwise)
    pseudonym = _pseudonym(ctx)
    if pseudonym is None:
        raise ActionRefused(
            _("This dialogue's key was destroyed: its votes can no longer be taken or changed.")
        )
    return ctx, statement, VOTES[vote], pseudonym


def _pseudonym(ctx: CaucusAccess) -> str | None:
    """The member's pseudonym in the dialogue; None once the dialogue's key is destroyed."""
    if ctx.person_id is None:
        return None
    try:
        return keyring.pseudonym(ctx.dialogue.pk, ctx.person_id)
    except keyring.KeyDestroyed:
        return None


@transaction.atomic
def do_vote(ctx: CaucusAccess, statement: CaucusStatement, vote: int, pseudonym: str) -> None:
    CaucusVote.objects.update_or_create(
        statement=statement, pseudonym=pseudonym, defaults={"vote": vote}
    )
    _announce(ctx)


def _statement_counts(statement: CaucusStatement) -> dict:
    if statement.kept_counts is not None:
        agree, disagree, passed = statement.kept_counts
    else:
        votes = [v.vote for v in statement.votes.all()]
        agree, disagree, passed = votes.count(1), votes.count(-1), votes.count(0)
    return {"agree": agree, "disagree": disagree, "pass": passed}


def caucus_for(ctx: CaucusAccess) -> dict:
    """The caucus as its member reads it: published statements with their votes, published notes,
    their own held statements and notes, polls with counts (the delegation's own figures, for
    itself)."""
    from track2.disclosure.status import STATUS_LINE

    notes = CaucusNote.objects.filter(
        caucus__meeting=ctx.meeting, caucus__delegation=ctx.delegation
    )
    polls = CaucusPoll.objects.filter(
        caucus__meeting=ctx.meeting, caucus__delegation=ctx.delegation
    ).prefetch_related("answers")
    statements = CaucusStatement.objects.filter(
        caucus__meeting=ctx.meeting, caucus__delegation=ctx.delegation
    ).prefetch_related("votes")
    room = Caucus.objects.filter(meeting=ctx.meeting, delegation=ctx.delegation).first()
    vote_names = {v: k for k, v in VOTES.items()}
    own = _pseudonym(ctx) if not ctx.is_guest else None
    return {
        "delegation": ctx.delegation.name,
        "are_facilitators_invited": bool(room and room.are_facilitators_invited),
        "is_guest": ctx.is_guest,
        "statements": [
            {
                "id": st.pk,
                "text": st.text,
                **_statement_counts(st),
                "your_vote": next(
                    (vote_names[v.vote] for v in st.votes.all() if own and v.pseudonym == own),
                    None,
                ),
            }
            for st in statements.filter(held_for__isnull=True).order_by("text")
        ],
        "held_statements": [
            {"id": st.pk, "text": st.text}
            for st in (statements.filter(held_for_id=ctx.person_id) if ctx.person_id else [])
        ],
        "notes": [
            {"id": n.pk, "text": n.text}
            for n in notes.filter(held_for__isnull=True).order_by("text")
        ],
        "held_notes": [
            {"id": n.pk, "text": n.text}
            for n in (notes.filter(held_for_id=ctx.person_id) if ctx.person_id else [])
        ],
        "polls": [
            {
                "id": p.pk,
                "question": p.question,
                "is_open": p.is_open,
                "options": [
                    {
                        "option": o,
                        "count": p.kept_counts[i]
                        if p.kept_counts is not None
                        else sum(1 for a in p.answers.all() if a.choice == i),
                    }
                    for i, o in enumerate(p.options)
                ],
                "your_choice": next(
                    (a.choice for a in p.answers.all() if a.person_id == ctx.person_id), None
                ),
            }
            for p in polls.order_by("question")
        ],
        "status_line": STATUS_LINE,
    }


def check_invite(
    user, dialogue_id, meeting_id, delegation_id, invited
) -> tuple[CaucusAccess, bool]:
    """A member of the delegation invites the facilitators in to read the caucus, or not."""
    ctx = _member(user, dialogue_id, meeting_id, delegation_id)
    if not isinstance(invited, bool):
        raise ActionRefused(_("Say true or false."), field="invited")
    return ctx, invited


@transaction.atomic
def do_invite(ctx: CaucusAccess, invited: bool) -> Caucus:
    room = caucus_of(ctx)
    room.are_facilitators_invited = invited
    room.save(update_fields=["are_facilitators_invited"])
    _announce(ctx)
    return room


# --- the caucus break ------------------------------------------------------------------------


def break_range() -> str:
    """What a caucus break may last, in the words the page and the API's schema both say."""
    return _("A caucus break lasts 1 to %(max)d minutes; 0 ends it.") % {"max": MAX_BREAK_MINUTES}


def check_caucus_break(user, dialogue_id, meeting_id, minutes):
    """Call a break of `minutes` (1–120) for every side to caucus, or end it (0)."""
    ctx = actions._facilitator(user, dialogue_id, meeting_id)
    problems = Problems()
    actions._refuse_if_over(ctx, problems, _("calling a caucus break"))
    if (
        isinstance(minutes, bool)
        or not isinstance(minutes, int)
        or not 0 <= minutes <= MAX_BREAK_MINUTES
    ):
        problems.add(break_range(), "minutes")
    problems.raise_any()
    return ctx, minutes


@transaction.atomic
def do_caucus_break(by, ctx, minutes: int):
    floor = actions._locked_floor(ctx.meeting)
    floor.caucus_break_until = timezone.now() + timedelta(minutes=minutes) if minutes else None
    floor.save(update_fields=["caucus_break_until"])
    audit.record(by, "caucus_break", floor, fields=["caucus_break_until"], dialogue=ctx.dialogue)
    live.announce(live.meeting_topic(ctx.meeting.pk))
    return floor
