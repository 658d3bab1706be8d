"""Forms show every error at once: the form's own checks and the action's rules together, not
one round at a time. The API lists every problem too."""

from __future__ import annotations

import pytest
from django.urls import reverse

from track2.dialogues import actions, venue_actions
from track2.dialogues.models import Venue
from track2.errors import ActionRefused
from track2.meetings.models import Meeting

from .test_api import api  # noqa: F401 - the API client fixture


def errors_in(response) -> str:
    return response.content.decode()


def test_meeting_form_shows_a_missing_title_and_an_end_before_the_start_together(world, signed_in):
    client = signed_in(world.users["convener"])
    response = client.post(
        reverse("dialogues:meeting_create", args=[world.dialogue.pk]),
        {
            "title": "",
            "time_zone": "Mars/Olympus",
            "starts_at": "2031-01-01T12:00",
            "ends_at": "2031-01-01T10:00",
            "attribution_mode": "chatham_house",
        },
    )
    page = errors_in(response)
    assert response.status_code == 200
    assert "This field is required." in page  # the form's own check of the title
    assert "is not a known time zone" in page  # the action's rule on the zone
    assert Meeting.objects.filter(title="").count() == 0


def test_meeting_form_shows_the_end_before_start_with_an_unreadable_field(world, signed_in):
    client = signed_in(world.users["convener"])
    response = client.post(
        reverse("dialogues:meeting_create", args=[world.dialogue.pk]),
        {
            "title": "",
            "time_zone": "UTC",
            "starts_at": "2031-01-01T12:00",
            "ends_at": "2031-01-01T10:00",
            "attribution_mode": "nonsense",
        },
    )
    page = errors_in(response)
    assert "This field is required." in page and "must end after it starts" in page
    assert "Select a valid choice" in page
    # one message per field: the action does not repeat what the form already said about the title
    assert "Give the meeting a title" not in page


def test_venue_form_shows_a_missing_name_and_a_missing_country_together(world, signed_in):
    client = signed_in(world.users["convener"])
    before = Venue.objects.count()
    response = client.post(
        reverse("dialogues:venues", args=[world.dialogue.pk]),
        {"name": "", "kind": "university", "country": "", "capacity": "0"},
    )
    page = errors_in(response)
    assert "This field is required." in page and "Give the venue&#x27;s country" in page
    assert Venue.objects.count() == before


def test_the_api_lists_every_problem(world, api):  # noqa: F811
    response = api(
        "post",
        f"/dialogues/{world.dialogue.pk}/meetings",
        json={
            "title": " ",
            "time_zone": "Nowhere/Else",
            "starts_at": "2031-01-01T12:00:00",
            "ends_at": "2031-01-01T10:00:00",
            "attribution_mode": "loud",
        },
    )
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
    actions.do_seat_in_delegation(world.users["convener"], world.caldera, official)
    client = signed_in(world.users["convener"])
    response = client.post(
        reverse("dialogues:edit", args=[world.dialogue.pk]),
        {
            "title": "",
            "track": "track2",
            "status": "active",
            "default_attribution_mode": "chatham_house",
            "k_anonymity": 3,
            "min_members_per_side": 1,
            "max_side_ratio": "2",
            "max_gender_share": 80,
        },
    )
    page = response.content.decode()
    assert "This field is required." in page
    assert "cannot be Track 2 while serving officials are members: Sera Official" in page
    world.dialogue.refresh_from_db()
    assert (world.dialogue.track, world.dialogue.title) == ("track1_5", "Varena Sea Dialogue")


# --- forms converted to site.forms.submit: the form's errors and the action's rule together ----


def _posted(client, name, args, data):
    response = client.post(reverse(name, args=args), data)
    assert response.status_code in (200, 400), response.status_code
    return response.context["form"] if "form" in response.context else None, errors_in(response)


def test_party_form_shows_a_too_long_country_and_a_duplicate_name_together(world, signed_in):
    from track2.dialogues.models import Party

    client = signed_in(world.users["convener"])
    form, page = _posted(
        client,
        "dialogues:parties",
        [world.dialogue.pk],
        {"name": "Federation of Ostrava", "country": "x" * 101},
    )
    assert "already has a party called" in page  # the action's rule
    assert "at most 100 characters" in page  # the form's own check
    assert set(form.errors) == {"name", "country"}
    assert Party.objects.filter(dialogue=world.dialogue).count() == 2


def test_an_empty_post_marks_every_required_field_instead_of_failing(world, signed_in):
    client = signed_in(world.users["convener"])
    form, _page = _posted(client, "dialogues:parties", [world.dialogue.pk], {})
    assert "name" in form.errors


def test_delegation_form_shows_a_duplicate_name_and_an_unknown_party_together(world, signed_in):
    from track2.dialogues.models import Delegation

    client = signed_in(world.users["convener"])
    form, page = _posted(
        client,
        "dialogues:delegations",
        [world.dialogue.pk],
        {"name": "Facilitators", "kind": "side", "party": "99999"},
    )
    assert "already has a delegation called" in page
    assert set(form.errors) == {"name", "party"}
    assert Delegation.objects.filter(dialogue=world.dialogue).count() == 3


def test_delegation_rename_shows_a_duplicate_name_and_an_unknown_party_together(world, signed_in):
    client = signed_in(world.users["convener"])
    response = client.post(
        reverse("dialogues:delegation", args=[world.dialogue.pk, world.caldera.pk]),
        {"rename": "1", "name": "Facilitators", "party": "99999"},
    )
    form = response.context["edit_form"]
    assert set(form.errors) == {"name", "party"}
    assert "already has a delegation called" in str(form.errors["name"])
    world.caldera.refresh_from_db()
    assert world.caldera.name != "Facilitators"


def test_seat_form_says_why_a_withdrawn_candidate_cannot_be_seated(world, signed_in):
    from track2.people import actions as people_actions
    from track2.people.models import Candidacy

    eli = world.persons["eli"]
    people_actions.do_withdraw(world.users["convener"], Candidacy.objects.get(person=eli))
    client = signed_in(world.users["convener"])
    response = client.post(
        reverse("dialogues:delegation", args=[world.dialogue.pk, world.caldera.pk]),
        {"seat": "1", "person": eli.pk},
    )
    assert "candidacy is withdrawn" in str(response.context["seat_form"].errors["person"])
    assert not world.caldera.members.filter(person=eli).exists()


def test_role_form_shows_the_forms_check_and_the_actions_rule(world, signed_in):
    # Both fields feed the one rule (an address that already holds the role), so they cannot be
    # shown together; each is shown, and nothing is sent.
    from django.core import mail

    client = signed_in(world.users["convener"])
    form, page = _posted(
        client,
        "dialogues:roles",
        [world.dialogue.pk],
        {"email": "facilitator@example.org", "role": "emperor"},
    )
    assert "Select a valid choice" in page  # the form's own check of the role
    assert "emperor" not in str(form.errors.get("email", ""))
    form, page = _posted(
        client,
        "dialogues:roles",
        [world.dialogue.pk],
        {"email": "facilitator@example.org", "role": "facilitator"},
    )
    assert (
        "is already facilitator in this dialogue" in page
    )  # the action's rule, on the e-mail field
    assert set(form.errors) == {"email"}
    assert not mail.outbox


# --- an action's own rules and the site-wide text rules in one refusal -------------------------


def test_a_venue_refusal_lists_its_own_rules_and_the_text_rules_together(world):
    before = Venue.objects.count()
    with pytest.raises(ActionRefused) as refused:
        venue_actions.do_create_venue(
            world.users["convener"],
            world.dialogue,
            name="",
            kind="university",
            country="",
            city="Geneva\x07",
            accessibility_notes="x" * 100_001,
        )
    fields = [field for field, _message in refused.value.problems]
    # the venue's own rules (name, country) and the text rules (a bell, a length) at once,
    # and the model's "blank" not said again for a field its own rule named
    assert set(fields) >= {"name", "country", "city"}, refused.value.problems
    assert fields.count("name") == 1 and fields.count("country") == 1
    assert Venue.objects.count() == before


def test_a_dialogue_refusal_lists_its_own_rules_and_the_text_rules_together(world):
    with pytest.raises(ActionRefused) as refused:
        actions.do_update_dialogue(
            world.users["convener"], world.dialogue, title=" ", purpose="Talk\x1b[31m"
        )
    fields = [field for field, _message in refused.value.problems]
    assert fields.count("title") == 1 and "purpose" in fields, refused.value.problems
    world.dialogue.refresh_from_db()
    assert world.dialogue.title == "Varena Sea Dialogue"
