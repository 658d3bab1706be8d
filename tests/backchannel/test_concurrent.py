"""Envelopes posted to one mailbox at once, from several processes (PostgreSQL only: SQLite
writes one transaction at a time): the cap on unacknowledged envelopes holds."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client

from tests.parallel import at_once
from track2.backchannel import actions
from track2.backchannel.models import Envelope, LogLeaf

from .conftest import b64, seal_for

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL"
    ),
]


def test_parallel_posts_stop_at_the_cap(world, keys, open_box, monkeypatch):
    # A small cap: the rule is the same at 500, and reaching it by parallel posts is the point.
    monkeypatch.setattr(actions, "MAX_WAITING", 3)
    sender, recipient = keys("arin"), keys("tomas")
    address = open_box(world.users["participant"], sender, recipient)
    blob = b64(seal_for(world, sender, recipient, address, b"Meet at the harbour."))

    def post():
        return Client().post(
            f"/api/v1/backchannel/mailboxes/{address.mailbox_id}/envelopes",
            {"envelope": blob},
            content_type="application/json",
            HTTP_TRACK2_DELIVERY_TOKEN=address.delivery_token,
        )

    for _round in range(2):
        answers, errors = at_once([post for _ in range(12)])
        assert not errors, errors
        codes = sorted(a.status_code for a in answers)
        assert Envelope.objects.count() == 3
        assert codes.count(201) == 3 - (3 if _round else 0) and set(codes) <= {201, 400}
        # Every envelope kept is logged once, and nothing refused is.
        assert LogLeaf.objects.filter(kind=LogLeaf.Kind.POSTED).count() == 3
