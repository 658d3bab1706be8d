"""k comes from the dialogue; TRACK2_K_ANONYMITY is the default for new dialogues and the floor
under every dialogue — model, form, API, data migration and `track2 analyze` alike."""

from __future__ import annotations

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection
from django.urls import reverse

from tests.dialogues.test_api import bearer
from track2.dialogues import actions
from track2.dialogues.models import Dialogue
from track2.disclosure.site import k_floor, k_of
from track2.errors import ActionRefused

FORM = {
    "title": "Gulf Talks",
    "purpose": "",
    "track": "track2",
    "status": "planning",
    "default_attribution_mode": "chatham_house",
    "min_members_per_side": 4,
    "max_side_ratio": "1.5",
    "max_gender_share": 75,
}


def test_the_floor_is_the_setting_and_never_below_three(settings) -> None:
    settings.TRACK2_K_ANONYMITY = 5
    assert k_floor() == 5
    settings.TRACK2_K_ANONYMITY = 2  # a settings file edited by hand: still 3
    assert k_floor() == 3


def test_new_dialogues_take_the_sites_k(world, settings) -> None:
    settings.TRACK2_K_ANONYMITY = 6
    dialogue = actions.do_create_dialogue(world.users["convener"], title="Default k")
    assert dialogue.k_anonymity == 6


@pytest.mark.parametrize("k", [0, 2, 4, 51, 2**15])
def test_no_action_sets_k_below_the_floor(world, settings, k) -> None:
    settings.TRACK2_K_ANONYMITY = 5
    with pytest.raises(ActionRefused) as refused:
        actions.do_update_dialogue(world.users["convener"], world.dialogue, k_anonymity=k)
    assert refused.value.field == "k_anonymity"
    world.dialogue.refresh_from_db()
    assert world.dialogue.k_anonymity == 3


def test_form_refuses_k_below_the_floor_and_says_the_floor(world, signed_in, settings) -> None:
    settings.TRACK2_K_ANONYMITY = 4
    client = signed_in(world.users["convener"])
    page = client.get(reverse("dialogues:create")).content.decode()
    assert 'min="4"' in page and "This site&#x27;s floor is 4" in page
    response = client.post(reverse("dialogues:create"), {**FORM, "k_anonymity": 3})
    assert response.status_code == 200
    assert "below this site&#x27;s floor of 4" in response.content.decode()
    assert not Dialogue.objects.filter(title="Gulf Talks").exists()


def test_api_defaults_to_the_floor_and_refuses_below_it(world, client, settings) -> None:
    settings.TRACK2_K_ANONYMITY = 4
    headers = bearer(world.users["convener"])
    made = client.post(
        "/api/v1/dialogues", {"title": "API k"}, content_type="application/json", **headers
    )
    assert made.status_code == 201 and made.json()["k_anonymity"] == 4
    for bad in (3, -1, 2**70, "three"):
        low = client.post(
            "/api/v1/dialogues",
            {"title": "Low", "k_anonymity": bad},
            content_type="application/json",
            **headers,
        )
        # The schema checks the floor too (a per-call limit), with the other fields: 422.
        assert low.status_code == 422, (bad, low.content)
        assert low.json()["errors"][0]["loc"][-1] == "k_anonymity"
    patch = client.patch(
        f"/api/v1/dialogues/{made.json()['id']}",
        {"k_anonymity": 2},
        content_type="application/json",
        **headers,
    )
    assert patch.status_code == 422 and patch.json()["errors"][0]["loc"][-1] == "k_anonymity"
    assert "below this site's floor of 4" in patch.json()["errors"][0]["msg"]
    assert not Dialogue.objects.filter(title="Low").exists()


def test_data_migration_lifts_dialogues_below_the_floor(world, settings) -> None:
    Dialogue.objects.filter(pk=world.dialogue.pk).update(k_anonymity=2)
    world.dialogue.refresh_from_db()
    assert k_of(world.dialogue) == 3  # read at the floor even before the migration
    high = Dialogue.objects.create(
        title="Strict", k_anonymity=9, institution=world.dialogue.institution
    )
    settings.TRACK2_K_ANONYMITY = 4
    migration = importlib.import_module("track2.dialogues.migrations.0007_disclosure_k_floor")
    # The migration writes through the schema editor's connection; only that is needed here.
    migration.lift_dialogues_below_the_floor(apps, SimpleNamespace(connection=connection))
    assert Dialogue.objects.get(pk=world.dialogue.pk).k_anonymity == 4
    assert Dialogue.objects.get(pk=high.pk).k_anonymity == 9
