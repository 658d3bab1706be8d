"""The map lists the statements in the room's own order on every database: the facilitators'
order first, then the unordered ones (SQLite sorts a missing position first, PostgreSQL last)."""

from __future__ import annotations

from tests.deliberation.test_map import voted_room  # noqa: F401 (a fixture)
from track2.deliberation import map_data
from track2.deliberation.models import Statement


def test_the_map_follows_the_rooms_order(voted_room):  # noqa: F811
    world, statements = voted_room
    Statement.objects.filter(pk=statements[2].pk).update(position=1)  # one placed by hand
    map_data.forget()
    order = [s["id"] for s in map_data.room_map(world.meeting)["statements"]]
    # then the rest by id (ids are random: not the order they were written in)
    assert order == [statements[2].pk, *sorted((statements[0].pk, statements[1].pk))]
