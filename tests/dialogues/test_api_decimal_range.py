"""A decimal's range and precision are the API schema's (form sweep finding): `max_side_ratio`
past its range was left out of the 422 that listed the other bad fields, and sent alone was
refused later by the action (400) with a message that began with its help text."""

from __future__ import annotations

import pytest

from track2.dialogues.models import Dialogue

from .test_api import api  # noqa: F401  (the fixture)

RANGE = "max_side_ratio: enter a number from 1.00 to 10.00, with at most 2 decimal places."


@pytest.mark.parametrize("typed", [2**63, "0.5", "10.01", "1.234", "abc", True])
@pytest.mark.parametrize("method", ["post", "patch"])
def test_max_side_ratio_is_refused_by_the_schema_with_every_other_bad_field(
    api,  # noqa: F811
    world,
    method,
    typed,
):
    path = "/dialogues" if method == "post" else f"/dialogues/{world.dialogue.pk}"
    before = Dialogue.objects.count()
    response = api(method, path, json={"title": "T", "max_side_ratio": typed, "max_gender_share": 2**63})  # fmt: skip
    assert response.status_code == 422, response.content
    errors = {tuple(e["loc"]): e["msg"] for e in response.json()["errors"]}
    assert errors[("body", "max_side_ratio")] == RANGE
    assert ("body", "max_gender_share") in errors
    alone = api(method, path, json={"title": "T", "max_side_ratio": typed})
    assert alone.status_code == 422 and alone.json()["errors"][0]["msg"] == RANGE
    assert Dialogue.objects.count() == before
    world.dialogue.refresh_from_db()
    assert str(world.dialogue.max_side_ratio) == "1.50"


def test_a_ratio_within_the_range_is_kept(api, world):  # noqa: F811
    response = api("patch", f"/dialogues/{world.dialogue.pk}", json={"max_side_ratio": "2.25"})
    assert response.status_code == 200, response.content
    assert response.json()["max_side_ratio"] == "2.25"


def test_the_openapi_document_carries_the_range(client, db):
    schema = client.get("/api/v1/openapi.json").json()["components"]["schemas"]["DialoguePatch"]
    number = next(
        option
        for option in schema["properties"]["max_side_ratio"]["anyOf"]
        if option.get("type") == "number"
    )
    assert (number["minimum"], number["maximum"]) == (1, 10)
