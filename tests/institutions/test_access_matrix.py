"""Who may convene: every role of a dialogue, strangers and the site administrator, on the home
page, the "new dialogue" page and the API. Only a holder of a convening right convenes."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.helpers import sign_in
from track2.dialogues.models import Dialogue

WHO = [
    "convener",
    "facilitator",
    "rapporteur",
    "participant",
    "observer",
    "liaison",
    "outsider",
    "member_elsewhere",
    "foreign_convener",
    "site_admin",
]
# The world's convener holds a right in the dialogue's institution; the foreign convener in another.
MAY_CONVENE = {"convener", "foreign_convener"}
FORM = {
    "title": "New Talks",
    "track": "track2",
    "status": "planning",
    "default_attribution_mode": "chatham_house",
    "k_anonymity": 3,
    "min_members_per_side": 4,
    "max_side_ratio": "1.5",
    "max_gender_share": 75,
}


@pytest.mark.parametrize("who", WHO)
def test_pages(world, client, who):
    user = world.users[who]
    sign_in(client, user)
    home = client.get(reverse("site:home")).content.decode()
    assert ("Convene a new dialogue" in home) == (who in MAY_CONVENE)
    page = client.get(reverse("dialogues:create"))
    assert page.status_code == (200 if who in MAY_CONVENE else 403)
    mine = user.convening_rights.first()
    before = Dialogue.objects.count()
    response = client.post(
        reverse("dialogues:create"),
        {**FORM, "institution": mine.institution_id if mine else world.dialogue.institution_id},
    )
    if who in MAY_CONVENE:
        assert response.status_code == 302
        assert Dialogue.objects.get(title="New Talks").institution_id == mine.institution_id
    else:
        assert response.status_code == 403 and Dialogue.objects.count() == before


@pytest.mark.parametrize("who", WHO)
def test_api(world, api_as, who):
    before = Dialogue.objects.count()
    response = api_as(world.users[who], "post", "/dialogues", {"title": "New Talks"})
    if who in MAY_CONVENE:
        assert response.status_code == 201
    else:
        assert response.status_code == 403 and "grant-convener" in response.json()["detail"]
        assert Dialogue.objects.count() == before


def test_anonymous(world, client):
    assert client.get(reverse("dialogues:create")).status_code == 302
    assert client.post(
        "/api/v1/dialogues", {"title": "x"}, content_type="application/json"
    ).status_code in (401, 403)
