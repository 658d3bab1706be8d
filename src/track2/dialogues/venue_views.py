"""Pages for a dialogue's venues (conveners). Thin views."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from track2 import access
from track2.access.venues import access_venue, venues_of
from track2.dialogues import queries, venue_actions
from track2.dialogues.forms import VenueForm
from track2.site.forms import NOT_DONE, act_and_tell, submit


@login_required
def venues(request: HttpRequest, dialogue_id: int) -> HttpResponse:
    ctx = access.access_dialogue(request.user, dialogue_id, need="convener")
    dialogue = ctx.dialogue
    form = VenueForm(request.POST or None)
    if request.method == "POST":
        venue = submit(
            form,
            lambda data: venue_actions.do_create_venue(request.user, dialogue, **data),
            check=lambda data: venue_actions.check_venue(dialogue, data),
        )
        if venue is not NOT_DONE:
            messages.success(request, _("Venue “%(name)s” added.") % {"name": venue.name})
            warning = queries.neutrality_warning(dialogue, venue)
            if warning:
                messages.warning(request, warning)
            return redirect("dialogues:venues", dialogue.pk)
    parties = list(dialogue.parties.all())
    listed = [(v, queries.neutrality_warning(dialogue, v, parties)) for v in venues_of(dialogue)]
    return render(
        request,
        "dialogues/venues.html",
        {"dialogue": dialogue, "access": ctx, "form": form, "venues": listed},
    )


@login_required
def venue_edit(request: HttpRequest, dialogue_id: int, venue_id: int) -> HttpResponse:
    ctx, venue = access_venue(request.user, dialogue_id, venue_id, need="convener")
    dialogue = ctx.dialogue
    form = VenueForm(request.POST or None, instance=venue)
    if request.method == "POST":
        done = submit(
            form,
            lambda data: venue_actions.do_update_venue(request.user, venue, **data),
            check=lambda data: venue_actions.check_venue(dialogue, data),
        )
        if done is not NOT_DONE:
            messages.success(request, _("Venue saved."))
            return redirect("dialogues:venues", dialogue.pk)
    return render(
        request,
        "dialogues/form_page.html",
        {
            "form": form,
            "dialogue": dialogue,
            "access": ctx,
            "heading": _("Edit venue %(name)s") % {"name": venue.name},
            "warning": queries.neutrality_warning(dialogue, venue),
            "delete_url": reverse("dialogues:venue_delete", args=[dialogue.pk, venue.pk]),
            "back": reverse("dialogues:venues", args=[dialogue.pk]),
        },
    )


@login_required
@require_POST
def venue_delete(request: HttpRequest, dialogue_id: int, venue_id: int) -> HttpResponse:
    _ctx, venue = access_venue(request.user, dialogue_id, venue_id, need="convener")
    removed = _("Venue “%(name)s” removed.") % {"name": venue.name}
    if (
        act_and_tell(request, lambda: venue_actions.do_delete_venue(request.user, venue), removed)
        is NOT_DONE
    ):
        return redirect("dialogues:venue_edit", dialogue_id, venue.pk)
    return redirect("dialogues:venues", dialogue_id)
