"""Ending someone's browser sessions from outside them (the admin's "sign out everywhere")."""

from __future__ import annotations

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.utils import timezone

from track2.accounts.models import User


def do_end_sessions(user: User) -> int:
    """Delete every live session of this user; return how many ended.

    Sessions are stored encoded with no user column, so they are decoded one by one. A site has
    at most a few thousand live sessions (12-hour cookies), which keeps this a rare, cheap action.
    """
    ended = []
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get(SESSION_KEY)) == str(user.pk):
            ended.append(session.pk)
    Session.objects.filter(pk__in=ended).delete()
    return len(ended)
