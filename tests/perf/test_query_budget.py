"""Query budget of the reads: each page and API list of the demo stays within a fixed number of
queries, and that number does not grow with the data (no query per row)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.dialogues.conftest import make_person
from tests.dialogues.test_api import bearer
from track2.accounts.models import User
from track2.dialogues import actions, venue_actions
from track2.dialogues.models import Dialogue, Membership
from track2.meetings import actions as meeting_actions
from track2.meetings.models import MeetingParticipant

# Measured on the demo as its convener (the SAVEPOINT and RELEASE of the request's own
# transaction included), plus two queries of headroom. The access context carries the viewer's
# roles, so a page reads them once; the overview also reads the viewer's own seat in one query.
PAGE_BUDGET = {
    "dialogue": ("/dialogues/{d}/", 12),
    "people": ("/dialogues/{d}/people/", 15),
    "person": ("/dialogues/{d}/people/{p}/", 16),
    "delegations": ("/dialogues/{d}/delegations/", 11),
    "delegation": ("/dialogues/{d}/delegations/{g}/", 15),
    "meetings": ("/dialogues/{d}/meetings/", 10),
    "meeting": ("/dialogues/{d}/meetings/{m}/", 19),
    "meeting form": ("/dialogues/{d}/meetings/new/", 11),
    "venues": ("/dialogues/{d}/venues/", 10),
    "balance": ("/dialogues/{d}/balance/", 12),
}
API_BUDGET = {
    "dialogues": ("/dialogues", 9),
    "dialogue": ("/dialogues/{d}", 10),
    "people": ("/dialogues/{d}/people", 12),
    "delegations": ("/dialogues/{d}/delegations", 13),
    "meetings": ("/dialogues/{d}/meetings", 12),
    "meeting": ("/dialogues/{d}/meetings/{m}", 14),
    "participants": ("/dialogues/{d}/meetings/{m}/participants", 12),
    "venues": ("/dialogues/{d}/venues", 12),
    "roles": ("/dialogues/{d}/roles", 11),
}


@pytest.fixture
def demo_site(built_demo, db):
    dialogue = Dialogue.objects.get(title="Varena Sea Dialogue")
    meeting = dialogue.meetings.order_by("starts_at").first()
    ids = {
        "d": dialogue.pk,
        "m": meeting.pk,
        "g": dialogue.delegations.order_by("pk").first().pk,
        "p": dialogue.candidacies.order_by("pk").first().person_id,
    }
    return dialogue, ids


def _user(role: str) -> User:
    return User.objects.get(email=f"{role}@demo.track2.invalid")


def _queries(client, url: str, **headers) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **headers)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured)


def _grow(dialogue: Dialogue, batch: int = 0) -> None:
    """Ten more of everything a list shows: people, seats, meetings with participants, venues."""
    convener = _user("convener")
    side = dialogue.delegations.filter(kind="side").order_by("pk").first()
    newcomers = [
        make_person(dialogue, f"Extra Person{batch}x{n}", sector="media") for n in range(10)
    ]
    for person in newcomers:
        actions.do_seat_in_delegation(convener, side, person)
    start = timezone.now() + timedelta(days=90)
    for n in range(10):
        venue = venue_actions.do_create_venue(
            convener,
            dialogue,
            name=f"Extra hall {batch}-{n}",
            kind="university",
            city="Geneva",
            country="Switzerland",
        )
        meeting = meeting_actions.do_create_meeting(
            convener,
            dialogue,
            title=f"Extra round {batch}-{n}",
            time_zone="UTC",
            venue=venue,
            starts_at=start + timedelta(days=10 * batch + n),
            ends_at=start + timedelta(days=10 * batch + n, hours=2),
        )
        for person in newcomers:
            MeetingParticipant.objects.create(meeting=meeting, person=person)
    for n in range(5):
        other = actions.do_create_dialogue(convener, title=f"Extra dialogue {batch}-{n}")
        actions.do_add_party(convener, other, name=f"Extra party {n}", country="Norland")
        for role in ("observer", "participant", "facilitator"):
            Membership.objects.create(dialogue=other, user=_user(role), role=role)
    first = dialogue.meetings.order_by("starts_at").first()
    for person in newcomers:
        MeetingParticipant.objects.get_or_create(meeting=first, person=person)


@pytest.mark.parametrize("name", sorted(PAGE_BUDGET))
def test_page_within_budget(client, demo_site, django_assert_max_num_queries, name):
    _dialogue, ids = demo_site
    path, budget = PAGE_BUDGET[name]
    client.force_login(_user("convener"))
    with django_assert_max_num_queries(budget):
        assert client.get(path.format(**ids)).status_code == 200


@pytest.mark.parametrize("name", sorted(API_BUDGET))
def test_api_within_budget(client, demo_site, django_assert_max_num_queries, name):
    _dialogue, ids = demo_site
    path, budget = API_BUDGET[name]
    headers = bearer(_user("convener"))
    with django_assert_max_num_queries(budget):
        assert client.get("/api/v1" + path.format(**ids), **headers).status_code == 200


@pytest.mark.parametrize("role", ["convener", "participant", "observer"])
def test_queries_do_not_grow_with_the_data(client, demo_site, role):
    dialogue, ids = demo_site
    user = _user(role)
    headers = bearer(user)
    client.force_login(user)
    pages = [path.format(**ids) for path, _budget in PAGE_BUDGET.values()]
    apis = ["/api/v1" + path.format(**ids) for path, _budget in API_BUDGET.values()]

    def allowed(urls, **extra):
        found = {}
        for url in urls:
            with CaptureQueriesContext(connection):
                status = client.get(url, **extra).status_code
            if status == 200:
                found[url] = _queries(client, url, **extra)
        return found

    before = {**allowed(pages), **allowed(apis, **headers)}
    assert len(before) >= (6 if role != "convener" else len(pages) + len(apis))

    def measure() -> dict[str, int]:
        return {
            url: _queries(client, url, **(headers if url.startswith("/api/") else {}))
            for url in before
        }

    _grow(dialogue, batch=1)
    after = measure()
    _grow(dialogue, batch=2)
    # The first growth may add one query where a kind of entry first appears (a page's change
    # history names each kind of object with one query); after that, more rows add none.
    assert all(after[url] - before[url] <= 1 for url in before), (before, after)
    assert measure() == after


@pytest.mark.parametrize("role", ["convener", "facilitator", "participant", "observer"])
def test_roles_are_read_once_per_request(client, demo_site, role):
    """Every page and API answer of a dialogue reads the viewer's roles in one query: the view,
    the navigation tag, the checks and the templates all ask the one access context."""
    _dialogue, ids = demo_site
    user = _user(role)
    client.force_login(user)
    urls = [path.format(**ids) for path, _budget in PAGE_BUDGET.values()]
    urls += ["/api/v1" + path.format(**ids) for path, _budget in API_BUDGET.values()]
    answered = 0
    for url in urls:
        extra = bearer(user) if url.startswith("/api/") else {}
        with CaptureQueriesContext(connection) as captured:
            status = client.get(url, **extra).status_code
        if status != 200:
            continue
        answered += 1
        # The viewer's roles (not a list of the dialogue's roles, nor a subquery naming conveners).
        membership_reads = [
            q["sql"]
            for q in captured.captured_queries
            if q["sql"].startswith('SELECT "dialogues_membership"."role" AS "role" FROM')
            or q["sql"].startswith('SELECT "dialogues_membership"."id", "dialogues_membership".')
            and 'INNER JOIN "dialogues_dialogue"' in q["sql"]
        ]
        assert len(membership_reads) <= 1, (url, membership_reads)
    assert answered >= 6  # the meeting page among them, for every role
