"""The admin's searches and forms follow the project's input rules (track2.site.admin_rules)."""

from __future__ import annotations

import html
import re

import pytest
from django.contrib import admin
from django.test import RequestFactory

from tests.helpers import PASSWORD, sign_in
from track2.accounts.actions import do_create_api_token
from track2.accounts.models import User
from track2.institutions.models import ConveningRight, Institution
from track2.site.admin_rules import MAX_SEARCH_LENGTH, RuledInline, RuledModelAdmin
from track2.site.forms import InputRules

CHANGELISTS = [
    "/admin/accounts/user/",
    "/admin/accounts/apitoken/",
    "/admin/institutions/institution/",
    "/admin/institutions/conveningright/",
]


@pytest.fixture
def admin_client(client, make_user):
    root = User.objects.create_superuser(email="root@example.org", password=PASSWORD)
    sign_in(client, root)
    ilse = make_user("ilse@maritime.example", display_name="Ilse Marken")
    hugo = make_user("hugo@harbour.example", display_name="Hugo Harbour")
    for person in (ilse, hugo):
        do_create_api_token(person, f"{person.display_name}'s laptop")
    maritime = Institution.objects.create(name="Institute for Maritime Dialogue")
    Institution.objects.create(name="Harbour Foundation")
    ConveningRight.objects.create(user=ilse, institution=maritime, granted_by=root)
    return client


def search_box(page: str) -> str:
    return re.search(r'<input[^>]*id="searchbar"[^>]*>', page).group(0)


@pytest.mark.parametrize("url", CHANGELISTS)
@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("m" * (MAX_SEARCH_LENGTH + 1), f"a search takes at most {MAX_SEARCH_LENGTH}"),
        ("m" * 100_000, f"a search takes at most {MAX_SEARCH_LENGTH}"),
        ("Mari\x07time", "invisible control characters"),
        ("Mari\x1btime", "invisible control characters"),
        ("Mari\x00time", "Null characters are not allowed"),
        ("Mari\ttime", "one line"),
    ],
)
def test_a_search_it_cannot_run_is_refused_and_kept(admin_client, url, typed, reason):
    response = admin_client.get(url, {"q": typed})
    assert response.status_code == 200
    page = response.content.decode()
    assert reason in html.unescape(page)
    box = search_box(page)
    assert 'aria-invalid="true"' in box
    # What was typed is shown again to be corrected (without the control character).
    shown = html.unescape(re.search(r'value="([^"]*)"', box).group(1))
    assert shown == typed.replace("\x07", "").replace("\x1b", "").replace("\x00", "")
    # Nothing was searched: every row is listed, as on the changelist without a search.
    assert response.context["cl"].result_count == response.context["cl"].full_result_count


@pytest.mark.parametrize(
    ("url", "typed", "found", "not_found"),
    [
        ("/admin/accounts/user/", "maritime", "ilse@maritime.example", "hugo@harbour.example"),
        ("/admin/accounts/apitoken/", "harbour", "Hugo Harbour", "Ilse Marken"),
        ("/admin/institutions/institution/", "Harbour", "Harbour Foundation", "Maritime"),
        ("/admin/institutions/conveningright/", "ilse", "Ilse Marken", "Hugo Harbour"),
    ],
)
def test_a_search_within_the_rules_still_finds(admin_client, url, typed, found, not_found):
    response = admin_client.get(url, {"q": typed})
    page = response.content.decode()
    assert response.status_code == 200 and "The search was not run" not in page
    assert found in page and not_found not in page.split('id="result_list"')[1]
    box = search_box(page)
    assert "aria-invalid" not in box and f'maxlength="{MAX_SEARCH_LENGTH}"' in box
    assert f'value="{typed}"' in box


def test_an_autocomplete_term_it_cannot_run_finds_nothing(admin_client):
    # Unchecked, SQLite refuses the LIKE pattern ("too complex"): a server error.
    response = admin_client.get(
        "/admin/autocomplete/",
        {
            "term": "m" * 100_000,
            "app_label": "institutions",
            "model_name": "conveningright",
            "field_name": "user",
        },
    )
    assert response.status_code == 200 and response.json()["results"] == []


def test_an_autocomplete_term_within_the_rules_finds(admin_client):
    response = admin_client.get(
        "/admin/autocomplete/",
        {
            "term": "ilse",
            "app_label": "institutions",
            "model_name": "conveningright",
            "field_name": "user",
        },
    )
    assert [r["text"] for r in response.json()["results"]] == ["Ilse Marken"]


@pytest.mark.parametrize("page", ["change", "delete"])
@pytest.mark.parametrize("changelist", CHANGELISTS)
def test_an_empty_to_field_means_the_primary_key(admin_client, changelist, page):
    # Django checks `_to_field` only when it has a value, then looks up a field named "": a
    # server error on every change and delete page, found by the query sweep.
    model = admin_client.get(changelist).context["cl"].model
    obj = model.objects.order_by("pk").first()
    plain = admin_client.get(f"{changelist}{obj.pk}/{page}/")
    response = admin_client.get(f"{changelist}{obj.pk}/{page}/", {"_to_field": ""})
    assert response.status_code == plain.status_code  # 403: an API token is never deleted here
    if response.status_code == 200:
        assert response.context["original" if page == "change" else "object"] == obj
    # A field that may not be named is refused as before.
    refused = admin_client.get(f"{changelist}{obj.pk}/{page}/", {"_to_field": "password"})
    assert refused.status_code == 400


def test_every_admin_of_the_project_follows_the_rules(db):
    """A new ModelAdmin or inline that forgets the rules lets control characters into the
    database and gives server errors on searches: each registered one is checked here."""
    root = User.objects.create_superuser(email="root@example.org", password=PASSWORD)
    request = RequestFactory().get("/admin/")
    request.user = root
    checked = 0
    for model, model_admin in admin.site._registry.items():
        if not model.__module__.startswith("track2."):
            continue
        assert isinstance(model_admin, RuledModelAdmin), model
        existing = model.objects.first()
        objects = [None, existing] if existing is not None else [None]
        for obj in objects:
            assert issubclass(model_admin.get_form(request, obj), InputRules), model
        for inline in model_admin.get_inline_instances(request):
            assert isinstance(inline, RuledInline), (model, inline)
            formset = inline.get_formset(request)
            assert issubclass(formset.form, InputRules), (model, inline)
        checked += 1
    assert checked >= 4
