"""An API read does not write: a token's "last used" moves at most once a minute."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext

from track2.accounts import actions
from track2.accounts.models import ApiToken


def test_last_used_is_written_once_a_minute(client, make_user):
    raw, token = actions.do_create_api_token(make_user(), "script")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    def writes() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/api/v1/me", **headers).status_code == 200
        return sum(
            1 for q in captured.captured_queries if q["sql"].lstrip().upper().startswith("UPDATE")
        )

    assert writes() == 1
    first = ApiToken.objects.get(pk=token.pk).last_used_at
    assert first is not None
    assert [writes() for _ in range(3)] == [0, 0, 0]
    assert ApiToken.objects.get(pk=token.pk).last_used_at == first
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - timedelta(seconds=61))
    assert writes() == 1
    assert ApiToken.objects.get(pk=token.pk).last_used_at > first
