"""Thin JSON views for passkeys over accounts.passkeys: parse, call, answer.

The browser side is static/track2/passkeys.js. Every answer is JSON: {"options": …} or
{"redirect": url} on success, {"errors": [message, …]} with 4xx on refusal.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from track2.accounts import actions, passkeys, views
from track2.accounts.forms import PasswordAgainForm
from track2.accounts.mail import tell_owner
from track2.accounts.models import User
from track2.accounts.views import PENDING_KEY, client_address

MAX_BODY_BYTES = 64 * 1024


class BadBody(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def _refused(status: int, *problems: str) -> JsonResponse:
    return JsonResponse({"errors": list(problems)}, status=status)


def _json_body(request: HttpRequest) -> dict[str, Any]:
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > MAX_BODY_BYTES:
        raise BadBody(
            413,
            _("The request is too large (over %(kb)d KB); a passkey answer is a few KB.")
            % {"kb": MAX_BODY_BYTES // 1024},
        )
    body = request.body
    if len(body) > MAX_BODY_BYTES:
        raise BadBody(
            413,
            _("The request is too large (over %(kb)d KB); a passkey answer is a few KB.")
            % {"kb": MAX_BODY_BYTES // 1024},
        )
    try:
        data = json.loads(body.decode("utf-8"))
        # A lone surrogate escaped in JSON ("\ud800") decodes but is not text: refuse it here.
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except (UnicodeError, ValueError, RecursionError) as error:
        raise BadBody(
            400, _("The request body is not valid UTF-8 JSON. Reload the page and try again.")
        ) from error
    if not isinstance(data, dict):
        raise BadBody(422, _("The request body must be a JSON object."))
    return data


def _rp(request: HttpRequest) -> passkeys.RelyingParty:
    return passkeys.relying_party(request.get_host(), request.is_secure())


def _answer(request: HttpRequest, handler) -> HttpResponse:
    try:
        return handler(_json_body(request))
    except BadBody as bad:
        return _refused(bad.status, str(bad))
    except (passkeys.PasskeyRefused, actions.SignInRefused) as refusal:
        return _refused(400, str(refusal))


def _options(options_json: str) -> HttpResponse:
    return HttpResponse('{"options": ' + options_json + "}", content_type="application/json")


def _json_login_required(view):
    def wrapped(request: HttpRequest, *args, **kwargs):
        if not request.user.is_authenticated:
            return _refused(401, _("Sign in first, then add a passkey from your account page."))
        return view(request, *args, **kwargs)

    return wrapped


@never_cache
@require_POST
@_json_login_required
def add_options(request: HttpRequest) -> HttpResponse:
    return _answer(
        request,
        lambda data: _options(
            passkeys.check_registration_options(
                request.user,
                data.get("password"),
                data.get("name"),
                client_address(request),
                _rp(request),
                request.session,
            )
        ),
    )


@never_cache
@require_POST
@_json_login_required
def add(request: HttpRequest) -> HttpResponse:
    def register(data):
        passkey = passkeys.do_register_passkey(request.user, data, _rp(request), request.session)
        tell_owner(
            request.user,
            _("A passkey named “%(name)s” was added to your account.") % {"name": passkey.name},
        )
        messages.success(
            request,
            _("Passkey “%(name)s” added. You can now sign in with it.") % {"name": passkey.name},
        )
        return JsonResponse({"redirect": reverse("accounts:settings")}, status=201)

    return _answer(request, register)


@login_required
def remove(request: HttpRequest, passkey_id: int) -> HttpResponse:
    # The password again (counted), as for adding one: a bare session must not be able to take
    # the owner's passkey away (audit-accounts finding 4).
    passkey = actions.own_passkey(request.user, passkey_id)
    form = PasswordAgainForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            actions.do_remove_passkey_asked(
                request.user, passkey_id, form.cleaned_data["password"], client_address(request)
            )
        except actions.SignInRefused as refusal:
            form.add_error("password", str(refusal))
        else:
            messages.success(
                request,
                _("Passkey “%(name)s” removed; it can no longer sign in.") % {"name": passkey.name},
            )
            return redirect("accounts:settings")
    return render(
        request,
        "accounts/passkey_remove.html",
        {"form": form, "passkey": passkey},
        status=400 if form.errors else 200,
    )


@never_cache
@require_POST
def sign_in_options(request: HttpRequest) -> HttpResponse:
    return _answer(
        request,
        lambda data: _options(passkeys.check_sign_in_options(_rp(request), request.session)),
    )


@never_cache
@require_POST
def sign_in(request: HttpRequest) -> HttpResponse:
    def finish(data):
        passkey = passkeys.check_assertion(
            data.get("credential"), _rp(request), client_address(request), request.session
        )
        next_url = data.get("next") if isinstance(data.get("next"), str) else ""
        return _signed_in(request, passkey.user, _safe_next(request, next_url))

    return _answer(request, finish)


def _pending_user(request: HttpRequest) -> User | None:
    # The code page's rule: an account deleted, deactivated or given a new password since the
    # password step ends the half-finished sign-in.
    return views.pending_user(request)


@never_cache
@require_POST
def second_factor_options(request: HttpRequest) -> HttpResponse:
    user = _pending_user(request)
    if user is None:
        return _refused(
            400, _("Your sign-in took too long. Please enter your e-mail and password again.")
        )
    return _answer(
        request,
        lambda data: _options(
            passkeys.check_second_factor_options(user, _rp(request), request.session)
        ),
    )


@never_cache
@require_POST
def second_factor(request: HttpRequest) -> HttpResponse:
    user = _pending_user(request)
    if user is None:
        return _refused(
            400, _("Your sign-in took too long. Please enter your e-mail and password again.")
        )
    next_url = request.session[PENDING_KEY].get("next") or "/"

    def finish(data):
        passkeys.check_assertion(
            data.get("credential"),
            _rp(request),
            client_address(request),
            request.session,
            second_factor_of=user,
        )
        return _signed_in(request, user, next_url)

    return _answer(request, finish)


def _safe_next(request: HttpRequest, candidate: str) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return "/"


def _signed_in(request: HttpRequest, user: User, next_url: str) -> JsonResponse:
    request.session.pop(PENDING_KEY, None)
    login(
        request, user, backend="django.contrib.auth.backends.ModelBackend"
    )  # rotates the session id
    actions.do_finish_sign_in(user, client_address(request))
    return JsonResponse({"redirect": next_url})
