"""The demo's meeting in progress: a running agenda timer, raised hands from both sides, a caucus
note on each side, a draft record."""

from __future__ import annotations

from tests.template_db import demo_in_database
from track2.facilitation.models import CaucusNote, Floor, Hand, ItemInterval, RecordVersion
from track2.meetings.models import Meeting


def test_demo_facilitation(db):
    demo_in_database()
    session = Meeting.objects.get(title__startswith="Working session")
    floor = Floor.objects.get(meeting=session)
    assert floor.current_item is not None and floor.current_item.position == 1
    assert ItemInterval.objects.filter(meeting=session, ended_at__isnull=True).count() == 1
    hands = Hand.objects.filter(meeting=session)
    assert hands.count() == 3 and len({h.delegation_id for h in hands}) == 2
    assert hands.filter(is_direct_response=True).count() == 1
    notes = CaucusNote.objects.filter(caucus__meeting=session, held_for__isnull=True)
    assert len({n.caucus.delegation_id for n in notes}) == 2
    draft = RecordVersion.objects.get(meeting=session)
    assert not draft.is_approved and draft.notes.filter(is_held=False).count() == 1
