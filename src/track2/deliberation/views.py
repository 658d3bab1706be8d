"""The room's pages: the participant's room (one statement at a time, or the list), their own
statements, the facilitators' moderation queue, the map and the room's settings. Thin views:
each parses, calls an action from `actions.py` / `room_actions.py`, renders."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from track2 import keyring
from track2.access.room import access_room
from track2.deliberation import actions, map_data, nonattribution, queries, room_actions
from track2.deliberation.chart import chart_of
from track2.deliberation.forms import ModerationForm, RoomSettingsForm, StatementForm
from track2.deliberation.models import Room, Vote
from track2.errors import ActionRefused, NotPermitted
from track2.site.forms import NOT_DONE, act_and_tell, submit
from track2.site.reading import reads_only

KEYS = {"agree": "a", "disagree": "d", "pass": "p"}


def _room_url(ctx, view: str = "") -> str:
    from django.urls import reverse

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
    view = "list" if request.GET.get("view") == "list" else "one"
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
            "form": StatementForm(),
            "keys": KEYS,
            "key_destroyed": keyring.is_destroyed(ctx.meeting.dialogue_id),
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
            messages.success(
                request,
                {
                    "accepted": _("Thank you: your statement is in the room."),
                    "pending": _("Thank you: your statement waits for the facilitators."),
                    "held": _(
                        "Your statement may name someone: it is held for the facilitators, "
                        "who will accept, fix or reject it. See “My statements”."
                    ),
                }[statement.status]
                if not statement.is_for_facilitator
                else _("Sent to the facilitators only."),
            )
            return redirect(_room_url(ctx))
    return render(
        request,
        "deliberation/submit.html",
        {"ctx": ctx, "meeting": ctx.meeting, "dialogue": ctx.dialogue, "form": form},
    )


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


@login_required
def moderation(request: HttpRequest, dialogue_id: int, meeting_id: int):
    ctx = access_room(request.user, dialogue_id, meeting_id, need="facilitator")
    terms = nonattribution.people_terms(ctx.dialogue)
    queue = [
        (s, nonattribution.named_terms(s.text, terms))
        for s in queries.moderation_queue(ctx.meeting)
    ]
    return render(
        request,
        "deliberation/moderation.html",
        {
            "ctx": ctx,
            "meeting": ctx.meeting,
            "dialogue": ctx.dialogue,
            "queue": queue,
            "notes": list(queries.facilitator_notes(ctx.meeting)),
            "accepted": list(queries.room_statements(ctx.meeting).prefetch_related("edits")),
            "form": ModerationForm(),
        },
    )


@login_required
@require_POST
def moderate(request: HttpRequest, dialogue_id: int, meeting_id: int, statement_id: int):
    form = ModerationForm(request.POST)
    done = submit(
        form,
        lambda data: actions.do_moderate(
            request.user,
            actions.check_moderate(
                request.user,
                dialogue_id,
                meeting_id,
                statement_id,
                data["decision"],
                reason=data["reason"],
                text=data["text"],
                into=data["into"],
            ),
        ),
    )
    if done is NOT_DONE:
        for message in [e for errors in form.errors.values() for e in errors]:
            messages.error(request, message)
    else:
        messages.success(request, _("Decision recorded."))
    return redirect("deliberation:moderation", dialogue_id, meeting_id)


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
    ids = [value for value in request.POST.get("order", "").split() if value]
    act_and_tell(
        request,
        lambda: room_actions.do_order(
            request.user, *room_actions.check_order(request.user, dialogue_id, meeting_id, ids)
        ),
        done=_("Order saved."),
    )
    return redirect("deliberation:moderation", dialogue_id, meeting_id)
