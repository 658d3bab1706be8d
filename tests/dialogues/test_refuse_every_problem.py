"""`refuse_invalid` (the model's own rules, the last word before the database) refuses with every
problem it finds, each message naming its field by a short label, not the first one in words
that read like help text ("warn when one gender makes up more than this % of a side: …"); the
dialogue's settings page marks every refused field and the API's refusal lists every field."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from tests.facilitation.page_fields import page_of
from track2 import validation
from track2.dialogues.actions import refuse_invalid
from track2.dialogues.models import Dialogue, Venue
from track2.errors import ActionRefused

from .test_api import api  # noqa: F401  (the fixture)

PLAIN = validation.control_characters_message()


def _refused(instance, exclude) -> ActionRefused:
    with pytest.raises(ActionRefused) as refused:
        refuse_invalid(instance, exclude=exclude)
    return refused.value


def test_every_field_and_every_message_is_refused_at_once(world):
    draft = Dialogue(
        pk=world.dialogue.pk,
        title="T\x07" + "x" * 250,  # a control character and too long: two problems
        purpose="p\x00",
        k_anonymity=1,  # below the site's floor (a validator computed per call)
        max_gender_share=200,
        min_members_per_side=-1,
        max_side_ratio=Decimal("99.5"),
        default_attribution_mode="gossip",
        status="dormant",
    )
    refusal = _refused(draft, ["created_by", "institution"])
    fields = [field for field, _message in refusal.problems]
    assert set(fields) == {
        "title",
        "purpose",
        "k_anonymity",
        "max_gender_share",
        "min_members_per_side",
        "max_side_ratio",
        "default_attribution_mode",
        "status",
    }
    said = dict.fromkeys(fields, "")
    for field, message in refusal.problems:
        said[field] += message + " | "
    assert fields.count("title") == 2 and PLAIN in said["title"]
    assert "Title is too long: at most 200 characters (it has 252)." in said["title"]
    assert "Ensure this value has at most" not in said["title"]  # no second "too long"
    assert said["max_gender_share"].startswith("Max gender share: ")
    assert said["k_anonymity"].startswith("K anonymity: k = 1 is below this site's floor")
    assert said["default_attribution_mode"].startswith("Default attribution mode: ")
    assert not any("warn when" in m.lower() for m in refusal.messages())  # no help text
    assert (refusal.field, refusal.message) == refusal.problems[0]


def test_a_venue_is_refused_with_every_problem(world):
    venue = Venue(
        dialogue=world.dialogue,
        name="Hall\x1b",
        kind="castle",
        city="c" * 101,
        address="Quay 1\x00",
    )
    refusal = _refused(venue, ["created_by", "dialogue"])
    assert {f for f, _m in refusal.problems} == {"name", "kind", "city", "address"}
    assert ("city", "City is too long: at most 100 characters (it has 101).") in refusal.problems


def test_the_settings_page_marks_every_refused_field_and_keeps_what_was_typed(world, signed_in):
    client = signed_in(world.users["convener"])
    sent = {
        "title": "Gulf\x07 Talks",
        "purpose": "Why\x00",
        "track": "track2",
        "status": "active",
        "default_attribution_mode": "chatham_house",
        "k_anonymity": "1",
        "min_members_per_side": str(2**63),
        "max_side_ratio": "1e400",
        "max_gender_share": "NaN",
    }
    response = client.post(reverse("dialogues:edit", args=[world.dialogue.pk]), sent)
    assert response.status_code in (200, 400)
    page = page_of(response)
    refused = ("title", "purpose", "k_anonymity", "min_members_per_side", "max_side_ratio")
    for name in (*refused, "max_gender_share"):
        assert page.controls[f"id_{name}"].is_invalid, name
    assert page.controls["id_min_members_per_side"].value == str(2**63)
    assert page.controls["id_max_side_ratio"].value == "1e400"
    assert response.content.decode().count(PLAIN) == 2
    world.dialogue.refresh_from_db()
    assert world.dialogue.title == "Varena Sea Dialogue"


def test_the_api_lists_every_bad_field_in_one_refusal(api, world):  # noqa: F811
    body = (
        '{"title": "Gulf\\u0007", "purpose": "Why\\u0000", '
        '"max_gender_share": 49, "min_members_per_side": 1' + "0" * 400 + ", "
        '"max_side_ratio": "NaN"}'
    )
    response = api("patch", f"/dialogues/{world.dialogue.pk}", json=body)
    assert response.status_code == 422, response.content
    errors = {e["loc"][-1]: e["msg"] for e in response.json()["errors"]}
    assert set(errors) == {
        "title",
        "purpose",
        "max_gender_share",
        "min_members_per_side",
        "max_side_ratio",
    }
    assert errors["title"] == errors["purpose"] == PLAIN
    assert errors["max_gender_share"] == "max_gender_share: enter a whole number from 50 to 100."
    world.dialogue.refresh_from_db()
    assert world.dialogue.title == "Varena Sea Dialogue"


def test_the_api_lists_k_below_the_floor_with_the_other_bad_fields(api, world):  # noqa: F811
    response = api(
        "patch", f"/dialogues/{world.dialogue.pk}", json={"k_anonymity": 1, "max_gender_share": 1}
    )
    assert response.status_code == 422, response.content
    errors = {e["loc"][-1]: e["msg"] for e in response.json()["errors"]}
    assert set(errors) == {"k_anonymity", "max_gender_share"}
    assert errors["k_anonymity"].startswith("k_anonymity: k = 1 is below this site's floor")
