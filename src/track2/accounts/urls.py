from django.contrib.auth import views as auth_views
from django.urls import path
from django.utils.translation import gettext_lazy as _

from track2.accounts import credential_views, passkey_views, views

app_name = "accounts"
urlpatterns = [
    path("login/", views.sign_in, name="login"),
    path("login/code/", views.sign_in_code, name="login_code"),
    path("login/passkey/options/", passkey_views.sign_in_options, name="passkey_sign_in_options"),
    path("login/passkey/", passkey_views.sign_in, name="passkey_sign_in"),
    path(
        "login/code/passkey/options/",
        passkey_views.second_factor_options,
        name="passkey_second_factor_options",
    ),
    path("login/code/passkey/", passkey_views.second_factor, name="passkey_second_factor"),
    path("passkeys/new/options/", passkey_views.add_options, name="passkey_add_options"),
    path("passkeys/new/", passkey_views.add, name="passkey_add"),
    path("passkeys/<int:passkey_id>/remove/", passkey_views.remove, name="passkey_remove"),
    path("logout/", views.sign_out, name="logout"),
    path("settings/", views.account_settings, name="settings"),
    path("two-factor/enable/", views.two_factor_enable, name="two_factor_enable"),
    path("two-factor/disable/", views.two_factor_disable, name="two_factor_disable"),
    path("two-factor/new-app/", views.authenticator_replace, name="authenticator_replace"),
    path("two-factor/recovery-codes/", views.recovery_codes_regenerate, name="recovery_codes"),
    path("tokens/", views.token_create, name="token_create"),
    path("tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
    path("password/", credential_views.password_change, name="password_change"),
    path("sign-out-everywhere/", credential_views.sign_out_everywhere, name="sign_out_everywhere"),
    path("reset/", credential_views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "reset/sent/",
        auth_views.PasswordResetDoneView.as_view(
            template_name="accounts/message_page.html",
            extra_context={
                "heading": _("Check your e-mail"),
                "text": _(
                    "If an account uses that address, a link to choose a new password is on its way. It works once, for three days."
                ),
            },
        ),
        name="reset_sent",
    ),
    path(
        "reset/<uidb64>/<token>/",
        credential_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="accounts/message_page.html",
            extra_context={
                "heading": _("Password set"),
                "text": _("Your new password is set. Sign in with it."),
            },
        ),
        name="reset_done",
    ),
]
