"""The site administrator's back office: accounts, API tokens and sessions — never dialogues.

A site administrator runs the site; they are not a member of its dialogues. Nothing here shows a
dialogue, a person's identity data, a role or anything a convener wrote (docs/security.md), and
nothing here can give anyone a role. Two things are deliberately missing as well: setting another
person's password or e-mail address, because either would let an administrator take over a
convener's account (a reset link to an address the administrator chose) and read through it.
"""

from __future__ import annotations

import secrets

# Imported for its effect: it registers Group, which is then removed below.
import django.contrib.auth.admin  # noqa: F401
from django import forms
from django.contrib import admin, messages
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.models import Group
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from track2.accounts.actions import do_end_sessions, do_revoke_credentials
from track2.accounts.models import ApiToken, RecoveryCode, User
from track2.site.admin_rules import RuledModelAdmin
from track2.site.forms import InputRules

# Groups carry Django model permissions; Track2 has one kind of administrator (a superuser),
# so they would be a second, unused permission system to audit.
admin.site.unregister(Group)


class NewAccountForm(InputRules, forms.ModelForm):
    class Meta:
        model = User
        fields = ["email", "display_name"]

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("An account with this e-mail address exists already."))
        return email


class AccountForm(InputRules, forms.ModelForm):
    """An existing account, as the administrator may change it."""

    class Meta:
        model = User
        fields = ["is_active", "is_staff", "is_superuser"]

    def clean_is_superuser(self) -> bool:
        made_admin = self.cleaned_data["is_superuser"]
        if made_admin and self.instance.convening_rights.exists():
            # A site administrator never sees a people directory; a convener does.
            raise forms.ValidationError(
                _(
                    "This account holds a right to convene, which opens an institution's people "
                    "directory; a site administrator cannot hold one. Revoke the right first "
                    "(track2 grant-convener --revoke), or make another account the administrator."
                )
            )
        return made_admin


def send_password_link(request, user: User, *, welcome: bool) -> None:
    """Mail the account's owner a one-time link to choose a password (Django's reset token)."""
    form = PasswordResetForm({"email": user.email})
    if not form.is_valid():
        raise ValueError(form.errors.as_text())
    prefix = "welcome" if welcome else "reset"
    form.save(
        request=request,
        use_https=request.is_secure(),
        email_template_name=f"accounts/{prefix}_email.txt",
        subject_template_name=f"accounts/{prefix}_subject.txt",
    )


@admin.register(User)
class UserAdmin(RuledModelAdmin):
    ordering = ["email"]
    list_display = [
        "email",
        "display_name",
        "is_active",
        "is_superuser",
        "two_factor",
        "last_login",
    ]
    list_filter = ["is_active", "is_superuser"]
    search_fields = ["email", "display_name"]
    actions = ["turn_off_two_factor", "end_sessions", "revoke_credentials", "send_password_link"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = NewAccountForm if obj is None else AccountForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["email", "display_name"]
        return [
            "email",
            "display_name",
            "time_zone",
            "is_active",
            "is_staff",
            "is_superuser",
            "two_factor",
            "active_tokens",
            "last_login",
            "date_joined",
        ]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        # The owner changes their own profile; the administrator only opens and closes the door.
        return [
            "email",
            "display_name",
            "time_zone",
            "two_factor",
            "active_tokens",
            "last_login",
            "date_joined",
        ]

    @admin.display(boolean=True, description=_("two-factor"))
    def two_factor(self, obj: User) -> bool:
        return obj.has_two_factor

    @admin.display(description=_("active API tokens"))
    def active_tokens(self, obj: User) -> int:
        return obj.api_tokens.filter(revoked_at__isnull=True).count()

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            if not obj.is_active:
                do_end_sessions(obj)
            return
        # Nobody knows this password, the administrator included: the owner chooses theirs
        # through the link (PasswordResetForm only mails accounts with a usable password).
        obj.set_password(secrets.token_urlsafe(32))
        super().save_model(request, obj, form, change)
        send_password_link(request, obj, welcome=True)
        self.message_user(
            request, _("A link to choose a password was sent to %(email)s.") % {"email": obj.email}
        )

    def get_deleted_objects(self, objs, request):
        # Django would list every row the deletion cascades to, naming dialogues and roles;
        # an account that holds a role is refused instead, and the page names accounts only.
        protected = []
        for user in objs:
            if user.memberships.exists():
                protected.append(
                    _(
                        "%(email)s holds a role in a dialogue: turn the account off (untick "
                        "“active”) instead."
                    )
                    % {"email": user.email}
                )
        model_count = {User._meta.verbose_name_plural: len(objs)}
        return [user.email for user in objs], model_count, set(), protected

    @admin.action(description=_("Turn off two-factor sign-in (lost phone)"))
    def turn_off_two_factor(self, request, queryset):
        # For a person who lost their authenticator: they sign in with the password alone and
        # can turn two-factor on again. The administrator must check who is asking first.
        changed = queryset.exclude(totp_secret="").update(totp_secret="", totp_last_step=0)
        # Their recovery codes go with it: turning two-factor on again issues a new set.
        RecoveryCode.objects.filter(user__in=queryset).delete()
        self.message_user(
            request, f"Two-factor sign-in turned off for {changed} account(s).", messages.SUCCESS
        )

    @admin.action(description=_("Sign out everywhere (end all their sessions)"))
    def end_sessions(self, request, queryset):
        for user in queryset:
            do_end_sessions(user)
        self.message_user(
            request, f"Every session of {len(queryset)} account(s) ended.", messages.SUCCESS
        )

    @admin.action(description=_("Revoke all their API tokens and private calendar feeds"))
    def revoke_credentials(self, request, queryset):
        tokens = sum(do_revoke_credentials(user) for user in queryset)
        self.message_user(
            request,
            f"{tokens} API token(s) and the calendar feeds of {len(queryset)} account(s) revoked.",
            messages.SUCCESS,
        )

    @admin.action(description=_("E-mail them a link to choose a new password"))
    def send_password_link(self, request, queryset):
        for user in queryset.filter(is_active=True):
            send_password_link(request, user, welcome=False)
        self.message_user(
            request, "A link was sent to each active account's own address.", messages.SUCCESS
        )


@admin.register(ApiToken)
class ApiTokenAdmin(RuledModelAdmin):
    """Tokens are made by their owners (shown once); the administrator can only see and revoke them."""

    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    # A tuple: Django's stubs type `fields` and `readonly_fields` as different lists.
    fields = readonly_fields = (
        "name",
        "user",
        "prefix",
        "created_at",
        "last_used_at",
        "revoked_at",
    )
    search_fields = ["name", "user__email"]
    actions = ["revoke"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        # Revoked rows stay: they show when a token was last used, should it ever be misused.
        return False

    def has_revoke_permission(self, request) -> bool:
        return request.user.is_superuser

    @admin.action(description=_("Revoke the selected tokens"), permissions=["revoke"])
    def revoke(self, request, queryset):
        revoked = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(request, f"{revoked} token(s) revoked.", messages.SUCCESS)
