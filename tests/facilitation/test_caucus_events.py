"""A caucus's live-update stream: its delegation's members only; everyone else the same 404."""

from __future__ import annotations

import pytest
from django.test import AsyncClient

from tests.deliberation.conftest import token_for
from tests.live.test_events_api import in_loop, opened

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize(
    "role", ["north", "south", "facilitator", "convener", "observer", "outsider", "site_admin"]
)
def test_only_the_delegation_opens_its_caucus_stream(world, role):
    user = {"north": world.participants[0], "south": world.participants[4]}.get(
        role
    ) or world.users[role]
    url = world.url(f"/caucus/{world.north.pk}/events")
    status, _headers, body = in_loop(
        opened(AsyncClient(), url, Authorization=f"Bearer {token_for(user)}")
    )
    if role == "north":
        assert status == 200 and f'"topic": "caucus:{world.meeting.pk}-{world.north.pk}"' in body
    else:
        assert (status, body) == (404, '{"detail": "Not found."}')
