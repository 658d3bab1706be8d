"""The caucus's and the record's text entries on the pages: a refused note, statement, poll or
comment comes back (400) with the text as typed in its box and every problem beside it
(aria-invalid, aria-describedby), and nothing saved; a good one is saved and redirects as before.
(Audit of bad input, finding 8: the text was thrown away behind a redirect.)"""

from __future__ import annotations

import html

from tests.facilitation.page_fields import errors_at, page_of
from tests.facilitation.test_caucus import c_page, c_url
from tests.facilitation.test_caucus import caucus_world as caucus_world  # noqa: F401  (fixture)
from tests.facilitation.test_record import item, r_page, r_url
from tests.helpers import sign_in
from track2.facilitation.models import (
    CaucusNote,
    CaucusPoll,
    CaucusStatement,
    RecordComment,
    RecordNote,
    RecordVersion,
)

ESC = "\x1b"
CONTROL = "control character"


def _refused(client, url, data):
    response = client.post(url, data)
    assert response.status_code == 400, response.status_code
    return response, page_of(response)


def test_a_refused_caucus_note_keeps_its_text(caucus_world, client):
    world = caucus_world
    sign_in(client, world.participants[0])
    for typed, words in [
        ("Keep me NOTE " + "n" * 25_000, "At most 5000 characters (this has 25013)"),
        (f"Keep me NOTE {ESC} twice", CONTROL),
        ("\n  \n", "Write something: it is empty."),
    ]:
        response, page = _refused(client, c_page(world, tail="note/"), {"text": typed})
        assert page.controls["text"].value == typed
        assert words in errors_at(page, "text")
    # Shown at the action's URL (POST only), the live caucus re-reads the caucus page itself.
    assert f'data-live-fragment="{c_page(world)}"' in response.content.decode()
    assert not CaucusNote.objects.exists()
    assert client.post(c_page(world, tail="note/"), {"text": "Hold firm."}).status_code == 302
    assert CaucusNote.objects.get().text == "Hold firm."


def test_a_refused_revision_of_a_held_note_comes_back_in_its_own_box(caucus_world, client):
    world = caucus_world
    sign_in(client, world.participants[0])
    client.post(c_page(world, tail="note/"), {"text": "person.05@example.org agrees"})
    held = CaucusNote.objects.get()
    typed = f"Without the name {ESC}"
    _response, page = _refused(
        client, c_page(world, tail="note/"), {"note_id": held.pk, "text": typed}
    )
    assert page.controls[f"held-{held.pk}"].value == typed
    assert CONTROL in errors_at(page, f"held-{held.pk}")
    assert page.controls["text"].value == "" and not page.controls["text"].is_invalid
    # A held note no longer there (deleted meanwhile): both problems, the text in the new box.
    response, page = _refused(
        client, c_page(world, tail="note/"), {"note_id": "999999", "text": "x" * 6000}
    )
    assert page.controls["text"].value == "x" * 6000
    assert "At most 5000 characters" in errors_at(page, "text")
    assert "That is not a held note of yours" in html.unescape(response.content.decode())
    assert CaucusNote.objects.get().text == "person.05@example.org agrees"


def test_a_refused_caucus_statement_keeps_its_text(caucus_world, client):
    world = caucus_world
    sign_in(client, world.participants[0])
    for typed, words in [
        (f"Keep me STMT {ESC}", CONTROL),
        ("s" * 400, "At most 300 characters (this has 400)"),
    ]:
        _response, page = _refused(client, c_page(world, tail="statement/"), {"text": typed})
        assert page.controls["statement-text"].value == typed
        assert words in errors_at(page, "statement-text")
    client.post(c_page(world, tail="statement/"), {"text": "Person 05 is right."})
    held = CaucusStatement.objects.get()
    response, page = _refused(
        client, c_page(world, tail="statement/"), {"statement_id": held.pk, "text": "y" * 301}
    )
    assert page.controls[f"held-statement-{held.pk}"].value == "y" * 301
    assert "At most 300" in errors_at(page, f"held-statement-{held.pk}")
    assert CaucusStatement.objects.get().text == "Person 05 is right."
    ok = client.post(c_page(world, tail="statement/"), {"text": "Quotas later."})
    assert ok.status_code == 302 and CaucusStatement.objects.count() == 2


def test_a_refused_poll_keeps_the_question_and_options_with_every_problem(caucus_world, client):
    world = caucus_world
    sign_in(client, world.participants[0])
    question, options = f"Keep me POLLQ {ESC}", "Audit opt1\nAudit opt1\n" + "o" * 250 + "\n"
    _response, page = _refused(
        client, c_page(world, tail="poll/"), {"question": question, "options": options}
    )
    assert page.controls["question"].value == question
    assert page.controls["options"].value == options
    assert CONTROL in errors_at(page, "question")
    at_options = errors_at(page, "options")
    assert "“Audit opt1” repeats" in at_options and "At most 200 characters" in at_options
    assert not CaucusPoll.objects.exists()
    good = {"question": "Go on?", "options": "yes\nno"}
    assert client.post(c_page(world, tail="poll/"), good).status_code == 302
    assert CaucusPoll.objects.get().options == ["yes", "no"]


def test_a_caucus_guest_is_still_told_and_sent_back(caucus_world, client, api):
    """A refusal no input changes (an invited facilitator writes nothing) has no box to go back
    to: it is told on the caucus page, as before."""
    world = caucus_world
    api(world.participants[0])("put", c_url(world, tail="/invitation"), {"invited": True})
    sign_in(client, world.users["facilitator"])
    told = client.post(c_page(world, tail="note/"), {"text": "Hello"}, follow=True)
    assert told.redirect_chain and "invited to read this caucus" in told.content.decode()
    assert not CaucusNote.objects.exists()


def test_a_refused_record_note_keeps_text_item_and_cites(world, client):
    sign_in(client, world.users["rapporteur"])
    typed, item_id = "Audit RNOTE2 " + "r" * 10_500, str(item(world, 2))
    response, page = _refused(
        client, r_page(world, "note/"), {"text": typed, "item_id": item_id, "cites": "abc 77"}
    )
    assert f'data-live-fragment="{r_page(world)}"' in response.content.decode()
    assert page.controls["note"].value == typed
    assert page.controls["item_id"].value == item_id
    assert "At most 10000 characters (this has 10513)" in errors_at(page, "note")
    # Ids no box offers (sent by hand): said beside the choice of statements.
    cites = page.texts["cites-error"]
    assert "“abc” is not an accepted statement" in cites and "“77” is not" in cites
    assert 'aria-describedby="cites-error"' in response.content.decode()
    # Every problem at once, each at its own field.
    _response, page = _refused(
        client, r_page(world, "note/"), {"text": f"a{ESC}b", "item_id": "zz", "cites": ""}
    )
    assert page.controls["note"].value == f"a{ESC}b"
    assert CONTROL in errors_at(page, "note")
    assert "not an item of this meeting" in errors_at(page, "item_id")
    assert "cites-error" not in page.texts
    assert not RecordVersion.objects.exists() and not RecordNote.objects.exists()
    ok = client.post(r_page(world, "note/"), {"text": "Fine.", "item_id": item_id, "cites": ""})
    assert ok.status_code == 302 and RecordNote.objects.get().text == "Fine."


def test_a_refused_record_comment_keeps_its_text(world, client, api):
    api(world.users["rapporteur"])("post", r_url(world, "/notes"), {"text": "Draft note."})
    sign_in(client, world.participants[0])
    for typed, words in [
        ("Audit keep me REC " + "z" * 3000, "At most 2000 characters (this has 3018)"),
        (f"Comment {ESC}", CONTROL),
    ]:
        _response, page = _refused(client, r_page(world, "comment/"), {"text": typed})
        assert page.controls["comment"].value == typed
        assert words in errors_at(page, "comment")
    assert not RecordComment.objects.exists()
    ok = client.post(r_page(world, "comment/"), {"text": "Add the timeline."})
    assert ok.status_code == 302 and RecordComment.objects.get().text == "Add the timeline."
    # The draft approved meanwhile: the refusal is said above the box, and the text is kept.
    assert api(world.users["facilitator"])("post", r_url(world, "/approve")).status_code == 200
    response, page = _refused(client, r_page(world, "comment/"), {"text": "Too late, kept."})
    assert page.controls["comment"].value == "Too late, kept."
    assert "comments go on a draft" in response.content.decode()
    assert RecordComment.objects.count() == 1
