"""Pages for meetings (rounds), agendas, participants and calendars. Thin views."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from track2 import access
from track2.access.meetings import access_meeting, access_own_meeting_seat, feed_for
from track2.access.people import persons_of
from track2.access.venues import venues_of
from track2.accounts.actions import SignInRefused
from track2.accounts.forms import PasswordAgainForm
from track2.accounts.views import client_address
from track2.dialogues.queries import neutrality_warning, seated_persons
from track2.disclosure.attendance import attendance_counts
from track2.meetings import actions, queries
from track2.meetings.calendar import meeting_event, render_calendar
from track2.meetings.forms import (
    AgendaItemForm,
    MeetingForm,
    ParticipantsForm,
    ParticipantStatusForm,
)
from track2.meetings.models import MeetingParticipant
from track2.site.forms import NOT_DONE, act_and_tell, submit

ICS_TYPE = "text/calendar; charset=utf-8"


# --- meetings --------------------------------------------------------------------------------


def _meeting_form_context(ctx, form, heading, meeting=None):
    dialogue = ctx.dialogue
    return {
        "form": form,
        "dialogue": dialogue,
        "access": ctx,
        "meeting": meeting,
        "heading": heading,
        "venue_warnings": [
            (v, neutrality_warning(dialogue, v, form.parties)) for v in venues_of(dialogue)
        ],
    }


@login_required
def meetings(request: HttpRequest, dialogue_id: int) -> HttpResponse:
    ctx = access.access_dialogue(request.user, dialogue_id, need="member")
    dialogue = ctx.dialogue
    zone = getattr(request.user, "time_zone", "UTC")
    shows_archived = request.GET.get("archived") == "1"
    listed = dialogue.meetings.select_related("venue")
    archived_count = listed.filter(archived_at__isnull=False).count()
    if not shows_archived:
        listed = listed.filter(archived_at__isnull=True)
    rows = [(m, *queries.meeting_times(m, zone)) for m in listed]
    return render(
        request,
        "meetings/meetings.html",
        {
            "dialogue": dialogue,
            "access": ctx,
            "rows": rows,
            "shows_archived": shows_archived,
            "archived_count": archived_count,
            "is_convener": ctx.is_convener,
        },
    )


@login_required
def meeting_create(request: HttpRequest, dialogue_id: int) -> HttpResponse:
    ctx = access.access_dialogue(request.user, dialogue_id, need="convener")
    dialogue = ctx.dialogue
    initial = {
        "attribution_mode": dialogue.default_attribution_mode,
        "time_zone": request.user.time_zone,
    }
    form = MeetingForm(
        request.POST or None, venues=venues_of(dialogue), dialogue=dialogue, initial=initial
    )
    if request.method == "POST":
        meeting = submit(
            form,
            lambda data: actions.do_create_meeting(request.user, dialogue, **data),
            check=lambda data: actions.check_meeting(dialogue, data),
        )
        if meeting is not NOT_DONE:
            messages.success(request, _("Meeting scheduled. Add its agenda and participants."))
            warning = neutrality_warning(dialogue, meeting.venue)
            if warning:
                messages.warning(request, warning)
            return redirect("dialogues:meeting", dialogue.pk, meeting.pk)
    return render(
        request,
        "meetings/meeting_form.html",
        _meeting_form_context(ctx, form, _("Schedule a meeting")),
    )


@login_required
def meeting_edit(request: HttpRequest, dialogue_id: int, meeting_id: int) -> HttpResponse:
    found = access_meeting(request.user, dialogue_id, meeting_id, need="convener")
    meeting, dialogue = found.meeting, found.dialogue
    starts, _theirs = queries.meeting_times(meeting, None)
    initial = {
        "title": meeting.title,
        "venue": meeting.venue_id,
        "time_zone": meeting.time_zone,
        "starts_at": starts.starts.replace(tzinfo=None),
        "ends_at": starts.ends.replace(tzinfo=None),
        "attribution_mode": meeting.attribution_mode,
    }
    form = MeetingForm(
        request.POST or None, venues=venues_of(dialogue), dialogue=dialogue, initial=initial
    )
    if request.method == "POST":
        done = submit(
            form,
            lambda data: actions.do_update_meeting(request.user, meeting, **data),
            check=lambda data: actions.check_meeting(dialogue, data),
        )
        if done is not NOT_DONE:
            messages.success(request, _("Meeting saved."))
            return redirect("dialogues:meeting", dialogue.pk, meeting.pk)
    return render(
        request,
        "meetings/meeting_form.html",
        _meeting_form_context(
            found.dialogue_access, form, _("Edit %(title)s") % {"title": meeting.title}, meeting
        ),
    )


@login_required
@require_POST
def meeting_delete(request: HttpRequest, dialogue_id: int, meeting_id: int) -> HttpResponse:
    meeting = access_meeting(request.user, dialogue_id, meeting_id, need="convener").meeting
    cancelled = _("Meeting “%(title)s” cancelled and removed.") % {"title": meeting.title}
    if (
        act_and_tell(request, lambda: actions.do_delete_meeting(request.user, meeting), cancelled)
        is NOT_DONE
    ):
        return redirect("dialogues:meeting", dialogue_id, meeting.pk)
    return redirect("dialogues:meetings", dialogue_id)


def attendance_summary(participants, *, sees_list: bool) -> list[tuple[str, int]] | None:
    """Per-status counts, in the statuses' own order, for readers of the list only."""
    counts = attendance_counts(participants.values_list("status", flat=True), sees_list=sees_list)
    if counts is None:
        return None
    return [(s.label, counts[s.value]) for s in MeetingParticipant.Status if counts.get(s.value)]


@login_required
@require_POST
def meeting_archive(request: HttpRequest, dialogue_id: int, meeting_id: int) -> HttpResponse:
    meeting = access_meeting(request.user, dialogue_id, meeting_id, need="convener").meeting
    choice = request.POST.get("archived")
    if choice not in ("1", "0"):
        messages.error(request, _("Say whether to archive the meeting (1) or bring it back (0)."))
        return redirect("dialogues:meeting", dialogue_id, meeting.pk)
    archived = choice == "1"
    act_and_tell(
        request,
        lambda: actions.do_archive_meeting(request.user, meeting, archived=archived),
        (
            _(
                "Meeting “%(title)s” archived: it keeps its agenda and attendance and still "
                "counts in the balance dashboard."
            )
            if archived
            else _("Meeting “%(title)s” is back in the list of meetings.")
        )
        % {"title": meeting.title},
    )
    return redirect("dialogues:meeting", dialogue_id, meeting.pk)


@login_required
def meeting(request: HttpRequest, dialogue_id: int, meeting_id: int) -> HttpResponse:
    ctx = access_meeting(request.user, dialogue_id, meeting_id, need="member")
    found, dialogue = ctx.meeting, ctx.dialogue
    is_convener = ctx.is_convener
    manages_agenda = ctx.may_manage_agenda
    planned, theirs = queries.meeting_times(found, request.user.time_zone)
    sees_attendance = ctx.sees_attendance
    participants = found.participants.select_related("person").order_by("person__full_name")
    members = seated_persons(dialogue).exclude(meeting_seats__meeting=found)
    timing = queries.agenda_timing(found)
    return render(
        request,
        "meetings/meeting.html",
        {
            "dialogue": dialogue,
            "access": ctx.dialogue_access,
            "meeting": found,
            "planned": planned,
            "theirs": theirs,
            "is_convener": is_convener,
            "manages_agenda": manages_agenda,
            "shows_address": ctx.shows_venue_address,
            # the venue is the conveners' choice: its neutrality warning is theirs
            "neutrality_warning": neutrality_warning(dialogue, found.venue)
            if is_convener
            else None,
            "agenda": found.agenda_items.select_related("lead"),
            "agenda_timing": timing,
            # Warnings go to those who can act on them (facilitators and conveners), not to participants.
            "agenda_warning": queries.agenda_warning(found, timing) if manages_agenda else None,
            "agenda_form": AgendaItemForm(persons=seated_persons(dialogue))
            if manages_agenda
            else None,
            "sees_attendance": sees_attendance,
            "participants": participants if sees_attendance else None,
            "counts": attendance_summary(participants, sees_list=sees_attendance),
            "participants_form": ParticipantsForm(persons=members) if is_convener else None,
            "statuses": MeetingParticipant.Status.choices,
            "has_started": found.starts_at <= timezone.now(),
            "my_seat": ctx.own_seat,
        },
    )


@login_required
def meeting_ics(request: HttpRequest, dialogue_id: int, meeting_id: int) -> HttpResponse:
    ctx = access_meeting(request.user, dialogue_id, meeting_id, need="member")
    found = ctx.meeting
    event = meeting_event(
        found,
        show_address=ctx.shows_venue_address,
        host=request.get_host(),
        url=request.build_absolute_uri(reverse("dialogues:meeting", args=[dialogue_id, found.pk])),
    )
    response = HttpResponse(render_calendar([event]), content_type=ICS_TYPE)
    response["Content-Disposition"] = f'attachment; filename="meeting-{found.pk}.ics"'
    return response


# --- agenda ----------------------------------------------------------------------------------


def _meeting_for_agenda(request, dialogue_id, meeting_id):
    return access_meeting(request.user, dialogue_id, meeting_id, need="facilitator")


def _agenda_form_page(ctx, form, heading, dialogue_id):
    return {
        "form": form,
        "dialogue": ctx.dialogue,
        "meeting": ctx.meeting,
        "access": ctx.dialogue_access,
        "heading": heading,
        "back": reverse("dialogues:meeting", args=[dialogue_id, ctx.meeting.pk]),
    }


@login_required
@require_POST
def agenda_add(request: HttpRequest, dialogue_id: int, meeting_id: int) -> HttpResponse:
    ctx = _meeting_for_agenda(request, dialogue_id, meeting_id)
    found = ctx.meeting
    form = AgendaItemForm(request.POST, persons=seated_persons(found.dialogue))
    submit(
        form,
        lambda data: actions.do_add_agenda_item(request.user, found, **data),
        check=lambda data: actions.check_agenda_item(found, data),
    )
    if form.errors:
        return render(
            request,
            "dialogues/form_page.html",
            _agenda_form_page(ctx, form, _("Add an agenda item"), dialogue_id),
            status=400,
        )
    messages.success(request, _("Agenda item added."))
    warning = queries.agenda_warning(found)
    if warning:
        messages.warning(request, warning)
    return redirect("dialogues:meeting", dialogue_id, found.pk)


@login_required
def agenda_edit(
    request: HttpRequest, dialogue_id: int, meeting_id: int, item_id: int
) -> HttpResponse:
    ctx = _meeting_for_agenda(request, dialogue_id, meeting_id)
    found = ctx.meeting
    item = ctx.agenda_item(item_id)
    form = AgendaItemForm(
        request.POST or None,
        persons=seated_persons(found.dialogue),
        initial={
            "title": item.title,
            "duration_minutes": item.duration_minutes,
            "lead": item.lead_id,
            "description": item.description,
        },
    )
    if request.method == "POST":
        done = submit(
            form,
            lambda data: actions.do_update_agenda_item(request.user, item, **data),
            check=lambda data: actions.check_agenda_item(found, data),
        )
        if done is not NOT_DONE:
            messages.success(request, _("Agenda item saved."))
            return redirect("dialogues:meeting", dialogue_id, found.pk)
    return render(
        request,
        "dialogues/form_page.html",
        _agenda_form_page(ctx, form, _("Edit agenda item"), dialogue_id),
    )


@login_required
@require_POST
def agenda_delete(
    request: HttpRequest, dialogue_id: int, meeting_id: int, item_id: int
) -> HttpResponse:
    ctx = _meeting_for_agenda(request, dialogue_id, meeting_id)
    found = ctx.meeting
    item = ctx.agenda_item(item_id)
    actions.do_delete_agenda_item(request.user, item)
    messages.success(request, _("Agenda item removed."))
    return redirect("dialogues:meeting", dialogue_id, found.pk)


@login_required
@require_POST
def agenda_move(
    request: HttpRequest, dialogue_id: int, meeting_id: int, item_id: int
) -> HttpResponse:
    ctx = _meeting_for_agenda(request, dialogue_id, meeting_id)
    found = ctx.meeting
    item = ctx.agenda_item(item_id)
    act_and_tell(
        request,
        lambda: actions.do_move_agenda_item(request.user, item, request.POST.get("direction", "")),
    )
    return redirect(reverse("dialogues:meeting", args=[dialogue_id, found.pk]) + "#agenda")


# --- participants ----------------------------------------------------------------------------


def _tell_added(
    request: HttpRequest, added: list[MeetingParticipant], told: dict[int, str | None]
) -> None:
    """Who was added, and to whom the e-mail could not be sent (they stay on the list)."""
    sent = sum(1 for problem in told.values() if problem is None)
    if told:
        messages.success(
            request,
            _("%(n)d added to the meeting; %(sent)d told by e-mail with the calendar file.")
            % {"n": len(added), "sent": sent},
        )
    else:
        messages.success(
            request, _("%(n)d added to the meeting; nobody was e-mailed.") % {"n": len(added)}
        )
    for problem in filter(None, told.values()):
        messages.error(
            request,
            _("%(problem)s They are on the list; tell them another way.") % {"problem": problem},
        )


@login_required
@require_POST
def participants_add(request: HttpRequest, dialogue_id: int, meeting_id: int) -> HttpResponse:
    ctx = access_meeting(request.user, dialogue_id, meeting_id, need="convener")
    found = ctx.meeting
    # A submitted choice is checked against every person of the dialogue (as the API does): whether
    # they may come (seated, not yet listed, room at the venue) is the action's rule, in its words.
    form = ParticipantsForm(request.POST, persons=persons_of(found.dialogue))
    if form.is_valid():
        done = act_and_tell(
            request,
            lambda: actions.add_participants(
                request.user,
                found,
                form.cleaned_data["persons"],
                form.cleaned_data["status"],
                notify=form.cleaned_data["notify"],
                base_url=request.build_absolute_uri("/"),
            ),
        )
        if done is not NOT_DONE:
            _tell_added(request, *done)
    else:
        messages.error(request, _("Choose at least one delegation member to add."))
    return redirect(reverse("dialogues:meeting", args=[dialogue_id, found.pk]) + "#participants")


@login_required
@require_POST
def participant_status(
    request: HttpRequest, dialogue_id: int, meeting_id: int, participant_id: int
) -> HttpResponse:
    ctx = access_meeting(request.user, dialogue_id, meeting_id, need="convener")
    found = ctx.meeting
    participant = ctx.participant(participant_id)
    form = ParticipantStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a valid status."))
    elif "remove" in request.POST:
        actions.do_remove_participant(request.user, participant)
        messages.success(
            request,
            _("%(name)s removed from the meeting.") % {"name": participant.person.full_name},
        )
    else:
        act_and_tell(
            request,
            lambda: actions.do_set_participant_status(
                request.user, participant, form.cleaned_data["status"]
            ),
            lambda _done: (
                _("%(name)s: %(status)s.")
                % {"name": participant.person.full_name, "status": participant.get_status_display()}
            ),
        )
    return redirect(reverse("dialogues:meeting", args=[dialogue_id, found.pk]) + "#participants")


@login_required
@require_POST
def my_answer(request: HttpRequest, dialogue_id: int, meeting_id: int) -> HttpResponse:
    seat = access_own_meeting_seat(request.user, dialogue_id, meeting_id)
    act_and_tell(
        request,
        lambda: actions.do_answer_meeting_invitation(
            request.user, seat, request.POST.get("status", "")
        ),
        lambda _done: (
            _("Thank you: the convener now knows that you will attend.")
            if seat.status == MeetingParticipant.Status.CONFIRMED
            else _("Thank you: the convener now knows that you cannot attend.")
        ),
    )
    return redirect("dialogues:meeting", dialogue_id, meeting_id)


@login_required
@require_POST
def participants_attended(request: HttpRequest, dialogue_id: int, meeting_id: int) -> HttpResponse:
    found = access_meeting(request.user, dialogue_id, meeting_id, need="convener").meeting
    act_and_tell(
        request,
        lambda: actions.do_record_confirmed_as_attended(request.user, found),
        lambda count: _("%(n)d marked as attended.") % {"n": count},
    )
    return redirect(reverse("dialogues:meeting", args=[dialogue_id, found.pk]) + "#participants")


# --- the private calendar feed ---------------------------------------------------------------


@login_required
def calendar_settings(request: HttpRequest) -> HttpResponse:
    form = PasswordAgainForm()
    if request.method == "POST" and "revoke" in request.POST:
        actions.do_revoke_calendar_token(request.user)
        messages.success(
            request, _("Your calendar feed is switched off; the old address no longer works.")
        )
        return redirect("dialogues:calendar")
    if request.method == "POST":
        form = PasswordAgainForm(request.POST)
        if form.is_valid():
            try:
                token = actions.do_issue_calendar_token(
                    request.user, form.cleaned_data["password"], client_address(request)
                )
            except SignInRefused as refusal:
                form.add_error("password", str(refusal))
            else:
                # Rendered, not redirected to: only a digest is kept, so this answer is the one
                # place the address ever appears (like an API token's).
                feed_url = request.build_absolute_uri(reverse("calendar_feed", args=[token]))
                response = render(
                    request,
                    "meetings/calendar.html",
                    {"feed_url": feed_url, "is_on": True, "form": PasswordAgainForm()},
                )
                add_never_cache_headers(response)
                return response
    return render(
        request,
        "meetings/calendar.html",
        {"is_on": bool(request.user.calendar_token), "form": form},
        status=400 if form.errors else 200,
    )


def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The private feed: no session, the token in the URL is the credential."""
    user = actions.user_for_calendar_token(token)
    if user is None:
        raise access.NotFound
    events = [
        meeting_event(
            m.meeting,
            show_address=m.shows_venue_address,
            host=request.get_host(),
            url=request.build_absolute_uri(
                reverse("dialogues:meeting", args=[m.meeting.dialogue_id, m.meeting.pk])
            ),
        )
        for m in feed_for(user)
    ]
    response = HttpResponse(render_calendar(events, name="Track2"), content_type=ICS_TYPE)
    response["Cache-Control"] = "private, no-store"
    return response
