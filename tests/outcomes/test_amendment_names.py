"""An amendment that names one of the dialogue's people ("As Irena Bly said, …") is refused, as
the room holds such a statement: through the actions, the API and the page, with a message that
says what to do, and on the page the text as typed kept in its paragraph's box. Every other
problem of the text is said with it."""

from __future__ import annotations

import html

import pytest

from tests.facilitation.page_fields import errors_at, page_of
from tests.helpers import sign_in
from tests.outcomes.test_api import call
from track2.dialogues.models import Delegation, DelegationMember
from track2.errors import ActionRefused
from track2.outcomes import actions
from track2.outcomes.models import Amendment
from track2.people.models import Affiliation, Person

NAMED = "As Irena Bly said, scientists should publish."


@pytest.fixture
def irena(world):
    """A participant of the dialogue's Ostrava delegation, with an e-mail and an organisation."""
    person = Person.objects.create(
        institution=world.dialogue.institution, full_name="Irena Bly", sector="academia",
        country="Ostrava", email="irena.bly@example.org",
    )  # fmt: skip
    Affiliation.objects.create(person=person, organisation="Varena Institute of Oceanography")
    DelegationMember.objects.create(
        dialogue=world.dialogue,
        delegation=Delegation.objects.get(dialogue=world.dialogue, name="Ostrava"),
        person=person,
    )
    return person


@pytest.mark.parametrize(
    "text",
    [
        NAMED,
        "As IRENA BLÝ said, scientists should publish.",  # case and accents folded
        "Bly's point: scientists should publish.",  # a part of the name
        "Write to irena.bly@example.org before publishing.",
        "The Varena Institute of Oceanography should publish.",
    ],
)
@pytest.mark.parametrize("who", ["norvik0", "facilitator"])
def test_a_named_amendment_is_refused_whoever_proposes_it(world, statement_doc, irena, text, who):
    with pytest.raises(ActionRefused) as refused:
        actions.do_propose(
            world[who], world.dialogue.pk, statement_doc.pk, paragraph_key="data", text=text
        )
    assert refused.value.problems == [("text", actions.NAMES_SOMEONE)]
    assert not Amendment.objects.exists()


def test_the_same_words_without_the_name_are_proposed(world, statement_doc, irena):
    amendment = actions.do_propose(
        world["norvik0"], world.dialogue.pk, statement_doc.pk, paragraph_key="data",
        text="Scientists should publish; Blyton's model helps.",  # a longer word is no name
    )  # fmt: skip
    assert amendment.status == Amendment.Status.PENDING


def test_through_the_api_every_problem_at_once(client, world, statement_doc, irena):
    path = f"/dialogues/{world.dialogue.pk}/outcomes/{statement_doc.pk}/amendments"
    refused = call(client, world["norvik0"], "post", path,
                   {"paragraph_key": "gone", "text": NAMED})  # fmt: skip
    assert refused.status_code == 400
    assert {(e["field"], e["message"]) for e in refused.json()["errors"]} == {
        ("paragraph_key", "No paragraph with that key in the current version."),
        ("text", actions.NAMES_SOMEONE),
    }
    assert not Amendment.objects.exists()


def test_on_the_page_the_text_stays_in_its_box_with_the_reason(client, world, statement_doc, irena):
    sign_in(client, world["participant"])
    url = f"/dialogues/{world.dialogue.pk}/outcomes/{statement_doc.pk}/amendments/"
    response = client.post(url, {"paragraph_key": "data", "text": NAMED})
    assert response.status_code == 400
    page = page_of(response)
    assert page.controls["amend-data"].value == NAMED
    assert actions.NAMES_SOMEONE in html.unescape(errors_at(page, "amend-data"))
    # With a control character too: both problems at once.
    response = client.post(url, {"paragraph_key": "data", "text": NAMED + "\x1b"})
    errors = html.unescape(errors_at(page_of(response), "amend-data"))
    assert "control character" in errors
    assert not Amendment.objects.exists()
    # Shown to nobody: the amendment list and the document carry no such text.
    client.logout()
    sign_in(client, world["observer"])
    shown = client.get(f"/dialogues/{world.dialogue.pk}/outcomes/{statement_doc.pk}/")
    assert "Irena" not in shown.content.decode()
