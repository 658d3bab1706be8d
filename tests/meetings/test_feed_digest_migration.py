"""Feed secrets stored in clear before the audit of accounts (finding 3) become their SHA-256
(meetings 0002): an address already in someone's calendar app keeps working, and a copy of the
database no longer opens anyone's feed. Backwards, a digest cannot be undone: every feed is off."""

from __future__ import annotations

import hashlib
import secrets

import pytest

from tests.meetings.test_migration import _leaves, _migrate
from track2.accounts.models import User
from track2.meetings.actions import user_for_calendar_token

BEFORE = ("meetings", "0001_meetings_own_app")

pytestmark = pytest.mark.django_db(transaction=True)


def test_clear_feed_secrets_become_digests_and_old_addresses_keep_working():
    token = secrets.token_urlsafe(32)
    try:
        _migrate(_leaves())
        _migrate([BEFORE])
        # The schema is the same on both sides (only the values change): today's model writes.
        subscriber = User.objects.create_user("subscriber@example.org")
        User.objects.filter(pk=subscriber.pk).update(calendar_token=token)
        no_feed = User.objects.create_user("nofeed@example.org")

        new = _migrate(_leaves())
        stored = new.get_model("accounts", "User").objects
        assert (
            stored.get(pk=subscriber.pk).calendar_token
            == hashlib.sha256(token.encode()).hexdigest()
        )
        assert stored.get(pk=no_feed.pk).calendar_token == ""
        assert not stored.filter(calendar_token=token).exists()
        found = user_for_calendar_token(token)
        assert found is not None and found.pk == subscriber.pk

        back = _migrate([BEFORE])
        assert back.get_model("accounts", "User").objects.get(pk=subscriber.pk).calendar_token == ""
    finally:
        _migrate(_leaves())
