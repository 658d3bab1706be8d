"""The demo shows two rounds with a visible rise in trust, recommendations at every stage and one
adopted with its communiqué language."""

import pytest

from tests.site.test_walk import signed_in_client
from tests.template_db import demo_in_database
from track2.dialogues.models import Dialogue
from track2.impact import queries
from track2.impact.demo import COMMENTS, COMMUNIQUE

pytestmark = pytest.mark.django_db


def test_demo_shows_the_change_and_the_funnel():
    logins = {login.email.split("@")[0]: login for login in demo_in_database()}
    dialogue = Dialogue.objects.get(title="Varena Sea Dialogue")
    data = queries.evaluation(dialogue)
    across = data["comparisons"][-1]
    assert across["label"].startswith("across rounds")
    warmth = across["measures"][0]["rows"][0]
    assert warmth["shown"] and warmth["change"]["change"] > 15
    assert warmth["change"]["ci_low"] > 0  # the interval excludes no change
    escalation = across["measures"][2]["rows"][0]["change"]
    assert escalation["change"] < 0
    stages = {s["code"]: s["count"] for s in data["funnel"]["stages"]}
    assert stages["recommended"] == 4 and stages["relayed"] == 3 and stages["adopted"] == 1
    page = (
        signed_in_client(logins["convener"])
        .get(f"/dialogues/{dialogue.pk}/impact/")
        .content.decode()
    )
    assert "A coast-guard hotline" in page and "adopted" in page
    hotline = dialogue.recommendations.get(title="A coast-guard hotline")
    detail = (
        signed_in_client(logins["liaison"])
        .get(f"/dialogues/{dialogue.pk}/impact/recommendations/{hotline.pk}/")
        .content.decode()
    )
    assert COMMUNIQUE in detail and "<ins>" in detail
    after = dialogue.surveys.get(round_number=1, phase="after")
    comments = (
        signed_in_client(logins["facilitator"])
        .get(f"/dialogues/{dialogue.pk}/impact/surveys/{after.pk}/")
        .content.decode()
    )
    for text in COMMENTS[(1, "after")]:
        assert text.replace("'", "&#x27;") in comments
