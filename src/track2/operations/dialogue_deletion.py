"""Deleting a whole dialogue: two of its conveners decide, and nothing it held is left behind.

One convener asks, typing the dialogue's title; a different convener confirms, typing it again;
either may withdraw the request meanwhile, and the one who asked is refused at confirmation
(two_conveners.py, as for destroying the key). A dialogue with one convener cannot be deleted
until a second is added. The site administrator never can: administrators never convene.

Confirming does, in one transaction: every registered retention eraser deletes the dialogue's
content (so the back channel logs each deleted envelope in its signed log, as retention does);
roster previews kept in sessions for it go; a venue another dialogue's meeting still uses is
handed to that dialogue; one institution-level audit entry records that the dialogue was
deleted (its number, who asked, who confirmed, when; never its title); the dialogue goes with
every row that cascades from it, its audit trail included; last, its pseudonym key is destroyed
as key destruction does (the tombstone stays, so no key is ever made again for that number).
After the commit: mail about it leaves the outbox, every server process drops what it keeps of
its rooms in memory (told through live updates, `live.votes_gone_topic`), whoever watches its
rooms is told to read again (and gets 404), and SQLite's write-ahead log is emptied
(deletion_traces.py).
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from datetime import datetime

from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from track2 import keyring, live, validation
from track2.access import DialogueAccess, NotFound, access_dialogue
from track2.accounts.models import User
from track2.audit import record as audit
from track2.audit.models import AuditEntry
from track2.dialogues.models import Delegation, Dialogue
from track2.errors import ActionRefused, Problems
from track2.meetings.models import Meeting
from track2.operations import deletion_traces
from track2.operations.dialogue_contents import Held, contents
from track2.operations.models import DialogueDeletion
from track2.operations.retention import ERASERS
from track2.operations.two_conveners import deciding_conveners, is_typed_title, lock_dialogue

# What the page and the API admit as a typed title: a title is at most 200 characters, and what
# is typed or pasted may carry more spaces.
MAX_TYPED_TITLE = 400


@dataclass(frozen=True)
class DeletionAccess:
    """A dialogue as one of its conveners may delete it: the open request, if any, and the
    conveners who may ask and confirm."""

    dialogue_access: DialogueAccess
    pending: DialogueDeletion | None
    conveners: tuple[User, ...]

    @property
    def dialogue(self) -> Dialogue:
        return self.dialogue_access.dialogue

    @property
    def has_second_convener(self) -> bool:
        return len(self.conveners) >= 2

    @property
    def is_asker(self) -> bool:
        """The viewer asked for the open request (and so may not confirm it)."""
        return self.pending is not None and self.pending.requested_by_id == self.viewer_id

    @property
    def viewer_id(self) -> int:
        return self.dialogue_access.user.pk

    @property
    def may_act(self) -> bool:
        """The viewer may type the title now: to confirm another convener's request, or to ask
        when there is none and a second convener could confirm."""
        if self.pending is not None:
            return not self.is_asker
        return self.has_second_convener

    @property
    def step(self) -> str:
        """What the viewer's typed title does next: "ask" or "confirm"."""
        return "confirm" if self.pending is not None else "ask"

    def contents(self) -> list[Held]:
        return contents(self.dialogue.pk)


def access_deletion(user, dialogue_id) -> DeletionAccess:
    """The dialogue's conveners only; everyone else, the site administrator included (even one
    who still holds a convener's role), gets the same NotFound as for a dialogue that does not
    exist."""
    ctx = access_dialogue(user, dialogue_id, need="convener")
    if user.is_superuser:
        raise NotFound
    pending = (
        DialogueDeletion.objects.filter(dialogue=ctx.dialogue, withdrawn_at__isnull=True)
        .select_related("requested_by")
        .first()
    )
    return DeletionAccess(ctx, pending, tuple(deciding_conveners(ctx.dialogue)))


def name_of(user: User | None) -> str:
    if user is None:
        return _("a convener whose account was since removed")
    return user.display_name or user.email


def _already_asked(pending: DialogueDeletion) -> str:
    return _(
        "%(who)s already asked on %(day)s to delete this dialogue; another convener confirms it "
        "here, or either of them withdraws the request."
    ) % {"who": name_of(pending.requested_by), "day": f"{pending.requested_at:%Y-%m-%d}"}


def _title_problem(problems: Problems, dialogue: Dialogue, title: str | None) -> None:
    """Every problem of the typed title: what the page's form and the API's schema refuse too
    (for the command, which has neither), and whether it is the dialogue's."""
    if title is not None:
        problem = validation.text_problem(title, multiline=False)
        if problem:
            problems.add(problem, "title")
        if len(title) > MAX_TYPED_TITLE:
            problems.add(
                _("The title typed is too long: at most %(limit)d characters (it has %(length)d).")
                % {"limit": MAX_TYPED_TITLE, "length": len(title)},
                "title",
            )
    if not is_typed_title(dialogue, title):
        problems.add(
            _(
                "To confirm, type the dialogue's title exactly (“%(title)s”). Deleting the "
                "dialogue cannot be undone: everything it holds is deleted for good."
            )
            % {"title": dialogue.title},
            "title",
        )


def _asking_problems(problems: Problems, ctx: DeletionAccess) -> None:
    if ctx.pending is not None:
        problems.add(_already_asked(ctx.pending))
    elif not ctx.has_second_convener:
        problems.add(
            _(
                "This dialogue has one convener: deleting it takes two, one to ask and another to "
                "confirm. Add a second convener on the dialogue's Roles page first."
            )
        )


def check_request_deletion(by, dialogue_id, title: str | None) -> DeletionAccess:
    ctx = access_deletion(by, dialogue_id)
    problems = Problems()
    _asking_problems(problems, ctx)
    _title_problem(problems, ctx.dialogue, title)
    problems.raise_any()
    return ctx


def do_request_deletion(
    by, ctx: DeletionAccess, *, base_url: str = ""
) -> tuple[DialogueDeletion, list[str]]:
    """Record the request, then tell the other conveners by e-mail. Returns the request and a
    message for each convener the mail did not reach (the request stands: the convener who
    asked tells them another way)."""
    with transaction.atomic():
        if lock_dialogue(ctx.dialogue.pk) is None:
            raise NotFound
        # Read again under the lock: two conveners asking at once make one request.
        fresh = access_deletion(by, ctx.dialogue.pk)
        problems = Problems()
        _asking_problems(problems, fresh)
        problems.raise_any()
        request = DialogueDeletion.objects.create(dialogue=fresh.dialogue, requested_by=by)
        audit.record(by, "request", request, dialogue=fresh.dialogue)
    return request, tell_other_conveners(request, fresh, base_url=base_url)


def tell_other_conveners(
    request: DialogueDeletion, ctx: DeletionAccess, *, base_url: str
) -> list[str]:
    """One e-mail to each other convener. It names the dialogue by its number and links to its
    deletion page, never by its title or anything it holds: mail outlives what it is about (an
    inbox, the outbox), and the outbox's copies are deleted with the dialogue."""
    dialogue = ctx.dialogue
    path = reverse("operations:deletion", args=[dialogue.pk])
    context = {
        "number": dialogue.pk,
        "institution": dialogue.institution.name,
        "who": name_of(request.requested_by),
        "link": base_url.rstrip("/") + path if base_url else "",
        "path": path,
    }
    subject = " ".join(render_to_string("operations/deletion_asked_subject.txt", context).split())
    body = render_to_string("operations/deletion_asked_email.txt", context)
    unreached = []
    for convener in ctx.conveners:
        if convener.pk == request.requested_by_id:
            continue
        try:
            send_mail(subject, body, None, [convener.email])
        except (smtplib.SMTPException, OSError) as err:
            unreached.append(
                _("%(who)s could not be told by e-mail (%(error)s): tell them yourself.")
                % {"who": name_of(convener), "error": err.__class__.__name__}
            )
    return unreached


def check_withdraw_deletion(by, dialogue_id) -> DialogueDeletion:
    ctx = access_deletion(by, dialogue_id)
    if ctx.pending is None:
        raise ActionRefused(
            _("Nobody has asked to delete this dialogue: there is nothing to withdraw.")
        )
    return ctx.pending


@transaction.atomic
def do_withdraw_deletion(by, request: DialogueDeletion) -> DialogueDeletion:
    # The dialogue first, as confirming locks it (the same order, or the two deadlock), then
    # the request. Confirmed at the same moment: the dialogue is gone, and its request with it.
    if lock_dialogue(request.dialogue_id) is None:
        raise NotFound
    locked = DialogueDeletion.objects.select_for_update().filter(pk=request.pk).first()
    if locked is None:
        raise NotFound
    request = locked
    if request.withdrawn_at is not None:
        raise ActionRefused(_("This request was already withdrawn; nothing changed."))
    request.withdrawn_by = by
    request.withdrawn_at = timezone.now()
    request.save(update_fields=["withdrawn_by", "withdrawn_at"])
    audit.record(by, "withdraw", request, dialogue=request.dialogue)
    return request


def check_confirm_deletion(by, dialogue_id, title: str | None) -> DeletionAccess:
    ctx = access_deletion(by, dialogue_id)
    problems = Problems()
    if ctx.pending is None:
        problems.add(
            _(
                "Nobody has asked to delete this dialogue (or the request was withdrawn): ask "
                "first; a second convener then confirms."
            )
        )
    elif ctx.is_asker:
        problems.add(
            _(
                "You asked for this deletion; a second convener of the dialogue must confirm it "
                "(or either of you withdraws the request)."
            )
        )
    _title_problem(problems, ctx.dialogue, title)
    problems.raise_any()
    return ctx


@dataclass(frozen=True)
class DialogueDeleted:
    dialogue_id: int
    requested_by: User | None
    confirmed_by: User
    deleted_at: datetime
    removed: list[Held]  # what it held, counted just before


def do_confirm_deletion(by, ctx: DeletionAccess) -> DialogueDeleted:
    pk = ctx.dialogue.pk
    with transaction.atomic():
        dialogue = lock_dialogue(pk)
        if dialogue is None:
            raise NotFound  # a second confirmation at the same moment: the first deleted it
        request = (
            DialogueDeletion.objects.select_for_update(of=("self",))
            .filter(dialogue=dialogue, withdrawn_at__isnull=True)
            .select_related("requested_by")
            .first()
        )
        if request is None:
            raise ActionRefused(_("The request was withdrawn meanwhile; nothing was deleted."))
        if request.requested_by_id == by.pk:
            raise ActionRefused(
                _("You asked for this deletion; a second convener of the dialogue must confirm it.")
            )
        removed = contents(pk)
        traces = deletion_traces.Traces.of(dialogue)
        for _name, eraser in ERASERS.items():
            eraser(dialogue)
        deletion_traces.hand_over_shared_venues(dialogue)
        deletion_traces.drop_roster_previews(pk)
        deleted_at = timezone.now()
        AuditEntry.objects.create(
            dialogue=None,
            actor=by,
            actor_name=audit.actor_name(by),
            object_id=pk,
            parent_id=dialogue.institution_id,
            # Values are never copied into the trail (audit/models.py), but the one who asked is
            # part of what happened, and their account may go: kept by name as `actor_name` is.
            fields=[
                f"requested_by={request.requested_by_id}",
                "requested_by_name="
                + (
                    audit.actor_name(request.requested_by)
                    if request.requested_by
                    else "an account since removed"
                ),
            ],
            at=deleted_at,
            **deletion_traces.DELETED,
        )
        for topic in _topics(pk):
            # The watchers re-read, and are told it is not found; every server process drops
            # the rooms' copies (the room eraser above announced those with statements too).
            live.announce(topic)
        # Meetings protect their venue and delegations their party (PROTECT, which refuses even
        # a deletion that would take both): they go first, with what cascades from them.
        Meeting.objects.filter(dialogue_id=pk).delete()
        Delegation.objects.filter(dialogue_id=pk).delete()
        Dialogue.objects.filter(pk=pk).delete()
        # Last, as key destruction does: if the key cannot be destroyed, nothing is deleted.
        if not keyring.is_destroyed(pk):
            keyring.destroy_dialogue_key(pk)
        live.announce(live.key_gone_topic(pk))  # every process lets go of the key's bytes
        transaction.on_commit(traces.forget)
    return DialogueDeleted(pk, request.requested_by, by, deleted_at, removed)


def _topics(dialogue_id: int) -> list[str]:
    meetings = list(Meeting.objects.filter(dialogue_id=dialogue_id).values_list("pk", flat=True))
    delegations = list(
        Delegation.objects.filter(dialogue_id=dialogue_id).values_list("pk", flat=True)
    )
    return (
        [live.votes_gone_topic(m) for m in meetings]
        + [live.meeting_topic(m) for m in meetings]
        + [live.caucus_topic(m, d) for m in meetings for d in delegations]
    )
