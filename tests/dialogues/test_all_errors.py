"""Forms show every error at once: the form's own checks and the action's rules together, not
one round at a time. The API lists every problem too."""

from __future__ import annotations

from django.urls import reverse

from track2.dialogues.models import Meeting, Venue

from .test_api import api  # noqa: F401 - the API client fixture


def errors_in(response) -> str:
    return response.content.decode()


def test_meeting_form_shows_a_missing_title_and_an_end_before_the_start_together(world, signed_in):
    client = signed_in(world.users["convener"])
    response = client.post(reverse("dialogues:meeting_create", args=[world.dialogue.pk]), {
        "title": "", "time_zone": "Mars/Olympus", "starts_at": "2031-01-01T12:00", "ends_at": "2031-01-01T10:00",
        "attribution_mode": "chatham_house"})
    page = errors_in(response)
    assert response.status_code == 200
    assert "This field is required." in page  # the form's own check of the title
    assert "is not a known time zone" in page  # the action's rule on the zone
    assert Meeting.objects.filter(title="").count() == 0


def test_meeting_form_shows_the_end_before_start_with_an_unreadable_field(world, signed_in):
    client = signed_in(world.users["convener"])
    response = client.post(reverse("dialogues:meeting_create", args=[world.dialogue.pk]), {
        "title": "", "time_zone": "UTC", "starts_at": "2031-01-01T12:00", "ends_at": "2031-01-01T10:00",
        "attribution_mode": "nonsense"})
    page = errors_in(response)
    assert "This field is required." in page and "must end after it starts" in page
    assert "Select a valid choice" in page
    # one message per field: the action does not repeat what the form already said about the title
    assert "Give the meeting a title" not in page


def test_venue_form_shows_a_missing_name_and_a_missing_country_together(world, signed_in):
    client = signed_in(world.users["convener"])
    before = Venue.objects.count()
    response = client.post(reverse("dialogues:venues", args=[world.dialogue.pk]),
                           {"name": "", "kind": "university", "country": "", "capacity": "0"})
    page = errors_in(response)
    assert "This field is required." in page and "Give the venue&#x27;s country" in page
    assert Venue.objects.count() == before


def test_the_api_lists_every_problem(world, api):  # noqa: F811
    response = api("post", f"/dialogues/{world.dialogue.pk}/meetings", json={
        "title": " ", "time_zone": "Nowhere/Else", "starts_at": "2031-01-01T12:00:00",
        "ends_at": "2031-01-01T10:00:00", "attribution_mode": "loud"})
    assert response.status_code == 400
    body = response.json()
    fields = {e["field"] for e in body["errors"]}
    assert fields == {"title", "time_zone", "ends_at", "attribution_mode"}, body
    assert body["field"] == "title" and body["detail"] == body["errors"][0]["message"]


def test_dialogue_form_shows_a_missing_title_and_the_track_2_rule_together(world, signed_in):
    from track2.dialogues.models import Dialogue
    from track2.people.models import Sector

    from .conftest import make_person

    Dialogue.objects.filter(pk=world.dialogue.pk).update(track="track1_5")
    world.dialogue.refresh_from_db()
    world.caldera.refresh_from_db()
    official = make_person(world.dialogue, "Sera Official", sector=Sector.SERVING_OFFICIAL)
    from track2.dialogues import actions

    actions.do_seat_in_delegation(world.users["convener"], world.caldera, official)
    client = signed_in(world.users["convener"])
    response = client.post(reverse("dialogues:edit", args=[world.dialogue.pk]), {
        "title": "", "track": "track2", "status": "active", "default_attribution_mode": "chatham_house",
        "k_anonymity": 3, "min_members_per_side": 1, "max_side_ratio": "2", "max_gender_share": 80})
    page = response.content.decode()
    assert "This field is required." in page
    assert "cannot be Track 2 while serving officials are members: Sera Official" in page
    world.dialogue.refresh_from_db()
    assert (world.dialogue.track, world.dialogue.title) == ("track1_5", "Varena Sea Dialogue")
