"""Two conveners asking at the same moment to destroy a dialogue's key, from two served workers
(PostgreSQL only: SQLite writes one transaction at a time)."""

from __future__ import annotations

import pytest
from django.db import connection

from tests.dialogues.conftest import build_world
from tests.parallel import at_once
from track2.dialogues.models import Membership, Role
from track2.errors import ActionRefused
from track2.operations import actions
from track2.operations.models import KeyDestruction

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL"
    ),
]


def test_two_conveners_asking_at_once_make_one_request_and_the_other_is_told(
    make_user, institution, settings, tmp_path
):
    # the second got a server error (a duplicate key) instead of "already asked for"
    settings.TRACK2_HOME = tmp_path
    world = build_world(make_user, institution)
    second = make_user("second.convener@example.org")
    Membership.objects.create(dialogue=world.dialogue, user=second, role=Role.CONVENER)
    conveners = [world.users["convener"], second]

    def ask(by):
        return lambda: actions.do_request_key_destruction(
            by, actions.check_request_key_destruction(by, world.dialogue.pk)
        )

    made, errors = at_once([ask(by) for by in conveners])
    assert len(made) == 1 and KeyDestruction.objects.count() == 1
    assert len(errors) == 1 and isinstance(errors[0], ActionRefused), errors
    assert "already asked for" in str(errors[0])
