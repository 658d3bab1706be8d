"""Who may write what on outcome documents, through the API and the pages, by the project's rule:
a member of the dialogue who reads the document but whose role does not allow the write is
told why (403, `detail` saying who may); anyone who may not read it — an outsider, a member of
another dialogue, the site administrator, and everyone but the conveners for an aide-mémoire —
gets the 404 a missing document gets. Nothing is written by a refused call."""

from __future__ import annotations

import html

import pytest

from tests.helpers import sign_in
from tests.outcomes.conftest import SECTIONS
from tests.outcomes.test_api import AMENDERS, DRAFTERS, MEMBERS, ROLES, call
from track2.outcomes import actions
from track2.outcomes.models import (
    Alternative,
    Amendment,
    Endorsement,
    OutcomeDocument,
    Ranking,
    Version,
)

PARTICIPANTS = {"participant"}


def _writes(world, document, proposer="norvik0"):
    """(method, path, body, who may, what a done write leaves) for each write on `document`,
    each built just before it is sent (a decision needs a pending amendment, an edit the
    current version's number)."""
    d = f"/dialogues/{world.dialogue.pk}/outcomes"
    o = f"{d}/{document.pk}"

    def pending():
        return actions.do_propose(
            world[proposer], world.dialogue.pk, document.pk, paragraph_key="data", text="D."
        ).pk

    def draft():
        return Alternative.objects.get_or_create(
            document=document, paragraph_key="line", defaults={"text": "B"}
        )[0].pk

    def version():
        return actions.current(document)

    return [
        ("post", lambda: d, lambda: {"kind": "non_paper", "title": "N", "sections": SECTIONS},
         DRAFTERS, OutcomeDocument),
        ("put", lambda: o, lambda: {"title": "T", "sections": SECTIONS,
                                    "base_version": version().number}, DRAFTERS, Version),
        ("post", lambda: o + "/amendments", lambda: {"paragraph_key": "fish", "text": "New."},
         AMENDERS, Amendment),
        ("post", lambda: o + f"/amendments/{pending()}/decision",
         lambda: {"accept": False, "reason": "No."}, DRAFTERS, None),
        ("put", lambda: o + "/endorsement",
         lambda: {"grade": "endorse", "version_sha256": version().sha256}, PARTICIPANTS,
         Endorsement),
        ("post", lambda: o + "/alternatives", lambda: {"paragraph_key": "line", "text": "C"},
         DRAFTERS, Alternative),
        ("put", lambda: o + "/ranking", lambda: {"paragraph_key": "line", "order": [draft()]},
         PARTICIPANTS, Ranking),
    ]  # fmt: skip


def _counts():
    return [m.objects.count() for m in (OutcomeDocument, Version, Amendment, Endorsement,
                                        Alternative, Ranking)]  # fmt: skip


@pytest.mark.parametrize("role", ROLES)
def test_api_write_matrix(client, world, statement_doc, role):
    for method, path, body, allowed, _made in _writes(world, statement_doc):
        url, sent = path(), body()
        before = _counts()
        response = call(client, world[role], method, url, sent)
        where = (role, method, url)
        if role in allowed:
            assert response.status_code in (200, 201), (*where, response.content[:300])
            continue
        if role in MEMBERS:
            assert response.status_code == 403, (*where, response.status_code)
            assert response.json()["detail"].startswith("Only "), where
        else:
            assert response.status_code == 404, (*where, response.status_code)
            assert response.json() == {"detail": "Not found."}
        # A decision's pending amendment was made for the call; nothing else was written.
        assert _counts()[:2] + _counts()[3:] == before[:2] + before[3:], where


@pytest.mark.parametrize("role", ROLES)
def test_an_aide_memoire_is_not_found_for_all_but_conveners(client, world, role):
    memo = actions.do_create(
        world["convener"], world.dialogue.pk, kind="aide_memoire", title="AM", sections=SECTIONS
    )
    for method, path, body, allowed, _made in _writes(world, memo, proposer="convener")[1:]:
        url = path()
        response = call(client, world[role], method, url, body())
        where = (role, method, url)
        if role != "convener":
            assert response.status_code == 404, (*where, response.status_code)
        elif url.endswith("/alternatives"):
            # Nobody could rank them: participants do not read an aide-mémoire.
            assert response.status_code == 400, where
            assert "do not read a confidential aide-mémoire" in response.json()["detail"]
        elif role in allowed:
            assert response.status_code in (200, 201), (*where, response.content[:300])
        else:  # a convener neither responds to nor ranks it: only participants do
            assert response.status_code == 403, (*where, response.status_code)
    assert not Alternative.objects.filter(text="C").exists()  # the API added none


PAGE_WRITES = [
    ("endorse/", lambda w, doc: {"grade": "endorse",
                                 "version_sha256": actions.current(doc).sha256}, PARTICIPANTS,
     "Only participants respond to outcome documents"),
    ("ranking/", lambda w, doc: {"paragraph_key": "line", "order": str(
        actions.do_add_alternative(w["facilitator"], w.dialogue.pk, doc.pk,
                                   paragraph_key="line", text="B").pk)}, PARTICIPANTS,
     "Only participants rank competing drafts"),
    ("drafts/", lambda w, doc: {"paragraph_key": "line", "text": "C."}, DRAFTERS,
     "Only facilitators and conveners add competing drafts"),
    ("amendments/", lambda w, doc: {"paragraph_key": "fish", "text": "New."}, AMENDERS,
     "Only participants, rapporteurs, facilitators and conveners propose amendments"),
    ("amendments/{pending}/decision/", lambda w, doc: {"accept": "0", "reason": "No."}, DRAFTERS,
     "Only facilitators and conveners accept or reject amendments"),
]  # fmt: skip


@pytest.mark.parametrize("role", ROLES)
def test_page_write_matrix(client, world, statement_doc, role):
    sign_in(client, world[role])
    base = f"/dialogues/{world.dialogue.pk}/outcomes/{statement_doc.pk}/"
    for tail, body, allowed, reason in PAGE_WRITES:
        if "{pending}" in tail:
            pending = actions.do_propose(world["norvik0"], world.dialogue.pk, statement_doc.pk,
                                         paragraph_key="data", text="D.")  # fmt: skip
            tail = tail.format(pending=pending.pk)
        response = client.post(base + tail, body(world, statement_doc))
        where = (role, tail)
        if role in allowed:
            assert response.status_code == 302, (*where, response.status_code)
        elif role in MEMBERS:
            assert response.status_code == 403, (*where, response.status_code)
            assert reason in html.unescape(response.content.decode()), where
        else:
            assert response.status_code == 404, (*where, response.status_code)
    created = client.post(
        f"/dialogues/{world.dialogue.pk}/outcomes/",
        {"kind": "non_paper", "title": "N", "attribution": "chatham_house", "body": "## H\n\nP."},
    )
    if role in DRAFTERS:
        assert created.status_code == 302
    elif role in MEMBERS:
        assert created.status_code == 403
        assert "Only facilitators and conveners draft" in html.unescape(created.content.decode())
        assert OutcomeDocument.objects.count() == 1
    else:
        assert created.status_code == 404
