"""The demo's back channel: a conveyed exchange and a reply that really ran, and a log that verifies."""

from __future__ import annotations

import pytest
from django.conf import settings

from tests.template_db import demo_in_database
from track2.backchannel.demo import FOLDER, replay_lines
from track2.backchannel.keyhome import KeyHome
from track2.backchannel.models import DirectoryEntry, Envelope, LogLeaf


@pytest.mark.django_db
def test_demo_runs_a_conveyed_exchange_whose_log_verifies():
    demo_in_database()
    home = settings.CONFIG.home
    folder = home / FOLDER
    holders = set(DirectoryEntry.objects.values_list("contact_label", flat=True))
    assert "Ostrava ministry contact" in holders and DirectoryEntry.objects.count() == 4
    kinds = set(LogLeaf.objects.values_list("kind", flat=True))
    assert {LogLeaf.Kind.POSTED, LogLeaf.Kind.RECEIPT, LogLeaf.Kind.ACKNOWLEDGED} <= kinds
    # Conveyed envelopes were acknowledged by the intermediary and the recipients: none waits.
    assert not Envelope.objects.exists()
    passphrase = (folder / "passphrase").read_text().strip()
    for part in ("sender", "intermediary", "recipient"):
        _identity, state = KeyHome(folder / part).open(passphrase)
        assert state.pinned and not state.watched, part  # everything proved in the log
    _identity, recipient = KeyHome(folder / "recipient").open(passphrase)
    (read,) = recipient.received.values()
    assert read["route"] == ["Amb. (ret.) Tomas Reyes"] and "hotline" in read["message"]
    _identity, sender = KeyHome(folder / "sender").open(passphrase)
    (reply,) = sender.received.values()
    assert reply["reencrypted_by"] == "Amb. (ret.) Tomas Reyes"
    lines = replay_lines(home, "http://127.0.0.1:8000", "track2")
    assert any(line.endswith("verify-log") for line in lines)
