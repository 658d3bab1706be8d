"""The Retention page of a dialogue, for its conveners: parse, call the actions, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from track2.access.operations import access_retention
from track2.operations import actions
from track2.operations.forms import RetentionForm
from track2.site.forms import NOT_DONE, submit


@login_required
def retention(request: HttpRequest, dialogue_id: int) -> HttpResponse:
    ctx = access_retention(request.user, dialogue_id)
    policy = ctx.policy
    form = RetentionForm(
        request.POST or None,
        initial={
            "on_meeting_close": policy.on_meeting_close,
            "delete_content_after_days": policy.delete_content_after_days,
            "destroy_key_on_close": policy.destroy_key_on_close,
        },
    )
    if request.method == "POST":
        done = submit(
            form,
            lambda data: actions.do_set_retention(
                request.user, actions.check_set_retention(request.user, dialogue_id, **data), **data
            ),
        )
        if done is not NOT_DONE:
            messages.success(request, _("Retention policy saved."))
            return redirect("operations:retention", dialogue_id)
    return render(
        request,
        "operations/retention.html",
        {
            "access": ctx.dialogue_access,
            "dialogue": ctx.dialogue_access.dialogue,
            "retention": ctx,
            "form": form,
        },
    )
