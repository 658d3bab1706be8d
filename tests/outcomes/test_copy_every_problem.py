"""The aide-mémoire's copy export checks its format, version and recipient together and refuses
with every problem at once: an unknown format was refused before the recipient was checked, and
the page then redirected, losing the typed name. The page comes back with the name as typed."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from tests.facilitation.page_fields import errors_at, page_of
from tests.helpers import sign_in
from tests.outcomes.conftest import SECTIONS
from tests.outcomes.test_api import call
from track2 import validation
from track2.errors import ActionRefused
from track2.outcomes import actions
from track2.outcomes.models import Copy

ESC = "\x1b"
FORMAT = "Choose a format: one of html, markdown, pdf, json."


@pytest.fixture
def memo(world):
    return actions.do_create(
        world["convener"], world.dialogue.pk, kind="aide_memoire", title="AM", sections=SECTIONS
    )


def test_the_action_names_format_version_and_recipient_at_once(world, memo):
    with pytest.raises(ActionRefused) as refused:
        actions.do_export(
            world["convener"], world.dialogue.pk, memo.pk, fmt="docx", version=2**63,
            recipient=f"Envoy {ESC}",
        )  # fmt: skip
    problems = dict(refused.value.problems)
    assert set(problems) == {"format", "version", "recipient"}
    assert problems["format"] == FORMAT
    assert problems["recipient"] == validation.control_characters_message()
    assert not Copy.objects.exists()


@pytest.mark.parametrize(
    "typed, at_recipient",
    [
        (f'<i>"Envoy {ESC}', validation.control_characters_message()),
        ("E" * 100_000, "200 characters"),
        ("", "Name the recipient"),
        ("Envoy of the North", None),  # a good name, kept while the format is refused
    ],
    ids=["a control character", "100,000 characters", "none", "a good name"],
)
def test_the_page_shows_the_format_and_the_recipient_together(
    client, world, memo, typed, at_recipient
):
    sign_in(client, world["convener"])
    url = f"/dialogues/{world.dialogue.pk}/outcomes/{memo.pk}/export/docx/"
    response = client.get(url, {"recipient": typed})
    assert response.status_code == 400, response.status_code
    page = page_of(response)
    assert FORMAT in response.content.decode()
    assert page.controls["recipient"].value == typed
    if at_recipient is None:
        assert not page.controls["recipient"].is_invalid
    else:
        assert at_recipient in errors_at(page, "recipient")
    assert b'<i>"Envoy' not in response.content  # escaped
    assert not Copy.objects.exists()


def test_a_format_refused_on_a_document_without_copies_is_said_on_its_page(
    client, world, statement_doc
):
    sign_in(client, world["convener"])
    url = f"/dialogues/{world.dialogue.pk}/outcomes/{statement_doc.pk}/export/docx/"
    response = client.get(url, {"recipient": "Envoy"})
    assert response.status_code == 400 and FORMAT in response.content.decode()
    redirected = client.get(url, follow=True)  # the plain links send no recipient
    assert FORMAT in redirected.content.decode()


def test_the_api_lists_format_version_and_recipient_in_one_refusal(client, world, memo):
    path = (
        f"/dialogues/{world.dialogue.pk}/outcomes/{memo.pk}/export"
        f"?format=docx&version={2**63}&recipient={quote('Envoy' + ESC)}"
    )
    response = call(client, world["convener"], "get", path)
    assert response.status_code == 422, response.content
    errors = {e["loc"][-1]: e["msg"] for e in response.json()["errors"]}
    assert set(errors) == {"format", "version", "recipient"}
    assert errors["recipient"] == validation.control_characters_message()
    assert not Copy.objects.exists()
