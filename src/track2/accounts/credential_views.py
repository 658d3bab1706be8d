"""Pages about credentials: password change and reset, sign out everywhere, the admin's sign-in.

Thin over accounts.actions and accounts.throttle; kept apart from views.py so the sign-in
steps there stay small.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from track2.accounts import actions, throttle
from track2.accounts.forms import PasswordChangeForm, PasswordResetForm, ResetPasswordForm
from track2.accounts.views import client_address


def admin_sign_in(request: HttpRequest) -> HttpResponse:
    """/admin/login/ is the site's one sign-in page (two-factor and the pause included)."""
    next_url = request.GET.get("next") or reverse("admin:index")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = reverse("admin:index")
    if request.user.is_authenticated:
        # Signed in but not a site administrator: say so instead of showing a sign-in form again.
        return render(
            request,
            "accounts/message_page.html",
            {
                "heading": _("Not a site administrator"),
                "text": _(
                    "You are signed in as %(email)s, which does not administer this site. "
                    "Ask a site administrator if you need the administration pages."
                )
                % {"email": request.user.email},
            },
            status=403,
        )
    return redirect(reverse("accounts:login") + "?" + urlencode({"next": next_url}))


@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    # Bound on every POST, an empty one too: an unbound form has no cleaned_data to read.
    form = PasswordChangeForm(request.user, request.POST if request.method == "POST" else None)
    if request.method == "POST":
        valid = form.is_valid()
        old = form.cleaned_data.get("old_password")
        if old:
            try:
                actions.check_current_password(request.user, old, client_address(request))
            except actions.PasswordRefused as refusal:
                form.add_error("old_password", str(refusal))
                valid = False
        if valid:
            revoke = form.cleaned_data["revoke_credentials"]
            actions.do_change_password(request.user, form.cleaned_data["new_password1"], revoke)
            update_session_auth_hash(request, request.user)  # this session stays; the others end
            messages.success(
                request,
                _("Your password is changed. You were signed out everywhere else.")
                + (
                    " " + _("Your API tokens and calendar feed address are revoked.")
                    if revoke
                    else ""
                ),
            )
            return redirect("accounts:settings")
    return render(
        request, "accounts/form_page.html", {"form": form, "heading": _("Change your password")}
    )


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset page, limited per address typed in and per network address.

    The limit applies whether or not an account uses the address, so the answer still tells
    nobody whether it does."""

    form_class = PasswordResetForm
    template_name = "accounts/form_page.html"
    email_template_name = "accounts/reset_email.txt"
    subject_template_name = "accounts/reset_subject.txt"
    success_url = reverse_lazy("accounts:reset_sent")
    extra_context = {"heading": gettext_lazy("Reset your password")}

    def form_valid(self, form):
        try:
            throttle.reserve(
                reset_account=form.cleaned_data["email"], reset_address=client_address(self.request)
            )
        except throttle.Paused as pause:
            form.add_error(
                None,
                _(
                    "Too many reset requests for this address or from your network. Wait %(minutes)d minutes, "
                    "then ask again; check your spam folder for an earlier e-mail meanwhile."
                )
                % {"minutes": pause.minutes},
            )
            return self.form_invalid(form)
        response = super().form_valid(form)
        # The server closes the response once the answer is written to the connection (WSGI,
        # ASGI and Django's test client alike): only then is the kept e-mail sent, so the answer
        # takes as long whether or not an account uses the address (forms.PasswordResetForm).
        # Django's FileResponse closes its file through the same list.
        response._resource_closers.append(form.send_kept)
        return response


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's reset link page, with the same choice to revoke tokens and feed as a change."""

    form_class = ResetPasswordForm
    template_name = "accounts/reset_confirm.html"
    success_url = reverse_lazy("accounts:reset_done")
    post_reset_login = False

    def form_valid(self, form):
        with transaction.atomic():
            response = super().form_valid(form)
            # The link came to the owner's mailbox: the pauses others caused end here, as the
            # pause message promises, and so does a half-finished sign-in (views.pending_user).
            actions.do_after_password_reset(form.user)
            if form.cleaned_data["revoke_credentials"]:
                actions.do_revoke_credentials(form.user)
        return response


@login_required
def sign_out_everywhere(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        actions.do_sign_out_everywhere(request.user)
        logout(request)
        messages.info(
            request,
            _(
                "You are signed out everywhere, here too. Your API tokens and calendar feed "
                "address are revoked. Sign in again to continue."
            ),
        )
        return redirect("accounts:login")
    return render(request, "accounts/sign_out_everywhere.html")
