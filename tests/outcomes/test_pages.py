"""Outcome pages: every role and outsider, the confirm-again banner, forms with every error."""

from __future__ import annotations

import pytest

from tests.helpers import sign_in
from tests.outcomes.test_api import MEMBERS, ROLES
from track2.disclosure.status import STATUS_LINE
from track2.outcomes import actions
from track2.outcomes.models import Amendment, Endorsement


@pytest.mark.parametrize("role", ROLES)
def test_pages_by_role(client, world, statement_doc, role):
    sign_in(client, world[role])
    base = f"/dialogues/{world.dialogue.pk}/outcomes/"
    pages = [base, f"{base}{statement_doc.pk}/", f"{base}{statement_doc.pk}/diff/?a=1&b=1",
             f"{base}{statement_doc.pk}/export/markdown/"]  # fmt: skip
    for url in pages:
        response = client.get(url)
        if role in MEMBERS:
            assert response.status_code == 200, (role, url)
            assert STATUS_LINE in response.content.decode()
        else:
            assert response.status_code == 404, (role, url)


def test_flow_through_the_pages(client, world, statement_doc):
    base = f"/dialogues/{world.dialogue.pk}/outcomes/{statement_doc.pk}/"
    sha = actions.current(statement_doc).sha256
    sign_in(client, world["norvik0"])
    client.post(base + "endorse/", {"grade": "endorse", "version_sha256": sha})
    refused = client.post(base + "endorse/", {"grade": "nope", "version_sha256": "0" * 64})
    assert refused.status_code == 400
    text = refused.content.decode()
    assert "not the current text" in text and "Select a valid choice" in text
    client.post(base + "amendments/", {"paragraph_key": "line", "base_text":
                "A hotline between coast guards.", "text": "A hotline, staffed day and night."})  # fmt: skip
    amendment = Amendment.objects.get()
    client.logout()
    sign_in(client, world["facilitator"])
    client.post(base + f"amendments/{amendment.pk}/decision/", {"accept": "1"})
    assert Amendment.objects.get().status == "accepted"
    client.logout()
    sign_in(client, world["norvik0"])
    page = client.get(base).content.decode()
    assert "data-confirm-again" in page
    assert Endorsement.objects.get().version_number == 1
