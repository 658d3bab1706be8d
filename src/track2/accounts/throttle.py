"""Sign-in throttling per account and per network address.

Failures are kept in the database (not a per-process cache) so every worker process of
`track2 serve --workers N` sees the same counts. Keys are stored as digests: the table
never holds an address or an e-mail in clear.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from track2.accounts.models import LoginFailure


def _digest(value: str) -> str:
    return hashlib.sha256((settings.SECRET_KEY + "|" + value.strip().lower()).encode()).hexdigest()


def _window_start():
    return timezone.now() - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)


def record_failure(account: str, address: str) -> None:
    LoginFailure.objects.bulk_create([
        LoginFailure(kind=LoginFailure.Kind.ACCOUNT, key_digest=_digest(account)),
        LoginFailure(kind=LoginFailure.Kind.ADDRESS, key_digest=_digest(address)),
    ])
    # Forget what has left the window, so the table stays small.
    LoginFailure.objects.filter(at__lt=_window_start()).delete()


def clear_account(account: str) -> None:
    LoginFailure.objects.filter(kind=LoginFailure.Kind.ACCOUNT, key_digest=_digest(account)).delete()


def minutes_locked(account: str, address: str) -> int:
    """0 when sign-in may be tried; otherwise the minutes to wait (at least 1)."""
    since = _window_start()
    limits = (
        (LoginFailure.Kind.ACCOUNT, account, settings.LOGIN_FAILURES_PER_ACCOUNT),
        (LoginFailure.Kind.ADDRESS, address, settings.LOGIN_FAILURES_PER_ADDRESS),
    )
    wait = timedelta(0)
    for kind, key, limit in limits:
        recent = LoginFailure.objects.filter(kind=kind, key_digest=_digest(key), at__gte=since)
        if recent.count() >= limit:
            oldest = recent.order_by("at").values_list("at", flat=True).first()
            wait = max(wait, oldest + timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS) - timezone.now())
    if wait <= timedelta(0):
        return 0
    return max(1, int(wait.total_seconds() // 60) + (1 if wait.total_seconds() % 60 else 0))
