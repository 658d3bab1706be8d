"""The dialogue room's world (two delegations, every role, outsiders) with a two-item agenda."""

from __future__ import annotations

import pytest

from tests.deliberation.conftest import RoomWorld, build_room
from tests.deliberation.conftest import _own_keys as _own_keys  # noqa: F401  (autouse fixture)
from tests.deliberation.conftest import api as api  # noqa: F401  (fixture)
from track2.meetings.models import AgendaItem


@pytest.fixture
def world(make_user, institution) -> RoomWorld:
    found = build_room(make_user, institution)
    AgendaItem.objects.create(
        meeting=found.meeting, position=1, title="Fisheries", duration_minutes=30
    )
    AgendaItem.objects.create(
        meeting=found.meeting, position=2, title="Shipping lanes", duration_minutes=20
    )
    return found


def floor_url(world, tail: str = "") -> str:
    return world.url("/floor" + tail)
