"""The Retention page and /api/v1 endpoints: a dialogue's conveners set its policy and destroy its
key with a second convener; every other role, an outsider, members and conveners of other
dialogues or institutions and the site administrator get 404; bad input is refused clearly."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from tests.dialogues.test_access_matrix import ALL_ROLES
from tests.dialogues.test_api import bearer
from track2.audit.models import AuditEntry
from track2.operations.models import KeyDestruction, RetentionPolicy

GOOD = {
    "on_meeting_close": "aggregates",
    "delete_content_after_days": 30,
    "destroy_key_on_close": True,
}


def page(world, dialogue_id=None) -> str:
    return reverse("operations:retention", args=[dialogue_id or world.dialogue.pk])


def api(dialogue_id: int, tail: str = "retention") -> str:
    return f"/api/v1/dialogues/{dialogue_id}/{tail}"


def form(**fields) -> dict:
    data = {**GOOD, **fields}
    if data["delete_content_after_days"] is None:
        data["delete_content_after_days"] = ""
    if not data["destroy_key_on_close"]:
        del data["destroy_key_on_close"]
    return data


def state(world) -> tuple:
    keys = settings.TRACK2_HOME / "keys"
    return (
        list(RetentionPolicy.objects.values_list("on_meeting_close", "delete_content_after_days")),
        list(KeyDestruction.objects.values_list("pk", "destroyed_at")),
        AuditEntry.objects.count(),
        sorted(p.name for p in keys.iterdir()) if keys.exists() else [],
    )


@pytest.mark.parametrize("role", ALL_ROLES)
def test_access_matrix(world, signed_in, client, role):
    user, d = world.users[role], world.dialogue.pk
    browser = signed_in(user)
    token = bearer(user)
    if role == "convener":
        response = browser.get(page(world))
        assert response.status_code == 200
        assert b"Retention" in response.content and b'aria-current="page"' in response.content
        assert client.get(api(d), **token).json()["key"] == "kept"
        return
    before = state(world)
    for dialogue_id in (d, d + 999):
        assert browser.get(page(world, dialogue_id)).status_code == 404, role
        posted = browser.post(page(world, dialogue_id), form())
        assert posted.status_code == 404 and world.dialogue.title.encode() not in posted.content
        calls = [
            client.get(api(dialogue_id), **token),
            client.put(api(dialogue_id), GOOD, content_type="application/json", **token),
            client.post(api(dialogue_id, "key-destruction"), **token),
            client.post(api(dialogue_id, "key-destruction/confirmation"), **token),
        ]
        for answer in calls:
            assert answer.status_code == 404 and answer.json() == {"detail": "Not found."}, role
    assert state(world) == before


def test_anonymous_visitors_sign_in_first(world, client):
    response = client.get(page(world))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.get(api(world.dialogue.pk)).status_code == 401
    assert client.post(api(world.dialogue.pk, "key-destruction")).status_code == 401


def test_a_convener_sets_the_policy_on_the_page_and_it_is_audited(world, signed_in):
    convener = world.users["convener"]
    browser = signed_in(convener)
    settings_page = browser.get(reverse("dialogues:edit", args=[world.dialogue.pk])).content
    assert page(world).encode() in settings_page  # the dialogue's tabs link to it
    response = browser.post(page(world), form())
    assert response.status_code == 302
    policy = RetentionPolicy.objects.get(dialogue=world.dialogue)
    assert (policy.on_meeting_close, policy.delete_content_after_days) == ("aggregates", 30)
    assert policy.destroy_key_on_close
    entry = AuditEntry.objects.filter(object_type="retentionpolicy").get()
    assert entry.action == "update" and entry.actor_name
    shown = browser.get(page(world)).content.decode()
    assert 'value="30"' in shown and "checked" in shown
    browser.post(
        page(world),
        form(on_meeting_close="keep", delete_content_after_days=None, destroy_key_on_close=False),
    )
    policy.refresh_from_db()
    assert (policy.on_meeting_close, policy.delete_content_after_days) == ("keep", None)
    assert not policy.destroy_key_on_close


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"delete_content_after_days": -1}, "delete_content_after_days", "from 0 to 36500"),
        ({"delete_content_after_days": 10**12}, "delete_content_after_days", "from 0 to 36500"),
        ({"on_meeting_close": "shred"}, "on_meeting_close", "shred"),
        ({"on_meeting_close": "keep\x00"}, "on_meeting_close", ""),
        ({"delete_content_after_days": "thirty"}, "delete_content_after_days", "whole number"),
    ],
)
def test_bad_input_on_the_page_is_marked_and_nothing_saved(
    world,
    signed_in,
    fields,
    field,
    message,
):
    browser = signed_in(world.users["convener"])
    before = state(world)
    response = browser.post(page(world), form(**fields))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors and message in " ".join(errors[field]), errors
    assert state(world) == before


@pytest.mark.parametrize(
    ("fields", "status", "field", "message"),
    [
        ({"delete_content_after_days": -5}, 422, "delete_content_after_days", "from 0 to 36500"),
        (
            {"delete_content_after_days": 10**15},
            422,
            "delete_content_after_days",
            "from 0 to 36500",
        ),
        ({"on_meeting_close": "shred"}, 400, "on_meeting_close", "choose one of: keep, aggregates"),
        ({"on_meeting_close": "keep\u0007"}, 422, "on_meeting_close", ""),
        ({"delete_content_after_days": "30"}, 422, "delete_content_after_days", "0 to 36500"),
        ({"delete_content_after_days": True}, 422, "delete_content_after_days", "0 to 36500"),
        ({"destroy_key_on_close": "yes"}, 422, "destroy_key_on_close", ""),
    ],
)
def test_bad_input_in_the_api_is_refused_and_nothing_saved(
    world, client, fields, status, field, message
):
    token = bearer(world.users["convener"])
    before = state(world)
    answer = client.put(
        api(world.dialogue.pk), {**GOOD, **fields}, content_type="application/json", **token
    )
    assert answer.status_code == status, answer.json()
    body = answer.json()
    assert any(field in str(e.get("field", e.get("loc"))) for e in body["errors"]), body
    assert message in str(body)
    assert state(world) == before
    missing = client.put(
        api(world.dialogue.pk),
        {"on_meeting_close": "keep"},
        content_type="application/json",
        **token,
    )
    assert missing.status_code == 422


def test_the_api_reads_and_sets_the_policy(world, client):
    token = bearer(world.users["convener"])
    d = world.dialogue.pk
    answer = client.put(api(d), GOOD, content_type="application/json", **token)
    assert answer.status_code == 200
    assert answer.json() == {
        "dialogue_id": d,
        **GOOD,
        "key": "kept",
        "destruction_requested_by": None,
        "destruction_requested_at": None,
    }
    assert client.get(api(d), **token).json() == answer.json()


def test_destroying_the_key_takes_two_different_conveners(world, client, second_convener):
    first, second, d = world.users["convener"], second_convener, world.dialogue.pk
    keys = settings.TRACK2_HOME / "keys"
    keys.mkdir(mode=0o700)
    (keys / f"dialogue-{d}.key").write_bytes(b"k" * 32)

    nobody = client.post(api(d, "key-destruction/confirmation"), **bearer(first))
    assert nobody.status_code == 400 and "nobody has asked" in nobody.json()["detail"]

    asked = client.post(api(d, "key-destruction"), **bearer(first))
    assert asked.status_code == 201
    assert asked.json()["key"] == "destruction_requested"
    assert asked.json()["destruction_requested_by"] == first.pk
    again = client.post(api(d, "key-destruction"), **bearer(second))
    assert again.status_code == 400 and "another convener confirms" in again.json()["detail"]

    same = client.post(api(d, "key-destruction/confirmation"), **bearer(first))
    assert same.status_code == 400
    assert same.json()["detail"] == (
        "you asked for this destruction; a second convener of the dialogue must confirm it."
    )
    assert (keys / f"dialogue-{d}.key").exists()

    done = client.post(api(d, "key-destruction/confirmation"), **bearer(second))
    assert done.status_code == 200 and done.json()["key"] == "destroyed"
    assert not (keys / f"dialogue-{d}.key").exists()
    assert (keys / f"dialogue-{d}.destroyed").exists()
    trail = AuditEntry.objects.filter(object_type="keydestruction").order_by("at")
    assert [(e.action, e.actor_id) for e in trail] == [
        ("request", first.pk),
        ("destroy", second.pk),
    ]

    for user in (first, second):
        late = client.post(api(d, "key-destruction/confirmation"), **bearer(user))
        assert late.status_code == 400 and "already destroyed" in late.json()["detail"]
        assert client.post(api(d, "key-destruction"), **bearer(user)).status_code == 400


def test_the_page_shows_a_pending_request_and_the_destroyed_key(
    world, client, signed_in, second_convener
):
    d = world.dialogue.pk
    client.post(api(d, "key-destruction"), **bearer(world.users["convener"]))
    shown = signed_in(second_convener).get(page(world)).content.decode()
    assert "asked to destroy this key" in shown
    assert reverse("deliberation:destroy_key", args=[d]) in shown
    client.post(api(d, "key-destruction/confirmation"), **bearer(second_convener))
    shown = signed_in(second_convener).get(page(world)).content.decode()
    assert "key is destroyed" in shown
