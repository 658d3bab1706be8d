"""Two forms of the document page refused (form sweep findings): an amendment's decision comes
back in that amendment's form with the reason as typed, marked, its problem beside it; the
aide-mémoire's copy form comes back (not a redirect that lost it) with the recipient as typed,
marked. Nothing is decided, no copy is numbered."""

from __future__ import annotations

import pytest

from tests.facilitation.page_fields import errors_at, page_of
from tests.helpers import sign_in
from tests.outcomes.conftest import SECTIONS
from track2.outcomes import actions
from track2.outcomes.models import Amendment, Copy

ESC = "\x1b"


def _amendments(world, document):
    first = actions.do_propose(
        world["participant"],
        world.dialogue.pk,
        document.pk,
        paragraph_key="line",
        text="A hotline between navies.",
    )
    second = actions.do_propose(
        world["participant"], world.dialogue.pk, document.pk, paragraph_key="fish",
        text="Both sides share the stocks.",
    )  # fmt: skip
    return first, second


def _decide(client, world, document, amendment, **data):
    url = (
        f"/dialogues/{world.dialogue.pk}/outcomes/{document.pk}/amendments/{amendment.pk}/decision/"
    )
    return client.post(url, data)


@pytest.mark.parametrize(
    "accept, typed, said",
    [
        ("0", f'<i>"a {ESC}', "invisible control characters"),
        ("1", "r" * 100_000, "at most 500 characters"),
        ("0", "", "Give a reason for rejecting"),
    ],
    ids=["reject, a control character", "accept, 100,000 characters", "reject, no reason"],
)
def test_a_refused_decision_comes_back_in_its_amendments_form(
    client, world, statement_doc, accept, typed, said
):
    first, second = _amendments(world, statement_doc)
    sign_in(client, world["facilitator"])
    response = _decide(client, world, statement_doc, second, accept=accept, reason=typed)
    assert response.status_code == 400
    page = page_of(response)
    refused = f"decision-{second.pk}-reason"
    assert said in errors_at(page, refused)
    assert page.controls[refused].value == typed
    assert b'<i>"a' not in response.content  # escaped
    # The other amendment's form is as it was.
    other = page.controls[f"decision-{first.pk}-reason"]
    assert other.value == "" and not other.is_invalid
    assert set(Amendment.objects.values_list("status", flat=True)) == {"pending"}


def test_a_decision_on_an_amendment_decided_meanwhile_is_said_below_the_amendments(
    client, world, statement_doc
):
    first, _second = _amendments(world, statement_doc)
    actions.do_decide(world["convener"], world.dialogue.pk, statement_doc.pk, first.pk, accept=False, reason="No.")  # fmt: skip
    sign_in(client, world["facilitator"])
    response = _decide(client, world, statement_doc, first, accept="1", reason="Fine")
    assert response.status_code == 400
    assert "This amendment was already rejected." in response.content.decode()
    assert f"decision-{first.pk}-reason" not in page_of(response).controls  # no form: decided


@pytest.fixture
def memo(world):
    return actions.do_create(
        world["convener"], world.dialogue.pk, kind="aide_memoire", title="AM", sections=SECTIONS
    )


@pytest.mark.parametrize(
    "typed, said",
    [
        (f"Envoy {ESC}", "control character"),
        ("E" * 100_000, "200 characters"),
        ("", "Name the recipient"),
    ],
    ids=["a control character", "100,000 characters", "none"],
)
def test_a_refused_recipient_comes_back_in_the_copy_form(client, world, memo, typed, said):
    sign_in(client, world["convener"])
    url = f"/dialogues/{world.dialogue.pk}/outcomes/{memo.pk}/export/pdf/"
    response = client.get(url, {"recipient": typed})
    assert response.status_code == 400, response.status_code
    page = page_of(response)
    assert said in errors_at(page, "recipient")
    assert page.controls["recipient"].value == typed
    assert not Copy.objects.exists()


def test_a_named_recipient_gets_the_numbered_copy(client, world, memo):
    sign_in(client, world["convener"])
    url = f"/dialogues/{world.dialogue.pk}/outcomes/{memo.pk}/export/html/"
    response = client.get(url, {"recipient": "Envoy A"})
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('-copy1.html"')
    assert Copy.objects.get().recipient == "Envoy A"
