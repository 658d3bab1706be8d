"""Every role × every floor route: the exact status; 404 (never 403) for anyone outside the
dialogue and for observers; names in the queue only to those the attribution mode allows."""

from __future__ import annotations

import pytest

from tests.facilitation.conftest import floor_url
from track2.dialogues.models import AttributionMode
from track2.facilitation.models import Floor, Hand, ItemInterval, Turn

MEMBERS = [
    "convener",
    "facilitator",
    "rapporteur",
    "participant",
    "unseated",
    "observer",
    "liaison",
]
OUTSIDE = ["outsider", "member_elsewhere", "foreign_convener", "site_admin"]
ROLES = MEMBERS + OUTSIDE
RUN = {"facilitator": 200, "convener": 200}


def expect(allowed: dict[str, int], members_otherwise: int) -> dict[str, int]:
    out = {role: allowed.get(role, members_otherwise) for role in MEMBERS}
    out["observer"] = 404  # observers read nothing of the floor
    return out | {role: 404 for role in OUTSIDE}


def reset(world):
    """Each route from the same state: item 1 running, one hand raised by someone else, no turn."""
    Hand.objects.all().delete()
    Turn.objects.all().delete()
    ItemInterval.objects.all().delete()
    Floor.objects.all().delete()
    from django.utils import timezone

    item = world.meeting.agenda_items.get(position=1)
    Floor.objects.create(meeting=world.meeting, current_item=item)
    ItemInterval.objects.create(item=item, meeting=world.meeting, started_at=timezone.now())
    other = world.persons[world.participants[5].pk]
    return Hand.objects.create(
        meeting=world.meeting, person=other, delegation=world.south, position=1
    )


def routes(hand):
    return [
        ("get", "", None, expect({}, 200)),
        ("post", "/timer", {"action": "pause"}, expect(RUN, 403)),
        ("put", "/turn-limit", {"seconds": 120}, expect(RUN, 403)),
        ("post", "/hand", {}, expect({"participant": 201}, 403)),
        ("post", "/order", {"hand_ids": [hand.pk]}, expect(RUN, 403)),
        ("post", "/give", {"hand_id": hand.pk}, expect(RUN, 403)),
        ("post", "/close", None, expect(RUN, 403)),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_api_matrix(world, api, role):
    call = api(world.users[role])
    for method, tail, body, expected in routes(reset(world)):
        hand = reset(world)
        if tail == "/give":
            body = {"hand_id": hand.pk}
        if tail == "/order":
            body = {"hand_ids": [hand.pk]}
        response = call(method, floor_url(world, tail), body)
        assert response.status_code == expected[role], (role, method, tail, response.content[:300])


@pytest.mark.parametrize("role", ROLES)
def test_end_turn_and_lower_matrix(world, api, role):
    from django.utils import timezone

    call = api(world.users[role])
    reset(world)
    Turn.objects.create(
        meeting=world.meeting,
        person=world.persons[world.participants[5].pk],
        delegation=world.south,
        started_at=timezone.now(),
    )
    expected = expect(RUN, 403)[role]
    assert call("post", floor_url(world, "/end-turn")).status_code == expected
    # Lowering: only whoever raised a hand; everyone else is told there is no hand of theirs.
    lowered = call("delete", floor_url(world, "/hand")).status_code
    assert lowered == (404 if role in OUTSIDE or role == "observer" else 400)


def test_nobody_signed_in(world, api):
    assert api(None)("get", floor_url(world)).status_code == 401


@pytest.mark.parametrize(
    ("mode", "sees"),
    [
        (AttributionMode.CHATHAM_HOUSE, {"facilitator", "convener", "participant"}),
        (AttributionMode.OFF_RECORD, {"facilitator", "convener", "participant"}),
        (AttributionMode.ON_RECORD, {"facilitator", "convener", "participant"}),
    ],
)
def test_names_in_the_queue(world, api, mode, sees):
    world.meeting.attribution_mode = mode
    world.meeting.save()
    reset(world)
    # Attendance is confidential (the default): on the record, only those present and conveners.
    for role in ["convener", "facilitator", "rapporteur", "participant", "unseated", "liaison"]:
        queue = api(world.users[role])("get", floor_url(world)).json()["queue"]
        name = queue[0]["name"]
        assert (name is not None) == (role in sees), (mode, role, name)
        side = queue[0]["delegation"]
        assert (side is None) == (mode == AttributionMode.OFF_RECORD and role not in sees)


def test_open_attendance_shows_names_on_the_record_only(world, api):
    world.dialogue.is_attendance_confidential = False
    world.dialogue.save()
    reset(world)
    for mode, expected in [
        (AttributionMode.ON_RECORD, True),
        (AttributionMode.CHATHAM_HOUSE, False),
    ]:
        world.meeting.attribution_mode = mode
        world.meeting.save()
        queue = api(world.users["rapporteur"])("get", floor_url(world)).json()["queue"]
        assert (queue[0]["name"] is not None) is expected
