"""The room's agreement behind a paragraph: read when the document is rendered, so a new vote
changes the figures on every rendering, each carrying the time the figures were read."""

from __future__ import annotations

import html
import json
from datetime import UTC, datetime

import pytest
from django.db.models import F
from django.utils import timezone

from tests.outcomes.test_cites import _meeting
from track2 import keyring
from track2.deliberation.models import Statement, Vote
from track2.dialogues.models import Delegation, DelegationMember
from track2.outcomes import actions, render
from track2.people.models import Person

BEFORE = datetime(2026, 5, 4, 9, 30, tzinfo=UTC)
AFTER = datetime(2026, 5, 6, 17, 5, tzinfo=UTC)


@pytest.fixture
def voting(world, settings, tmp_path):
    settings.TRACK2_HOME = tmp_path  # this test's own dialogue keys
    settings.TRACK2_K_ANONYMITY = 3
    world.dialogue.k_anonymity = 3
    world.dialogue.save(update_fields=["k_anonymity"])
    meeting = _meeting(world.dialogue)
    statement = Statement.objects.create(
        meeting=meeting, text="Coast guards talk directly.", status=Statement.Status.ACCEPTED
    )

    def vote(side: str, value: int, people: int) -> None:
        delegation = Delegation.objects.get(dialogue=world.dialogue, name=side)
        for _ in range(people):
            n = Person.objects.count()
            person = Person.objects.create(
                institution=world.dialogue.institution, full_name=f"Voter {n}",
                sector="academia", country="Ostrava", email=f"voter{n}@example.org",
            )  # fmt: skip
            DelegationMember.objects.create(
                dialogue=world.dialogue, delegation=delegation, person=person
            )
            Vote.objects.create(
                meeting=meeting, statement=statement, value=value,
                pseudonym=keyring.pseudonym(world.dialogue.pk, person.pk),
            )  # fmt: skip
        # As the room's vote action does in the vote's transaction: the map's keeper re-reads
        # the votes of the statements whose change count moved, and only those.
        Statement.objects.filter(pk=statement.pk).update(changes=F("changes") + 1)

    return statement, vote


def _rendered(document, monkeypatch, moment) -> dict[str, str]:
    monkeypatch.setattr(timezone, "now", lambda: moment)
    return {
        fmt: html.unescape(render.render(document, fmt).decode())
        for fmt in ("html", "markdown", "json", "email")
    }


def test_a_new_vote_changes_the_figures_and_their_time(world, voting, monkeypatch):
    statement, vote = voting
    vote("Ostrava", Vote.AGREE, 3)
    vote("Norvik", Vote.AGREE, 3)
    document = actions.do_create(
        world["facilitator"], world.dialogue.pk, kind="joint_statement", title="T",
        sections=[{"heading": "H", "paragraphs": [
            {"text": "A hotline.", "cites": [statement.pk]}]}],
    )  # fmt: skip
    first = _rendered(document, monkeypatch, BEFORE)
    for fmt, body in first.items():
        assert fmt == "json" or "Ostrava 100% agree" in body, fmt
        assert "2026-05-04 09:30 UTC" in body, fmt
    (evidence,) = json.loads(first["json"])["sections"][0]["paragraphs"][0]["evidence"]
    assert evidence["votes"] == 6

    vote("Ostrava", Vote.DISAGREE, 3)
    vote("Norvik", Vote.AGREE, 3)
    second = _rendered(document, monkeypatch, AFTER)
    for fmt, body in second.items():
        assert fmt == "json" or ("Ostrava 50% agree" in body and "Norvik 100% agree" in body), fmt
        assert "2026-05-06 17:05 UTC" in body and "2026-05-04" not in body, fmt
    (evidence,) = json.loads(second["json"])["sections"][0]["paragraphs"][0]["evidence"]
    assert evidence["votes"] == 12
    assert {s["side"]: s["agree_share"] for s in evidence["by_side"]} == {
        "Norvik": 1.0,
        "Ostrava": 0.5,
    }
