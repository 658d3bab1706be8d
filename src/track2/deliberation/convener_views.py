"""The conveners' room pages: exports, the Pol.is import, and destroying the dialogue's key."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from track2 import access, keyring
from track2.access.room import access_room
from track2.deliberation import exports, interop, room_actions
from track2.deliberation.forms import DestroyKeyForm, ImportForm
from track2.operations.queries import pending_key_destruction
from track2.site.forms import NOT_DONE, submit


def _import(
    request: HttpRequest, dialogue_id: int, meeting_id: int, upload
) -> tuple[int, int, int]:
    plan, folder = interop.check_import_upload(
        request.user, dialogue_id, meeting_id, upload, settings.TRACK2_MAX_UPLOAD_BYTES * 10
    )
    try:
        return interop.do_import(request.user, plan)
    finally:
        folder.cleanup()


@login_required
def exports_page(request: HttpRequest, dialogue_id: int, meeting_id: int) -> HttpResponse:
    ctx = access_room(request.user, dialogue_id, meeting_id, need="convener")
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        done = submit(form, lambda data: _import(request, dialogue_id, meeting_id, data["file"]))
        if done is not NOT_DONE:
            statements, voters, votes = done
            messages.success(
                request,
                _("Imported %(s)d statements and %(v)d votes of %(p)d voters.")
                % {"s": statements, "v": votes, "p": voters},
            )
            return redirect("deliberation:exports", dialogue_id, meeting_id)
    return render(
        request,
        "deliberation/exports.html",
        {"ctx": ctx, "meeting": ctx.meeting, "dialogue": ctx.dialogue, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
def download(request: HttpRequest, dialogue_id: int, meeting_id: int, fmt: str) -> HttpResponse:
    document = exports.check_export(request.user, dialogue_id, meeting_id, fmt)
    response = HttpResponse(document.content, content_type=document.content_type)
    response["Content-Disposition"] = f'attachment; filename="{document.filename}"'
    return response


@login_required
def destroy_key(request: HttpRequest, dialogue_id: int) -> HttpResponse:
    ctx = access.access_dialogue(request.user, dialogue_id, need="convener")
    dialogue = ctx.dialogue
    form = DestroyKeyForm(request.POST or None)
    destroyed = keyring.is_destroyed(dialogue.pk)
    if request.method == "POST" and not destroyed:
        done = submit(
            form,
            lambda data: room_actions.do_destroy_key(
                request.user,
                room_actions.check_destroy_key(request.user, dialogue_id, data["confirmation"]),
            ),
        )
        if done is not NOT_DONE:
            messages.success(
                request,
                _("The dialogue's pseudonym key is destroyed.")
                if done
                else _("Destruction asked for: it happens when another convener confirms it here."),
            )
            return redirect("deliberation:destroy_key", dialogue_id)
    return render(
        request,
        "deliberation/destroy_key.html",
        {
            "access": ctx,
            "dialogue": dialogue,
            "form": form,
            "destroyed": destroyed,
            # Two conveners (track2.operations): a request waiting for a second one to confirm.
            "pending": pending_key_destruction(dialogue),
        },
    )
