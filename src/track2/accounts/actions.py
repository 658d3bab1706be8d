"""Every write about accounts: `check_*` validates, `do_*` writes (STYLE.md §1)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.contrib.auth import authenticate
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from track2.accounts import throttle, totp
from track2.accounts.models import ApiToken, User

LAST_USED_STEP = timedelta(minutes=1)
TOKEN_MARK = "t2_"  # noqa: S105  (a visible marker that starts every token, not a secret)


class SignInRefused(Exception):
    """Sign-in failed; the message is safe to show (it never says whether an account exists)."""


class TwoFactorRefused(Exception):
    pass


class TokenMalformed(Exception):
    pass


def check_sign_in(email: str, password: str, address: str) -> User:
    """Return the user for these credentials or raise SignInRefused."""
    email = (email or "").strip().lower()
    minutes = throttle.minutes_locked(email, address)
    if minutes:
        raise SignInRefused(
            _("Too many failed sign-ins. Wait %(minutes)d minutes and try again, or reset your password.")
            % {"minutes": minutes}
        )
    user = authenticate(username=email, password=password)
    if user is None:
        throttle.record_failure(email, address)
        raise SignInRefused(_("That e-mail address and password do not match. Check both and try again."))
    return user


def check_second_factor(user: User, code: str, address: str) -> int:
    minutes = throttle.minutes_locked(user.email, address)
    if minutes:
        raise SignInRefused(
            _("Too many failed sign-ins. Wait %(minutes)d minutes and try again.") % {"minutes": minutes}
        )
    step = totp.matching_step(user.totp_secret, code, user.totp_last_step)
    if step is None:
        throttle.record_failure(user.email, address)
        raise SignInRefused(_("That code is not valid. Enter the current 6-digit code from your authenticator app."))
    return step


def do_record_second_factor(user: User, step: int) -> None:
    # Conditional update: two requests racing with the same code cannot both succeed.
    updated = User.objects.filter(pk=user.pk, totp_last_step__lt=step).update(totp_last_step=step)
    if not updated:
        raise SignInRefused(_("That code has already been used. Wait for the next code."))
    user.totp_last_step = step


def do_finish_sign_in(user: User, address: str) -> None:
    throttle.clear_account(user.email)


def do_enable_two_factor(user: User, secret: str, code: str) -> None:
    step = totp.matching_step(secret, code, 0)
    if step is None:
        raise TwoFactorRefused(
            _("That code does not match. Check your phone's clock and enter the current 6-digit code.")
        )
    user.totp_secret = secret
    user.totp_last_step = step
    user.save(update_fields=["totp_secret", "totp_last_step"])


def do_disable_two_factor(user: User, password: str) -> None:
    if not user.check_password(password):
        raise TwoFactorRefused(_("Your password is not right; two-factor sign-in is still on."))
    user.totp_secret = ""
    user.totp_last_step = 0
    user.save(update_fields=["totp_secret", "totp_last_step"])


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def check_token_name(user: User, name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ValueError(_("Give the token a name, e.g. the laptop or script that will use it."))
    if len(name) > 100:
        raise ValueError(_("Keep the token name under 100 characters."))
    return name


@transaction.atomic
def do_create_api_token(user: User, name: str) -> tuple[str, ApiToken]:
    """Create a token; return the raw value (shown once, never stored) and its row."""
    name = check_token_name(user, name)
    secret = secrets.token_urlsafe(32)
    raw = TOKEN_MARK + secret
    token = ApiToken.objects.create(user=user, name=name, prefix=secret[:8], digest=_digest(raw))
    return raw, token


def do_revoke_api_token(user: User, token_id: int) -> ApiToken:
    token = ApiToken.objects.get(pk=token_id, user=user, revoked_at__isnull=True)
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    return token


def user_for_token(raw: str) -> User | None:
    """The active user a raw token belongs to, or None. Raises TokenMalformed on garbage."""
    raw = (raw or "").strip()
    if not raw.startswith(TOKEN_MARK) or len(raw) < len(TOKEN_MARK) + 20 or not raw.isascii():
        raise TokenMalformed(_("The API token is malformed: it should start with t2_ as shown when it was created."))
    secret = raw[len(TOKEN_MARK):]
    digest = _digest(raw)
    for token in ApiToken.objects.filter(prefix=secret[:8], revoked_at__isnull=True).select_related("user"):
        if hmac.compare_digest(token.digest, digest) and token.user.is_active:
            now = timezone.now()
            # "Last used" to the minute: a write on every API read would serialise parallel readers.
            if token.last_used_at is None or now - token.last_used_at >= LAST_USED_STEP:
                ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            return token.user
    return None
