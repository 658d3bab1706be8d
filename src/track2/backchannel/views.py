"""The back channel's page: the key directory and fingerprints, and what the server knows anyway.

Messages are never read or written here: that is the `track2 backchannel` command's, on the
correspondent's own machine (docs/backchannel.md). A browser client would be lower assurance.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from track2.access import access_dialogue
from track2.backchannel import log, queries

PER_PAGE = 50


@login_required
def directory(request: HttpRequest, dialogue_id: int) -> HttpResponse:
    access = access_dialogue(request.user, dialogue_id, need="member")
    dialogue = access.dialogue
    page = Paginator(queries.directory_of(dialogue), PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "backchannel/directory.html",
        {
            "access": access,
            "dialogue": dialogue,
            "page": page,
            "entries": [queries.entry_out(entry, with_bundle=False) for entry in page.object_list],
            "totals": queries.relay_totals(dialogue),
            "log_size": log.size(),
            # The address the reader reached the page by (plain http only on a local demo).
            "site": f"{request.scheme}://{request.get_host()}",
        },
    )
