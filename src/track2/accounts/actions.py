"""Every write about accounts: `check_*` validates, `do_*` writes (STYLE.md §1)."""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth import authenticate
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from track2.accounts import recovery, throttle, totp
from track2.accounts.models import ApiToken, RecoveryCode, User

LAST_USED_STEP = timedelta(minutes=1)
TOKEN_MARK = "t2_"  # noqa: S105  (a visible marker that starts every token, not a secret)


class SignInRefused(Exception):
    """Sign-in failed; the message is safe to show (it never says whether an account exists)."""


class TwoFactorRefused(Exception):
    pass


class PasswordRefused(Exception):
    """The current password asked for again was wrong, or checks are paused; safe to show."""


class TokenMalformed(Exception):
    pass


def _paused(minutes: int) -> str:
    return _(
        "Too many failed sign-ins. Wait %(minutes)d minutes and try again, or reset your password."
    ) % {"minutes": minutes}


def check_sign_in(email: str, password: str, address: str) -> User:
    """Return the user for these credentials or raise SignInRefused.

    The attempt is counted before the password is checked (accounts.throttle), so parallel
    guesses are limited like sequential ones. A right password does not count; the account's
    earlier failures are forgotten only when the whole sign-in is done (do_finish_sign_in),
    so a second step cannot be guessed at by signing in again with the password."""
    email = (email or "").strip().lower()
    try:
        attempt = throttle.reserve(account=email, address=address)
    except throttle.Paused as pause:
        raise SignInRefused(_paused(pause.minutes)) from None
    user = authenticate(username=email, password=password)
    if user is None:
        raise SignInRefused(
            _("That e-mail address and password do not match. Check both and try again.")
        )
    attempt.passed()
    return user


def reserve_check(account: str, address: str) -> throttle.Attempt:
    """Count a password, code or passkey check *before* it is made (accounts.throttle), or refuse
    while the sign-in limits pause this account or address. A check that fails simply raises:
    the reserved attempt stays counted; one that succeeds calls `.passed()` on it."""
    try:
        return throttle.reserve(account=account, address=address)
    except throttle.Paused as pause:
        raise SignInRefused(_paused(pause.minutes)) from None


@dataclass(frozen=True)
class SecondFactorProof:
    """What a second-step check accepted; spent atomically by do_record_second_factor."""

    totp_step: int | None = None
    recovery_code_id: int | None = None


def check_second_factor(user: User, code: str, address: str) -> SecondFactorProof:
    """Check a TOTP code or, when the input has the shape of one, a recovery code; counted
    toward the same limits as passwords."""
    attempt = reserve_check(user.email, address)
    if recovery.looks_like_recovery_code(code):
        found = user.recovery_codes.filter(
            digest=recovery.digest(code), used_at__isnull=True
        ).first()
        if found is None:
            raise SignInRefused(
                _(
                    "That recovery code is not valid or was already used. Each code works once; "
                    "check it against your saved list."
                )
            )
        attempt.passed()
        return SecondFactorProof(recovery_code_id=found.pk)
    step = totp.matching_step(user.totp_secret, code, user.totp_last_step)
    if step is None:
        raise SignInRefused(
            _(
                "That code is not valid. Enter the current 6-digit code from your authenticator app, "
                "or one of your recovery codes."
            )
        )
    attempt.passed()
    return SecondFactorProof(totp_step=step)


def do_record_second_factor(user: User, proof: SecondFactorProof) -> None:
    # Conditional updates: two requests racing with the same code cannot both succeed.
    if proof.recovery_code_id is not None:
        updated = RecoveryCode.objects.filter(
            pk=proof.recovery_code_id, user=user, used_at__isnull=True
        ).update(used_at=timezone.now())
        if not updated:
            raise SignInRefused(
                _("That recovery code has already been used. Use another one from your list.")
            )
        return
    step = proof.totp_step
    if (
        step is None
    ):  # check_second_factor builds no such proof: it holds a TOTP step or a recovery code
        raise ValueError("A SecondFactorProof holds either a TOTP step or a recovery code.")
    updated = User.objects.filter(pk=user.pk, totp_last_step__lt=step).update(totp_last_step=step)
    if not updated:
        raise SignInRefused(_("That code has already been used. Wait for the next code."))
    user.totp_last_step = step


@transaction.atomic
def do_issue_recovery_codes(user: User) -> list[str]:
    """Replace every recovery code of the account with a new set; return them (shown once)."""
    codes = [recovery.new_code() for _ in range(recovery.COUNT)]
    user.recovery_codes.all().delete()
    RecoveryCode.objects.bulk_create(
        [RecoveryCode(user=user, digest=recovery.digest(c)) for c in codes]
    )
    return codes


def do_regenerate_recovery_codes(user: User, password: str, address: str) -> list[str]:
    check_password_again(user, password, address)
    if not user.has_two_factor:
        raise TwoFactorRefused(_("Turn two-factor sign-in on first; recovery codes come with it."))
    return do_issue_recovery_codes(user)


def do_finish_sign_in(user: User, address: str) -> None:
    throttle.clear_account(user.email)


def check_current_password(user: User, password: str, address: str) -> None:
    """Ask a signed-in person for their password again (password change, two-factor off).

    Counted toward the sign-in limits: a stolen session must not become a way to guess the
    password without limit."""
    try:
        attempt = throttle.reserve(account=user.email, address=address)
    except throttle.Paused as pause:
        raise PasswordRefused(
            _("Too many wrong passwords. Wait %(minutes)d minutes and try again.")
            % {"minutes": pause.minutes}
        ) from None
    if not user.check_password(password):
        raise PasswordRefused(_("Your current password is not right. Type it again."))
    attempt.passed()


def check_password_again(user: User, password: str, address: str) -> None:
    """The password asked again before a change to how the account signs in (passkeys, recovery
    codes); the same counted check as check_current_password, refused as a sign-in."""
    try:
        check_current_password(user, password or "", address)
    except PasswordRefused as refusal:
        raise SignInRefused(str(refusal)) from None


@transaction.atomic
def do_enable_two_factor(user: User, secret: str, code: str) -> list[str]:
    """Turn TOTP on; return a fresh set of recovery codes to show once."""
    step = totp.matching_step(secret, code, 0)
    if step is None:
        raise TwoFactorRefused(
            _(
                "That code does not match. Check your phone's clock and enter the current 6-digit code."
            )
        )
    user.totp_secret = secret
    user.totp_last_step = step
    user.save(update_fields=["totp_secret", "totp_last_step"])
    return do_issue_recovery_codes(user)


def do_disable_two_factor(user: User, password: str, address: str) -> None:
    try:
        check_current_password(user, password, address)
    except PasswordRefused as refusal:
        raise TwoFactorRefused(str(refusal) + " " + _("Two-factor sign-in is still on.")) from None
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
        raise TokenMalformed(
            _("The API token is malformed: it should start with t2_ as shown when it was created.")
        )
    secret = raw[len(TOKEN_MARK) :]
    digest = _digest(raw)
    now = timezone.now()
    stale = connection.ops.adapt_datetimefield_value(now - LAST_USED_STEP)
    # A raw query (the model's own converters still apply): every API request starts here, and
    # compiling the ORM's query was most of a vote's cost. Never cached across requests: a
    # revoked token stops at once, in every process.
    for user in User.objects.raw(_token_sql(), [stale, secret[:8]]):
        # The query's extra columns arrive as attributes; take them off the user it returns.
        extra = user.__dict__
        token_id, token_digest = extra.pop("token_id"), extra.pop("token_digest")
        is_stale = extra.pop("token_stale")
        if hmac.compare_digest(token_digest, digest) and user.is_active:
            # "Last used" to the minute: a write on every API read would serialise parallel readers.
            if is_stale:
                ApiToken.objects.filter(pk=token_id).update(last_used_at=now)
            return user
    return None


@functools.cache
def _token_sql() -> str:
    token, user = ApiToken._meta.db_table, User._meta.db_table
    return (
        f"SELECT u.*, t.id AS token_id, t.digest AS token_digest, "  # noqa: S608  (table names)
        f"(t.last_used_at IS NULL OR t.last_used_at < %s) AS token_stale "
        f"FROM {token} t JOIN {user} u ON u.id = t.user_id "
        f"WHERE t.prefix = %s AND t.revoked_at IS NULL"
    )


def do_revoke_credentials(user: User) -> int:
    """Revoke every API token and the private calendar feed; return how many tokens were live."""
    revoked = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    User.objects.filter(pk=user.pk).update(calendar_token="")
    user.calendar_token = ""
    return revoked


@transaction.atomic
def do_change_password(user: User, new_password: str, revoke_credentials: bool) -> None:
    """Set the new password (which ends every session signed with the old one) and, when asked,
    revoke tokens and the feed, which a thief of the old password may have taken."""
    user.set_password(new_password)
    user.save(update_fields=["password"])
    if revoke_credentials:
        do_revoke_credentials(user)


def do_end_sessions(user: User) -> None:
    """End every session of this account on every device: a new per-account value mixed into the
    session hash (User.get_session_auth_hash) makes every stored session fail its check."""
    user.session_epoch = secrets.token_hex(16)
    user.save(update_fields=["session_epoch"])


@transaction.atomic
def do_sign_out_everywhere(user: User) -> None:
    """End every session of this account, this one included, and revoke tokens and the feed."""
    do_end_sessions(user)
    do_revoke_credentials(user)
