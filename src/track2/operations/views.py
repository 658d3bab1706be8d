"""The Retention page of a dialogue and its "Delete this dialogue" page, for its conveners:
parse, call the actions, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from track2.access.operations import access_retention
from track2.operations import actions
from track2.operations import dialogue_deletion as deletion
from track2.operations.forms import DeletionForm, RetentionForm
from track2.site.forms import NOT_DONE, act_and_tell, submit


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


@login_required
def delete_dialogue(request: HttpRequest, dialogue_id: int) -> HttpResponse:
    """Ask for the dialogue's deletion, or confirm another convener's request. The page says
    which it offers (`step`): a request another convener made after it was shown is then
    refused as already made, never taken as this convener's confirmation."""
    user = request.user
    ctx = deletion.access_deletion(user, dialogue_id)
    form = DeletionForm(request.POST or None)
    if request.method == "POST":
        confirming = request.POST.get("step") == "confirm"

        def check(data: dict) -> deletion.DeletionAccess:
            checks = (
                deletion.check_confirm_deletion if confirming else deletion.check_request_deletion
            )
            return checks(user, dialogue_id, data.get("title"))

        def act(data: dict):
            if confirming:
                return deletion.do_confirm_deletion(user, check(data))
            base_url = f"{request.scheme}://{request.get_host()}"
            return deletion.do_request_deletion(user, check(data), base_url=base_url)

        def validate(data: dict) -> None:
            check(data)  # the action's problems beside the form's own, all said at once

        done = submit(form, act, validate)
        if isinstance(done, deletion.DialogueDeleted):
            # The title stays out of the message: messages are kept in the session or a cookie.
            messages.success(
                request,
                _("Dialogue %(number)d is deleted, with everything it held.")
                % {"number": done.dialogue_id},
            )
            return redirect("site:home")
        if done is not NOT_DONE:
            _request, unreached = done
            messages.success(
                request,
                _("Deletion asked for: it happens when another convener confirms it on this page."),
            )
            for problem in unreached:
                messages.warning(request, problem)
            return redirect("operations:deletion", dialogue_id)
    return render(
        request,
        "operations/deletion.html",
        {
            "access": ctx.dialogue_access,
            "dialogue": ctx.dialogue,
            "deletion": ctx,
            "held": [held for held in ctx.contents() if held.count],
            "form": form,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def withdraw_deletion(request: HttpRequest, dialogue_id: int) -> HttpResponse:
    user = request.user
    act_and_tell(
        request,
        lambda: deletion.do_withdraw_deletion(
            user, deletion.check_withdraw_deletion(user, dialogue_id)
        ),
        _("The request to delete this dialogue is withdrawn."),
    )
    return redirect("operations:deletion", dialogue_id)
