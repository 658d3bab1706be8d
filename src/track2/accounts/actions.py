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

from track2 import access
from track2.accounts import recovery, throttle, totp
from track2.accounts.mail import tell_owner
from track2.accounts.models import ApiToken, Passkey, RecoveryCode, SignInAttempt, User
from track2.errors import ActionRefused, Problems

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


def _paused(pause: throttle.Paused) -> str:
    # A reset lifts the account's pauses (credential_views.PasswordResetConfirmView) but not the
    # network address's, so it is offered only when it would help.
    if SignInAttempt.Kind.ADDRESS in pause.kinds:
        return _(
            "Too many failed sign-ins from your network. Wait %(minutes)d minutes and try again."
        ) % {"minutes": pause.minutes}
    return _(
        "Too many failed sign-ins for this account. Wait %(minutes)d minutes and try again, or "
        "reset your password (“Forgot your password?” on the sign-in page): a completed reset "
        "lifts the pause."
    ) % {"minutes": pause.minutes}


def _codes_refused() -> str:
    return _(
        "Too many wrong codes were entered for this account, so codes from the authenticator app "
        "are refused until the password is reset. Reset it from the sign-in page (“Forgot your "
        "password?”); meanwhile a recovery code or a passkey still signs you in."
    )


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
        raise SignInRefused(_paused(pause)) from None
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
        raise SignInRefused(_paused(pause)) from None


def reserve_address_check(address: str) -> throttle.Attempt:
    """Count a check that cannot be guessed (a passkey's signature) against the network address
    only: a flood of junk from one machine is still paused, but the account's pauses, which any
    stranger who knows the e-mail address can run up, do not lock out its owner's passkey."""
    try:
        return throttle.reserve(address=address)
    except throttle.Paused as pause:
        raise SignInRefused(_paused(pause)) from None


@dataclass(frozen=True)
class SecondFactorProof:
    """What a second-step check accepted; spent atomically by do_record_second_factor."""

    totp_step: int | None = None
    recovery_code_id: int | None = None


def check_second_factor(user: User, code: str, address: str) -> SecondFactorProof:
    """Check a TOTP code or, when the input has the shape of one, a recovery code; counted
    toward the same limits as passwords.

    A 6-digit code is also counted per account over a day: the short limits alone let a holder
    of the password try about 480 codes a day, forever. Past the day's limit codes are refused
    until a password reset. Recovery codes (80 random bits) cannot be guessed, so they are not
    capped and still work then."""
    if recovery.looks_like_recovery_code(code):
        attempt = reserve_check(user.email, address)
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
    if user.codes_refused_at is not None:
        raise SignInRefused(_codes_refused())
    try:
        attempt = throttle.reserve(account=user.email, address=address, second_step=user.email)
    except throttle.Paused as pause:
        if SignInAttempt.Kind.SECOND_STEP in pause.kinds:
            _refuse_codes(user)
            raise SignInRefused(_codes_refused()) from None
        raise SignInRefused(_paused(pause)) from None
    step = totp.matching_step(user.totp_secret, code, user.totp_last_step)
    if step is None:
        _count_wrong_code(user)
        raise SignInRefused(
            _(
                "That code is not valid. Enter the current 6-digit code from your authenticator app, "
                "or one of your recovery codes."
            )
        )
    attempt.passed()
    return SecondFactorProof(totp_step=step)


def _count_wrong_code(user: User) -> None:
    """A right password followed by a wrong code: the mark of a stolen password. The owner is
    told at the first one of the day (not at every guess), and again if codes become refused."""
    wrong = throttle.count(second_step=user.email)
    if wrong == 1:
        tell_owner(
            user,
            _("Someone typed your password correctly, then a wrong two-factor code."),
            advice=_(
                "If this was you (a mistyped code), there is nothing to do. If it was not you, "
                "someone knows your password and only two-factor sign-in stopped them: reset your "
                "password now from the sign-in page (“Forgot your password?”)."
            ),
        )
    if wrong >= throttle.limits()[SignInAttempt.Kind.SECOND_STEP][0]:
        _refuse_codes(user)


def _refuse_codes(user: User) -> None:
    # Conditional, so that racing requests set it (and tell the owner) once.
    if User.objects.filter(pk=user.pk, codes_refused_at__isnull=True).update(
        codes_refused_at=timezone.now()
    ):
        user.codes_refused_at = timezone.now()
        tell_owner(
            user,
            _(
                "Too many wrong two-factor codes followed your password, so codes from your "
                "authenticator app are refused until your password is reset."
            ),
            advice=_(
                "Someone probably knows your password. Reset it from the sign-in page (“Forgot "
                "your password?”); that also lets codes work again. Until then a recovery code "
                "or a passkey still signs you in."
            ),
        )


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
    codes = do_issue_recovery_codes(user)
    _factors_changed(
        user, _("New recovery codes were made for your account; the old ones no longer work.")
    )
    return codes


def _factors_changed(user: User, what: str) -> None:
    """How the account signs in changed: every other session ends (the caller keeps its own with
    update_session_auth_hash) and the owner is told, in case it was not them."""
    do_end_sessions(user)
    tell_owner(user, what)


def do_finish_sign_in(user: User, address: str) -> None:
    """The whole sign-in is done: the account's count, and its count from this address, start
    again (other addresses' failures against it still count; so do the day's wrong codes)."""
    throttle.clear_account(user.email, address=address)


def do_after_password_reset(user: User) -> None:
    """A reset link was used, which proves the owner (it came to their mailbox): lift every pause
    on the account, the refusal of codes included."""
    throttle.forget_account(user.email)
    User.objects.filter(pk=user.pk).update(codes_refused_at=None)
    user.codes_refused_at = None


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


def check_two_factor_is_off(user: User) -> None:
    """Turning it on replaces the secret and the recovery codes; while it is on, doing that from
    a bare session would lock the owner out (audit-accounts finding 1)."""
    if user.has_two_factor:
        raise TwoFactorRefused(
            _(
                "Two-factor sign-in is already on. To use another authenticator app, choose "
                "“Move to a new authenticator app” on your account page; to replace lost "
                "recovery codes, make new ones."
            )
        )


def check_two_factor_is_on(user: User) -> None:
    """Moving to a new authenticator app keeps the recovery codes, so it needs two-factor on;
    turning it on is the other page, which makes the codes."""
    if not user.has_two_factor:
        raise ActionRefused(
            _(
                "Two-factor sign-in is off, so there is no authenticator app to replace. Turn "
                "two-factor sign-in on instead."
            )
        )


def check_new_authenticator_code(secret: str, code: str) -> int:
    """The time step of a code from a secret the person was just shown (turning two-factor on,
    or moving it to a new app): it proves the new app holds the secret. Not counted toward the
    sign-in limits: a guess at a secret shown on one's own screen gains nothing."""
    step = totp.matching_step(secret, code, 0)
    if step is None:
        raise ActionRefused(
            _(
                "That code does not match. Check your phone's clock and enter the current 6-digit code."
            ),
            field="code",
        )
    return step


def do_enable_two_factor(
    user: User, secret: str, code: str, password: str, address: str
) -> list[str]:
    """Turn TOTP on after the password (asked again, counted) and a code from the new secret;
    return a fresh set of recovery codes to show once. Raises SignInRefused for the password,
    TwoFactorRefused for the rest."""
    check_two_factor_is_off(user)
    check_password_again(user, password, address)
    try:
        step = check_new_authenticator_code(secret, code)
    except ActionRefused as refusal:
        raise TwoFactorRefused(str(refusal)) from None
    with transaction.atomic():
        # Conditional: of two racing requests only one turns it on.
        if not User.objects.filter(pk=user.pk, totp_secret="").update(
            totp_secret=secret, totp_last_step=step, codes_refused_at=None
        ):
            user.refresh_from_db(fields=["totp_secret"])
            check_two_factor_is_off(user)
        user.totp_secret, user.totp_last_step, user.codes_refused_at = secret, step, None
        codes = do_issue_recovery_codes(user)
        _factors_changed(user, _("Two-factor sign-in was turned on for your account."))
    return codes


def do_replace_authenticator(
    user: User, secret: str, code: str | None, password: str | None, address: str
) -> None:
    """Move two-factor sign-in to a new authenticator app in one step, after the password (asked
    again, counted) and a code from the new secret; the recovery codes stay.

    The old app's code is not asked for: the old phone may be lost, and the password is what
    turning two-factor off asks today, so asking more here would only send people through "off"
    and "on" (a time without a second factor, and new recovery codes). Every problem is raised
    at once (ActionRefused); a field the form refused comes as None and is refused again here,
    so that nothing changes without both."""
    check_two_factor_is_on(user)
    problems = Problems()
    step = None
    if code is None:
        problems.add(_("Enter the 6-digit code from your new authenticator app."), "code")
    else:
        step = problems.collect(check_new_authenticator_code, secret, code)
    if password is None:
        problems.add(_("Enter your password."), "password")
    else:
        # Checked even when the code was wrong, so that both problems show at once.
        try:
            check_current_password(user, password, address)
        except PasswordRefused as refusal:
            problems.add(str(refusal), "password")
    problems.raise_any()
    assert step is not None  # noqa: S101  (raise_any raised otherwise)
    with transaction.atomic():
        # One conditional UPDATE swaps the secret, so there is never a moment without one; it is
        # conditional on the secret this request saw, so of two racing moves (or a move racing
        # "off") only one happens. codes_refused_at stays: only a password reset lifts it.
        if (
            not User.objects.filter(pk=user.pk, totp_secret=user.totp_secret)
            .exclude(totp_secret="")
            .update(totp_secret=secret, totp_last_step=step)
        ):
            raise ActionRefused(
                _(
                    "Two-factor sign-in changed while this page was open; nothing was changed. "
                    "Open the page again from your account page."
                )
            )
        user.totp_secret, user.totp_last_step = secret, step
        _factors_changed(
            user,
            _(
                "Two-factor sign-in on your account was moved to a new authenticator app; codes "
                "from the old app no longer work. Your recovery codes were kept."
            ),
        )


def do_disable_two_factor(user: User, password: str, address: str) -> None:
    try:
        check_current_password(user, password, address)
    except PasswordRefused as refusal:
        raise TwoFactorRefused(str(refusal) + " " + _("Two-factor sign-in is still on.")) from None
    with transaction.atomic():
        user.totp_secret = ""
        user.totp_last_step = 0
        user.codes_refused_at = None
        user.save(update_fields=["totp_secret", "totp_last_step", "codes_refused_at"])
        user.recovery_codes.all().delete()
        _factors_changed(user, _("Two-factor sign-in was turned off for your account."))


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


def do_issue_api_token(user: User, name: str, password: str, address: str) -> tuple[str, ApiToken]:
    """A token asked for on the settings page: the password again (counted) first, because a
    token outlives the session and bypasses two-factor; the owner is told it was made.
    ValueError for the name, SignInRefused for the password."""
    check_token_name(user, name)  # before the password, so a blank name costs no attempt
    check_password_again(user, password, address)
    raw, token = do_create_api_token(user, name)
    tell_owner(
        user,
        _("An API token named “%(name)s” was created for your account.") % {"name": token.name},
    )
    return raw, token


def own_passkey(user: User, passkey_id: int) -> Passkey:
    """One of the account's own passkeys, or the same NotFound for another account's and a
    missing one."""
    return access.one_of(user.passkeys.all(), passkey_id)


def do_remove_passkey_asked(user: User, passkey_id: int, password: str, address: str) -> Passkey:
    """Remove one of the account's passkeys after the password (asked again, counted); the owner
    is told. access.NotFound for a passkey that is not theirs, SignInRefused for the password."""
    # Imported here: accounts.passkeys imports this module.
    from track2.accounts import passkeys

    own_passkey(user, passkey_id)  # first, so a wrong id costs no password attempt
    check_password_again(user, password, address)
    passkey = passkeys.do_remove_passkey(user, passkey_id)
    tell_owner(
        user,
        _("The passkey “%(name)s” was removed from your account; it can no longer sign in.")
        % {"name": passkey.name},
    )
    return passkey


def do_revoke_api_token(user: User, token_id: int) -> ApiToken | None:
    """Revoke one of the account's own tokens: the token, or None when it was revoked already.
    Another account's token and a missing one are the same NotFound (404), as for passkeys."""
    token = access.one_of(user.api_tokens.all(), token_id)
    if token.revoked_at is not None:
        return None
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
