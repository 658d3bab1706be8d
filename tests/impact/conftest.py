"""The outcomes world (two sides of three participants, every role, outsiders) with a joint
statement to draw recommendations from."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.outcomes.conftest import statement_doc, world  # noqa: F401  (fixtures)
from track2.impact import actions


def past(days: int):
    return actions.today() - timedelta(days=days)


@pytest.fixture
def recommendation(world, statement_doc):  # noqa: F811
    return actions.do_recommend(
        world["liaison"], world.dialogue.pk, title="Hotline", text="", document_id=statement_doc.pk,
        paragraph_key="line", target_kind="ministry", target_institution="Ministry of the Sea",
        owner_id=world["liaison"].pk, recommended_on=past(30),
    )  # fmt: skip


@pytest.fixture
def survey(world):  # noqa: F811
    return actions.do_open_survey(world["facilitator"], world.dialogue.pk, round_number=1,
                                  phase="before")  # fmt: skip
