"""The rapporteur's record: notes, held notes, versions (never changed once approved), approval,
participants' comments, the export (HTML, PDF with the status line on every page), who sees what."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from tests.deliberation.test_map import accepted_statement, vote
from tests.facilitation.test_access_matrix import OUTSIDE
from tests.helpers import sign_in
from track2.dialogues.models import AttributionMode
from track2.facilitation.models import RecordComment, RecordNote, RecordVersion

CANARY = "CANARY-record-41c2"
STATUS = "Unofficial. Non-binding. Participants took part in a personal capacity."


def r_url(world, tail=""):
    return world.url("/record" + tail)


def r_page(world, tail=""):
    return f"/dialogues/{world.dialogue.pk}/meetings/{world.meeting.pk}/floor/record/{tail}"


def item(world, position=1):
    return world.meeting.agenda_items.get(position=position).pk


def test_draft_approve_and_a_new_version_on_edit(world, api):
    rap = api(world.users["rapporteur"])
    statement = accepted_statement(world, "Shared fishing grounds help both sides.")
    first = rap(
        "post",
        r_url(world, "/notes"),
        {
            "text": "Broad support for joint patrols.",
            "item_id": item(world),
            "cites": [statement.pk],
        },
    )
    assert first.status_code == 201 and not first.json()["held"], first.content
    draft = first.json()["draft"]
    assert draft["number"] == 1 and draft["notes"][0]["cites"][0]["text"].startswith("Shared")
    # The rapporteur may not approve; the facilitator does.
    assert rap("post", r_url(world, "/approve")).status_code == 403
    fac = api(world.users["facilitator"])
    approved = fac("post", r_url(world, "/approve")).json()
    assert approved["approved"]["number"] == 1 and approved["draft"] is None
    note_id = approved["approved"]["notes"][0]["id"]
    # Editing the approved record opens version 2; version 1 is untouched.
    revised = rap("put", r_url(world, f"/notes/{note_id}"), {"text": "Support, with caveats."})
    assert revised.status_code == 200, revised.content
    body = revised.json()
    assert body["draft"]["number"] == 2 and body["approved"]["number"] == 1
    assert body["approved"]["notes"][0]["text"] == "Broad support for joint patrols."
    assert body["draft"]["notes"][0]["text"] == "Support, with caveats."
    assert (
        RecordNote.objects.filter(version__number=1).get().text
        == "Broad support for joint patrols."
    )
    assert [v["number"] for v in body["versions"]] == [1, 2]
    again = fac("post", r_url(world, "/approve"))
    assert again.json()["approved"]["number"] == 2
    twice = fac("post", r_url(world, "/approve"))
    assert twice.status_code == 400 and "no draft to approve" in twice.json()["detail"]


def test_held_notes_block_approval_and_are_not_shared(world, api):
    rap = api(world.users["rapporteur"])
    held = rap("post", r_url(world, "/notes"), {"text": f"Person 03 insisted. {CANARY}"})
    assert held.json()["held"]
    rap("post", r_url(world, "/notes"), {"text": "Agreement on data exchange."})
    refused = api(world.users["facilitator"])("post", r_url(world, "/approve"))
    assert refused.status_code == 400 and "held" in refused.json()["detail"]
    assert "1 note may name someone and is held: revise it" in refused.json()["detail"]
    # A participant reads the draft to comment on it, without the held note.
    draft = api(world.participants[0])("get", r_url(world)).json()["draft"]
    assert [n["text"] for n in draft["notes"]] == ["Agreement on data exchange."]
    assert CANARY not in api(world.participants[0])("get", r_url(world)).content.decode()
    # Revised without the name: approvable; the canary text is then gone from every version.
    rap("put", r_url(world, f"/notes/{held.json()['id']}"), {"text": "One side insisted."})
    assert api(world.users["facilitator"])("post", r_url(world, "/approve")).status_code == 200
    assert not RecordNote.objects.filter(text__contains=CANARY).exists()


def test_comments_are_not_attributed_and_held_when_naming(world, api):
    api(world.users["rapporteur"])("post", r_url(world, "/notes"), {"text": "A first note."})
    part = api(world.participants[0])
    assert part("post", r_url(world, "/comments"), {"text": "Add the timeline."}).status_code == 201
    named = part("post", r_url(world, "/comments"), {"text": "person.05@example.org disagrees"})
    assert named.json()["held"]
    assert [
        c["text"]
        for c in api(world.participants[1])("get", r_url(world)).json()["draft"]["comments"]
    ] == ["Add the timeline."]
    writers = api(world.users["rapporteur"])("get", r_url(world)).json()["draft"]["comments"]
    assert len(writers) == 2
    assert not any(hasattr(c, "author") for c in RecordComment.objects.all())
    assert (
        api(world.users["observer"])("post", r_url(world, "/comments"), {"text": "x"}).status_code
        == 403
    )
    api(world.users["facilitator"])("post", r_url(world, "/approve"))
    late = part("post", r_url(world, "/comments"), {"text": "Too late."})
    assert late.status_code == 400 and "comments go on a draft" in late.json()["detail"]


def test_bad_input_all_at_once(world, api):
    rap = api(world.users["rapporteur"])
    response = rap(
        "post", r_url(world, "/notes"), {"text": "  ", "item_id": 999999, "cites": [123456789]}
    )
    assert response.status_code == 400
    fields = [e["field"] for e in response.json()["errors"]]
    assert fields == ["item_id", "text", "cites"]
    for body in [
        {"text": "x" * 20_001},
        {"text": "a\u0007b"},
        {"text": "ok", "cites": list(range(1, 30))},
        {"text": "ok", "item_id": 2**64},
    ]:
        assert rap("post", r_url(world, "/notes"), body).status_code in (400, 422), body
    too_long = rap("post", r_url(world, "/notes"), {"text": "x" * 10_001})
    assert too_long.status_code == 400 and "At most 10000" in too_long.json()["detail"]
    assert rap("put", r_url(world, "/notes/999"), {"text": "x"}).status_code == 400
    assert not RecordVersion.objects.exists()


def _approved_record(world, api):
    statement = accepted_statement(world, "Joint patrols build trust.")
    for user in world.participants[:6]:
        vote(world, user, statement, "agree")
    rap = api(world.users["rapporteur"])
    rap(
        "post",
        r_url(world, "/notes"),
        {"text": "On fisheries: patrols.", "item_id": item(world), "cites": [statement.pk]},
    )
    rap(
        "post",
        r_url(world, "/notes"),
        {"text": "Shipping: no agreement yet.", "item_id": item(world, 2)},
    )
    api(world.users["facilitator"])("post", r_url(world, "/approve"))
    # A held note in the next draft never reaches the export.
    rap("post", r_url(world, "/notes"), {"text": f"Person 02 said so. {CANARY}"})


def test_export_html_and_pdf(world, api):
    _approved_record(world, api)
    call = api(world.participants[0])
    html = call("get", r_url(world, "/export?format=html"))
    assert html.status_code == 200 and html["Content-Type"].startswith("text/html")
    text = html.content.decode()
    assert text.count(STATUS) >= 2 and "Fisheries" in text and "Shipping lanes" in text
    assert "On fisheries: patrols." in text and "Joint patrols build trust." in text
    assert "North: 4" in text and "South: 4" in text
    assert "Person 0" not in text and CANARY not in text  # no names, no held note
    pdf = call("get", r_url(world, "/export?format=pdf"))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(pdf.content))
    pages = [" ".join(p.extract_text().split()) for p in reader.pages]
    assert pages and all(STATUS in p for p in pages)
    whole = " ".join(pages)
    assert "On fisheries: patrols." in whole and CANARY not in whole
    bad = call("get", r_url(world, "/export?format=docx"))
    assert bad.status_code == 422


def test_the_export_prints_the_status_line_in_the_margins_of_every_page(world, api):
    """CSS escapes, not JavaScript ones: every page printed "Nonu002Dbinding" in its margins
    (audit, finding 1; the filter itself: test_page_margins.py)."""
    _approved_record(world, api)
    call = api(world.participants[0])
    page = call("get", r_url(world, "/export?format=html")).content.decode()
    assert f'@top-center {{ content: "{STATUS}";' in page
    assert f'@bottom-center {{ content: "{STATUS} · " counter(page)' in page
    reader = PdfReader(io.BytesIO(call("get", r_url(world, "/export?format=pdf")).content))
    pages = [" ".join(p.extract_text().split()) for p in reader.pages]
    whole = " ".join(pages)
    assert "u002D" not in whole, whole
    # At the head and the foot of the record, and at the top and bottom of every page.
    assert whole.count(STATUS) == 2 + 2 * len(pages), whole


def test_export_before_approval_is_refused(world, api):
    api(world.users["rapporteur"])("post", r_url(world, "/notes"), {"text": "Draft only."})
    response = api(world.users["convener"])("get", r_url(world, "/export?format=html"))
    assert response.status_code == 400 and "no approved version" in response.json()["detail"]


# --- who may do what -------------------------------------------------------------------------

MEMBERS = [
    "convener",
    "facilitator",
    "rapporteur",
    "participant",
    "unseated",
    "observer",
    "liaison",
]


@pytest.mark.parametrize("role", MEMBERS + OUTSIDE)
def test_record_matrix(world, api, client, role):
    _approved_record(world, api)
    call = api(world.users[role])
    writers = {"convener", "facilitator", "rapporteur"}
    outside = role in OUTSIDE
    got = call("get", r_url(world))
    assert got.status_code == (404 if outside else 200)
    if not outside:
        body = got.json()
        sees_draft = role in writers or role in ("participant", "unseated")
        assert (body["draft"] is not None) is sees_draft
        assert (CANARY in got.content.decode()) is (role in writers)
    for method, tail, body, allowed in [
        (
            "post",
            "/notes",
            {"text": "More."},
            {"convener": 201, "facilitator": 201, "rapporteur": 201},
        ),
        ("post", "/comments", {"text": "A comment."}, {"participant": 201, "unseated": 201}),
        ("get", "/export?format=html", None, {r: 200 for r in MEMBERS}),
    ]:
        response = call(method, r_url(world, tail), body)
        expected = 404 if outside else allowed.get(role, 403)
        assert response.status_code == expected, (role, method, tail, response.content[:200])
        assert CANARY not in response.content.decode() or role in writers
    sign_in(client, world.users[role])
    page = client.get(r_page(world))
    assert page.status_code == (404 if outside else 200)
    assert (CANARY in page.content.decode()) is (role in writers)
    download = client.get(r_page(world, "export/html/"))
    assert download.status_code == (404 if outside else 200)
    assert CANARY not in download.content.decode()


def test_off_the_record_keeps_the_record_from_observers_and_liaisons(world, api):
    world.meeting.attribution_mode = AttributionMode.OFF_RECORD
    world.meeting.save()
    _approved_record(world, api)
    for role in ["observer", "liaison"]:
        assert api(world.users[role])("get", r_url(world)).status_code == 404
        assert api(world.users[role])("get", r_url(world, "/export?format=pdf")).status_code == 404


def test_the_record_through_the_pages(world, client):
    sign_in(client, world.users["rapporteur"])
    client.post(
        r_page(world, "note/"), {"text": "Page note.", "item_id": str(item(world)), "cites": ""}
    )
    held = client.post(
        r_page(world, "note/"), {"text": "Person 01 again", "item_id": ""}, follow=True
    )
    assert "it is held" in held.content.decode()
    bad = client.post(
        r_page(world, "note/"), {"text": "", "item_id": "zz", "cites": "abc"}, follow=True
    )
    text = bad.content.decode()
    assert "not an item of this meeting" in text and "not an accepted statement" in text
    client.logout()
    sign_in(client, world.users["facilitator"])
    refused = client.post(r_page(world, "approve/"), follow=True)
    assert "held" in refused.content.decode()
    note = RecordNote.objects.get(is_held=True)
    client.post(r_page(world, "remove/"), {"note_id": note.pk})
    client.post(r_page(world, "approve/"))
    assert RecordVersion.objects.get().is_approved
    pdf = client.get(r_page(world, "export/pdf/"))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert client.post(r_page(world, "nonsense/")).status_code == 404
