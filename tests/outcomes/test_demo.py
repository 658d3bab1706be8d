"""The demo shows outcome documents: a joint statement with an accepted and a pending amendment,
ranked drafts, endorsements from both sides with one objection, one of an earlier version and one
replaced (kept for its giver)."""

from __future__ import annotations

from tests.template_db import demo_in_database
from track2.outcomes import actions, queries, render
from track2.outcomes.models import Amendment, Endorsement, OutcomeDocument, ReplacedEndorsement


def test_demo_outcomes(db):
    demo_in_database()
    document = OutcomeDocument.objects.get(kind="joint_statement")
    statuses = sorted(document.amendments.values_list("status", flat=True))
    assert statuses == [Amendment.Status.ACCEPTED, Amendment.Status.PENDING]
    current = actions.current(document)
    assert current.number == 2
    endorsements = Endorsement.objects.filter(document=document)
    assert endorsements.filter(grade="object").count() == 1
    assert endorsements.exclude(version_sha256=current.sha256).count() == 1
    replaced = ReplacedEndorsement.objects.get(document=document)
    assert (replaced.grade, replaced.version_number) == ("live_with", 1)
    assert queries.mine(document, replaced.user)["earlier"][0]["grade"] == "live_with"
    ranked = queries.alternatives(document, "hotline")
    assert ranked["ballots"] >= 6 and len(ranked["ranking"][0]) == 1
    outline = queries.outline(document)
    assert any(p["evidence"] for s in outline["sections"] for p in s["paragraphs"])
    assert len(outline["consensus"]["delegations"]) == 2
    memo = OutcomeDocument.objects.get(kind="aide_memoire")
    assert memo.copies.count() == 1
    assert render.render(document, "pdf").startswith(b"%PDF-")
