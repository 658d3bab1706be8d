"""A walk through the demo as each role: what every page a person can reach must get right."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.test import Client

from tests.site.walk import html_pages, walk

pytestmark = pytest.mark.django_db

ROLES = [
    "convener",  # not also "coconvener": the same role's pages, walked once as the convener
    "facilitator",
    "rapporteur",
    "participant",
    "participant.ostrava",
    "observer",
    "liaison",
]
# Pages of one kind share their template and title: two of each (two people's pages, not
# thirty) check every kind, and a second page's own links, at a fraction of the time.
PER_KIND = 2
TITLE = re.compile(r"<title>(.*?)</title>", re.S)


@pytest.fixture
def demo_logins(built_demo, db):
    return {login.email.split("@")[0]: login for login in built_demo}


def signed_in_client(login) -> Client:
    client = Client()
    response = client.post("/accounts/login/", {"email": login.email, "password": login.password})
    assert response.status_code == 302, response.content[:300]
    return client


def title_of(response) -> str:
    return unescape(TITLE.search(response.content.decode()).group(1)).strip()


def test_every_page_title_names_the_page_then_track2(demo_logins, client):
    titles = {path: title_of(client.get(path)) for path in ("/accounts/login/", "/accounts/reset/")}
    for role in ROLES:
        for path, response in html_pages(
            walk(signed_in_client(demo_logins[role]), per_kind=PER_KIND)
        ).items():
            titles[f"{role} {path}"] = title_of(response)
            # a label for nothing (a group of checkboxes has a fieldset's legend instead)
            assert b'for=""' not in response.content, (role, path)
    assert len(titles) > 40
    for where, title in titles.items():
        assert re.fullmatch(r"\S.*\S · Track2", title), (where, title)


def test_the_walk_reaches_every_page_of_the_convener(demo_logins):
    pages = html_pages(walk(signed_in_client(demo_logins["convener"]), per_kind=PER_KIND))
    for part in (
        "/balance/",
        "/meetings/",
        "/people/",
        "/venues/",
        "/roles/",
        "/parties/",
        "/edit/",
    ):
        assert any(part in path for path in pages), part
    assert all(
        r.status_code in (200, 302)
        for r in walk(signed_in_client(demo_logins["participant"]), per_kind=PER_KIND).values()
    )


@pytest.mark.parametrize("role", ROLES)
def test_every_link_shown_to_a_role_opens(demo_logins, role):
    # A link that answers 403 or 404 is a door shown to someone who may not pass it (the room's
    # map to an observer who never sees results, the public page before it is published).
    visited = walk(signed_in_client(demo_logins[role]), per_kind=PER_KIND)
    refused = {
        path: r.status_code for path, r in visited.items() if r.status_code not in (200, 302)
    }
    assert not refused, refused


@pytest.mark.parametrize("role", ["convener", "participant"])
def test_every_page_still_opens_after_retention_erased_the_content(demo_logins, role):
    # What survives erasure (the aggregates, the approved record, the outcome documents) is
    # shown on pages built around the content that went: none of them may fail without it.
    from datetime import timedelta

    from django.utils import timezone

    from track2.dialogues.models import Dialogue
    from track2.operations import retention
    from track2.operations.models import RetentionPolicy

    for dialogue in Dialogue.objects.all():
        RetentionPolicy.objects.update_or_create(
            dialogue=dialogue,
            defaults={"on_meeting_close": "aggregates", "delete_content_after_days": 0},
        )
    Dialogue.objects.update(status=Dialogue.Status.CONCLUDED)
    erased = retention.apply(timezone.now() + timedelta(days=3650)).erased
    assert sum(erased.values()) > 100, erased  # the room, the caucus, the record's notes…
    visited = walk(signed_in_client(demo_logins[role]), per_kind=1)
    refused = {p: r.status_code for p, r in visited.items() if r.status_code not in (200, 302)}
    assert not refused, refused
    assert len(html_pages(visited)) > 10
