"""Every API list answers one envelope {items, total, page, limit}, walks page by page without
gaps or repeats, and refuses page/limit values out of range with a 422 naming the field."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.dialogues.conftest import make_person
from tests.dialogues.test_api import bearer
from track2.api.pagination import DEFAULT_LIMIT, MAX_LIMIT, MAX_PAGE
from track2.dialogues import actions, venue_actions
from track2.meetings import actions as meeting_actions
from track2.meetings.models import MeetingParticipant


@pytest.fixture
def lists(world):
    """Each list endpoint with at least five items, for the convener."""
    convener = world.users["convener"]
    start = timezone.now() + timedelta(days=60)
    for n in range(4):
        meeting_actions.do_create_meeting(
            convener,
            world.dialogue,
            title=f"Extra {n}",
            time_zone="UTC",
            starts_at=start + timedelta(days=n),
            ends_at=start + timedelta(days=n, hours=1),
        )
        venue_actions.do_create_venue(
            convener,
            world.dialogue,
            name=f"Hall {n}",
            kind="university",
            city="Geneva",
            country="Switzerland",
        )
        actions.do_add_party(
            convener,
            world.dialogue,
            name=f"Coastal State {n}",
            country=f"Coast {n}",
            with_delegation=True,
        )
        actions.do_create_dialogue(convener, title=f"Side talks {n}")
    for person in world.persons.values():
        MeetingParticipant.objects.get_or_create(meeting=world.meeting, person=person)
    d, m = world.dialogue.pk, world.meeting.pk
    return [
        "/dialogues",
        f"/dialogues/{d}/roles",
        f"/dialogues/{d}/delegations",
        f"/dialogues/{d}/venues",
        f"/dialogues/{d}/meetings",
        f"/dialogues/{d}/meetings/{m}/participants",
        f"/dialogues/{d}/people",
    ]


def test_every_list_walks_in_pages_without_gaps(client, world, lists):
    headers = bearer(world.users["convener"])
    for path in lists:
        whole = client.get(f"/api/v1{path}", **headers).json()
        assert set(whole) == {"items", "total", "page", "limit"}, path
        assert (whole["page"], whole["limit"]) == (1, DEFAULT_LIMIT)
        assert whole["total"] == len(whole["items"]) >= 5, path
        walked, page = [], 1
        while True:
            answer = client.get(f"/api/v1{path}?page={page}&limit=2", **headers).json()
            assert answer["total"] == whole["total"] and (answer["page"], answer["limit"]) == (
                page,
                2,
            )
            if not answer["items"]:
                break
            assert len(answer["items"]) == min(2, whole["total"] - 2 * (page - 1)), path
            walked += answer["items"]
            page += 1
        assert walked == whole["items"], path
        past = client.get(f"/api/v1{path}?page=99&limit=10", **headers).json()
        assert past == {"items": [], "total": whole["total"], "page": 99, "limit": 10}, path


@pytest.mark.parametrize(
    "query, field",
    [
        ("limit=0", "limit"),
        (f"limit={MAX_LIMIT + 1}", "limit"),
        ("limit=-5", "limit"),
        ("limit=ten", "limit"),
        ("limit=" + "9" * 40, "limit"),
        ("page=0", "page"),
        ("page=-1", "page"),
        (f"page={MAX_PAGE + 1}", "page"),
        ("page=" + "9" * 40, "page"),
        ("page=1.5", "page"),
        ("page=%00", "page"),
        ("limit=%F0%9F%98%80", "limit"),
    ],
)
def test_page_values_out_of_range_are_refused_by_name(client, world, lists, query, field):
    headers = bearer(world.users["convener"])
    for path in lists:
        answer = client.get(f"/api/v1{path}?{query}", **headers)
        assert answer.status_code == 422, (path, query, answer.content)
        errors = answer.json()["errors"]
        assert [e["loc"][-1] for e in errors] == [field], (path, errors)
        assert errors[0]["msg"], errors


def test_both_bad_values_are_reported_at_once(client, world, lists):
    answer = client.get(f"/api/v1{lists[1]}?page=0&limit=100000", **bearer(world.users["convener"]))
    assert answer.status_code == 422
    messages = {e["loc"][-1]: e["msg"] for e in answer.json()["errors"]}
    assert set(messages) == {"page", "limit"}
    assert "500" in messages["limit"] and "1" in messages["page"]


def test_limits_are_declared_in_the_openapi_document(client, world):
    spec = client.get("/api/v1/openapi.json").json()
    operation = spec["paths"]["/api/v1/dialogues/{dialogue_id}/meetings"]["get"]
    params = {p["name"]: p["schema"] for p in operation["parameters"]}
    assert params["limit"]["maximum"] == MAX_LIMIT and params["limit"]["minimum"] == 1
    assert params["page"]["minimum"] == 1 and params["limit"]["default"] == DEFAULT_LIMIT


def test_people_filters_and_pages_combine(client, world):
    for n in range(7):
        make_person(world.dialogue, f"Zed Filter{n}", sector="media")
    headers = bearer(world.users["convener"])
    url = f"/api/v1/dialogues/{world.dialogue.pk}/people?sector=media&limit=3"
    first = client.get(url, **headers).json()
    last = client.get(url + "&page=3", **headers).json()
    assert first["total"] == last["total"] == 8  # seven added, and Eli Unseated
    assert len(first["items"]) == 3 and len(last["items"]) == 2
    assert all(p["sector"] == "media" for p in first["items"] + last["items"])
