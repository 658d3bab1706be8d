"""The Changes page of a dialogue: its conveners read who changed what, and when."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from track2.access import access_dialogue
from track2.audit import queries
from track2.audit.forms import ChangesFilterForm

PER_PAGE = 50


@login_required
def changes(request: HttpRequest, dialogue_id: int) -> HttpResponse:
    ctx = access_dialogue(request.user, dialogue_id, need="convener")
    dialogue = ctx.dialogue
    form = ChangesFilterForm(request.GET or None)
    entries = queries.for_dialogue(dialogue)
    if form.is_bound and form.is_valid():
        entries = queries.for_dialogue(
            dialogue,
            object_type=form.cleaned_data["object_type"] or None,
            object_id=form.cleaned_data["object_id"],
        )
    page = Paginator(entries, PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/changes.html",
        {
            "dialogue": dialogue,
            "access": ctx,
            "form": form,
            "page": page,
            "lines": queries.lines(dialogue, page.object_list),
            "query": query.urlencode(),
        },
    )
