"""The record's page and trail (audit, findings 5, 6 and 7): a comment that names someone is held
and its writer is told so; no note or comment write leaves an audit entry (which would name the
writer at the time of each note); the rapporteur cites the room's statements by choosing them,
not by typing ids they cannot see."""

from __future__ import annotations

import html
import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection

from tests.deliberation.test_map import accepted_statement
from tests.facilitation.page_fields import page_of
from tests.facilitation.test_record import item, r_page, r_url
from tests.helpers import sign_in
from track2.audit import record as audit
from track2.audit.models import AuditEntry
from track2.deliberation import actions as room_actions
from track2.facilitation.models import RecordComment, RecordNote, RecordVersion

WRITERS = ("convener", "facilitator", "rapporteur")


def _said(response) -> str:
    return html.unescape(response.content.decode())


# --- a held comment is told (finding 5) --------------------------------------------------------


def test_a_comment_naming_someone_is_held_and_its_writer_told_why(world, client, api):
    api(world.users["rapporteur"])("post", r_url(world, "/notes"), {"text": "A first note."})
    sign_in(client, world.participants[0])
    told = _said(
        client.post(r_page(world, "comment/"), {"text": "Person 05 disagreed."}, follow=True)
    )
    assert "Your comment may name someone" in told and "it is held" in told
    assert "not the other participants" in told and "without the name" in told
    assert RecordComment.objects.get().is_held
    # The writer does not see it among the comments (it carries no author): hence the message.
    assert "Person 05 disagreed." not in told
    plain = _said(client.post(r_page(world, "comment/"), {"text": "Add dates."}, follow=True))
    assert "your comment is on the draft" in plain and "it is held" not in plain


# --- no note or comment write in the audit trail (finding 6) -----------------------------------


def test_no_audit_entry_names_who_wrote_a_note_or_a_comment(world, client, api):
    statement = accepted_statement(world, "Joint patrols build trust.")
    for role in WRITERS:
        user = world.users[role]
        call = api(user)
        note = call("post", r_url(world, "/notes"), {"text": f"{role} API note."}).json()["id"]
        call("put", r_url(world, f"/notes/{note}"), {"text": f"{role} API revised."})
        named = call("post", r_url(world, "/notes"), {"text": f"Person 02 said so ({role})."})
        call("delete", r_url(world, f"/notes/{named.json()['id']}"))
        client.logout()
        sign_in(client, user)
        client.post(
            r_page(world, "note/"),
            {"text": f"{role} page note.", "item_id": str(item(world)), "cites": [statement.pk]},
        )
        client.post(r_page(world, "note/"), {"text": f"Person 01 again ({role}).", "item_id": ""})
        held = RecordNote.objects.get(text=f"Person 01 again ({role}).")
        client.post(r_page(world, "revise/"), {"note_id": held.pk, "text": f"{role} revised."})
        page_note = RecordNote.objects.get(text=f"{role} page note.")
        client.post(r_page(world, "remove/"), {"note_id": page_note.pk})
    for user in world.participants[:2]:
        api(user)("post", r_url(world, "/comments"), {"text": "A comment by API."})
        client.logout()
        sign_in(client, user)
        client.post(r_page(world, "comment/"), {"text": "person.05@example.org disagrees"})
    assert RecordNote.objects.count() == 6 and RecordComment.objects.count() == 4
    assert not AuditEntry.objects.filter(object_type__in=["recordversion", "recordnote"]).exists()
    assert not AuditEntry.objects.filter(object_type="recordcomment").exists()
    # Approving is an administrative act of the facilitators: recorded.
    api(world.users["facilitator"])("post", r_url(world, "/approve"))
    entry = AuditEntry.objects.get(object_type="recordversion")
    assert entry.action == "approve"
    # The convener's Changes page names the approval, and no note write.
    client.logout()
    sign_in(client, world.users["convener"])
    changes = " ".join(_said(client.get(f"/dialogues/{world.dialogue.pk}/changes/")).split())
    assert "approved meeting record" in changes
    assert "changed meeting record" not in changes


def test_existing_sites_forget_who_wrote_each_note(world):
    """The migration erases the entries the old note writes left; approvals stay."""
    version = RecordVersion.objects.create(meeting=world.meeting, number=1)
    for role in WRITERS:  # what do_note and do_remove_note used to record
        audit.record(
            world.users[role], "update", version, fields=["notes"], dialogue=world.dialogue
        )
    audit.record(
        world.users["facilitator"],
        "approve",
        version,
        fields=["approved_at"],
        dialogue=world.dialogue,
    )
    audit.record(world.users["convener"], "update", world.meeting, dialogue=world.dialogue)
    migration = importlib.import_module(
        "track2.facilitation.migrations.0003_forget_record_note_writers"
    )
    migration.forget_record_note_writers(apps, SimpleNamespace(connection=connection))
    assert sorted(AuditEntry.objects.values_list("object_type", "action")) == [
        ("meeting", "update"),
        ("recordversion", "approve"),
    ]


# --- citing statements by choosing them (finding 7) --------------------------------------------


@pytest.fixture
def statements(world):
    """Two accepted statements of the room, one waiting for moderation, and one accepted in
    another meeting of the dialogue."""
    from datetime import timedelta

    from track2.meetings.models import Meeting, MeetingParticipant

    first = accepted_statement(world, "Shared fishing grounds help both sides.")
    second = accepted_statement(world, "A hotline between coast guards.")
    pending = room_actions.do_submit(
        room_actions.check_submit(
            world.participants[1], world.dialogue.pk, world.meeting.pk, "Person 04 is right."
        )
    )
    other = Meeting.objects.create(
        dialogue=world.dialogue,
        title="Round 2",
        starts_at=world.meeting.starts_at,
        ends_at=world.meeting.ends_at + timedelta(minutes=1),
    )
    MeetingParticipant.objects.create(
        meeting=other, person=world.persons[world.participants[0].pk], status="confirmed"
    )
    elsewhere = accepted_statement(
        SimpleNamespace(**{**vars(world), "meeting": other}), "Elsewhere only."
    )
    return SimpleNamespace(first=first, second=second, pending=pending, elsewhere=elsewhere)


def test_the_rapporteur_chooses_statements_by_their_text(world, client, statements):
    sign_in(client, world.users["rapporteur"])
    response = client.get(r_page(world))
    text = _said(response)
    assert "ids, separated by spaces" not in text
    controls = page_of(response).controls
    offered = {k: c for k, c in controls.items() if k.startswith("cite-")}
    assert set(offered) == {f"cite-{statements.first.pk}", f"cite-{statements.second.pk}"}
    assert all(
        c.attrs["type"] == "checkbox" and c.attrs["name"] == "cites" for c in offered.values()
    )
    assert "Shared fishing grounds help both sides." in text
    assert "Person 04 is right." not in text and "Elsewhere only." not in text
    # Ordered by their text, not by when they were written.
    assert text.index("A hotline between") < text.index("Shared fishing grounds")
    client.post(
        r_page(world, "note/"),
        {
            "text": "Both were discussed.",
            "item_id": str(item(world)),
            "cites": [str(statements.first.pk), str(statements.second.pk)],
        },
    )
    assert sorted(RecordNote.objects.get().cites) == sorted(
        [statements.first.pk, statements.second.pk]
    )
    # The ids typed by a script (spaces or commas in one value) still work.
    client.post(
        r_page(world, "note/"),
        {
            "text": "Typed ids.",
            "item_id": "",
            "cites": f"{statements.first.pk}, {statements.second.pk}",
        },
    )
    assert len(RecordNote.objects.get(text="Typed ids.").cites) == 2


def test_a_refused_note_keeps_its_ticks_and_says_every_problem(world, client, statements):
    sign_in(client, world.users["rapporteur"])
    chosen = [str(statements.second.pk)]
    bad = ["abc", "9" * 40, "-1", "1\x00", str(statements.pending.pk), str(statements.elsewhere.pk)]
    response = client.post(
        r_page(world, "note/"),
        {"text": "Kept \x1b words", "item_id": "zz", "cites": chosen + bad},
    )
    assert response.status_code == 400
    page = page_of(response)
    assert page.controls["note"].value == "Kept \x1b words"
    assert "checked" in page.controls[f"cite-{statements.second.pk}"].attrs
    assert "checked" not in page.controls[f"cite-{statements.first.pk}"].attrs
    assert page.controls[f"cite-{statements.second.pk}"].is_invalid
    errors = page.texts["cites-error"]
    for value in ["abc", "9" * 24, "-1", str(statements.pending.pk), str(statements.elsewhere.pk)]:
        assert f"“{value}” is not an accepted statement" in errors, value
    text = _said(response)
    assert "control character" in text and "not an item of this meeting" in text
    assert not RecordNote.objects.exists()
    # More than 20: one problem, beside the choice.
    many = client.post(
        r_page(world, "note/"), {"text": "Many.", "item_id": "", "cites": [chosen[0]] * 21}
    )
    assert many.status_code == 400
    assert "Cite at most 20 statements" in page_of(many).texts["cites-error"]
    assert not RecordNote.objects.exists()


@pytest.mark.parametrize("role", ["participant", "observer", "liaison"])
def test_only_writers_are_offered_the_statements(world, client, statements, api, role):
    api(world.users["rapporteur"])("post", r_url(world, "/notes"), {"text": "Draft."})
    sign_in(client, world.users[role])
    controls = page_of(client.get(r_page(world))).controls
    assert not any(k.startswith("cite-") for k in controls)


def test_a_room_with_nothing_accepted_says_so(world, client):
    sign_in(client, world.users["rapporteur"])
    assert "No statement of the room is accepted yet" in _said(client.get(r_page(world)))
