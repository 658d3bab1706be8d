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
from track2.errors import ActionRefused
from track2.site.forms import NOT_DONE, add_refusal, submit


@login_required
def exports_page(request: HttpRequest, dialogue_id: int, meeting_id: int) -> HttpResponse:
    ctx = access_room(request.user, dialogue_id, meeting_id, need="convener")
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            plan, folder = interop.check_import_upload(
                request.user,
                dialogue_id,
                meeting_id,
                form.cleaned_data["file"],
                settings.TRACK2_MAX_UPLOAD_BYTES * 10,
            )
            try:
                statements, voters, votes = interop.do_import(request.user, plan)
            finally:
                folder.cleanup()
        except ActionRefused as refusal:
            add_refusal(form, refusal)
        else:
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
    )


@login_required
def download(request: HttpRequest, dialogue_id: int, meeting_id: int, fmt: str) -> HttpResponse:
    document = exports.check_export(request.user, dialogue_id, meeting_id, fmt)
    response = HttpResponse(document.content, content_type=document.content_type)
    response["Content-Disposition"] = f'attachment; filename="{document.filename}"'
    return response


@login_required
def destroy_key(request: HttpRequest, dialogue_id: int) -> HttpResponse:
    dialogue = access.access_dialogue(request.user, dialogue_id, need="convener")
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
            messages.success(request, _("The dialogue's pseudonym key is destroyed."))
            return redirect("deliberation:destroy_key", dialogue_id)
    return render(
        request,
        "deliberation/destroy_key.html",
        {"dialogue": dialogue, "form": form, "destroyed": destroyed},
    )
