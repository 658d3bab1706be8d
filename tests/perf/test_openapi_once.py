"""The OpenAPI document is built once per process and is the same document ninja builds."""

from __future__ import annotations

import json

import ninja.main
from django.http import JsonResponse
from ninja.openapi.schema import get_schema

from track2.api.refusals import declare_refusals
from track2.api.urls import api


def test_openapi_document_is_built_once_and_unchanged(
    client, monkeypatch, db
):  # every request is atomic
    builds = []
    real = ninja.main.get_schema

    def counting(**kwargs):
        builds.append(kwargs["path_prefix"])
        return real(**kwargs)

    monkeypatch.setattr(ninja.main, "get_schema", counting)
    first = client.get("/api/v1/openapi.json")
    again = [client.get("/api/v1/openapi.json") for _ in range(3)]
    assert first.status_code == 200 and all(r.content == first.content for r in again)
    assert len(builds) <= 1  # none when an earlier test of this process already built it
    assert first.json() == json.loads(
        JsonResponse(declare_refusals(get_schema(api=api, path_prefix="/api/v1/"))).content
    )
    assert "/api/v1/dialogues/{dialogue_id}/meetings" in first.json()["paths"]
