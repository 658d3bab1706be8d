"""The accounts' part of the demo: one account with two-factor sign-in on, so that whoever tries
the demo meets the second sign-in step (a 6-digit code, or a recovery code) and not only the
password. Everything here is a demo credential, printed on purpose; nothing real uses it.
"""

from __future__ import annotations

from dataclasses import dataclass

from track2.accounts import actions, recovery, totp
from track2.accounts.models import User

# The network address the demo's own checks count against (the password asked again on turning
# two-factor on counts like a sign-in): the demo is built on this machine, by its owner.
BUILT_ON = "127.0.0.1"


@dataclass(frozen=True)
class DemoTwoFactor:
    """What the demo prints for an account with two-factor sign-in on."""

    secret: str  # base32, as an authenticator app takes it typed in
    uri: str  # otpauth://, as an authenticator app takes it from a link or a QR code
    recovery_codes: tuple[str, ...]  # each works once, instead of the 6-digit code


def turn_on_two_factor(user: User, password: str) -> DemoTwoFactor:
    """Turn two-factor sign-in on for `user` through the action the account page calls: a new
    secret, the password asked again, and the code an authenticator app holding the secret shows
    now; the recovery codes are the ones that action makes. (That code's 30 seconds count as
    used, as on the account page: the first sign-in takes the app's next code.)"""
    secret = totp.new_secret()
    code = totp.code_at(secret, totp.current_step())
    codes = actions.do_enable_two_factor(user, secret, code, password, BUILT_ON)
    return DemoTwoFactor(secret, totp.provisioning_uri(secret, user.email), tuple(codes))


def still_working(email: str, printed: DemoTwoFactor) -> DemoTwoFactor:
    """What of `printed` still signs in to the account, for a demo site used again: the secret
    only while it is still the account's (not turned off, not moved to another app), and the
    recovery codes not yet used (moving to another app keeps them; turning off deletes them)."""
    user = User.objects.filter(email=email).first()
    if user is None:
        return DemoTwoFactor("", "", ())
    unused = set(user.recovery_codes.filter(used_at__isnull=True).values_list("digest", flat=True))
    kept = user.has_two_factor and user.totp_secret == printed.secret
    return DemoTwoFactor(
        printed.secret if kept else "",
        printed.uri if kept else "",
        tuple(code for code in printed.recovery_codes if recovery.digest(code) in unused),
    )
