"""The outcome page's paragraph boxes (amend a paragraph, add a competing draft): refused, the
page comes back (400) with the box open, the text as typed, every problem beside it in plain
words; the hidden fields' problems are one sentence; nothing is saved. `base_text` is optional,
as in the API. (Audit of bad input, finding 9.)"""

from __future__ import annotations

import html
import re

from tests.facilitation.page_fields import errors_at, page_of
from tests.helpers import sign_in
from track2.outcomes import actions
from track2.outcomes.models import Alternative, Amendment

ESC = "\x1b"
LINE = "A hotline between coast guards."
OUT_OF_DATE = "The page was out of date"


def _url(world, document, tail=""):
    return f"/dialogues/{world.dialogue.pk}/outcomes/{document.pk}/{tail}"


def _refused(client, url, data):
    response = client.post(url, data)
    assert response.status_code == 400, response.status_code
    content = response.content.decode()
    shown = html.unescape(re.sub(r"<[^>]+>", " ", content))
    # No field name of the API's in what the reader sees.
    assert "base_text" not in shown and "paragraph_key" not in shown
    return content, shown, page_of(response)


def _open_boxes(content: str) -> list[str]:
    return re.findall(r"<details open>.*?</details>", content, re.S)


def test_a_refused_amendment_keeps_its_text_in_its_open_box(client, world, statement_doc):
    sign_in(client, world["participant"])
    url = _url(world, statement_doc, "amendments/")
    typed = f"Audit AMEND2 {ESC}"
    # The audit's request: base_text sent empty, a control character in the text.
    content, _shown, page = _refused(
        client, url, {"paragraph_key": "line", "base_text": "", "text": typed}
    )
    assert page.controls["amend-line"].value == typed
    assert "invisible control characters" in errors_at(page, "amend-line")
    [box] = _open_boxes(content)
    assert 'id="amend-line"' in box
    # Every problem of the text at once, the other paragraphs' boxes as they were.
    typed = "z" * 5001 + ESC
    content, _shown, page = _refused(
        client, url, {"paragraph_key": "line", "base_text": LINE, "text": typed}
    )
    assert page.controls["amend-line"].value == typed
    errors = errors_at(page, "amend-line")
    assert "at most 5000 characters" in errors and "control character" in errors
    assert page.controls["amend-fish"].value.startswith("Both sides share")
    assert not page.controls["amend-fish"].is_invalid
    assert len(_open_boxes(content)) == 1
    assert not Amendment.objects.exists()


def test_hidden_fields_problems_are_one_sentence_and_the_text_is_kept(client, world, statement_doc):
    sign_in(client, world["participant"])
    url = _url(world, statement_doc, "amendments/")
    # A page altered on its way (base_text too long): the box, the sentence, the text.
    content, shown, page = _refused(
        client, url, {"paragraph_key": "line", "base_text": "b" * 5001, "text": "Kept words."}
    )
    assert page.controls["amend-line"].value == "Kept words."
    assert shown.count(OUT_OF_DATE) == 1 and "5000" not in shown
    # Its base text is the paragraph's again, so that sending it again goes through.
    assert f'name="base_text" value="{LINE}"' in content
    # A paragraph gone in a new version, and a text with a problem of its own: both said, and
    # the text kept apart, to copy into the box where it belongs now.
    typed = f"For a paragraph gone {ESC}"
    for fields in [{"paragraph_key": "gone"}, {"paragraph_key": "x" * 17}]:
        content, shown, page = _refused(client, url, {**fields, "text": typed})
        assert page.controls["amendment-not-saved"].value == typed
        assert "control character" in errors_at(page, "amendment-not-saved")
        assert shown.count(OUT_OF_DATE) == 1
        assert not _open_boxes(content)
    assert not Amendment.objects.exists()


def test_base_text_is_optional_as_in_the_api(client, world, statement_doc):
    sign_in(client, world["participant"])
    url = _url(world, statement_doc, "amendments/")
    for fields in [{}, {"base_text": ""}]:
        sent = client.post(url, {"paragraph_key": "line", "text": "A hotline, always.", **fields})
        assert sent.status_code == 302
    # Without it, the amendment is to the paragraph's current words: pending, not a conflict.
    assert [(a.base_text, a.status) for a in Amendment.objects.order_by("pk")] == [
        (LINE, "pending"),
        (LINE, "pending"),
    ]
    seen = client.post(url, {"paragraph_key": "line", "base_text": LINE, "text": "Two lines."})
    assert seen.status_code == 302 and Amendment.objects.count() == 3


def test_a_refused_competing_draft_keeps_its_text_in_its_open_box(client, world, statement_doc):
    sign_in(client, world["facilitator"])
    url = _url(world, statement_doc, "drafts/")
    for typed, words in [
        (f"Audit keep me DRAFT {ESC}", ["invisible control characters"]),
        ("d" * 5001 + ESC, ["at most 5000 characters", "control character"]),
        ("   ", ["This field is required."]),
    ]:
        content, _shown, page = _refused(client, url, {"paragraph_key": "line", "text": typed})
        assert page.controls["draft-line"].value == typed
        errors = errors_at(page, "draft-line")
        assert all(w in errors for w in words), errors
        [box] = _open_boxes(content)
        assert 'data-draft-for="line"' in box
    content, shown, page = _refused(client, url, {"paragraph_key": "gone", "text": "Kept."})
    assert page.controls["draft-not-saved"].value == "Kept."
    assert shown.count(OUT_OF_DATE) == 1
    assert not Alternative.objects.exists()
    added = client.post(url, {"paragraph_key": "line", "text": "A red telephone."})
    assert added.status_code == 302 and Alternative.objects.get().text == "A red telephone."


def test_a_refused_decision_or_ranking_names_no_field(client, world, statement_doc):
    amendment = actions.do_propose(
        world["participant"], world.dialogue.pk, statement_doc.pk, paragraph_key="line", text="X."
    )
    sign_in(client, world["facilitator"])
    _content, shown, _page = _refused(
        client, _url(world, statement_doc, f"amendments/{amendment.pk}/decision/"), {"accept": "0"}
    )
    assert "Give a reason for rejecting" in shown
    actions.do_add_alternative(
        world["facilitator"], world.dialogue.pk, statement_doc.pk, paragraph_key="line", text="A"
    )
    client.logout()
    sign_in(client, world["participant"])
    _content, shown, _page = _refused(
        client, _url(world, statement_doc, "ranking/"), {"paragraph_key": "y" * 17, "order": "x"}
    )
    assert OUT_OF_DATE in shown and "'x' is not a draft number" in shown
