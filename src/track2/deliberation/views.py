"""The room's pages: the participant's room (one statement at a time, or the list), their own
statements, the facilitators' moderation queue, the map and the room's settings. Thin views:
each parses, calls an action from `actions.py` / `room_actions.py`, renders."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from track2 import keyring
from track2.access.room import access_room
from track2.deliberation import actions, map_data, nonattribution, queries, room_actions
from track2.deliberation.chart import chart_of
from track2.deliberation.forms import (
    MODERATION_FORMS,
    OrderForm,
    QueueForm,
    RoomSettingsForm,
    StatementForm,
)
from track2.deliberation.models import Room, Statement, Vote
from track2.errors import ActionRefused, NotPermitted
from track2.site.forms import NOT_DONE, act_and_tell, submit
from track2.site.reading import reads_only

KEYS = {"agree": "a", "disagree": "d", "pass": "p"}


def _room_url(ctx, view: str = "") -> str:
    url = reverse("deliberation:room", args=[ctx.meeting.dialogue_id, ctx.meeting.pk])
    return url + ("?view=list" if view == "list" else "")


def _own_votes(ctx) -> dict[int, int]:
    if not ctx.is_participant:
        return {}
    try:
        return queries.own_votes(ctx.meeting, ctx.pseudonym())
    except keyring.KeyDestroyed:
        return {}


def _results(ctx, voted: dict[int, int]) -> dict[int, dict]:
    """Statement id → its row of the map, for the statements whose results the caller sees."""
    try:
        shown = map_data.map_for(ctx)
    except NotPermitted:
        return {}
    return {row["id"]: row for row in shown["statements"]}


def _next_statement(ctx, statements, voted: dict[int, int]):
    waiting = [s for s in statements if s.pk not in voted]
    if not waiting:
        return None
    if ctx.room.order == Room.Order.PRIORITY:
        ranks = map_data.priorities(ctx.meeting)
        if ranks:
            return max(waiting, key=lambda s: (ranks.get(s.pk, 0.0), -s.pk))
    return waiting[0]  # the facilitator's order, then the (random) id


@reads_only
@login_required
def room(request: HttpRequest, dialogue_id: int, meeting_id: int) -> HttpResponse:
    ctx = access_room(request.user, dialogue_id, meeting_id)
    statements = list(queries.room_statements(ctx.meeting).prefetch_related("edits"))
    voted = _own_votes(ctx)
    key_destroyed = keyring.is_destroyed(ctx.meeting.dialogue_id)
    # One statement at a time is for voting: whoever cannot vote now (observers, liaisons, the
    # facilitators, anyone once the room is closed) reads the list, which shows every statement.
    may_vote = ctx.is_participant and ctx.room.is_open and not key_destroyed
    view = "one" if may_vote and request.GET.get("view") != "list" else "list"
    results = _results(ctx, voted)
    names = {value: name for name, value in Vote.VALUES.items()}
    return render(
        request,
        "deliberation/room.html",
        {
            "ctx": ctx,
            "meeting": ctx.meeting,
            "dialogue": ctx.dialogue,
            "room": ctx.room,
            "view": view,
            "statements": [(s, names.get(voted.get(s.pk)), results.get(s.pk)) for s in statements],
            "current": _next_statement(ctx, statements, voted) if view == "one" else None,
            "voted_count": len(voted),
            "may_vote": may_vote,
            "has_ended": queries.has_ended(ctx.meeting),
            "keys": KEYS,
            "key_destroyed": key_destroyed,
        },
    )


def _cast(request, dialogue_id: int, meeting_id: int, statement_id: int, answer: str):
    ballot = actions.check_vote(
        request.user,
        dialogue_id,
        meeting_id,
        statement_id,
        None if answer == "withdraw" else answer,
    )
    actions.do_vote(ballot)
    return ballot.ctx


@login_required
@require_POST
def vote(request: HttpRequest, dialogue_id: int, meeting_id: int, statement_id: int):
    answer = request.POST.get("vote", "")
    ctx = act_and_tell(
        request, lambda: _cast(request, dialogue_id, meeting_id, statement_id, answer)
    )
    if ctx is NOT_DONE:  # refused: the room's own rule says whether the caller may see it
        ctx = access_room(request.user, dialogue_id, meeting_id)
    return redirect(_room_url(ctx, request.POST.get("view", "")))


def _refused(request, dialogue_id, meeting_id, refusal: ActionRefused) -> HttpResponse:
    """A room page the caller may see the room of, but not use: say why (403)."""
    ctx = access_room(request.user, dialogue_id, meeting_id)
    return render(
        request,
        "deliberation/refused.html",
        {"ctx": ctx, "meeting": ctx.meeting, "dialogue": ctx.dialogue, "message": refusal.message},
        status=refusal.status if refusal.status == 403 else 409,
    )


@login_required
def submit_statement(request: HttpRequest, dialogue_id: int, meeting_id: int):
    try:
        ctx = actions.check_taking_part(request.user, dialogue_id, meeting_id)
    except ActionRefused as refusal:
        return _refused(request, dialogue_id, meeting_id, refusal)
    form = StatementForm(request.POST or None)
    if request.method == "POST":
        statement = submit(
            form,
            lambda data: actions.do_submit(
                actions.check_submit(
                    request.user,
                    dialogue_id,
                    meeting_id,
                    data["text"],
                    for_facilitator=data["to_facilitator"],
                )
            ),
        )
        if statement is not NOT_DONE:
            messages.success(request, _submitted(statement, queries.has_ended(ctx.meeting)))
            return redirect(_room_url(ctx))
    return render(
        request,
        "deliberation/submit.html",
        {
            "ctx": ctx,
            "meeting": ctx.meeting,
            "dialogue": ctx.dialogue,
            "form": form,
            "has_ended": queries.has_ended(ctx.meeting),
        },
        status=400 if form.errors else 200,
    )


def _submitted(statement: Statement, has_ended: bool) -> str:
    if statement.is_for_facilitator:
        told = _("Sent to the facilitators only.")
    elif statement.status == Statement.Status.ACCEPTED:
        return _("Thank you: your statement is in the room.")
    elif statement.status == Statement.Status.HELD:
        told = _(
            "Your statement may name someone: it is held for the facilitators, who will "
            "accept, fix or reject it. See “My statements”."
        )
    else:
        told = _("Thank you: your statement waits for the facilitators.")
    if has_ended:
        # The room stays open after the meeting until the facilitators close it (by design:
        # docs/dialogue-room.md); the writer should not expect an answer during the meeting.
        told += " " + _(
            "This meeting is over: its room stays open until the facilitators close it, and they "
            "read what waits when they next moderate, after the meeting."
        )
    return told


@login_required
def mine(request: HttpRequest, dialogue_id: int, meeting_id: int):
    try:
        listing = queries.listing_for(request.user, dialogue_id, meeting_id, "mine")
    except ActionRefused as refusal:
        return _refused(request, dialogue_id, meeting_id, refusal)
    ctx = access_room(request.user, dialogue_id, meeting_id)
    return render(
        request,
        "deliberation/mine.html",
        {
            "ctx": ctx,
            "meeting": ctx.meeting,
            "dialogue": ctx.dialogue,
            "statements": [listing.render(s) for s in listing.rows],
        },
    )


def _moderation_page(request, ctx, *, sent=None, order_form=None, status: int = 200):
    """The moderation page; `sent`: a form sent back after a refusal, shown in place of that
    statement's form (`sent.statement_id`), with what was typed and every problem."""
    terms = nonattribution.people_terms(ctx.dialogue)
    accepted = list(queries.room_statements(ctx.meeting).prefetch_related("edits"))
    choices = [(a.pk, f"#{a.pk} {a.text[:60]}") for a in accepted]

    placed = []

    def form_for(kind: str, statement, flagged: bool, **kwargs):
        if sent is not None and sent.kind == kind and sent.statement_id == statement.pk:
            placed.append(sent)
            return sent
        return MODERATION_FORMS[kind](auto_id=f"{kind}{statement.pk}-%s", flagged=flagged, **kwargs)

    on_record = ctx.meeting.attribution_mode == "on_record"
    queue = []
    for s in queries.moderation_queue(ctx.meeting):
        named = nonattribution.named_terms(s.text, terms)
        # Offer the confirmation where the action asks for it (names may be quoted on the record).
        flagged = (bool(named) or s.status == Statement.Status.HELD) and not on_record
        form = form_for("queue", s, flagged, accepted=choices, initial={"text": s.text})
        queue.append((s, named, flagged, form))
    in_room = [
        (
            a,
            form_for("fix", a, False, initial={"text": a.text}),
            form_for("remove", a, False),
        )
        for a in accepted
    ]
    if sent is not None and not placed:
        # Its statement has no such form on the page (decided meanwhile, or another form sent):
        # its problems are said above the page instead.
        for message in [e for errors in sent.errors.values() for e in errors]:
            messages.error(request, message)
    if order_form is None:
        saved = " ".join(str(a.pk) for a in accepted if a.position)
        order_form = OrderForm(initial={"order": saved}, auto_id="order-%s")
    return render(
        request,
        "deliberation/moderation.html",
        {
            "ctx": ctx,
            "meeting": ctx.meeting,
            "dialogue": ctx.dialogue,
            "queue": queue,
            "notes": list(queries.facilitator_notes(ctx.meeting)),
            "in_room": in_room,
            "order_form": order_form,
        },
        status=status,
    )


@login_required
def moderation(request: HttpRequest, dialogue_id: int, meeting_id: int):
    ctx = access_room(request.user, dialogue_id, meeting_id, need="facilitator")
    return _moderation_page(request, ctx)


@login_required
@require_POST
def moderate(request: HttpRequest, dialogue_id: int, meeting_id: int, statement_id: int):
    ctx = access_room(request.user, dialogue_id, meeting_id, need="facilitator")
    # Which of the page's forms was sent (queue, fix, remove) shapes only the page sent back;
    # every rule is check_moderate's, whatever was sent.
    form_class = MODERATION_FORMS.get(request.POST.get("form", ""), QueueForm)
    form = form_class(request.POST, auto_id=f"{form_class.kind}{statement_id}-%s")
    form.statement_id = statement_id

    def check(data):
        return actions.check_moderate(
            request.user,
            dialogue_id,
            meeting_id,
            statement_id,
            data.get("decision"),
            reason=data.get("reason", ""),
            text=data.get("text"),
            into=data.get("into"),
            names_checked=data.get("names_checked", False),
        )

    decided = submit(form, lambda data: _moderated(request.user, check(data)), check=check)
    if decided is NOT_DONE:
        return _moderation_page(request, ctx, sent=form, status=400)
    messages.success(request, _told(*decided))
    return redirect("deliberation:moderation", dialogue_id, meeting_id)


def _moderated(by, decision: actions.Decision):
    return decision, actions.do_moderate(by, decision)


def _told(decision: actions.Decision, statement: Statement) -> str:
    """What the facilitator's decision did, in words: whether the room reads the statement now,
    and, for a fix of a waiting statement, whether it is still held and why."""
    was = decision.statement.status
    if decision.decision == "accept":
        if decision.publishes_a_flagged_text:
            return _(
                "Accepted on your check that it names no one: the statement is now in the room, "
                "read by everyone of the meeting (observers and liaisons included)."
            )
        return _("Accepted: the statement is in the room.")
    if decision.decision == "reject":
        if was == Statement.Status.ACCEPTED:
            return _("Removed from the room; only its submitter reads your reason.")
        return _(
            "Rejected: it will not be shown to the room; only its submitter reads your reason."
        )
    if decision.decision == "merge":
        return _("Merged: its votes now count on the statement it repeats.")
    if statement.status == Statement.Status.HELD:
        names = ", ".join(f"“{term}”" for term in decision.named)
        if was == Statement.Status.HELD:
            return _(
                "Fix saved, but the statement is still held: it may name %(names)s. Fix it "
                "again, reject it, or accept it once you have checked that it names no one."
            ) % {"names": names}
        return _(
            "Fix saved, and the statement is now held: the new text may name %(names)s. Fix "
            "it again, reject it, or accept it once you have checked that it names no one."
        ) % {"names": names}
    if statement.status == Statement.Status.PENDING and was == Statement.Status.HELD:
        return _(
            "Fix saved: the statement no longer names anyone of the dialogue. It is not in the "
            "room yet: accept it to put it there."
        )
    if statement.status == Statement.Status.ACCEPTED:
        return _("Fix saved: the room reads the corrected text.")
    return _("Fix saved: the statement still waits for your decision.")


@reads_only
@login_required
def map_page(request: HttpRequest, dialogue_id: int, meeting_id: int):
    ctx = access_room(request.user, dialogue_id, meeting_id)
    refusal = None
    shown = None
    try:
        shown = map_data.map_for(ctx)
    except NotPermitted as err:
        refusal = err.message
    return render(
        request,
        "deliberation/map.html",
        {
            "ctx": ctx,
            "meeting": ctx.meeting,
            "dialogue": ctx.dialogue,
            "map": shown,
            "refusal": refusal,
            "chart": chart_of(shown) if shown else None,
        },
        status=403 if refusal else 200,  # the page says why, as a refusal
    )


@login_required
def settings_page(request: HttpRequest, dialogue_id: int, meeting_id: int):
    ctx = access_room(request.user, dialogue_id, meeting_id, need="facilitator")
    room_now = ctx.room
    form = RoomSettingsForm(
        request.POST or None,
        initial={
            "moderation": room_now.moderation,
            "results": room_now.results,
            "order": room_now.order,
        },
    )
    if request.method == "POST":
        done = submit(
            form,
            lambda data: room_actions.do_room_settings(
                request.user,
                *room_actions.check_room_settings(request.user, dialogue_id, meeting_id, data),
            ),
        )
        if done is not NOT_DONE:
            messages.success(request, _("Room settings saved."))
            return redirect("deliberation:settings", dialogue_id, meeting_id)
    return render(
        request,
        "deliberation/settings.html",
        {
            "ctx": ctx,
            "meeting": ctx.meeting,
            "dialogue": ctx.dialogue,
            "form": form,
            "room": room_now,
            "has_ended": queries.has_ended(ctx.meeting),
        },
    )


@login_required
@require_POST
def close(request: HttpRequest, dialogue_id: int, meeting_id: int):
    act_and_tell(
        request,
        lambda: room_actions.do_close(
            request.user, room_actions.check_close(request.user, dialogue_id, meeting_id)
        ),
        done=_("The room is closed."),
    )
    return redirect("deliberation:settings", dialogue_id, meeting_id)


@login_required
@require_POST
def order(request: HttpRequest, dialogue_id: int, meeting_id: int):
    ctx = access_room(request.user, dialogue_id, meeting_id, need="facilitator")
    form = OrderForm(request.POST, auto_id="order-%s")
    done = submit(
        form,
        lambda data: room_actions.do_order(
            request.user,
            *room_actions.check_order(request.user, dialogue_id, meeting_id, data["order"]),
        ),
    )
    if done is NOT_DONE:  # sent back as typed, with what is wrong in it
        return _moderation_page(request, ctx, order_form=form, status=400)
    messages.success(request, _("Order saved."))
    return redirect("deliberation:moderation", dialogue_id, meeting_id)


@login_required
@require_POST
def move(request: HttpRequest, dialogue_id: int, meeting_id: int, statement_id: int):
    act_and_tell(
        request,
        lambda: room_actions.do_move(
            request.user,
            room_actions.check_move(
                request.user,
                dialogue_id,
                meeting_id,
                statement_id,
                request.POST.get("direction", ""),
            ),
        ),
        done=lambda place: _("Moved: it is now number %(n)d in the order.") % {"n": place},
    )
    url = reverse("deliberation:moderation", args=[dialogue_id, meeting_id])
    return redirect(f"{url}#s{statement_id}")
