"""Every write about accounts: `check_*` validates, `do_*` writes (STYLE.md §1)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import NoReturn

from django.contrib.auth import authenticate
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from track2.accounts import recovery, throttle, totp
from track2.accounts.models import ApiToken, RecoveryCode, User

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


def refuse_while_paused(account: str, address: str) -> None:
    """Refuse any password, code or passkey check while the sign-in limits pause this account
    or address. With count_failure_and_refuse, the only throttle calls of the code and passkey
    checks, so that a change of the throttle's interface touches these two places."""
    minutes = throttle.minutes_locked(account, address)
    if minutes:
        raise SignInRefused(
            _("Too many failed sign-ins. Wait %(minutes)d minutes and try again.") % {"minutes": minutes}
        )


def count_failure_and_refuse(account: str, address: str, message: str) -> NoReturn:
    throttle.record_failure(account, address)
    raise SignInRefused(message)


@dataclass(frozen=True)
class SecondFactorProof:
    """What a second-step check accepted; spent atomically by do_record_second_factor."""

    totp_step: int | None = None
    recovery_code_id: int | None = None


def check_second_factor(user: User, code: str, address: str) -> SecondFactorProof:
    """Check a TOTP code or, when the input has the shape of one, a recovery code."""
    refuse_while_paused(user.email, address)
    if recovery.looks_like_recovery_code(code):
        found = user.recovery_codes.filter(digest=recovery.digest(code), used_at__isnull=True).first()
        if found is None:
            count_failure_and_refuse(user.email, address, _(
                "That recovery code is not valid or was already used. Each code works once; "
                "check it against your saved list."))
        return SecondFactorProof(recovery_code_id=found.pk)
    step = totp.matching_step(user.totp_secret, code, user.totp_last_step)
    if step is None:
        count_failure_and_refuse(user.email, address, _(
            "That code is not valid. Enter the current 6-digit code from your authenticator app, "
            "or one of your recovery codes."))
    return SecondFactorProof(totp_step=step)


def do_record_second_factor(user: User, proof: SecondFactorProof) -> None:
    # Conditional updates: two requests racing with the same code cannot both succeed.
    if proof.recovery_code_id is not None:
        updated = RecoveryCode.objects.filter(
            pk=proof.recovery_code_id, user=user, used_at__isnull=True).update(used_at=timezone.now())
        if not updated:
            raise SignInRefused(_("That recovery code has already been used. Use another one from your list."))
        return
    step = proof.totp_step
    updated = User.objects.filter(pk=user.pk, totp_last_step__lt=step).update(totp_last_step=step)
    if not updated:
        raise SignInRefused(_("That code has already been used. Wait for the next code."))
    user.totp_last_step = step


def check_password_again(user: User, password: str, address: str) -> None:
    """Re-check the password before a change to how the account signs in; counted like a sign-in."""
    refuse_while_paused(user.email, address)
    if not user.check_password(password or ""):
        count_failure_and_refuse(user.email, address, _("Your password is not right. Enter the password you sign in with."))


@transaction.atomic
def do_issue_recovery_codes(user: User) -> list[str]:
    """Replace every recovery code of the account with a new set; return them (shown once)."""
    codes = [recovery.new_code() for _ in range(recovery.COUNT)]
    user.recovery_codes.all().delete()
    RecoveryCode.objects.bulk_create([RecoveryCode(user=user, digest=recovery.digest(c)) for c in codes])
    return codes


def do_regenerate_recovery_codes(user: User, password: str, address: str) -> list[str]:
    check_password_again(user, password, address)
    if not user.has_two_factor:
        raise TwoFactorRefused(_("Turn two-factor sign-in on first; recovery codes come with it."))
    return do_issue_recovery_codes(user)


def do_finish_sign_in(user: User, address: str) -> None:
    throttle.clear_account(user.email)


@transaction.atomic
def do_enable_two_factor(user: User, secret: str, code: str) -> list[str]:
    """Turn TOTP on; return a fresh set of recovery codes to show once."""
    step = totp.matching_step(secret, code, 0)
    if step is None:
        raise TwoFactorRefused(
            _("That code does not match. Check your phone's clock and enter the current 6-digit code.")
        )
    user.totp_secret = secret
    user.totp_last_step = step
    user.save(update_fields=["totp_secret", "totp_last_step"])
    return do_issue_recovery_codes(user)


def do_disable_two_factor(user: User, password: str) -> None:
    if not user.check_password(password):
        raise TwoFactorRefused(_("Your password is not right; two-factor sign-in is still on."))
    user.totp_secret = ""
    user.totp_last_step = 0
    user.save(update_fields=["totp_secret", "totp_last_step"])
    user.recovery_codes.all().delete()


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
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
            return token.user
    return None
