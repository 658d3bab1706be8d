import logging

from django import forms
from django.contrib.auth.forms import PasswordResetForm as DjangoPasswordResetForm
from django.contrib.auth.forms import SetPasswordForm
from django.core.mail import EmailMultiAlternatives
from django.core.validators import MaxLengthValidator
from django.template import loader
from django.utils.translation import gettext_lazy as _

from track2.accounts.models import User
from track2.site.forms import InputRules
from track2.time_zones import TimeZoneField

log = logging.getLogger(__name__)

# Longer than any pass phrase a person types, short enough that hashing it costs nothing unusual.
PASSWORD_MAX_LENGTH = 1024


class SignInForm(InputRules, forms.Form):
    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        max_length=PASSWORD_MAX_LENGTH,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class CodeForm(InputRules, forms.Form):
    code = forms.CharField(
        label=_("6-digit code from your authenticator app, or a recovery code"),
        max_length=40,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}
        ),
    )


class EnableTwoFactorForm(InputRules, forms.Form):
    code = forms.CharField(
        label=_("6-digit code from your authenticator app"),
        max_length=8,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        max_length=PASSWORD_MAX_LENGTH,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class ReplaceAuthenticatorForm(EnableTwoFactorForm):
    """Turning two-factor on's fields (a code from the new app, the password): no code from the
    old app, whose phone may be lost (actions.do_replace_authenticator)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].label = _("6-digit code from your new authenticator app")


class DisableTwoFactorForm(InputRules, forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        max_length=PASSWORD_MAX_LENGTH,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class PasswordAgainForm(InputRules, forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class ProfileForm(InputRules, forms.ModelForm):
    time_zone = TimeZoneField(label=_("Time zone"))

    class Meta:
        model = User
        fields = ["display_name", "time_zone"]


class ApiTokenForm(InputRules, forms.Form):
    name = forms.CharField(
        label=_("Token name"),
        max_length=100,
        help_text=_("Where it will be used, e.g. 'rapporteur laptop'."),
    )
    # Labelled apart from the passkey form's "Your password" on the same page.
    password = forms.CharField(
        label=_("Current password"),
        strip=False,
        max_length=PASSWORD_MAX_LENGTH,
        help_text=_("Asked again because a token outlives this session and skips two-factor."),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


REVOKE_LABEL = _("Also revoke my API tokens and my private calendar feed address")
REVOKE_HELP = _(
    "Leave this ticked if someone else may have known your password: "
    "scripts and calendar apps will need a new token or feed address."
)


class PasswordChangeForm(SetPasswordForm):
    """Current password (checked by accounts.actions, counted toward the sign-in limits), the new
    one twice, and whether to revoke what a thief of the old password may hold."""

    old_password = forms.CharField(
        label=_("Current password"),
        strip=False,
        max_length=PASSWORD_MAX_LENGTH,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )
    revoke_credentials = forms.BooleanField(
        label=REVOKE_LABEL, required=False, initial=True, help_text=REVOKE_HELP
    )
    field_order = ["old_password", "new_password1", "new_password2", "revoke_credentials"]

    def __init__(self, user, *args, **kwargs):
        super().__init__(user, *args, **kwargs)
        for name in ("new_password1", "new_password2"):
            self.fields[name].max_length = PASSWORD_MAX_LENGTH
            self.fields[name].validators.append(MaxLengthValidator(PASSWORD_MAX_LENGTH))


class PasswordResetForm(DjangoPasswordResetForm):
    """Django's reset form, except that the e-mail is kept, not sent, until `send_kept()`.

    Sent inside the request, the mail server's conversation (tens of milliseconds) would make
    the answer slower for an address with an account than for one without, telling anyone who
    asks who has an account here (audit-accounts). The view sends it once the answer has gone.
    """

    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kept: list[tuple[EmailMultiAlternatives, int]] = []

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        message = EmailMultiAlternatives(
            subject, loader.render_to_string(email_template_name, context), from_email, [to_email]
        )
        if html_email_template_name is not None:
            message.attach_alternative(
                loader.render_to_string(html_email_template_name, context), "text/html"
            )
        self.kept.append((message, context["user"].pk))

    def send_kept(self) -> None:
        """Send what save() kept. A mail server that fails is logged (the account's number, never
        its address), as Django's own form does: the person was already told to check their mail."""
        for message, account in self.kept:
            try:
                message.send()
            except OSError:  # smtplib's errors, and the outbox's file system, are OSErrors
                log.exception("The password reset e-mail to account %s could not be sent", account)
        self.kept = []


class ResetPasswordForm(SetPasswordForm):
    """The new password from a reset link; the same revoke choice as a password change."""

    revoke_credentials = forms.BooleanField(
        label=REVOKE_LABEL, required=False, initial=True, help_text=REVOKE_HELP
    )

    def __init__(self, user, *args, **kwargs):
        super().__init__(user, *args, **kwargs)
        for name in ("new_password1", "new_password2"):
            self.fields[name].validators.append(MaxLengthValidator(PASSWORD_MAX_LENGTH))
