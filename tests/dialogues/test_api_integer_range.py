"""A whole number's range is the API schema's, taken from the model (`integer_type`, as
`decimal_type` does for decimals): `max_gender_share` (50–100) and an agenda item's
`duration_minutes` (1–1440) were checked only against 0–32,767 / 0–2^31−1, so a value inside
that but outside the model's got a 400 from the action, on its own, after the 422 of the others."""

from __future__ import annotations

import pytest
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations
from pydantic import TypeAdapter, ValidationError

from track2.api.schemas import api_type, integer_type
from track2.dialogues import actions, venue_actions
from track2.dialogues.models import Dialogue
from track2.meetings import actions as meeting_actions
from track2.meetings.models import AgendaItem
from track2.people import actions as people_actions

from .test_api import api  # noqa: F401  (the fixture)

SHARE = "max_gender_share: enter a whole number from 50 to 100."
MINUTES = "duration_minutes: enter a whole number from 1 to 1440."
# Every declaration the API's In/Patch schemas are built from (track2.api.schemas.schemas).
DECLARATIONS = [
    actions.DIALOGUE,
    actions.PARTY,
    actions.DELEGATION,
    venue_actions.VENUE,
    meeting_actions.MEETING,
    meeting_actions.AGENDA_ITEM,
    people_actions.PERSON,
    people_actions.CANDIDACY,
]


def _refusal(kind, value) -> str | None:
    try:
        TypeAdapter(kind).validate_python(value)
    except ValidationError as error:
        return str(error.errors()[0]["msg"]).removeprefix("Value error, ")
    return None


def _integer_fields():
    for editable in DECLARATIONS:
        for name in editable.names:
            field = editable.field(name)
            if isinstance(field, models.IntegerField) and not field.choices:
                yield field


@pytest.mark.parametrize(
    "field, low, high",
    [
        (Dialogue._meta.get_field("max_gender_share"), 50, 100),
        (Dialogue._meta.get_field("min_members_per_side"), 0, 32_767),
        (AgendaItem._meta.get_field("duration_minutes"), 1, 1440),
        (venue_actions.VENUE.field("capacity"), 0, 2_147_483_647),
    ],
    ids=lambda p: getattr(p, "name", str(p)),
)
def test_each_integer_field_is_ranged_by_its_model(field, low, high):
    kind = api_type(field)
    shape = f"{field.name}: enter a whole number from {low} to {high}."
    assert _refusal(kind, low) is None and _refusal(kind, high) is None
    for bad in (low - 1, high + 1, 2**63, 10**400, float("inf"), float("nan"), "NaN", 1.5, "abc"):
        assert _refusal(kind, bad) == shape, bad


def test_no_integer_field_of_a_declaration_is_ranged_by_its_column_alone():
    # A field added later is ranged by its validators and by what every database holds.
    found = list(_integer_fields())
    assert {f.name for f in found} >= {"max_gender_share", "duration_minutes", "capacity"}
    for field in found:
        static = [v for v in field.validators if not callable(getattr(v, "limit_value", len))]
        lows = [v.limit_value for v in static if isinstance(v, MinValueValidator)]
        highs = [v.limit_value for v in static if isinstance(v, MaxValueValidator)]
        portable = BaseDatabaseOperations.integer_field_ranges[field.get_internal_type()]
        schema = TypeAdapter(api_type(field)).json_schema()
        assert schema["minimum"] == max([*lows, portable[0]]), field.name
        assert schema["maximum"] == min([*highs, portable[1]]), field.name


def test_a_limit_computed_per_call_is_checked_by_the_schema_too(settings):
    settings.TRACK2_K_ANONYMITY = 5
    kind = integer_type(Dialogue._meta.get_field("k_anonymity"))
    assert _refusal(kind, 5) is None
    assert _refusal(kind, 4) == (
        "k_anonymity: k = 4 is below this site's floor of 5 (TRACK2_K_ANONYMITY): choose 5 or more."
    )


@pytest.mark.parametrize("method", ["post", "patch"])
def test_a_share_out_of_the_models_range_is_listed_with_the_other_bad_fields(api, world, method):  # noqa: F811
    path = "/dialogues" if method == "post" else f"/dialogues/{world.dialogue.pk}"
    before = Dialogue.objects.count()
    body = '{"title": "T\\u001b", "max_gender_share": 49, "min_members_per_side": 1e400}'
    response = api(method, path, json=body)
    assert response.status_code == 422, response.content
    errors = {e["loc"][-1]: e["msg"] for e in response.json()["errors"]}
    assert set(errors) == {"title", "max_gender_share", "min_members_per_side"}
    assert errors["max_gender_share"] == SHARE
    assert errors["min_members_per_side"].startswith("min_members_per_side: enter a whole number")
    assert Dialogue.objects.count() == before
    world.dialogue.refresh_from_db()
    assert world.dialogue.max_gender_share == 75


def test_minutes_out_of_range_are_listed_with_the_other_bad_fields(api, world):  # noqa: F811
    m = f"/dialogues/{world.dialogue.pk}/meetings/{world.meeting.pk}/agenda"
    before = AgendaItem.objects.count()
    for minutes in (0, 1441, 2**63):
        sent = {"title": "x" * 201, "duration_minutes": minutes, "lead_id": 2**63}
        response = api("post", m, json=sent)
        assert response.status_code == 422, response.content
        errors = {e["loc"][-1]: e["msg"] for e in response.json()["errors"]}
        assert set(errors) == {"title", "duration_minutes", "lead_id"}
        assert errors["duration_minutes"] == MINUTES
    assert AgendaItem.objects.count() == before
    made = api("post", m, json={"title": "Fisheries", "duration_minutes": 1440})
    assert made.status_code == 201, made.content


def test_nan_as_a_json_constant_is_refused_as_a_body_that_is_not_json(api, world):  # noqa: F811
    response = api("patch", f"/dialogues/{world.dialogue.pk}", json='{"max_gender_share": NaN}')
    assert response.status_code == 400
    assert "not valid JSON" in response.json()["detail"]


def test_the_openapi_document_carries_the_models_ranges(client, db):
    schemas = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    share = schemas["DialogueIn"]["properties"]["max_gender_share"]
    minutes = schemas["AgendaIn"]["properties"]["duration_minutes"]
    assert (share["minimum"], share["maximum"]) == (50, 100)
    assert (minutes["minimum"], minutes["maximum"]) == (1, 1440)
