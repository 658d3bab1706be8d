"""A held note of the record is revised on the page (audit, finding 4: approval said "revise them
without the name, or remove them", and the page offered only Remove). As the caucus does: the
held note's own box, "Revise without the name", its agenda item and citations kept; the same
writers' rule and non-attribution check as a new note; a refused revision back in its box."""

from __future__ import annotations

import html

import pytest

from tests.deliberation.test_map import accepted_statement
from tests.facilitation.page_fields import errors_at, page_of
from tests.facilitation.test_access_matrix import OUTSIDE
from tests.facilitation.test_record import MEMBERS, item, r_page, r_url
from tests.helpers import sign_in
from track2.dialogues.models import AttributionMode
from track2.facilitation.models import RecordNote, RecordVersion

NAMED = "Person 03 insisted on joint patrols."
WRITERS = ("convener", "facilitator", "rapporteur")


@pytest.fixture
def held(world, api):
    """A held note on item 2, citing an accepted statement, in the draft (version 1)."""
    statement = accepted_statement(world, "Joint patrols build trust.")
    api(world.users["rapporteur"])(
        "post",
        r_url(world, "/notes"),
        {"text": NAMED, "item_id": item(world, 2), "cites": [statement.pk]},
    )
    note = RecordNote.objects.get()
    assert note.is_held
    return note


def test_a_held_note_is_revised_without_the_name_and_the_record_approved(world, client, held):
    sign_in(client, world.users["rapporteur"])
    page = page_of(client.get(r_page(world)))
    assert page.controls[f"revise-{held.pk}"].value == NAMED  # its words, to revise
    assert f'<label for="revise-{held.pk}">Revise without the name</label>' in (
        client.get(r_page(world)).content.decode()
    )
    done = client.post(
        r_page(world, "revise/"), {"note_id": held.pk, "text": "One side insisted."}, follow=True
    )
    assert "The note is revised." in done.content.decode()
    note = RecordNote.objects.get()
    assert (note.text, note.is_held) == ("One side insisted.", False)
    # Its agenda item and citation stay.
    assert note.agenda_item_id == item(world, 2) and len(note.cites) == 1
    client.logout()
    sign_in(client, world.users["facilitator"])
    client.post(r_page(world, "approve/"))
    assert RecordVersion.objects.get().is_approved


def test_a_revision_that_still_names_someone_stays_held_and_says_so(world, client, held):
    sign_in(client, world.users["facilitator"])
    told = client.post(
        r_page(world, "revise/"),
        {"note_id": held.pk, "text": "person.03@example.org agreed."},
        follow=True,
    )
    text = html.unescape(told.content.decode())
    assert "it is held" in text and "revised without the name or removed" in text
    assert RecordNote.objects.get().is_held
    assert "The note is revised." not in text


def test_only_held_notes_have_a_revision_box(world, client, held, api):
    api(world.users["rapporteur"])("post", r_url(world, "/notes"), {"text": "Plain words."})
    plain = RecordNote.objects.get(text="Plain words.")
    sign_in(client, world.users["rapporteur"])
    controls = page_of(client.get(r_page(world))).controls
    assert f"revise-{held.pk}" in controls and f"revise-{plain.pk}" not in controls


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("", "Write something: it is empty."),
        ("  \n\t ", "Write something: it is empty."),
        ("No names \x1b here", "control character"),
        ("a\x00b", "control character"),
        ("x" * 10_001, "At most 10000 characters (this has 10001)"),
    ],
)
def test_a_refused_revision_comes_back_in_its_own_box(world, client, held, typed, words):
    sign_in(client, world.users["rapporteur"])
    response = client.post(r_page(world, "revise/"), {"note_id": held.pk, "text": typed})
    assert response.status_code == 400
    page = page_of(response)
    assert page.controls[f"revise-{held.pk}"].value == typed
    assert words in errors_at(page, f"revise-{held.pk}")
    assert not page.controls["note"].is_invalid  # the new note's box is untouched
    assert RecordNote.objects.get().text == NAMED


@pytest.mark.parametrize("note_id", ["", "abc", "9" * 40, "-1", "0", "999999", "1\x00"])
def test_a_revision_of_no_note_keeps_the_text_and_says_every_problem(world, client, held, note_id):
    sign_in(client, world.users["rapporteur"])
    for typed, problems in [
        ("Kept words.", ["That is not a note of the record's latest version."]),
        (
            "",
            [
                "That is not a note of the record's latest version.",
                "Write something: it is empty.",
            ],
        ),
    ]:
        response = client.post(r_page(world, "revise/"), {"note_id": note_id, "text": typed})
        assert response.status_code == 400
        page = page_of(response)
        # No such note on the page: the words come back in the box for a new note.
        assert page.controls["note"].value == typed
        text = html.unescape(response.content.decode())
        for problem in problems:
            assert problem in text, (note_id, problem)
    assert RecordNote.objects.get().text == NAMED


def test_a_revision_after_approval_opens_the_next_version(world, client, api):
    rap = api(world.users["rapporteur"])
    rap("post", r_url(world, "/notes"), {"text": "Broad support."})
    api(world.users["facilitator"])("post", r_url(world, "/approve"))
    rap("post", r_url(world, "/notes"), {"text": NAMED})  # version 2, a copy and a held note
    held = RecordNote.objects.get(version__number=2, is_held=True)
    sign_in(client, world.users["rapporteur"])
    client.post(r_page(world, "revise/"), {"note_id": held.pk, "text": "Someone insisted."})
    assert sorted(RecordNote.objects.values_list("version__number", "text")) == [
        (1, "Broad support."),
        (2, "Broad support."),
        (2, "Someone insisted."),
    ]


@pytest.mark.parametrize("mode", [AttributionMode.CHATHAM_HOUSE, AttributionMode.OFF_RECORD])
@pytest.mark.parametrize("role", MEMBERS + OUTSIDE)
def test_revise_matrix(world, client, held, role, mode):
    """Every role of the dialogue, an outsider, a member of another dialogue and of another
    institution, and the site administrator: writers revise; other members who read the record
    are told they do not write it; everyone else gets 404, as for a meeting that does not
    exist."""
    world.meeting.attribution_mode = mode
    world.meeting.save(update_fields=["attribution_mode"])
    sign_in(client, world.users[role])
    response = client.post(
        r_page(world, "revise/"), {"note_id": held.pk, "text": "Someone insisted."}
    )
    # Off the record only those on the meeting's list (and the writers) read the record.
    if mode == AttributionMode.CHATHAM_HOUSE:
        reads = role in MEMBERS
    else:
        reads = role in (*WRITERS, "participant")
    assert response.status_code == (302 if reads else 404), role
    revised = RecordNote.objects.get().text == "Someone insisted."
    assert revised is (role in WRITERS), role
    if reads and role not in WRITERS:
        told = client.get(response["Location"]).content.decode()
        assert "Only the rapporteur and the facilitators write the record." in told


def test_revise_needs_a_signed_in_writer(world, client, held):
    response = client.post(r_page(world, "revise/"), {"note_id": held.pk, "text": "x"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.get(r_page(world, "revise/")).status_code in (302, 405)
    assert RecordNote.objects.get().text == NAMED
