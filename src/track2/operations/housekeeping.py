"""`track2 housekeeping`: what a site must forget on schedule (run it hourly or daily)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import transaction

from track2.accounts.models import AttemptLock, SignInAttempt
from track2.config import OUTBOX_BACKEND
from track2.dialogues.models import RoleInvitation
from track2.operations import databases, retention
from track2.people import roster_preview
from track2.people.models import Invitation
from track2.site import outbox

# An unused invitation link is kept this long after it expired, so that a person who clicks an
# old link is told it expired (not that it never existed), then forgotten.
EXPIRED_INVITATIONS_KEPT = timedelta(days=30)


@dataclass(frozen=True)
class HousekeepingDone:
    sessions: int
    sign_in_attempts: int
    attempt_locks: int
    invitations: int
    retention: retention.RetentionDone
    floors_closed: int = 0
    messages_expired: int = 0
    roster_previews: int = 0
    journal_emptied: bool = True
    outbox_messages: int = 0


def throttle_window() -> timedelta:
    return timedelta(
        seconds=max(settings.LOGIN_FAILURE_WINDOW_SECONDS, settings.PASSWORD_RESET_WINDOW_SECONDS)
    )


def run(now: datetime) -> HousekeepingDone:
    with transaction.atomic():
        sessions = Session.objects.filter(expire_date__lt=now).delete()[0]
        previews = roster_preview.sweep(now)
        cutoff = now - throttle_window()
        attempts = SignInAttempt.objects.filter(at__lt=cutoff).delete()[0]
        locks = AttemptLock.objects.filter(touched_at__lt=cutoff).delete()[0]
        old = now - EXPIRED_INVITATIONS_KEPT
        invitations = Invitation.objects.filter(expires_at__lt=old, used_at__isnull=True).delete()[
            0
        ]
        invitations += RoleInvitation.objects.filter(
            expires_at__lt=old, used_at__isnull=True
        ).delete()[0]
        # Before retention: a floor closed here keeps only what its attribution mode allows,
        # which an "aggregates only" policy then reduces further.
        from track2.facilitation.actions import close_ended_floors

        floors = close_ended_floors(now)
        # Back-channel envelopes past their expiry, also in mailboxes nobody posts to or reads.
        from track2.backchannel.actions import purge_expired

        expired = purge_expired(now.astimezone(UTC).date())
        done = retention.apply(now)
    # After the commit, every run (not only when retention erased something): whatever was
    # deleted since the last run — a person's entry, a session with a roster preview, the rows
    # above — leaves the write-ahead log within the hour.
    emptied = databases.forget_deleted_pages()
    return HousekeepingDone(
        sessions,
        attempts,
        locks,
        invitations,
        done,
        floors,
        expired,
        roster_previews=previews,
        journal_emptied=emptied,
        outbox_messages=_prune_outbox(now),
    )


def _prune_outbox(now: datetime) -> int:
    """Mail kept in the outbox (no mail server set) goes once every link in it has expired."""
    if settings.EMAIL_BACKEND != OUTBOX_BACKEND:
        return 0
    days = int(settings.TRACK2_INVITATION_DAYS)
    return outbox.prune(Path(settings.EMAIL_FILE_PATH), now - timedelta(days=days))
