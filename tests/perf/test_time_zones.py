"""The zone list is read once per process, and every form that asks for a zone offers it as a
searchable list, checked on the server."""

from __future__ import annotations

import zoneinfo
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.dialogues.test_api import bearer
from tests.helpers import sign_in
from track2 import time_zones
from track2.meetings import actions as meeting_actions
from track2.meetings.models import Meeting


@pytest.fixture
def counted_scans(monkeypatch):
    """Counts walks of the tz database (the ~8 ms call that made the meeting list collapse)."""
    calls = []
    real = zoneinfo.available_timezones

    def counting():
        calls.append(1)
        return real()

    monkeypatch.setattr(zoneinfo, "available_timezones", counting)
    time_zones.time_zone_names.cache_clear()
    time_zones._known.cache_clear()
    yield calls
    time_zones.time_zone_names.cache_clear()
    time_zones._known.cache_clear()


def test_names_are_the_tz_database_sorted():
    names = time_zones.time_zone_names()
    assert list(names) == sorted(zoneinfo.available_timezones())
    assert time_zones.is_time_zone("Europe/Vienna") and time_zones.is_time_zone("UTC")
    for bad in (
        "Mars/Olympus",
        "europe/vienna",
        "",
        " Europe/Vienna",
        None,
        3,
        "Europe/Vienna\x00",
    ):
        assert not time_zones.is_time_zone(bad), bad


def test_meeting_list_walks_the_tz_database_at_most_once(world, client, counted_scans):
    start = timezone.now() + timedelta(days=40)
    for n in range(30):
        meeting_actions.do_create_meeting(
            world.users["convener"],
            world.dialogue,
            title=f"Round {n + 3}",
            starts_at=start + timedelta(days=n),
            ends_at=start + timedelta(days=n, hours=2),
            time_zone="America/New_York",
        )
    headers = bearer(world.users["participant"])  # a viewer whose zone differs from every meeting's
    for _ in range(3):
        response = client.get(f"/api/v1/dialogues/{world.dialogue.pk}/meetings", **headers)
        assert response.status_code == 200
    sign_in(client, world.users["participant"])
    assert client.get(f"/dialogues/{world.dialogue.pk}/meetings/").status_code == 200
    assert Meeting.objects.filter(dialogue=world.dialogue).count() == 32
    assert len(counted_scans) <= 1


def _datalist_options(html: str, list_id: str) -> list[str]:
    start = html.index(f'<datalist id="{list_id}">')
    block = html[start : html.index("</datalist>", start)]
    return [part.split('"', 1)[0] for part in block.split('<option value="')[1:]]


def test_account_page_offers_the_searchable_list_and_refuses_unknown_zones(make_user, client):
    user = make_user(time_zone="Europe/Vienna")
    sign_in(client, user)
    html = client.get("/accounts/settings/").content.decode()
    assert 'list="id_time_zone-choices"' in html and 'value="Europe/Vienna"' in html
    assert _datalist_options(html, "id_time_zone-choices") == list(time_zones.time_zone_names())

    for bad in ("Mars/Olympus", "Europe/Vienna\x1b", "x" * 65, ""):
        response = client.post("/accounts/settings/", {"display_name": "Ilse", "time_zone": bad})
        assert response.status_code == 200
        body = response.content.decode()
        assert "field-error" in body and 'id="id_time_zone"' in body, bad
        user.refresh_from_db()
        assert user.time_zone == "Europe/Vienna" and user.display_name == ""
    response = client.post(
        "/accounts/settings/", {"display_name": "Ilse", "time_zone": "Mars/Olympus"}
    )
    assert "is not a known time zone" in response.content.decode()
    assert "Europe/Vienna" in response.content.decode()  # the example

    response = client.post(
        "/accounts/settings/", {"display_name": "Ilse", "time_zone": "Asia/Singapore"}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.time_zone == "Asia/Singapore"


def test_meeting_form_offers_the_same_list_and_names_the_field(world, client):
    sign_in(client, world.users["convener"])
    url = f"/dialogues/{world.dialogue.pk}/meetings/new/"
    html = client.get(url).content.decode()
    assert _datalist_options(html, "id_time_zone-choices") == list(time_zones.time_zone_names())
    before = Meeting.objects.count()
    response = client.post(
        url,
        {
            "title": "Round 9",
            "time_zone": "Vienna",
            "starts_at": "2031-03-02T09:00",
            "ends_at": "2031-03-02T08:00",
            "attribution_mode": "chatham_house",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200 and Meeting.objects.count() == before
    # The zone and the other errors at once, and what was typed is kept.
    assert "“Vienna” is not a known time zone" in body and "e.g. Europe/Vienna" in body
    assert 'value="Round 9"' in body and 'value="Vienna"' in body
