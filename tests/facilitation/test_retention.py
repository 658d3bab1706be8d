"""Retention (track2.operations): "aggregates only" turns a finished meeting's turns into totals,
keeps poll counts without who answered, drops held caucus notes; deleting a dialogue's content
removes the floor's rows, the caucus rooms and the records."""

from __future__ import annotations

from datetime import timedelta

from tests.facilitation.test_floor import _speak
from track2.dialogues.models import Dialogue
from track2.facilitation.models import (
    Caucus,
    CaucusAnswer,
    CaucusNote,
    CaucusPoll,
    RecordVersion,
    SpeakingTotal,
    Turn,
)
from track2.operations import actions as operations
from track2.operations import retention


def test_aggregates_only_then_deletion(world, api):
    world.meeting.attribution_mode = "on_record"  # keeps turns at closing: retention must not
    world.meeting.save()
    north = api(world.participants[0])
    _speak(world, api, world.participants[0], 40)
    _speak(world, api, world.participants[5], 20)
    c = world.url(f"/caucus/{world.north.pk}")
    north("post", c + "/notes", {"text": "Keep this."})
    north("post", c + "/notes", {"text": "Person 05 is the key."})
    north("post", c + "/polls", {"question": "Go?", "options": ["yes", "no"]})
    poll = CaucusPoll.objects.get()
    north("put", c + f"/polls/{poll.pk}/answer", {"choice": 1})
    api(world.users["rapporteur"])("post", world.url("/record/notes"), {"text": "A note."})
    convener = world.users["convener"]
    operations.do_set_retention(
        convener,
        world.dialogue,
        on_meeting_close="aggregates",
        delete_content_after_days=None,
        destroy_key_on_close=False,
    )
    done = retention.apply(world.meeting.ends_at + timedelta(minutes=1))
    assert done.erased["floor, caucus rooms and records"] >= 4
    assert not Turn.objects.exists() and not CaucusAnswer.objects.exists()
    kept = {t.delegation.name: (t.seconds, t.turns) for t in SpeakingTotal.objects.all()}
    assert kept == {"North": (40, 1), "South": (20, 1)}
    assert list(CaucusNote.objects.values_list("text", flat=True)) == ["Keep this."]
    assert CaucusPoll.objects.get().kept_counts == [0, 1]
    counts = north("get", c).json()["polls"][0]["options"]
    assert [o["count"] for o in counts] == [0, 1]
    # A second pass changes nothing.
    again = retention.apply(world.meeting.ends_at + timedelta(minutes=2))
    assert again.erased["floor, caucus rooms and records"] == 0
    operations.do_set_retention(
        convener,
        world.dialogue,
        on_meeting_close="keep",
        delete_content_after_days=1,
        destroy_key_on_close=False,
    )
    Dialogue.objects.filter(pk=world.dialogue.pk).update(status=Dialogue.Status.CONCLUDED)
    retention.apply(world.meeting.ends_at + timedelta(days=2))
    assert not SpeakingTotal.objects.exists() and not Caucus.objects.exists()
    assert not RecordVersion.objects.exists()
