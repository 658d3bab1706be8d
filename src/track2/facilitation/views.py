"""The facilitator's console and the participants' queue controls: one page, which updates live
(live.js re-reads it when the meeting's topic changes), and one POST per action. Thin: each
action is `actions.check_*` then `actions.do_*`, as in the API."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from track2.access import NotFound
from track2.access.facilitation import access_floor
from track2.errors import ActionRefused
from track2.facilitation import actions, queries


@login_required
def floor(request: HttpRequest, dialogue_id: int, meeting_id: int) -> HttpResponse:
    ctx = access_floor(request.user, dialogue_id, meeting_id)
    return render(
        request,
        "facilitation/floor.html",
        {
            "ctx": ctx,
            "meeting": ctx.meeting,
            "dialogue": ctx.dialogue,
            "floor": queries.floor_for(ctx),
            "items": list(ctx.meeting.agenda_items.order_by("position")),
        },
    )


def _optional_int(value: str | None):
    value = (value or "").strip()
    return None if value == "" else value


def _timer(request, d, m):
    change = actions.check_timer(
        request.user,
        d,
        m,
        request.POST.get("action", ""),
        _optional_int(request.POST.get("item_id")),
    )
    actions.do_timer(request.user, change)


def _turn_limit(request, d, m):
    raw = (request.POST.get("seconds") or "").strip()
    seconds: object = None
    if raw:
        seconds = int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else raw
    ctx, limit = actions.check_turn_limit(request.user, d, m, seconds)
    actions.do_turn_limit(request.user, ctx, limit)


def _raise(request, d, m):
    direct = request.POST.get("direct_response") == "on"
    actions.do_raise(actions.check_raise(request.user, d, m, direct), direct)


def _lower(request, d, m):
    actions.do_lower(actions.check_lower(request.user, d, m))


def _first(request, d, m):
    ctx, ids = actions.check_order(request.user, d, m, [request.POST.get("hand_id", "")])
    actions.do_order(ctx, ids)


def _give(request, d, m):
    ctx, hand = actions.check_give_floor(request.user, d, m, request.POST.get("hand_id", ""))
    actions.do_give_floor(ctx, hand)


def _end_turn(request, d, m):
    ctx, turn = actions.check_end_turn(request.user, d, m)
    actions.do_end_turn(ctx, turn)


def _close(request, d, m):
    actions.do_close_floor(request.user, actions.check_close_floor(request.user, d, m))


ACTS = {
    "timer": _timer,
    "turn-limit": _turn_limit,
    "raise": _raise,
    "lower": _lower,
    "first": _first,
    "give": _give,
    "end-turn": _end_turn,
    "close": _close,
}


@login_required
@require_POST
def act(request: HttpRequest, dialogue_id: int, meeting_id: int, what: str) -> HttpResponse:
    access_floor(request.user, dialogue_id, meeting_id)  # 404 before anything else
    if what not in ACTS:
        raise NotFound
    try:
        ACTS[what](request, dialogue_id, meeting_id)
    except ActionRefused as refusal:
        for _field, message in refusal.problems:
            messages.error(request, message)
    else:
        messages.success(request, _("Done."))
    return redirect(reverse("facilitation:floor", args=[dialogue_id, meeting_id]))
