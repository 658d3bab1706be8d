"""Editing from the page: a new version, never a change in place; paragraphs keep their keys
where the text shows which they are; a stale edit keeps the typed text; bad input refused."""

from __future__ import annotations

import html

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.helpers import sign_in
from tests.outcomes.conftest import SECTIONS
from tests.outcomes.test_api import MEMBERS, ROLES
from track2.disclosure.status import STATUS_LINE
from track2.outcomes import actions, texts
from track2.outcomes.forms import body_of, sections_from
from track2.outcomes.models import Amendment, Version

EDITORS = {"convener", "facilitator"}


def _url(world, document, tail="edit/"):
    return f"/dialogues/{world.dialogue.pk}/outcomes/{document.pk}/{tail}"


def _keys(version):
    return {p["text"]: p["key"] for s in version.sections for p in s["paragraphs"]}


def test_the_form_shows_the_current_text_and_round_trips():
    sections = [
        {"heading": "Fisheries", "paragraphs": [
            {"key": "a", "text": "One.", "cites": [12, 34]}, {"key": "b", "text": "Two."}]},
        {"heading": "Incidents", "paragraphs": [{"key": "c", "text": "Three.", "cites": []}]},
    ]  # fmt: skip
    back = sections_from(body_of(sections))
    assert [s["heading"] for s in back] == ["Fisheries", "Incidents"]
    assert [[(p["text"], p.get("cites", [])) for p in s["paragraphs"]] for s in back] == [
        [("One.", [12, 34]), ("Two.", [])],
        [("Three.", [])],
    ]


@pytest.mark.parametrize("role", ROLES)
def test_access_matrix(client, world, statement_doc, role):
    sign_in(client, world[role])
    url = _url(world, statement_doc)
    shown = client.get(url)
    body = {"title": "T", "body": "## H\n\nNew words.", "base_version": "1"}
    posted = client.post(url, body)
    if role in EDITORS:
        assert shown.status_code == 200
        assert STATUS_LINE in shown.content.decode()
        assert posted.status_code == 302
        assert Version.objects.filter(document=statement_doc).count() == 2
    elif role in MEMBERS:  # they read the document: told why not (as the API's 403)
        assert (shown.status_code, posted.status_code) == (403, 403), role
        assert "Only facilitators and conveners edit" in html.unescape(shown.content.decode())
        assert Version.objects.filter(document=statement_doc).count() == 1
    else:
        assert (shown.status_code, posted.status_code) == (404, 404), role
        assert Version.objects.filter(document=statement_doc).count() == 1
    page = client.get(_url(world, statement_doc, ""))
    if role in EDITORS | {"rapporteur", "participant", "observer", "liaison"}:
        assert ("data-edit" in page.content.decode()) == (role in EDITORS)


@pytest.mark.parametrize("role", ["facilitator", "convener"])
def test_an_aide_memoire_is_edited_by_conveners_only(client, world, role):
    memo = actions.do_create(
        world["convener"], world.dialogue.pk, kind="aide_memoire", title="AM", sections=SECTIONS
    )
    sign_in(client, world[role])
    expected = 200 if role == "convener" else 404
    assert client.get(_url(world, memo)).status_code == expected


def test_an_edit_from_the_page_keeps_keys_and_flags_amendments(
    client, world, statement_doc, django_capture_on_commit_callbacks
):
    d = world.dialogue.pk
    first = actions.current(statement_doc)
    actions.do_endorse(world["ostrava0"], d, statement_doc.pk, grade="endorse",
                       version_sha256=first.sha256)  # fmt: skip
    pending = actions.do_propose(
        world["norvik0"], d, statement_doc.pk, paragraph_key="data", text="They swap data."
    )
    sign_in(client, world["facilitator"])
    form = client.get(_url(world, statement_doc)).content.decode()
    assert "Scientists of both sides exchange catch data each season." in html.unescape(form)
    title = f"New version · {first.title} · {world.dialogue.title} · Track2"  # not "… #1"
    assert f"<title>{html.escape(title, quote=False)}</title>" in form
    body = (
        "## Fisheries\n\nA new opening paragraph.\n\n"
        "Both sides share the stocks of the Varena Sea.\n\n"
        "Scientists of both sides exchange catch data every month.\n\n"
        "## Incidents\n\nA hotline between coast guards."
    )
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(_url(world, statement_doc), {"title": first.title, "body": body,
                                                         "base_version": "1"})  # fmt: skip
    assert done.status_code == 302
    second = actions.current(statement_doc)
    assert second.number == 2
    keys = _keys(second)
    # Unchanged and changed paragraphs keep their keys; the new one has its own.
    assert keys["Both sides share the stocks of the Varena Sea."] == "fish"
    assert keys["Scientists of both sides exchange catch data every month."] == "data"
    assert keys["A hotline between coast guards."] == "line"
    assert keys["A new opening paragraph."] not in {"fish", "data", "line"}
    assert Version.objects.get(pk=first.pk).sha256 == first.sha256  # the old one unchanged
    assert Amendment.objects.get(pk=pending.pk).status == Amendment.Status.CONFLICT
    changes = client.get(_url(world, statement_doc, "diff/") + "?a=1&b=2").content.decode()
    assert "<del>each season.</del>" in changes and "<ins>every month.</ins>" in changes
    client.logout()
    sign_in(client, world["ostrava0"])
    assert "data-confirm-again" in client.get(_url(world, statement_doc, "")).content.decode()


def test_a_stale_edit_keeps_the_typed_text_and_shows_the_newer_one(client, world, statement_doc):
    d = world.dialogue.pk
    sections = actions.current(statement_doc).sections
    sections[1]["paragraphs"][0]["text"] = "A hotline, day and night."
    actions.do_edit(world["convener"], d, statement_doc.pk, title="T", sections=sections,
                    base_version=1)  # fmt: skip
    sign_in(client, world["facilitator"])
    mine = "## Fisheries\n\nMy careful rewording of the fisheries paragraph."
    refused = client.post(_url(world, statement_doc), {"title": "Mine", "body": mine,
                                                       "base_version": "1"})  # fmt: skip
    assert refused.status_code == 400
    page = html.unescape(refused.content.decode())
    assert "Version 2 was made while you edited version 1" in page
    assert "My careful rewording of the fisheries paragraph." in page  # nothing lost
    assert "data-current-text" in page and "A hotline, day and night." in page
    assert 'name="base_version" value="2"' in page
    assert Version.objects.filter(document=statement_doc).count() == 2
    again = client.post(_url(world, statement_doc), {"title": "Mine", "body": mine,
                                                     "base_version": "2"})  # fmt: skip
    assert again.status_code == 302
    assert actions.current(statement_doc).number == 3


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"title": "", "body": ""}, "This field is required."),
        ({"title": "x" * 201}, "at most 200 characters"),
        ({"body": "## H\n\nBell\x07 here."}, "control"),
        ({"body": "y" * 200_001}, "at most 200000 characters"),
        ({"body": "## H\n\n" + "z" * 5001}, "Section 1, paragraph 1: Shorten the text"),
        ({"body": "## H\n\nWords.\ncites: abc, 99999999999999999999999"}, "not one"),
        ({"body": "## H\n\nWords.\ncites: 424242"}, "No statement 424242"),
        ({"base_version": str(2**70)}, "Enter a number from 1 to 2147483647"),
        ({"base_version": "abc"}, "Enter a number from 1 to 2147483647"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_made(client, world, statement_doc, fields, words):
    sign_in(client, world["facilitator"])
    data = {"title": "T", "body": "## H\n\nWords.", "base_version": "1", **fields}
    refused = client.post(_url(world, statement_doc), data)
    assert refused.status_code == 400
    assert words in html.unescape(refused.content.decode())
    assert Version.objects.filter(document=statement_doc).count() == 1


def test_invalid_utf8_never_reaches_a_version(client, world, statement_doc):
    """Django decodes a form's bytes with replacement (as on every page of the site): the bytes
    that are not UTF-8 arrive as U+FFFD, so the version holds valid text and hashes."""
    sign_in(client, world["facilitator"])
    done = client.post(
        _url(world, statement_doc),
        "title=T%ED%A0%80&body=Words%FF%FE&base_version=1",
        content_type="application/x-www-form-urlencoded",
    )
    assert done.status_code == 302
    version = actions.current(statement_doc)
    canonical = texts.canonical_text(statement_doc.kind, version.title, version.sections)
    assert "\ufffd" in canonical and not any(0xD800 <= ord(c) <= 0xDFFF for c in canonical)
    assert version.sha256 == texts.sha256_hex(canonical)


def test_no_name_on_the_edit_page(client, world, statement_doc):
    version = actions.current(statement_doc)
    for name in ("ostrava0", "norvik0"):
        actions.do_endorse(world[name], world.dialogue.pk, statement_doc.pk, grade="object",
                           version_sha256=version.sha256, reason="Canary reason.", listed=True)  # fmt: skip
    sign_in(client, world["facilitator"])
    page = client.get(_url(world, statement_doc)).content.decode()
    for secret in ("Person", "ostrava0", "norvik0", "Canary reason."):
        assert secret not in page


def test_keys_sent_by_the_api_win_over_followed_ones(world, statement_doc):
    sections = [{"heading": "H", "paragraphs": [
        {"text": "Both sides share the stocks of the Varena Sea."},  # would follow "fish"
        {"key": "fish", "text": "Taken by name."}]}]  # fmt: skip
    version = actions.do_edit(world["facilitator"], world.dialogue.pk, statement_doc.pk,
                              title="T", sections=sections, base_version=1)  # fmt: skip
    keys = _keys(version)
    assert keys["Taken by name."] == "fish"
    assert keys["Both sides share the stocks of the Varena Sea."] != "fish"


def test_follow_keys_by_hand():
    before = [("a", "One."), ("b", "Two."), ("c", "Three.")]
    assert texts.follow_keys(before, ["Zero.", "One.", "Two.", "Three."]) == [None, "a", "b", "c"]
    assert texts.follow_keys(before, ["One.", "Two!", "Three."]) == ["a", "b", "c"]
    assert texts.follow_keys(before, ["One.", "Three."]) == ["a", "c"]
    assert texts.follow_keys(before, []) == []
    assert texts.follow_keys([], ["New."]) == [None]


paragraph_texts = st.lists(st.sampled_from(["A.", "B.", "C.", "D.", "E."]), max_size=8)


@given(paragraph_texts, paragraph_texts)
def test_follow_keys_never_gives_a_key_twice_and_keeps_unchanged_texts(old, new):
    before = [(f"k{i}", text) for i, text in enumerate(old)]
    keys = texts.follow_keys(before, new)
    given_keys = [k for k in keys if k is not None]
    assert len(given_keys) == len(set(given_keys))
    assert set(given_keys) <= {k for k, _t in before}
    assert texts.follow_keys(before, old) == [k for k, _t in before]
