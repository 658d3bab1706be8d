"""Every write of the room's statements and votes: `check_*` loads through `track2.access`
and enforces every rule, `do_*` writes.

A participant's own writes (submitting, voting) are never audited: an audit entry names its
actor, and would put a name next to a statement or a vote. A facilitator's or convener's
writes are audited without the statement's author (who wrote it is not theirs to record).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from track2 import keyring, live
from track2.access import NotFound, parse_id
from track2.access.room import RoomAccess, access_room, access_room_for_vote
from track2.audit import record as audit
from track2.deliberation import journal, nonattribution, plain_text
from track2.deliberation.models import (
    REASON_MAX,
    STATEMENT_MAX,
    Moderation,
    Room,
    Statement,
    StatementEdit,
    Vote,
    random_id,
)
from track2.deliberation.queries import next_number
from track2.errors import ActionRefused, NotPermitted, Problems
from track2.meetings.models import Meeting

HOLD_REASON = gettext_lazy(
    "Held for the facilitator: it may name a participant, their e-mail or their organisation, "
    "which the meeting's rule does not allow. The facilitator will accept, fix or reject it."
)


# --- who may take part -----------------------------------------------------------------------


def _key_refusal() -> ActionRefused:
    return NotPermitted(
        _(
            "This dialogue's pseudonym key was destroyed: its room is read-only for good "
            "(nobody can submit or vote any more)."
        )
    )


def _taking_part(ctx: RoomAccess) -> str:
    """The caller's pseudonym, when they may submit and vote in this room now."""
    if not ctx.is_participant:
        if "participant" in ctx.roles:
            raise NotPermitted(
                _("You are not on this meeting's list: only its participants submit and vote here.")
            )
        raise NotPermitted(
            _("Only the meeting's participants submit statements and vote (your role does not).")
        )
    if not ctx.room.is_open:
        raise ActionRefused(
            _("This meeting's room is closed: statements and votes are no longer taken.")
        )
    try:
        return ctx.pseudonym()
    except keyring.KeyDestroyed:
        raise _key_refusal() from None


def check_taking_part(user, dialogue_id, meeting_id) -> RoomAccess:
    """The room, for someone who may submit and vote in it now (else a refusal saying why)."""
    ctx = access_room(user, dialogue_id, meeting_id)
    _taking_part(ctx)
    return ctx


def _load_statement(ctx: RoomAccess, statement_id, **extra) -> Statement:
    try:
        return Statement.objects.get(pk=parse_id(statement_id), meeting=ctx.meeting, **extra)
    except Statement.DoesNotExist:
        raise NotFound from None


def clean_statement_text(text, field: str = "text") -> str:
    text = " ".join(str(text or "").split())
    if not text:
        raise ActionRefused(_("Write the statement: it is empty."), field=field)
    problem = plain_text.problem(text, multiline=False)
    if problem:
        raise ActionRefused(problem, field=field)
    if len(text) > STATEMENT_MAX:
        raise ActionRefused(
            _(
                "A statement is one short idea: at most %(max)d characters (this one has %(n)d). "
                "Shorten it or split it in two."
            )
            % {"max": STATEMENT_MAX, "n": len(text)},
            field=field,
        )
    return text


# --- submitting ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Submission:
    ctx: RoomAccess
    text: str
    author: str
    is_for_facilitator: bool
    named: tuple[str, ...]


def check_submit(
    user, dialogue_id, meeting_id, text, *, for_facilitator: bool = False
) -> Submission:
    ctx = access_room(user, dialogue_id, meeting_id)
    author = _taking_part(ctx)  # a refusal no input can change comes alone (403)
    problems = Problems()
    cleaned = problems.collect(clean_statement_text, text)
    if cleaned and not for_facilitator:
        # Only what the sender may read is compared: the room's statements and their own that
        # wait. Another's waiting or held statement must not be confirmed by a refusal (one held
        # for naming someone least of all); a twin of it meets the facilitators, who merge it.
        if _twin(_in_room(ctx), cleaned) is not None:
            problems.add(
                _("This statement is already in the room: vote on it instead of sending it again."),
                "text",
            )
        elif _twin(_waiting_of(ctx, author), cleaned) is not None:
            problems.add(
                _("You have sent this statement already: it waits for the facilitators."),
                "text",
            )
    problems.raise_any()
    assert cleaned is not None  # noqa: S101  (raise_any raised otherwise)
    return Submission(ctx, cleaned, author, bool(for_facilitator), _named(ctx, cleaned))


def _in_room(ctx: RoomAccess):
    """The room's accepted statements."""
    return Statement.objects.filter(
        meeting=ctx.meeting, is_for_facilitator=False, status=Statement.Status.ACCEPTED
    )


def _waiting_of(ctx: RoomAccess, author: str):
    """The author's own statements that wait (pending or held)."""
    return Statement.objects.filter(
        meeting=ctx.meeting,
        is_for_facilitator=False,
        author=author,
        status__in=(Statement.Status.PENDING, Statement.Status.HELD),
    )


def _twin(statements, text: str) -> int | None:
    """The id of one of `statements` that says `text` (ignoring case, accents and spacing)."""
    folded = nonattribution.fold(text)
    for pk, said in statements.values_list("pk", "text"):
        if nonattribution.fold(said) == folded:
            return pk
    return None


@transaction.atomic
def do_submit(submission: Submission) -> Statement:
    ctx = submission.ctx
    if submission.is_for_facilitator:
        status = Statement.Status.PENDING
    elif submission.named:
        status = Statement.Status.HELD
    elif ctx.room.moderation == Room.Moderation.POST:
        status = Statement.Status.ACCEPTED
    else:
        status = Statement.Status.PENDING
    statement = Statement.objects.create(
        meeting=ctx.meeting,
        text=submission.text,
        status=status,
        is_for_facilitator=submission.is_for_facilitator,
        author=submission.author,
    )
    if status == Statement.Status.HELD:
        Moderation.objects.create(
            statement=statement,
            decision=Moderation.Decision.HOLD,
            reason=str(HOLD_REASON),
            number=1,
        )
    live.announce(live.meeting_topic(ctx.meeting.pk))
    return statement


# --- voting ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ballot:
    meeting_id: int
    statement_id: int
    pseudonym: str
    value: int | None  # None: withdraw
    ctx: RoomAccess | None = None


def _vote_value(vote) -> int:
    if not isinstance(vote, str) or vote not in Vote.VALUES:
        raise ActionRefused(_("Answer “agree”, “disagree” or “pass”."), field="vote")
    return Vote.VALUES[vote]


def check_vote(user, dialogue_id, meeting_id, statement_id, vote: str | None) -> Ballot:
    """`vote` None: withdraw the caller's vote. The caller's roles, meeting, room, seat and the
    statement come in one query (`access_room_for_vote`): the vote is a room's hottest path."""
    ctx, statement = access_room_for_vote(user, dialogue_id, meeting_id, statement_id)
    if statement is None:
        raise NotFound
    pseudonym = _taking_part(ctx)
    problems = Problems()
    value = None if vote is None else problems.collect(_vote_value, vote)
    if statement.is_for_facilitator:
        raise NotFound  # the room does not see notes sent to the facilitator
    if statement.status != Statement.Status.ACCEPTED:
        why: dict[str, str] = {
            Statement.Status.PENDING: _(
                "This statement waits for moderation: vote once it is accepted."
            ),
            Statement.Status.HELD: _(
                "This statement is held for the facilitator: vote once it is accepted."
            ),
            Statement.Status.REJECTED: _("This statement was rejected: it takes no votes."),
            Statement.Status.MERGED: _("This statement was merged into another: vote on that one."),
        }
        problems.add(why[statement.status], "statement")
    problems.raise_any()
    return Ballot(ctx.meeting.pk, statement.pk, pseudonym, value, ctx)


def _vote_sql(vendor: str) -> tuple[str, str, str]:
    statement, vote = Statement._meta.db_table, Vote._meta.db_table
    # Plain SQL on the hot path: Django's query compilation, not the database, dominated a
    # profile of 200 votes. ON CONFLICT … DO UPDATE: SQLite ≥ 3.24 and PostgreSQL alike.
    bump = f"UPDATE {statement} SET changes = changes + 1 WHERE id = %s RETURNING changes"  # noqa: S608
    upsert = (
        f"INSERT INTO {vote} (id, meeting_id, statement_id, pseudonym, value) "  # noqa: S608
        "{rows} ON CONFLICT (statement_id, pseudonym) DO UPDATE SET value = excluded.value"
    )
    withdraw = f"DELETE FROM {vote} WHERE statement_id = %s AND pseudonym = %s"  # noqa: S608
    if vendor != "postgresql":
        return bump, upsert.format(rows="VALUES (%s, %s, %s, %s, %s)"), withdraw
    # PostgreSQL: the count and the vote in one statement, so one round trip and no BEGIN or
    # COMMIT of its own (outside a transaction a statement commits alone; inside one it joins
    # it). The vote reads the bumped row, so the statement's row is locked before the vote is
    # written, in the same order as two statements would (a data-modifying WITH alone leaves
    # the order to the executor, and two orders could deadlock on a double submission).
    return (
        "",
        f"WITH bumped AS ({bump}), written AS ("  # noqa: S608  (table names and constants)
        + upsert.format(rows="SELECT %s, %s, %s, %s, %s FROM bumped")
        + ") SELECT changes FROM bumped",
        f"WITH bumped AS ({bump}), gone AS ({withdraw} AND EXISTS (SELECT 1 FROM bumped)) "  # noqa: S608
        "SELECT changes FROM bumped",
    )


_VOTE_SQL: tuple[str, str, str] | None = None


def do_vote(ballot: Ballot) -> None:
    """One statement: insert, or replace the pseudonym's earlier answer (never a second row),
    or withdraw it; the statement's change count moves in the same transaction, which is how
    the map's keeper (map_data) knows which statements' votes to re-read; once committed, the
    vote is noted for this process's keeper with the count it moved (journal), so that it need
    not re-read what this process wrote."""
    global _VOTE_SQL
    if _VOTE_SQL is None:
        _VOTE_SQL = _vote_sql(connection.vendor)
    bump, upsert, withdraw = _VOTE_SQL
    if bump:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(bump, [ballot.statement_id])
            _noted(ballot, cursor.fetchone())
            if ballot.value is None:
                cursor.execute(withdraw, [ballot.statement_id, ballot.pseudonym])
            else:
                cursor.execute(upsert, _vote_row(ballot))
        return
    with connection.cursor() as cursor:
        if ballot.value is None:
            cursor.execute(withdraw, [ballot.statement_id, ballot.statement_id, ballot.pseudonym])
        else:
            cursor.execute(upsert, [ballot.statement_id, *_vote_row(ballot)])
        _noted(ballot, cursor.fetchone())


def _vote_row(ballot: Ballot) -> list:
    return [random_id(), ballot.meeting_id, ballot.statement_id, ballot.pseudonym, ballot.value]


def _noted(ballot: Ballot, row: tuple | None) -> None:
    """Given the row the count's bump returned: note the vote for this process's map keeper and
    tell the room, both once the vote commits (at once when it already has)."""
    if row is None:  # the statement went away since check_vote read it: nothing was written
        raise NotFound
    (count,) = row
    transaction.on_commit(
        lambda: journal.note(ballot.statement_id, count, ballot.pseudonym, ballot.value)
    )
    live.announce(live.meeting_topic(ballot.meeting_id), soon=True)


# --- moderating ------------------------------------------------------------------------------

DECISIONS = ("accept", "reject", "fix", "merge")


@dataclass(frozen=True)
class Decision:
    ctx: RoomAccess
    statement: Statement
    decision: str
    reason: str
    text: str | None
    into: Statement | None
    # What the text this decision leaves may name (the fix's new text, else the statement's):
    # the names the facilitator was told of, or confirmed the text does not contain.
    named: tuple[str, ...] = ()
    names_checked: bool = False

    @property
    def publishes_a_flagged_text(self) -> bool:
        """Whether this decision puts in the room a text flagged as naming someone (never on
        the record, where names may be quoted)."""
        if self.ctx.meeting.attribution_mode == "on_record":
            return False
        if self.decision == "accept":
            return bool(self.named) or self.statement.status == Statement.Status.HELD
        return self.decision == "fix" and bool(self.named) and _is_in_room(self.statement)


def _is_in_room(statement: Statement) -> bool:
    return statement.status == Statement.Status.ACCEPTED and not statement.is_for_facilitator


def _names(named) -> str:
    return ", ".join(f"“{term}”" for term in named)


def _unconfirmed(decision: Decision) -> str:
    """Why a text flagged as naming someone is not put in the room without the facilitator's
    confirmation: the room is read by everyone of the meeting, observers and liaisons included."""
    if decision.decision == "fix":
        return _(
            "The corrected text may name %(names)s, and this statement is in the room, read by "
            "everyone of the meeting (observers and liaisons included): remove the name, or tick "
            "“I have checked: it names no one” to save it as it is."
        ) % {"names": _names(decision.named)}
    if decision.named:
        return _(
            "This statement may name %(names)s. Accepted, it is shown to everyone who reads the "
            "room (observers and liaisons included): fix it to remove the name, reject it, or "
            "tick “I have checked: it names no one” to accept it as it is."
        ) % {"names": _names(decision.named)}
    return _(
        "This statement was held for naming someone of the dialogue (it matches nobody now: "
        "the list of people, or the check, changed since). Read it again, then tick “I have "
        "checked: it names no one” to accept it, or fix or reject it."
    )


def check_moderate(
    user,
    dialogue_id,
    meeting_id,
    statement_id,
    decision,
    reason="",
    text=None,
    into=None,
    names_checked: bool = False,
) -> Decision:
    """`names_checked`: the facilitator confirms that a text flagged as naming someone names
    nobody; without it, such a text is not put in the room (accepted, or fixed in place)."""
    ctx = access_room(user, dialogue_id, meeting_id, need="facilitator")
    statement = _load_statement(ctx, statement_id)
    problems = Problems()
    reason = " ".join(str(reason or "").split())
    if decision not in DECISIONS:
        problems.add(_("Choose a decision: accept, reject, fix or merge."), "decision")
    if statement.is_for_facilitator and decision in ("accept", "fix", "merge"):
        problems.add(
            _("This statement was sent to the facilitators only: it cannot be put to the room."),
            "decision",
        )
    if statement.status == Statement.Status.MERGED:
        problems.add(_("This statement is merged into another; moderate that one."), "decision")
    elif decision == "accept" and not statement.is_for_facilitator:
        # Twins are not refused while they wait (that would tell their senders what waits):
        # they are caught here, where the facilitators read both.
        twin = _twin(_in_room(ctx).exclude(pk=statement.pk), statement.text)
        if twin is not None:
            problems.add(
                _(
                    "The room has this statement already (%(id)s): merge this one into it, so "
                    "that the votes are counted once."
                )
                % {"id": twin},
                "decision",
            )
    problem = plain_text.problem(reason, multiline=False)
    if problem:
        problems.add(problem, "reason")
    elif len(reason) > REASON_MAX:
        problems.add(
            _("The reason is too long: at most %(max)d characters (it has %(n)d).")
            % {"max": REASON_MAX, "n": len(reason)},
            "reason",
        )
    if decision == "reject" and not reason:
        problems.add(_("Give the reason: the submitter reads it (and only they do)."), "reason")
    new_text = None
    if decision == "fix":
        new_text = problems.collect(clean_statement_text, text)
        if new_text is not None and new_text == statement.text:
            problems.add(_("The text is unchanged: correct the typo first."), "text")
    target = None
    if decision == "merge":
        target = problems.collect(_merge_target, ctx, statement, into)
    checked = Decision(
        ctx,
        statement,
        str(decision),
        reason,
        new_text,
        target,
        _named(ctx, new_text if decision == "fix" else statement.text),
        bool(names_checked),
    )
    if (
        checked.publishes_a_flagged_text
        and not checked.names_checked
        and not problems.has("decision")
        and not problems.has("text")
    ):
        problems.add(_unconfirmed(checked), "names_checked")
    problems.raise_any()
    return checked


def _named(ctx: RoomAccess, text: str | None) -> tuple[str, ...]:
    """What `text` may name under the meeting's rule (nothing on the record)."""
    if not text or ctx.meeting.attribution_mode == "on_record":
        return ()
    return tuple(nonattribution.named_terms(text, nonattribution.people_terms(ctx.dialogue)))


def _merge_target(ctx: RoomAccess, statement: Statement, into) -> Statement:
    if into in (None, ""):
        raise ActionRefused(_("Say which statement this one duplicates (its id)."), field="into")
    try:
        target = _load_statement(ctx, into, is_for_facilitator=False)
    except NotFound:
        raise ActionRefused(_("No statement with that id in this meeting."), field="into") from None
    if target.pk == statement.pk:
        raise ActionRefused(_("A statement cannot be merged into itself."), field="into")
    if target.status != Statement.Status.ACCEPTED:
        raise ActionRefused(_("Merge into an accepted statement."), field="into")
    return target


@transaction.atomic
def do_moderate(by, decision: Decision) -> Statement:
    # A meeting's moderation runs one decision at a time, each judged again on what the one
    # before it left. Checked only before, two facilitators (or one, twice, through two
    # workers) merged two statements into each other and took both out of the room with their
    # votes, accepted two twins, or merged into a statement rejected meanwhile: locking only the
    # statement cannot see rules that span statements.
    Meeting.objects.select_for_update(of=("self",)).filter(pk=decision.ctx.meeting.pk).first()
    decision = check_moderate(
        by,
        decision.ctx.dialogue.pk,
        decision.ctx.meeting.pk,
        decision.statement.pk,
        decision.decision,
        decision.reason,
        decision.text,
        None if decision.into is None else decision.into.pk,
        decision.names_checked,
    )
    statement = Statement.objects.select_for_update().get(pk=decision.statement.pk)
    number = next_number(statement)
    fields = ["status"]
    action = f"moderate_{decision.decision}"
    if decision.decision == "accept":
        statement.status = Statement.Status.ACCEPTED
        kind = Moderation.Decision.ACCEPT
        if decision.publishes_a_flagged_text:
            action = "moderate_accept_named"  # who published a flagged text, on their word
    elif decision.decision == "reject":
        statement.status = Statement.Status.REJECTED
        kind = Moderation.Decision.REJECT
    elif decision.decision == "fix":
        assert decision.text is not None  # noqa: S101  (checked)
        StatementEdit.objects.create(
            statement=statement,
            before=statement.text,
            after=decision.text,
            number=next_number(statement, StatementEdit),
        )
        statement.text = decision.text
        fields = ["text"]
        kind = Moderation.Decision.FIX
        held_now = _held_after_fix(statement, decision)
        if held_now is not None:
            statement.status = held_now
            fields.append("status")
    else:
        assert decision.into is not None  # noqa: S101
        _carry_votes(statement, decision.into)
        statement.status = Statement.Status.MERGED
        statement.merged_into = decision.into
        fields = ["status", "merged_into"]
        kind = Moderation.Decision.MERGE
    statement.save()
    Moderation.objects.create(
        statement=statement, decision=kind, reason=decision.reason, number=number
    )
    if kind == Moderation.Decision.FIX and statement.status == Statement.Status.HELD:
        # Held (again) by the fix: the submitter reads why, as when their own text was held.
        Moderation.objects.create(
            statement=statement,
            decision=Moderation.Decision.HOLD,
            reason=str(HOLD_REASON),
            number=number + 1,
        )
    audit.record(
        by,
        action,
        statement,
        fields=fields,
        dialogue=decision.ctx.dialogue,
    )
    live.announce(live.meeting_topic(decision.ctx.meeting.pk))
    return statement


def _held_after_fix(statement: Statement, decision: Decision) -> str | None:
    """The status a fix leaves a waiting statement in, when it changes: held while the new text
    may name someone (the check a submitted text meets), waiting for a decision once a held
    text no longer does. A statement in the room stays there (the fix was confirmed)."""
    if statement.status not in (Statement.Status.PENDING, Statement.Status.HELD):
        return None
    if decision.named:
        return Statement.Status.HELD
    if statement.status == Statement.Status.HELD:
        return Statement.Status.PENDING
    return None


def _carry_votes(source: Statement, target: Statement) -> None:
    """Move the source's votes to the target. Someone who voted on both keeps their vote on the
    target (their answer to that text); their vote on the source goes: one vote per person."""
    # The target's votes change: its change count moves, so the map's keeper re-reads them.
    Statement.objects.filter(pk=target.pk).update(changes=F("changes") + 1)
    on_target = Vote.objects.filter(statement=target).values("pseudonym")
    Vote.objects.filter(statement=source).exclude(pseudonym__in=on_target).update(statement=target)
    Vote.objects.filter(statement=source).delete()
