"""The facilitator's console and the participants' queue controls: one page, which updates live
(live.js re-reads it when the meeting's topic changes), and one POST per action. Thin: each
action is `actions.check_*` then `actions.do_*`, as in the API."""

from __future__ import annotations

from functools import partial

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from track2.access import NotFound
from track2.access.facilitation import access_caucus, access_floor, access_record
from track2.errors import ActionRefused, NotPermitted
from track2.facilitation import actions, caucus, export, queries, record
from track2.facilitation.forms import PollForm, RecordNoteForm, TextForm
from track2.site.forms import NOT_DONE, act_and_tell, add_refusal


def _page(request: HttpRequest, template: str, ctx, status: int = 200, **extra) -> HttpResponse:
    return render(
        request,
        template,
        {"ctx": ctx, "meeting": ctx.meeting, "dialogue": ctx.dialogue, **extra},
        status=status,
    )


def _typed(request, form_class: type[forms.Form], act) -> forms.Form | None:
    """A text entry's action. Refused, the form bound to what was sent, each problem at its
    field (a problem of no field of the form above it), for the page to show again: nothing
    typed is lost. None when done, or when the refusal is one no input changes (NotPermitted:
    the page shows such a caller no form to go back to), which is told as a button's is."""
    form = form_class(request.POST)
    form.is_valid()  # the form has no rule; this only readies it to carry the refusal
    try:
        act()
    except NotPermitted as refusal:
        for _field, message in refusal.problems:
            messages.error(request, message)
    except ActionRefused as refusal:
        add_refusal(form, refusal)
        return form
    return None


def _held_id(form: forms.Form, name: str, held: list[dict]) -> int | None:
    """The held note or statement (shown on the page) that a refused revision was for."""
    sent = str(form.data.get(name) or "").strip()
    return next((h["id"] for h in held if str(h["id"]) == sent), None)


@login_required
def floor(request: HttpRequest, dialogue_id: int, meeting_id: int) -> HttpResponse:
    ctx = access_floor(request.user, dialogue_id, meeting_id)
    return _page(
        request,
        "facilitation/floor.html",
        ctx,
        floor=queries.floor_for(ctx),
        items=list(ctx.meeting.agenda_items.order_by("position")),
        panel=queries.room_panel(ctx, request.user),
    )


@login_required
@require_GET
def room_panel(request: HttpRequest, dialogue_id: int, meeting_id: int) -> HttpResponse:
    """The console's room (statements and map) alone: what live.js re-reads on each change."""
    ctx = access_floor(request.user, dialogue_id, meeting_id)
    panel = queries.room_panel(ctx, request.user)
    if panel is None:
        raise NotFound
    return _page(request, "facilitation/room_panel.html", ctx, panel=panel)


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
    act_and_tell(request, lambda: ACTS[what](request, dialogue_id, meeting_id), done=_("Done."))
    return redirect(reverse("facilitation:floor", args=[dialogue_id, meeting_id]))


def _caucus_break(request, d, m):
    raw = (request.POST.get("minutes") or "").strip()
    minutes: object = int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else raw
    ctx, value = caucus.check_caucus_break(request.user, d, m, minutes)
    caucus.do_caucus_break(request.user, ctx, value)


ACTS["caucus-break"] = _caucus_break


def _caucus_page(request: HttpRequest, ctx, status: int = 200, refused=None) -> HttpResponse:
    """The caucus; with `refused` (what, form), again (400) with the refused form where it was
    sent from: a held note's or statement's own box when it revised one still shown, else the
    box for a new one."""
    room = caucus.caucus_for(ctx)
    place: dict = {}
    if refused is not None:
        what, form = refused
        held = {"note": ("note_id", "held_notes"), "statement": ("statement_id", "held_statements")}
        held_id = _held_id(form, held[what][0], room[held[what][1]]) if what in held else None
        if held_id is not None:
            place = {"held_form": form, "held_kind": what, "held_id": held_id}
        else:
            place = {f"{what}_form": form}
    return _page(
        request,
        "facilitation/caucus.html",
        ctx,
        status,
        room=room,
        delegation=ctx.delegation,
        **place,
    )


@login_required
def caucus_room(request: HttpRequest, dialogue_id: int, meeting_id: int, delegation_id: int):
    return _caucus_page(
        request, access_caucus(request.user, dialogue_id, meeting_id, delegation_id)
    )


def _note(request, d, m, g):
    note_id = (request.POST.get("note_id") or "").strip() or None
    draft = caucus.check_note(request.user, d, m, g, request.POST.get("text", ""), note_id=note_id)
    note = caucus.do_note(draft)
    if note.is_held:
        messages.warning(
            request,
            _(
                "Your note may name someone (a participant, their e-mail or affiliation): it is "
                "held — shown to you only. Revise it without the name, or delete it."
            ),
        )


def _delete_note(request, d, m, g):
    caucus.do_delete_held(
        caucus.check_delete_held(request.user, d, m, g, request.POST.get("note_id"))
    )


def _poll(request, d, m, g):
    options = [o for o in (request.POST.get("options") or "").splitlines() if o.strip()]
    ctx, question, cleaned = caucus.check_poll(
        request.user, d, m, g, request.POST.get("question", ""), options
    )
    caucus.do_poll(ctx, question, cleaned)


def _answer(request, d, m, g):
    raw = request.POST.get("choice", "")
    choice: object = int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 4 else raw
    ctx, poll, value = caucus.check_answer(
        request.user, d, m, g, request.POST.get("poll_id"), choice
    )
    caucus.do_answer(ctx, poll, value)


def _close_poll(request, d, m, g):
    caucus.do_close_poll(
        *caucus.check_close_poll(request.user, d, m, g, request.POST.get("poll_id"))
    )


def _invite(request, d, m, g):
    ctx, invited = caucus.check_invite(request.user, d, m, g, request.POST.get("invited") == "on")
    caucus.do_invite(ctx, invited)


def _statement(request, d, m, g):
    statement_id = (request.POST.get("statement_id") or "").strip() or None
    draft = caucus.check_statement(
        request.user, d, m, g, request.POST.get("text", ""), statement_id=statement_id
    )
    if caucus.do_statement(draft).is_held:
        messages.warning(
            request,
            _(
                "Your statement may name someone (a participant, their e-mail or affiliation): "
                "it is held — shown to you only. Revise it without the name, or delete it."
            ),
        )


def _delete_statement(request, d, m, g):
    caucus.do_delete_held_statement(
        caucus.check_delete_held_statement(request.user, d, m, g, request.POST.get("statement_id"))
    )


def _vote(request, d, m, g):
    ctx, statement, vote, pseudonym = caucus.check_vote(
        request.user, d, m, g, request.POST.get("statement_id"), request.POST.get("vote", "")
    )
    caucus.do_vote(ctx, statement, vote, pseudonym)


# The caucus's text entries: refused, the page comes back with the text (the buttons redirect).
CAUCUS_TYPED: dict[str, type[forms.Form]] = {
    "note": TextForm,
    "statement": TextForm,
    "poll": PollForm,
}

CAUCUS_ACTS = {
    "invite": _invite,
    "statement": _statement,
    "delete-statement": _delete_statement,
    "vote": _vote,
    "note": _note,
    "delete-note": _delete_note,
    "poll": _poll,
    "answer": _answer,
    "close-poll": _close_poll,
}


@login_required
@require_POST
def caucus_act(
    request: HttpRequest, dialogue_id: int, meeting_id: int, delegation_id: int, what: str
):
    ctx = access_caucus(request.user, dialogue_id, meeting_id, delegation_id)  # 404 first
    if what not in CAUCUS_ACTS:
        raise NotFound
    act = partial(CAUCUS_ACTS[what], request, dialogue_id, meeting_id, delegation_id)
    if what not in CAUCUS_TYPED:
        act_and_tell(request, act)
    elif (form := _typed(request, CAUCUS_TYPED[what], act)) is not None:
        return _caucus_page(request, ctx, 400, refused=(what, form))
    return redirect(reverse("facilitation:caucus", args=[dialogue_id, meeting_id, delegation_id]))


# --- the record ------------------------------------------------------------------------------


def _record_page(request: HttpRequest, ctx, status: int = 200, **forms_) -> HttpResponse:
    return _page(
        request,
        "facilitation/record.html",
        ctx,
        status,
        record=record.record_for(ctx),
        items=list(ctx.meeting.agenda_items.order_by("position")),
        **forms_,
    )


@login_required
def record_page(request: HttpRequest, dialogue_id: int, meeting_id: int) -> HttpResponse:
    return _record_page(request, access_record(request.user, dialogue_id, meeting_id))


def _cites(request) -> list[str]:
    return [c for c in (request.POST.get("cites") or "").replace(",", " ").split() if c]


def _record_note(request, d, m):
    change = record.check_note(
        request.user,
        d,
        m,
        request.POST.get("text", ""),
        _optional_int(request.POST.get("item_id")),
        _cites(request),
        _optional_int(request.POST.get("note_id")),
    )
    note = record.do_note(request.user, change)
    if note.is_held:
        messages.warning(
            request,
            _(
                "This note may name someone (a participant, their e-mail or affiliation): it is "
                "held — not shared, and the record cannot be approved until it is revised."
            ),
        )


def _record_remove(request, d, m):
    ctx, note = record.check_remove_note(request.user, d, m, request.POST.get("note_id"))
    record.do_remove_note(request.user, ctx, note)


def _record_approve(request, d, m):
    ctx, version = record.check_approve(request.user, d, m)
    record.do_approve(request.user, ctx, version)


def _record_comment(request, d, m):
    version, text, held = record.check_comment(request.user, d, m, request.POST.get("text", ""))
    record.do_comment(version, text, held)


# The record's text entries: refused, the page comes back with the text (the buttons redirect).
RECORD_TYPED: dict[str, type[forms.Form]] = {"note": RecordNoteForm, "comment": TextForm}

RECORD_ACTS = {
    "note": _record_note,
    "remove": _record_remove,
    "approve": _record_approve,
    "comment": _record_comment,
}


@login_required
@require_POST
def record_act(request: HttpRequest, dialogue_id: int, meeting_id: int, what: str):
    ctx = access_record(request.user, dialogue_id, meeting_id)  # 404 before anything else
    if what not in RECORD_ACTS:
        raise NotFound
    act = partial(RECORD_ACTS[what], request, dialogue_id, meeting_id)
    if what not in RECORD_TYPED:
        act_and_tell(request, act)
    elif (form := _typed(request, RECORD_TYPED[what], act)) is not None:
        # The record again (400), the refused text in its box with each problem at its field.
        return _record_page(request, ctx, 400, **{f"{what}_form": form})
    return redirect(reverse("facilitation:record", args=[dialogue_id, meeting_id]))


@login_required
def record_download(request: HttpRequest, dialogue_id: int, meeting_id: int, fmt: str):
    document = act_and_tell(
        request, lambda: export.check_export(request.user, dialogue_id, meeting_id, fmt)
    )
    if document is NOT_DONE:
        return redirect(reverse("facilitation:record", args=[dialogue_id, meeting_id]))
    response = HttpResponse(document.content, content_type=document.content_type)
    response["Content-Disposition"] = f'attachment; filename="{document.filename}"'
    return response
