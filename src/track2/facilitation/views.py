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
from track2.facilitation.forms import (
    CaucusBreakForm,
    PollForm,
    RecordNoteForm,
    TextForm,
    TurnLimitForm,
)
from track2.site.forms import NOT_DONE, act_and_tell, add_refusal


def _page(request: HttpRequest, template: str, ctx, status: int = 200, **extra) -> HttpResponse:
    return render(
        request,
        template,
        {"ctx": ctx, "meeting": ctx.meeting, "dialogue": ctx.dialogue, **extra},
        status=status,
    )


def _typed(request, form_class: type[forms.Form], act, done=None) -> forms.Form | None:
    """A typed entry's action. Refused, the form bound to what was sent, each problem at its
    field (a problem of no field of the form above it), for the page to show again: nothing
    typed is lost. None when done (told with `done(result)`, if given), or when the refusal is
    one no input changes (NotPermitted: the page shows such a caller no form to go back to),
    which is told as a button's is."""
    form = form_class(request.POST)
    form.is_valid()  # the form has no rule; this only readies it to carry the refusal
    try:
        result = act()
    except NotPermitted as refusal:
        for _field, message in refusal.problems:
            messages.error(request, message)
    except ActionRefused as refusal:
        add_refusal(form, refusal)
        return form
    else:
        if done is not None:
            messages.success(request, done(result))
    return None


def _held_id(form: forms.Form, name: str, held: list[dict]) -> int | None:
    """The held note or statement (shown on the page) that a refused revision was for."""
    sent = str(form.data.get(name) or "").strip()
    return next((h["id"] for h in held if str(h["id"]) == sent), None)


def _floor_page(request: HttpRequest, ctx, status: int = 200, **forms_) -> HttpResponse:
    floor = queries.floor_for(ctx)
    return _page(
        request,
        "facilitation/floor.html",
        ctx,
        status,
        floor=floor,
        closing_keeps=queries.closing_keeps(ctx.meeting) if floor["may_close"] else "",
        items=list(ctx.meeting.agenda_items.order_by("position")),
        panel=queries.room_panel(ctx, request.user),
        **forms_,
    )


@login_required
def floor(request: HttpRequest, dialogue_id: int, meeting_id: int) -> HttpResponse:
    return _floor_page(request, access_floor(request.user, dialogue_id, meeting_id))


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


def _whole_number(raw: str | None):
    """A typed whole number (a sign allowed) as an int for the action to judge its range, None
    when empty, else the text itself (the action says it is not a number). Digits beyond 18 are
    read as 10**18 with their sign: out of every range, and no huge conversion."""
    raw = (raw or "").strip()
    if not raw:
        return None
    sign, digits = (-1, raw[1:]) if raw[0] == "-" else (1, raw.removeprefix("+"))
    if not (digits.isascii() and digits.isdigit()):
        return raw
    return sign * (int(digits) if len(digits) <= 18 else 10**18)


def _timer(request, d, m) -> str:
    change = actions.check_timer(
        request.user,
        d,
        m,
        request.POST.get("action", ""),
        _optional_int(request.POST.get("item_id")),
    )
    floor = actions.do_timer(request.user, change)
    item = floor.current_item
    title = f"{item.position}. {item.title}" if item is not None else ""
    if change.action == "pause":
        return _("Timer paused on %(item)s.") % {"item": title}
    if item is None:  # moved on past the last item
        return _("The agenda is done: no item is in progress.")
    if change.action == "resume":
        return _("Timer resumed on %(item)s.") % {"item": title}
    if change.action == "next":
        return _("Moved on to %(item)s.") % {"item": title}
    return _("Item %(item)s started.") % {"item": title}


def _turn_limit(request, d, m) -> str:
    seconds = _whole_number(request.POST.get("seconds"))
    ctx, limit = actions.check_turn_limit(request.user, d, m, seconds)
    actions.do_turn_limit(request.user, ctx, limit)
    if limit is None:
        return _("No turn limit now.")
    return _("The turn limit is now %(n)d seconds.") % {"n": limit}


def _raise(request, d, m) -> str:
    direct = request.POST.get("direct_response") == "on"
    actions.do_raise(actions.check_raise(request.user, d, m, direct), direct)
    if direct:
        return _("Your hand is raised, as a direct response.")
    return _("Your hand is raised.")


def _lower(request, d, m) -> str:
    actions.do_lower(actions.check_lower(request.user, d, m))
    return _("Your hand is lowered.")


def _first(request, d, m) -> str:
    ctx, ids = actions.check_order(request.user, d, m, [request.POST.get("hand_id", "")])
    actions.do_order(ctx, ids)
    return _("Moved %(who)s to the front of the queue.") % {"who": queries.hand_words(ctx, ids[0])}


def _give(request, d, m) -> str:
    ctx, hand = actions.check_give_floor(request.user, d, m, request.POST.get("hand_id", ""))
    actions.do_give_floor(ctx, hand)
    return _("Floor given to %(who)s.") % {"who": queries.who_words(ctx, hand)}


def _end_turn(request, d, m) -> str:
    ctx, turn = actions.check_end_turn(request.user, d, m)
    ended = actions.do_end_turn(ctx, turn)
    return _("Ended the turn of %(who)s, after %(time)s.") % {
        "who": queries.who_words(ctx, ended),
        "time": queries.clock(queries.spoken_seconds(ended)),
    }


def _close(request, d, m) -> str:
    ctx = actions.check_close_floor(request.user, d, m)
    actions.do_close_floor(request.user, ctx)
    return _("The floor is closed. %(kept)s") % {"kept": queries.closing_keeps(ctx.meeting)}


def _caucus_break(request, d, m) -> str:
    minutes = _whole_number(request.POST.get("minutes"))
    ctx, value = caucus.check_caucus_break(request.user, d, m, minutes)
    caucus.do_caucus_break(request.user, ctx, value)
    if not value:
        return _("The caucus break is over.")
    return _("A caucus break of %(n)d minutes is called: the sides meet separately.") % {"n": value}


ACTS = {
    "timer": _timer,
    "turn-limit": _turn_limit,
    "raise": _raise,
    "lower": _lower,
    "first": _first,
    "give": _give,
    "end-turn": _end_turn,
    "close": _close,
    "caucus-break": _caucus_break,
}

# The floor's typed entries: refused, the console comes back (400) with the value as typed and
# the problem beside its field; the buttons redirect and say a refusal above the page.
FLOOR_TYPED: dict[str, tuple[str, type[forms.Form]]] = {
    "turn-limit": ("turn_limit_form", TurnLimitForm),
    "caucus-break": ("caucus_break_form", CaucusBreakForm),
}


@login_required
@require_POST
def act(request: HttpRequest, dialogue_id: int, meeting_id: int, what: str) -> HttpResponse:
    ctx = access_floor(request.user, dialogue_id, meeting_id)  # 404 before anything else
    if what not in ACTS:
        raise NotFound
    run = partial(ACTS[what], request, dialogue_id, meeting_id)
    said = str  # each act returns the words that say what it did
    if what not in FLOOR_TYPED:
        act_and_tell(request, run, done=said)
    else:
        name, form_class = FLOOR_TYPED[what]
        if (form := _typed(request, form_class, run, done=said)) is not None:
            return _floor_page(request, ctx, 400, **{name: form})
    return redirect(reverse("facilitation:floor", args=[dialogue_id, meeting_id]))


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


def _record_page(request: HttpRequest, ctx, status: int = 200, refused=None) -> HttpResponse:
    """The record; with `refused` (what, form), again (400) with the refused form where it was
    sent from: a note's own revision box when it revised one still shown, else the box for a new
    note or comment."""
    shown = record.record_for(ctx)
    place: dict = {}
    if refused is not None:
        what, form = refused
        notes = shown["draft"]["notes"] if shown["draft"] else []
        revised = _held_id(form, "note_id", notes) if what == "revise" else None
        if revised is not None:
            place = {"revise_form": form, "revise_id": revised}
        else:
            place = {f"{'note' if what == 'revise' else what}_form": form}
    return _page(
        request,
        "facilitation/record.html",
        ctx,
        status,
        record=shown,
        citable=record.citable(ctx),
        items=list(ctx.meeting.agenda_items.order_by("position")),
        **place,
    )


@login_required
def record_page(request: HttpRequest, dialogue_id: int, meeting_id: int) -> HttpResponse:
    return _record_page(request, access_record(request.user, dialogue_id, meeting_id))


def _cites(request) -> list[str]:
    """The statements cited: the ticked boxes, each value also read as ids separated by spaces
    or commas (what a script or an older page sends)."""
    return [
        c for value in request.POST.getlist("cites") for c in value.replace(",", " ").split() if c
    ]


def _tell_if_held(request, note) -> bool:
    if note.is_held:
        messages.warning(
            request,
            _(
                "This note may name someone (a participant, their e-mail or affiliation): it is "
                "held — not shared, and the record cannot be approved until it is revised "
                "without the name or removed."
            ),
        )
    return note.is_held


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
    _tell_if_held(request, record.do_note(request.user, change))


def _record_revise(request, d, m):
    change = record.check_revise(
        request.user, d, m, request.POST.get("note_id"), request.POST.get("text", "")
    )
    if not _tell_if_held(request, record.do_note(request.user, change)):
        messages.success(request, _("The note is revised."))


def _record_remove(request, d, m):
    ctx, note = record.check_remove_note(request.user, d, m, request.POST.get("note_id"))
    record.do_remove_note(request.user, ctx, note)


def _record_approve(request, d, m):
    ctx, version = record.check_approve(request.user, d, m)
    record.do_approve(request.user, ctx, version)


def _record_comment(request, d, m):
    version, text, held = record.check_comment(request.user, d, m, request.POST.get("text", ""))
    record.do_comment(version, text, held)
    if held:
        # Nothing stores who wrote a comment, so nobody could tell its writer later: now or never.
        messages.warning(
            request,
            _(
                "Your comment may name someone (a participant, their e-mail or affiliation): it "
                "is held — the record's writers read it, flagged, but not the other "
                "participants. To be read by everyone, comment again without the name."
            ),
        )
    else:
        messages.success(request, _("Thank you: your comment is on the draft, not attributed."))


# The record's text entries: refused, the page comes back with the text (the buttons redirect).
RECORD_TYPED: dict[str, type[forms.Form]] = {
    "note": RecordNoteForm,
    "revise": TextForm,
    "comment": TextForm,
}

RECORD_ACTS = {
    "note": _record_note,
    "revise": _record_revise,
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
        return _record_page(request, ctx, 400, refused=(what, form))
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
