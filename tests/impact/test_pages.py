"""Impact pages: every role and outsider on every page, forms with every error, the public page."""

from __future__ import annotations

import pytest

from tests.helpers import sign_in
from tests.impact.conftest import past
from tests.outcomes.test_api import MEMBERS, ROLES
from track2.disclosure.status import STATUS_LINE
from track2.impact import actions
from track2.impact.models import Reaction, Relay

READERS = MEMBERS - {"observer"}


@pytest.mark.parametrize("role", ROLES)
def test_pages_by_role(client, world, recommendation, survey, role):
    sign_in(client, world[role])
    d = f"/dialogues/{world.dialogue.pk}/impact/"
    pages = [
        (d, READERS),
        (f"{d}recommendations/{recommendation.pk}/", READERS),
        (f"{d}surveys/", READERS),
        (f"{d}surveys/{survey.pk}/", {"convener", "facilitator", "participant"}),
        (f"{d}evaluation/", READERS),
        (f"{d}evaluation/export/csv/", READERS),
        (f"{d}evaluation/export/html/", READERS),
        (f"{d}notifications/", {"convener", "liaison"}),
        (f"{d}disclosure/", {"convener"}),
    ]
    for url, allowed in pages:
        response = client.get(url)
        if role in allowed:
            assert response.status_code == 200, (role, url)
            assert STATUS_LINE in response.content.decode()
        else:
            assert response.status_code == 404, (role, url, response.status_code)


def test_liaison_records_relay_and_reaction_through_the_pages(client, world, recommendation):
    base = f"/dialogues/{world.dialogue.pk}/impact/recommendations/{recommendation.pk}/"
    sign_in(client, world["liaison"])
    refused = client.post(base + "relays/", {"briefed": "", "channel": "pigeon",
                                             "relayed_on": "2100-01-01"})  # fmt: skip
    assert refused.status_code == 400
    text = refused.content.decode()
    assert "This field is required" in text and "Select a valid choice" in text
    assert not Relay.objects.exists()
    client.post(base + "relays/", {"briefed": "MFA", "channel": "meeting", "sensitivity":
                                   "liaisons", "relayed_on": past(2).isoformat()})  # fmt: skip
    refused = client.post(base + "reactions/", {"status": "adopted", "reacted_on": past(1),
                                                "evidence_url": "ftp:/nope"})  # fmt: skip
    assert refused.status_code == 400 and "not a web address" in refused.content.decode()
    client.post(base + "reactions/", {"status": "adopted", "reacted_on": past(1).isoformat(),
                                      "evidence_text": "A hotline between the coast guards.",
                                      "evidence_url": "https://example.org/c"})  # fmt: skip
    assert Reaction.objects.get().status == "adopted"
    page = client.get(base).content.decode()
    assert "<ins>the</ins>" in page or "<del>" in page or "<ins>" in page


def test_participant_answers_and_the_second_answer_replaces_the_first(client, world, survey):
    from track2.dialogues.models import Delegation
    from track2.impact.models import Response

    norvik = Delegation.objects.get(dialogue=world.dialogue, name="Norvik").pk
    url = f"/dialogues/{world.dialogue.pk}/impact/surveys/{survey.pk}/"
    sign_in(client, world["ostrava0"])
    form = {f"thermometer_{norvik}": "40", "trust_keeps_word": "3", "trust_good_faith": "2",
            "trust_shares_concerns": "4", "escalation": "30"}  # fmt: skip
    bad = client.post(url, {**form, f"thermometer_{norvik}": "140", "escalation": "9" * 50})
    assert bad.status_code == 400 and not Response.objects.exists()
    assert client.post(url, form).status_code == 302
    assert client.post(url, {**form, "escalation": "10"}).status_code == 302
    assert Response.objects.get().escalation == 10
    actions.do_close_survey(world["facilitator"], world.dialogue.pk, survey.pk)
    assert "This survey is closed" in client.get(url).content.decode()


def test_public_page_shows_only_what_the_convener_chose(client, world):
    url = f"/public/dialogues/{world.dialogue.pk}/"
    assert client.get(url).status_code == 404
    actions.do_set_disclosure(world["convener"], world.dialogue.pk, is_public=True,
                              public_theme="Fisheries")  # fmt: skip
    page = client.get(url).content.decode()
    assert "Fisheries" in page and world.dialogue.title not in page
    assert world.dialogue.institution.name not in page
    actions.do_set_disclosure(world["convener"], world.dialogue.pk, is_public=True,
                              shows_institution=True)  # fmt: skip
    assert world.dialogue.institution.name in client.get(url).content.decode()
    assert client.get("/public/dialogues/99999999/").status_code == 404


def test_programme_page_is_linked_for_conveners_with_the_right(client, world, recommendation):
    from track2.institutions.models import ConveningRight

    institution = world.dialogue.institution
    sign_in(client, world["convener"])
    overview = f"/dialogues/{world.dialogue.pk}/impact/"
    assert "/programme/" not in client.get(overview).content.decode()
    assert client.get(f"/institutions/{institution.pk}/programme/").status_code == 404
    ConveningRight.objects.create(institution=institution, user=world["convener"])
    assert f"/institutions/{institution.pk}/programme/" in client.get(overview).content.decode()
    page = client.get(f"/institutions/{institution.pk}/programme/").content.decode()
    assert world.dialogue.title in page and STATUS_LINE in page


def test_the_disclosure_page_links_the_public_page_only_once_it_exists(client, world):
    sign_in(client, world["convener"])
    page = f"/dialogues/{world.dialogue.pk}/impact/disclosure/"
    public = f'href="/public/dialogues/{world.dialogue.pk}/"'
    body = client.get(page).content.decode()
    assert public not in body and "No public page exists until you publish one." in body
    actions.do_set_disclosure(world["convener"], world.dialogue.pk, is_public=True)
    assert public in client.get(page).content.decode()
    client.logout()
    assert client.get(f"/public/dialogues/{world.dialogue.pk}/").status_code == 200
