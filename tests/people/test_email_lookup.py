"""An e-mail address is checked before it is looked up in the directory (form sweep finding):
100,000 characters made SQLite's LIKE fail ("pattern too complex") and a NUL made PostgreSQL
refuse the query, both a server error on the Add person page. Every problem is shown at once and
what was typed is kept."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.facilitation.page_fields import errors_at, page_of
from tests.helpers import sign_in
from track2.errors import ActionRefused
from track2.people import actions
from track2.people.models import Person
from track2.people.validation import clean_email

from .test_views import FORM


@pytest.fixture
def conv_client(convener):
    # Server errors answer 500 here, as a browser would see them, instead of raising.
    client = Client(raise_request_exception=False)
    sign_in(client, convener)
    return client


@pytest.mark.parametrize(
    "typed, said",
    [
        ("a" * 100_000 + "@example.org", "at most 254 characters"),
        ("a\x00b@example.org", "invisible control characters"),
        ('"a\x07b"@example.org', "invisible control characters"),  # a quoted local part
    ],
    ids=["100,000 characters", "NUL", "bell in a quoted local part"],
)
def test_a_bad_address_is_refused_on_the_add_form_with_every_problem_and_kept(
    conv_client, dialogue, add_person, typed, said
):
    # With nobody in the directory SQLite never compares the pattern, and never fails on it.
    add_person(email="amina@example.org")
    response = conv_client.post(
        reverse("people:add", args=[dialogue.pk]), {**FORM, "email": typed, "full_name": ""}
    )
    assert response.status_code == 400, response.status_code
    page = page_of(response)
    assert said in errors_at(page, "id_email")
    assert "required" in errors_at(page, "id_full_name")  # and the other problem, at once
    assert page.controls["id_email"].value.replace("\x00", "") == typed.replace("\x00", "")
    assert page.controls["id_country"].value == FORM["country"]  # nothing typed is lost
    assert Person.objects.count() == 1


def test_a_bad_address_is_in_no_directory_and_never_reaches_the_database(
    dialogue, add_person, django_assert_num_queries
):
    add_person(email="amina@example.org")
    with django_assert_num_queries(0):
        for typed in ("a" * 100_000, "amina\x00@example.org", "", None, "not an address"):
            assert actions.find_in_directory(dialogue.institution, typed) is None
    found = actions.find_in_directory(dialogue.institution, "  AMINA@example.org ")
    assert found is not None and found.email == "amina@example.org"


def test_nominating_by_a_bad_address_says_what_is_wrong_with_it(dialogue):
    with pytest.raises(ActionRefused) as refused:
        actions.check_nominate_by_email(dialogue, "x" * 300 + "@example.org")
    assert refused.value.field == "email" and "at most 254 characters" in refused.value.message


def test_the_longest_address_the_column_holds_is_welcome():
    longest = "a" * 64 + "@" + ".".join(["b" * 61] * 3) + ".org"
    assert len(longest) == 254 and clean_email(longest) == longest
    with pytest.raises(ActionRefused, match="at most 254"):
        clean_email("a" + longest)


def test_a_control_character_in_a_quoted_local_part_is_refused_by_the_action_too():
    # Django's validator admits it ("a\x07b"@example.org is RFC 5321 syntax); the roster and the
    # API reach clean_email without the page form's own text rule.
    with pytest.raises(ActionRefused, match="control character"):
        clean_email('"a\x07b"@example.org')
