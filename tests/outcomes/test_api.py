"""The outcome documents' API: every route × every role (and outsiders), a canary scan for names
on every answer under Chatham House, and bad input answered with every problem at once."""

from __future__ import annotations

import json

import pytest

from tests.outcomes.conftest import SECTIONS
from track2.accounts import actions as account_actions
from track2.disclosure.status import STATUS_LINE
from track2.outcomes import actions
from track2.outcomes.models import Amendment, Endorsement, Ranking, Version

ROLES = [
    "convener", "facilitator", "rapporteur", "participant", "observer", "liaison",
    "outsider", "member_elsewhere", "foreign_convener", "site_admin",
]  # fmt: skip
MEMBERS = {"convener", "facilitator", "rapporteur", "participant", "observer", "liaison"}
DRAFTERS = {"convener", "facilitator"}
AMENDERS = {"convener", "facilitator", "rapporteur", "participant"}


def call(client, user, method, path, body=None):
    headers = {}
    if user is not None:
        secret, _token = account_actions.do_create_api_token(user, f"t-{method}-{path}"[:100])
        headers["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    kwargs = {"content_type": "application/json", **headers}
    if body is not None:
        kwargs["data"] = body if isinstance(body, bytes) else json.dumps(body)
    return getattr(client, method)("/api/v1" + path, **kwargs)


@pytest.fixture
def routes(world, statement_doc):
    d = f"/dialogues/{world.dialogue.pk}/outcomes"
    o = f"{d}/{statement_doc.pk}"
    version = actions.current(statement_doc)
    pending = actions.do_propose(
        world["norvik0"], world.dialogue.pk, statement_doc.pk, paragraph_key="data", text="Data."
    )
    draft = actions.do_add_alternative(
        world["facilitator"], world.dialogue.pk, statement_doc.pk, paragraph_key="line", text="B"
    )
    return [
        ("get", d, None, MEMBERS),
        ("post", d, {"kind": "non_paper", "title": "N", "sections": SECTIONS}, DRAFTERS),
        ("get", o, None, MEMBERS),
        ("get", o + "/versions", None, MEMBERS),
        ("get", o + "/diff?a=1&b=1", None, MEMBERS),
        ("get", o + "/amendments", None, MEMBERS),
        ("post", o + "/amendments", {"paragraph_key": "fish", "text": "New."}, AMENDERS),
        ("post", o + f"/amendments/{pending.pk}/decision", {"accept": False, "reason": "No."},
         DRAFTERS),
        ("put", o + "/endorsement", {"grade": "endorse", "version_sha256": version.sha256},
         {"participant"}),
        ("get", o + "/endorsement", None, {"participant"}),
        ("post", o + "/alternatives", {"paragraph_key": "line", "text": "C"}, DRAFTERS),
        ("get", o + "/alternatives/line", None, MEMBERS),
        ("put", o + "/ranking", {"paragraph_key": "line", "order": [draft.pk]}, {"participant"}),
        ("get", o + "/export?format=markdown", None, MEMBERS),
    ]  # fmt: skip


@pytest.mark.parametrize("role", ROLES)
def test_access_matrix(client, world, routes, role):
    for method, path, body, allowed in routes:
        response = call(client, world[role], method, path, body)
        if role in allowed:
            assert response.status_code in (200, 201), (role, method, path, response.content[:300])
        elif role in MEMBERS:  # reads the document, lacks the role: told why (403)
            assert response.status_code == 403, (role, method, path, response.status_code)
        else:
            assert response.status_code == 404, (role, method, path, response.status_code)
            assert response.json() == {"detail": "Not found."}


def test_anonymous_callers_are_refused(client, world, routes):
    for method, path, body, _allowed in routes:
        assert call(client, None, method, path, body).status_code == 401


def test_aide_memoire_only_conveners_and_every_copy_numbered(client, world):
    document = actions.do_create(
        world["convener"], world.dialogue.pk, kind="aide_memoire", title="AM", sections=SECTIONS
    )
    path = f"/dialogues/{world.dialogue.pk}/outcomes/{document.pk}"
    for role in ROLES:
        if role == "convener":
            continue
        assert call(client, world[role], "get", path).status_code == 404
        assert (
            call(
                client, world[role], "get", path + "/export?format=markdown&recipient=X"
            ).status_code
            == 404
        )
    refused = call(client, world["convener"], "get", path + "/export?format=markdown")
    assert refused.status_code == 400 and "recipient" in refused.content.decode()
    for n in (1, 2):
        response = call(
            client, world["convener"], "get", path + "/export?format=markdown&recipient=Envoy"
        )
        assert response.status_code == 200
        assert f"copy {n} for Envoy" in response.content.decode()
        assert response["Content-Disposition"].endswith(f'-copy{n}.md"')
    listed = call(client, world["facilitator"], "get", f"/dialogues/{world.dialogue.pk}/outcomes")
    assert all(item["type"] != "aide_memoire" for item in listed.json()["items"])


def test_no_name_on_any_surface_under_chatham_house(client, world, statement_doc):
    version = actions.current(statement_doc)
    for name in ("ostrava0", "ostrava1", "ostrava2", "norvik0", "norvik1", "norvik2"):
        actions.do_endorse(
            world[name], world.dialogue.pk, statement_doc.pk, grade="endorse",
            version_sha256=version.sha256, listed=True,
        )  # fmt: skip
    actions.do_propose(
        world["norvik0"], world.dialogue.pk, statement_doc.pk, paragraph_key="fish", text="Canary."
    )
    o = f"/dialogues/{world.dialogue.pk}/outcomes/{statement_doc.pk}"
    paths = [o, o + "/amendments", o + "/versions", o + "/alternatives/fish",
             *(o + f"/export?format={f}" for f in ("html", "markdown", "json"))]  # fmt: skip
    for path in paths:
        body = call(client, world["observer"], "get", path).content.decode()
        assert STATUS_LINE in body, path
        for secret in ("Person", "@example.org", "ostrava0", "norvik0"):
            assert secret not in body, (path, secret)


def test_on_record_lists_only_those_who_chose(client, world):
    document = actions.do_create(
        world["facilitator"], world.dialogue.pk, kind="joint_statement", title="On record",
        sections=SECTIONS, attribution="on_record",
    )  # fmt: skip
    version = actions.current(document)
    for name, listed in (("ostrava0", True), ("ostrava1", False)):
        actions.do_endorse(
            world[name], world.dialogue.pk, document.pk, grade="endorse",
            version_sha256=version.sha256, listed=listed,
        )  # fmt: skip
    body = call(
        client, world["observer"], "get", f"/dialogues/{world.dialogue.pk}/outcomes/{document.pk}"
    ).json()
    assert [e["name"] for e in body["consensus"]["listed_endorsers"]] == ["Ostrava Person 0"]


def test_bad_input_all_problems_at_once_and_nothing_lost(client, world, statement_doc):
    d = f"/dialogues/{world.dialogue.pk}/outcomes"
    before = Version.objects.count()
    huge = call(client, world["facilitator"], "post", d, {
        "kind": "treaty", "title": "x" * 201, "attribution": "secret",
        "sections": [{"heading": "H\u0007", "paragraphs": [{"text": "y" * 5001}]}],
    })  # fmt: skip
    assert huge.status_code in (400, 422)
    fields = json.dumps(huge.json())
    assert "title" in fields and "heading" in fields and "text" in fields
    refused = call(client, world["facilitator"], "post", d, {
        "kind": "treaty", "title": "T", "attribution": "secret", "sections": [],
    })  # fmt: skip
    assert refused.status_code == 400
    fields = {e.get("field") for e in refused.json()["errors"]}
    assert {"kind", "attribution", "sections"} <= fields
    assert Version.objects.count() == before
    o = f"{d}/{statement_doc.pk}"
    stale = call(client, world["ostrava0"], "put", o + "/endorsement",
                 {"grade": "endorse", "version_sha256": "f" * 64})  # fmt: skip
    assert stale.status_code == 400 and "current text" in stale.content.decode()
    assert Endorsement.objects.count() == 0
    ranking = call(client, world["ostrava0"], "put", o + "/ranking",
                   {"paragraph_key": "line", "order": [2**70]})  # fmt: skip
    assert ranking.status_code in (400, 422)
    assert Ranking.objects.count() == 0
    invalid = call(
        client,
        world["ostrava0"],
        "post",
        o + "/amendments",
        b'{"paragraph_key": "fish", "text": "\xff\xfe"}',
    )
    assert invalid.status_code in (400, 422)
    assert Amendment.objects.count() == 0
    big = call(
        client,
        world["ostrava0"],
        "post",
        o + "/amendments",
        {"paragraph_key": "fish", "text": "z" * 3_000_000},
    )
    assert big.status_code in (400, 413, 422)
