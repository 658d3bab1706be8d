"""Limits on password and code checks, per account and per network address.

Three keys count every check (account= and address= given together add the pair):
- the account *from one network address*: the strict limit (5 in 15 minutes), so a person who
  mistypes, or a guesser, is paused quickly;
- the network address, whatever account it tries (20 in 15 minutes);
- the account from anywhere: only a high ceiling (50 in 15 minutes). A strict limit on the
  account alone let anyone who knew an e-mail address keep its owner paused from one machine
  (audit-accounts finding 2); now a guesser at one address pauses only itself.
A fourth key, second_step=, counts 6-digit codes over a day (accounts.actions.check_second_factor).

Every check is *reserved* before it is made: one transaction locks a row per key, counts
the attempts still inside the window and, only when under every limit, records the new
attempt. Parallel requests therefore queue on the lock and are limited exactly like
sequential ones; a refused request never reaches the password hasher.

Why this is atomic on both databases: the first statement of the transaction is an UPDATE
of the key's lock row. On PostgreSQL an UPDATE takes that row's lock until commit (a second
transaction waits, then sees the first one's attempt). On SQLite an UPDATE takes the
database's single write lock until commit (and Track2 opens transactions with BEGIN
IMMEDIATE anyway). No SELECT … FOR UPDATE is needed, which SQLite lacks.

Counts live in the database, not a per-process cache, so every worker process and machine
sees the same numbers. Keys are stored as keyed digests, never an address or e-mail.

Use:
    with throttle.attempt(account=email, address=ip) as attempt:   # raises Paused
        if check_password(...):
            attempt.succeeded()     # sign-in complete: the account's count starts again
    # leaving the block without succeeded()/passed() leaves the attempt counted
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from track2.accounts.models import AttemptLock, SignInAttempt

Kind = SignInAttempt.Kind


class Paused(Exception):
    """Over a limit: nothing was checked. `minutes` says how long to wait (at least 1); `kinds`
    which keys were over, so the message can say what would lift the pause."""

    def __init__(self, minutes: int, kinds: frozenset[str] = frozenset()):
        super().__init__(minutes)
        self.minutes = minutes
        self.kinds = kinds


def limits() -> dict[str, tuple[int, int]]:
    """Attempts allowed per window (seconds), per kind of key; read at call time so tests can set them."""
    sign_in_window = settings.LOGIN_FAILURE_WINDOW_SECONDS
    reset_window = settings.PASSWORD_RESET_WINDOW_SECONDS
    return {
        Kind.ACCOUNT_ADDRESS: (settings.LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS, sign_in_window),
        Kind.ACCOUNT: (settings.LOGIN_FAILURES_PER_ACCOUNT, sign_in_window),
        Kind.ADDRESS: (settings.LOGIN_FAILURES_PER_ADDRESS, sign_in_window),
        Kind.SECOND_STEP: (
            settings.SECOND_STEP_FAILURES_PER_ACCOUNT,
            settings.SECOND_STEP_FAILURE_WINDOW_SECONDS,
        ),
        Kind.RESET_ACCOUNT: (settings.PASSWORD_RESETS_PER_ACCOUNT, reset_window),
        Kind.RESET_ADDRESS: (settings.PASSWORD_RESETS_PER_ADDRESS, reset_window),
    }


def _kind(name: str) -> Kind:
    # Keyword names use underscores (reset_account=…); the stored kinds use hyphens.
    return Kind(name.replace("_", "-"))


def _digest(value: str) -> str:
    # Keyed, so the table cannot be matched against a list of addresses or e-mails.
    key = settings.SECRET_KEY.encode()
    return hmac.new(
        key, (value or "").strip().lower().encode("utf-8", "replace"), hashlib.sha256
    ).hexdigest()


def _pair_digest(account: str, address: str) -> str:
    # The account's digest leads (128 bits of each half), so clear_account() finds every address's
    # count for an account with one prefix match, while the table still names neither in clear.
    return _digest(account)[:32] + _digest(account + "\n" + address)[:32]


def _digests(keys: dict[str, str]) -> dict[str, str]:
    digests = {_kind(name): _digest(value) for name, value in keys.items()}
    if "account" in keys and "address" in keys:
        digests[Kind.ACCOUNT_ADDRESS] = _pair_digest(keys["account"], keys["address"])
    return digests


def _lock(kind: str, digest: str, now) -> None:
    """Hold the key's lock row until the transaction ends (see the module docstring)."""
    for _ in range(3):
        if AttemptLock.objects.filter(kind=kind, key_digest=digest).update(touched_at=now):
            return
        # First attempt for this key (or its row was just pruned): create it, then lock it.
        AttemptLock.objects.bulk_create(
            [AttemptLock(kind=kind, key_digest=digest, touched_at=now)], ignore_conflicts=True
        )
    raise RuntimeError("the attempt lock row vanished three times in a row")  # pragma: no cover


@dataclass
class Attempt:
    """A reserved attempt; say how it ended with succeeded() or passed()."""

    keys: dict[str, str]
    ids: list[int] = field(default_factory=list)

    def passed(self) -> None:
        """The credential was right but the sign-in is not finished (a second step follows):
        this attempt no longer counts, earlier failures still do."""
        SignInAttempt.objects.filter(pk__in=self.ids).delete()
        self.ids = []

    def succeeded(self) -> None:
        """Sign-in complete: this attempt no longer counts, and the account's count and its count
        from this address start again (other addresses' failures against it still count)."""
        self.passed()
        if Kind.ACCOUNT in self.keys:
            clear_account(self.keys[Kind.ACCOUNT], address=self.keys.get(Kind.ADDRESS))


def reserve(**keys: str) -> Attempt:
    """Count one attempt against every given key (account=, address=, second_step=,
    reset_account=, reset_address=; account= with address= also counts the pair) in one
    transaction, or raise Paused without counting anything."""
    now = timezone.now()
    table = limits()
    digests = _digests(keys)
    wait = 0.0
    over: set[str] = set()
    with transaction.atomic():
        # A fixed order of locks across all requests, so two requests never wait on each other in a cycle.
        for kind in sorted(digests):
            _lock(kind, digests[kind], now)
        for kind, digest in digests.items():
            allowed, window = table[kind]
            since = now - timedelta(seconds=window)
            recent = SignInAttempt.objects.filter(kind=kind, key_digest=digest, at__gt=since)
            times = list(recent.order_by("-at").values_list("at", flat=True)[:allowed])
            if len(times) >= allowed:
                # The pause lasts until the oldest of the last `allowed` attempts leaves the window.
                frees_at = times[-1] + timedelta(seconds=window)
                wait = max(wait, (frees_at - now).total_seconds())
                over.add(kind)
        if over:
            raise Paused(max(1, math.ceil(wait / 60)), frozenset(over))
        made = SignInAttempt.objects.bulk_create(
            [
                SignInAttempt(kind=kind, key_digest=digest, at=now)
                for kind, digest in digests.items()
            ]
        )
    _prune(now)
    return Attempt(
        keys={_kind(name): value for name, value in keys.items()}, ids=[a.pk for a in made]
    )


@contextlib.contextmanager
def attempt(**keys: str) -> Iterator[Attempt]:
    """`reserve()` as a `with` block; the attempt stays counted unless the block says otherwise."""
    yield reserve(**keys)


def count(**keys: str) -> int:
    """How many attempts one key (e.g. second_step=email) holds inside its window now."""
    ((name, value),) = keys.items()
    kind = _kind(name)
    _allowed, window = limits()[kind]
    since = timezone.now() - timedelta(seconds=window)
    return SignInAttempt.objects.filter(kind=kind, key_digest=_digest(value), at__gt=since).count()


def clear_account(account: str, address: str | None = None) -> None:
    """Start the account's count again, and its count from `address` (from every address when
    none is given). The second-step count is kept: see forget_account."""
    SignInAttempt.objects.filter(kind=Kind.ACCOUNT, key_digest=_digest(account)).delete()
    pairs = SignInAttempt.objects.filter(kind=Kind.ACCOUNT_ADDRESS)
    if address is None:
        pairs = pairs.filter(key_digest__startswith=_digest(account)[:32])
    else:
        pairs = pairs.filter(key_digest=_pair_digest(account, address))
    pairs.delete()


def forget_account(account: str) -> None:
    """Everything counted against the account, from every address, the wrong codes of the day
    included: a completed password reset proves the owner (the link came to their mailbox)."""
    clear_account(account)
    SignInAttempt.objects.filter(kind=Kind.SECOND_STEP, key_digest=_digest(account)).delete()


def _prune(now) -> None:
    """Forget what has left its kind's window, so the tables stay small.

    Only rows nobody else holds are taken (SKIP LOCKED on PostgreSQL; SQLite has one writer at a
    time anyway), so the clean-up never waits on a sign-in and cannot join a deadlock with one."""
    attempts, locks = Q(), Q()
    for kind, (_allowed, window) in limits().items():
        horizon = now - timedelta(seconds=window)
        attempts |= Q(kind=kind, at__lt=horizon)
        locks |= Q(kind=kind, touched_at__lt=horizon)
    with transaction.atomic():
        for model, stale in ((SignInAttempt, attempts), (AttemptLock, locks)):
            held = model.objects.select_for_update(skip_locked=True).filter(stale)
            model.objects.filter(pk__in=list(held.values_list("pk", flat=True)[:1000])).delete()
