"""Thin views over accounts.actions: parse, call, render."""

from __future__ import annotations

import hmac
import time

import segno
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from track2.accounts import actions, totp
from track2.accounts.forms import (
    ApiTokenForm,
    CodeForm,
    DisableTwoFactorForm,
    EnableTwoFactorForm,
    PasswordAgainForm,
    ProfileForm,
    ReplaceAuthenticatorForm,
    SignInForm,
)
from track2.accounts.models import ApiToken, User
from track2.errors import ActionRefused
from track2.site.forms import add_refusal

PENDING_KEY = "track2_pending_second_factor"
PENDING_SECONDS = 300


def client_address(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return "/"


def sign_in(request: HttpRequest) -> HttpResponse:
    form = SignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = actions.check_sign_in(
                form.cleaned_data["email"], form.cleaned_data["password"], client_address(request)
            )
        except actions.SignInRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            if user.has_two_factor:
                request.session.cycle_key()
                request.session[PENDING_KEY] = {
                    "user": user.pk,
                    # Covers the password (and "sign out everywhere"): a reset or a change before
                    # the code step ends this half-finished sign-in (pending_user).
                    "hash": user.get_session_auth_hash(),
                    "at": time.time(),
                    "next": _next_url(request),
                }
                return redirect("accounts:login_code")
            login(request, user)  # rotates the session id
            actions.do_finish_sign_in(user, client_address(request))
            return redirect(_next_url(request))
    return render(
        request, "accounts/login.html", {"form": form, "next": request.GET.get("next", "")}
    )


def pending_user(request: HttpRequest) -> User | None:
    """The account whose password step this session passed, while that still holds: not too long
    ago, the account still active, its password (and session epoch) unchanged since. Otherwise
    the pending state is dropped and None returned: the person signs in again."""
    pending = request.session.get(PENDING_KEY)
    user = None
    if pending and time.time() - pending["at"] <= PENDING_SECONDS:
        user = User.objects.filter(pk=pending["user"], is_active=True).first()
        if user is not None and not hmac.compare_digest(
            str(pending.get("hash", "")), user.get_session_auth_hash()
        ):
            user = None
    if user is None:
        request.session.pop(PENDING_KEY, None)
    return user


def sign_in_code(request: HttpRequest) -> HttpResponse:
    user = pending_user(request)
    if user is None:
        messages.error(
            request,
            _(
                "Please sign in again with your e-mail and password: your sign-in took too long, "
                "or the account changed meanwhile."
            ),
        )
        return redirect("accounts:login")
    pending = request.session[PENDING_KEY]
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            proof = actions.check_second_factor(
                user, form.cleaned_data["code"], client_address(request)
            )
            actions.do_record_second_factor(user, proof)
        except actions.SignInRefused as refusal:
            form.add_error("code", str(refusal))
        else:
            next_url = pending.get("next") or "/"
            login(request, user)
            actions.do_finish_sign_in(user, client_address(request))
            return redirect(next_url)
    return render(
        request, "accounts/login_code.html", {"form": form, "has_passkeys": user.passkeys.exists()}
    )


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.info(request, _("You are signed out."))
    return redirect("accounts:login")


def _sign_in_methods(user: User) -> dict[str, object]:
    return {
        "recovery_codes_left": user.recovery_codes.filter(used_at__isnull=True).count(),
        "passkeys": list(user.passkeys.all()),
    }


@login_required
def account_settings(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your settings are saved."))
        return redirect("accounts:settings")
    tokens = ApiToken.objects.filter(user=request.user)
    return render(
        request,
        "accounts/settings.html",
        {
            "form": form,
            "tokens": tokens,
            "token_form": ApiTokenForm(),
            **_sign_in_methods(request.user),
        },
    )


@login_required
def two_factor_enable(request: HttpRequest) -> HttpResponse:
    try:
        actions.check_two_factor_is_off(request.user)
    except actions.TwoFactorRefused as refusal:
        messages.error(request, str(refusal))
        return redirect("accounts:settings")
    secret = _candidate_secret(request, "totp_candidate")
    form = EnableTwoFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = actions.do_enable_two_factor(
                request.user,
                secret,
                form.cleaned_data["code"],
                form.cleaned_data["password"],
                client_address(request),
            )
        except actions.SignInRefused as refusal:
            form.add_error("password", str(refusal))
        except actions.TwoFactorRefused as refusal:
            form.add_error("code", str(refusal))
        else:
            update_session_auth_hash(request, request.user)  # this session stays; others end
            del request.session["totp_candidate"]
            messages.success(
                request,
                _("Two-factor sign-in is on. You will be asked for a code each time you sign in."),
            )
            return _show_recovery_codes(request, codes)
    return render(
        request,
        "accounts/two_factor_enable.html",
        {"form": form, **_new_app_setup(request, secret)},
        status=400 if form.errors else 200,
    )


def _candidate_secret(request: HttpRequest, key: str) -> str:
    """The secret offered to a new authenticator app. It lives in the session (server-side),
    never in the page's form, until a code proves the phone has it; the same one is offered
    again until then, so a reload does not undo a scan."""
    secret = request.session.get(key) or totp.new_secret()
    request.session[key] = secret
    return secret


def _new_app_setup(request: HttpRequest, secret: str) -> dict[str, str]:
    """What accounts/new_app_setup.html shows of the secret: the key and its QR code."""
    uri = totp.provisioning_uri(secret, request.user.email)
    qr_svg = segno.make(uri, error="m").svg_inline(scale=4, dark="#000", light="#fff")
    return {"secret": secret, "qr_svg": qr_svg}


@login_required
def authenticator_replace(request: HttpRequest) -> HttpResponse:
    """Move two-factor sign-in to a new phone in one step, without turning it off between."""
    try:
        actions.check_two_factor_is_on(request.user)
    except ActionRefused as refusal:
        request.session.pop("totp_replacement", None)
        messages.error(request, str(refusal))
        return redirect("accounts:settings")
    # Its own key, not the enable page's: the two pages never take each other's secret.
    secret = _candidate_secret(request, "totp_replacement")
    # Bound on any POST, an empty one included, so that missing fields are named.
    form = ReplaceAuthenticatorForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        form.is_valid()  # the action refuses again what the form refused, with the rest
        try:
            actions.do_replace_authenticator(
                request.user,
                secret,
                form.cleaned_data.get("code"),
                form.cleaned_data.get("password"),
                client_address(request),
            )
        except ActionRefused as refusal:
            add_refusal(form, refusal)
        else:
            update_session_auth_hash(request, request.user)  # this session stays; others end
            del request.session["totp_replacement"]
            messages.success(
                request,
                _(
                    "Two-factor sign-in now uses your new authenticator app; codes from the old "
                    "one no longer work. Your recovery codes are unchanged. You were signed out "
                    "everywhere else."
                ),
            )
            return redirect("accounts:settings")
    return render(
        request,
        "accounts/authenticator_replace.html",
        {"form": form, **_new_app_setup(request, secret)},
        status=400 if form.errors else 200,
    )


def _show_recovery_codes(request: HttpRequest, codes: list[str]) -> HttpResponse:
    # Rendered, not redirected to: the codes never sit in the session or a URL.
    response = render(request, "accounts/recovery_codes.html", {"codes": codes})
    add_never_cache_headers(response)
    return response


@login_required
def recovery_codes_regenerate(request: HttpRequest) -> HttpResponse:
    form = PasswordAgainForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = actions.do_regenerate_recovery_codes(
                request.user, form.cleaned_data["password"], client_address(request)
            )
        except (actions.SignInRefused, actions.TwoFactorRefused) as refusal:
            form.add_error("password", str(refusal))
        else:
            update_session_auth_hash(request, request.user)  # this session stays; others end
            messages.success(
                request, _("New recovery codes are ready; the old ones no longer work.")
            )
            return _show_recovery_codes(request, codes)
    return render(
        request,
        "accounts/recovery_codes_regenerate.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@login_required
def two_factor_disable(request: HttpRequest) -> HttpResponse:
    form = DisableTwoFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_disable_two_factor(
                request.user, form.cleaned_data["password"], client_address(request)
            )
        except actions.TwoFactorRefused as refusal:
            form.add_error("password", str(refusal))
        else:
            update_session_auth_hash(request, request.user)  # this session stays; others end
            messages.success(request, _("Two-factor sign-in is off."))
            return redirect("accounts:settings")
    return render(request, "accounts/two_factor_disable.html", {"form": form})


@login_required
@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST)
    if form.is_valid():
        try:
            raw, token = actions.do_issue_api_token(
                request.user,
                form.cleaned_data["name"],
                form.cleaned_data["password"],
                client_address(request),
            )
        except ValueError as err:
            form.add_error("name", str(err))
        except actions.SignInRefused as refusal:
            form.add_error("password", str(refusal))
        else:
            return render(request, "accounts/token_created.html", {"raw": raw, "token": token})
    tokens = ApiToken.objects.filter(user=request.user)
    return render(
        request,
        "accounts/settings.html",
        {
            "form": ProfileForm(instance=request.user),
            "tokens": tokens,
            "token_form": form,
            **_sign_in_methods(request.user),
        },
        status=400,
    )


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = actions.do_revoke_api_token(request.user, token_id)
    if token is None:
        messages.error(request, _("That token is already revoked."))
    else:
        messages.success(
            request,
            _("Token “%(name)s” is revoked; anything using it can no longer sign in.")
            % {"name": token.name},
        )
    return redirect("accounts:settings")
