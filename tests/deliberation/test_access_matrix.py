"""Every role × every room route, API and pages: the exact status for each, 404 (never 403) for
anyone outside the dialogue, 401 (API) or the sign-in page for nobody signed in."""

from __future__ import annotations

import pytest

from tests.deliberation.test_map import accepted_statement, vote
from tests.helpers import sign_in
from track2.deliberation.models import Statement

MEMBERS = [
    "convener",
    "facilitator",
    "rapporteur",
    "participant",
    "unseated",
    "observer",
    "liaison",
]
OUTSIDE = ["outsider", "member_elsewhere", "foreign_convener", "site_admin"]
ROLES = MEMBERS + OUTSIDE


def expect(allowed: dict[str, int], members_otherwise: int) -> dict[str, int]:
    out = {role: allowed.get(role, members_otherwise) for role in MEMBERS}
    out |= {role: 404 for role in OUTSIDE}
    return out


def api_routes(room, statement, pending):
    s = f"/statements/{statement.pk}"
    p = f"/statements/{pending.pk}"
    facilitate = {"facilitator": 200, "convener": 200}
    return [
        ("get", "/statements", None, expect({}, 200)),
        ("get", "/statements?view=queue", None, expect(facilitate, 403)),
        ("get", "/statements?view=notes", None, expect(facilitate, 403)),
        ("get", "/statements?view=mine", None, expect({"participant": 200}, 403)),
        ("post", "/statements", {"text": "A fresh idea."}, expect({"participant": 201}, 403)),
        ("post", p + "/moderate", {"decision": "accept"}, expect(facilitate, 404)),
        ("put", s + "/vote", {"vote": "pass"}, expect({"participant": 200}, 403)),
        ("delete", s + "/vote", None, expect({"participant": 204}, 403)),
        (
            "get",
            "/common-ground",
            None,
            expect(
                {"participant": 200, "facilitator": 200, "convener": 200, "rapporteur": 200}, 403
            ),
        ),
        ("get", "/export?format=csv", None, expect({"convener": 200}, 404)),
        ("get", "/export?format=json", None, expect({"convener": 200}, 404)),
        ("get", "/export?format=polis", None, expect({"convener": 200}, 404)),
    ]


@pytest.fixture
def seeded(room):
    statement = accepted_statement(room, "Shared fishing grounds.")
    vote(room, room.participants[0], statement, "agree")
    from track2.deliberation import actions

    pending = actions.do_submit(
        actions.check_submit(
            room.participants[1], room.dialogue.pk, room.meeting.pk, "Pending one."
        )
    )
    return room, statement, pending


@pytest.mark.parametrize("role", ROLES)
def test_api_matrix(seeded, api, role):
    room, statement, pending = seeded
    call = api(room.users[role])
    for method, tail, body, expected in api_routes(room, statement, pending):
        # Each route starts from the same state: the pending statement pending again.
        Statement.objects.filter(pk=pending.pk).update(status="pending")
        response = call(method, room.url(tail), body)
        assert response.status_code == expected[role], (role, method, tail, response.content[:300])


def test_api_without_a_token_is_401(seeded, api):
    room, statement, pending = seeded
    call = api(None)
    for method, tail, body, _expected in api_routes(room, statement, pending):
        assert call(method, room.url(tail), body).status_code == 401, (method, tail)


def page_routes(room, statement, pending):
    base = f"/dialogues/{room.dialogue.pk}/meetings/{room.meeting.pk}/room/"
    facilitate = {"facilitator": 200, "convener": 200}
    redirect = 302
    return [
        ("get", base, None, expect({}, 200)),
        ("get", base + "?view=list", None, expect({}, 200)),
        ("get", base + "statements/new/", None, expect({"participant": 200}, 403)),
        (
            "post",
            base + "statements/new/",
            {"text": "Another idea."},
            expect({"participant": redirect}, 403),
        ),
        (
            "post",
            base + f"statements/{statement.pk}/vote/",
            {"vote": "agree"},
            expect({}, redirect),
        ),
        ("get", base + "mine/", None, expect({"participant": 200}, 403)),
        ("get", base + "moderation/", None, expect(facilitate, 404)),
        (
            "post",
            base + f"moderation/{pending.pk}/",
            {"decision": "accept"},
            expect({"facilitator": redirect, "convener": redirect}, 404),
        ),
        (
            "post",
            base + "moderation/order/",
            {"order": str(statement.pk)},
            expect({"facilitator": redirect, "convener": redirect}, 404),
        ),
        (
            "post",
            base + f"moderation/order/{statement.pk}/move/",
            {"direction": "down"},
            expect({"facilitator": redirect, "convener": redirect}, 404),
        ),
        (
            "get",
            base + "map/",
            None,
            expect(
                {"participant": 200, "facilitator": 200, "convener": 200, "rapporteur": 200}, 403
            ),
        ),
        ("get", base + "settings/", None, expect(facilitate, 404)),
        (
            "post",
            base + "settings/",
            {"moderation": "pre", "results": "after_vote", "order": "facilitator"},
            expect({"facilitator": redirect, "convener": redirect}, 404),
        ),
        ("get", base + "exports/", None, expect({"convener": 200}, 404)),
        ("get", base + "exports/csv/", None, expect({"convener": 200}, 404)),
        ("get", f"/dialogues/{room.dialogue.pk}/room-key/", None, expect({"convener": 200}, 404)),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_page_matrix(seeded, client, role):
    room, statement, pending = seeded
    sign_in(client, room.users[role])
    for method, url, body, expected in page_routes(room, statement, pending):
        Statement.objects.filter(pk=pending.pk).update(status="pending")
        response = getattr(client, method)(url, body or {})
        assert response.status_code == expected[role], (role, method, url, response.content[:300])


def test_pages_send_nobody_signed_out_to_sign_in(seeded, client):
    room, statement, pending = seeded
    for method, url, body, _expected in page_routes(room, statement, pending):
        response = getattr(client, method)(url, body or {})
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
