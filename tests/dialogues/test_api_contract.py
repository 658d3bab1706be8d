"""The API documents what it answers: refusals in the OpenAPI document, 401 for anonymous
writes (not a CSRF 403), CSRF still required of a signed-in browser, times in UTC with Z."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from track2.api.urls import api as ninja_api

from .test_api import bearer


@pytest.fixture(scope="module")
def document():
    return ninja_api.get_openapi_schema()


def operations(document):
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def test_every_operation_declares_its_refusals_with_json_schemas(document):
    schemas = document["components"]["schemas"]
    count = 0
    for path, method, operation in operations(document):
        count += 1
        statuses = set(operation["responses"])
        expected = {"400", "401", "404", "422"} | ({"403", "413"} if method != "get" else set())
        assert expected <= statuses, (method, path, statuses)
        assert all(isinstance(status, str) for status in operation["responses"])
        for status in expected:
            ref = operation["responses"][status]["content"]["application/json"]["schema"]["$ref"]
            assert ref.removeprefix("#/components/schemas/") in schemas
    assert count >= 45


def test_success_statuses_are_the_ones_answered(document):
    paths = document["paths"]
    assert "201" in paths["/api/v1/dialogues"]["post"]["responses"]
    assert (
        "204"
        in paths["/api/v1/dialogues/{dialogue_id}/meetings/{meeting_id}"]["delete"]["responses"]
    )
    for _path, _method, operation in operations(document):
        assert any(status.startswith("2") for status in operation["responses"]), operation[
            "operationId"
        ]


def test_field_limits_are_in_the_schema(document):
    text = str(document)
    assert "'maxLength': 200" in text and "'maximum': 9223372036854775807" in text


def test_anonymous_writes_get_the_documented_401(db, world):
    anonymous = Client(enforce_csrf_checks=True)
    for method, path in (
        ("post", "/api/v1/dialogues"),
        ("patch", f"/api/v1/dialogues/{world.dialogue.pk}"),
        ("delete", f"/api/v1/dialogues/{world.dialogue.pk}/meetings/{world.meeting.pk}"),
    ):
        response = getattr(anonymous, method)(path, data="{}", content_type="application/json")
        assert response.status_code == 401, (path, response.content)
        assert "Bearer" in response.json()["detail"]


def test_a_signed_in_browser_still_needs_the_csrf_token(world):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.users["convener"])
    refused = browser.post(
        "/api/v1/dialogues", data='{"title": "Gulf Talks"}', content_type="application/json"
    )
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    browser.get("/")  # sets the CSRF cookie, as a page load does
    token = browser.cookies["csrftoken"].value
    made = browser.post(
        "/api/v1/dialogues",
        data='{"title": "Gulf Talks"}',
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert made.status_code == 201, made.content
    # A personal token needs no CSRF token (it is not sent by browsers on their own).
    scripted = Client(enforce_csrf_checks=True).post(
        "/api/v1/dialogues",
        data='{"title": "Other"}',
        content_type="application/json",
        **bearer(world.users["convener"]),
    )
    assert scripted.status_code == 201


UTC_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")


def test_times_in_api_answers_are_utc_with_z(client, world):
    headers = bearer(world.users["convener"])
    d, m = world.dialogue.pk, world.meeting.pk
    meeting = client.get(f"/api/v1/dialogues/{d}/meetings/{m}", **headers).json()
    assert UTC_Z.match(meeting["starts_at"]) and UTC_Z.match(meeting["ends_at"])
    # Local times carry their zone's offset: they are not UTC and say so.
    assert not meeting["starts_local"].endswith("Z")
    person = world.persons["eli"]
    client.post(
        f"/api/v1/dialogues/{d}/people/{person.pk}/withdraw",
        data="{}",
        content_type="application/json",
        **headers,
    )
    detail = client.get(f"/api/v1/dialogues/{d}/people/{person.pk}", **headers).json()
    assert detail["history"] and all(UTC_Z.match(step["at"]) for step in detail["history"])


# Operations that take no account by design (docs/api.md, "Back channel"): the relay, opened by a
# mailbox's tokens in headers, and the public transparency log.
WITHOUT_ACCOUNT = re.compile(r"^/api/v1/backchannel/(mailboxes/|log/)")


def test_every_operation_answers_401_without_credentials(document, world):
    anonymous = Client(enforce_csrf_checks=True)
    for path, method, operation in operations(document):
        url = re.sub(r"\{\w+\}", str(world.dialogue.pk), path)
        if "security" not in operation:
            assert WITHOUT_ACCOUNT.match(path), f"{method} {path} declares no authentication"
            continue
        body = {} if method == "get" else {"data": "{}", "content_type": "application/json"}
        response = getattr(anonymous, method)(url, **body)
        assert response.status_code == 401, (method, path, response.status_code)
        assert response.json()["detail"]
