"""Versions, amendments, endorsements and rankings through the actions, on the real database."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import transaction

from tests.outcomes.conftest import SECTIONS
from track2.access import NotFound
from track2.audit.models import AuditEntry
from track2.errors import ActionRefused, NotPermitted
from track2.outcomes import actions, queries, texts
from track2.outcomes.models import Amendment, Endorsement, ReplacedEndorsement, Version


def _sections(document):
    return actions.current(document).sections


def _endorse(world, name, document, grade="endorse", **extra):
    return actions.do_endorse(
        world[name],
        world.dialogue.pk,
        document.pk,
        grade=grade,
        version_sha256=actions.current(document).sha256,
        **extra,
    )


def test_first_version_is_hashed_from_its_canonical_text(statement_doc):
    version = actions.current(statement_doc)
    assert version.number == 1
    expected = texts.canonical_text("joint_statement", "Varena Sea: joint statement", SECTIONS)
    assert version.sha256 == texts.sha256_hex(expected)
    assert AuditEntry.objects.filter(object_type="version", object_id=version.pk).exists()


def test_an_edit_is_a_new_version_and_the_old_one_stays(world, statement_doc):
    before = actions.current(statement_doc)
    sections = _sections(statement_doc)
    sections[1]["paragraphs"][0]["text"] = (
        "A hotline between the coast guards, staffed day and night."
    )
    new = actions.do_edit(
        world["facilitator"],
        world.dialogue.pk,
        statement_doc.pk,
        title="Varena Sea: joint statement",
        sections=sections,
        base_version=1,
    )
    assert new.number == 2 and new.sha256 != before.sha256
    old = Version.objects.get(pk=before.pk)
    assert old.sha256 == before.sha256
    assert old.sections[1]["paragraphs"][0]["text"] == "A hotline between coast guards."


def test_an_edit_from_a_stale_version_is_refused_with_all_problems(world, statement_doc):
    sections = _sections(statement_doc)
    actions.do_edit(
        world["facilitator"], world.dialogue.pk, statement_doc.pk, title="T", sections=sections,
        base_version=1,
    )  # fmt: skip
    with pytest.raises(ActionRefused) as refused:
        actions.do_edit(
            world["facilitator"],
            world.dialogue.pk,
            statement_doc.pk,
            title="",
            sections=[{"heading": "H", "paragraphs": [{"text": "bad\x00text"}]}],
            base_version=1,
        )
    fields = {f for f, _m in refused.value.problems}
    assert fields == {"base_version", "title", "sections[0].paragraphs[0].text"}
    assert Version.objects.filter(document=statement_doc).count() == 2


def test_any_edit_asks_earlier_endorsers_to_confirm_again(
    world, statement_doc, django_capture_on_commit_callbacks
):
    _endorse(world, "ostrava0", statement_doc)
    _endorse(world, "norvik0", statement_doc, "object", reason="Too vague on data.")
    mail.outbox.clear()
    sections = _sections(statement_doc)
    sections[0]["paragraphs"][1]["text"] += " Within a month."
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_edit(
            world["facilitator"], world.dialogue.pk, statement_doc.pk,
            title="Varena Sea: joint statement", sections=sections, base_version=1,
        )  # fmt: skip
    assert sorted(m.to[0] for m in mail.outbox) == ["norvik0@example.org", "ostrava0@example.org"]
    assert all("Unofficial. Non-binding." in m.body for m in mail.outbox)
    assert all("Type: joint statement" in m.body for m in mail.outbox)
    kept = Endorsement.objects.get(user=world["ostrava0"])
    assert kept.version_number == 1  # kept, marked as given to an earlier version
    outline = queries.outline(statement_doc)
    assert all(row["counts"] is None for row in outline["consensus"]["delegations"])


def test_endorsing_twice_replaces_and_a_stale_version_is_refused(world, statement_doc):
    _endorse(world, "ostrava0", statement_doc, "live_with")
    _endorse(world, "ostrava0", statement_doc, "endorse")
    assert Endorsement.objects.get(user=world["ostrava0"]).grade == "endorse"
    assert Endorsement.objects.count() == 1
    assert ReplacedEndorsement.objects.get().grade == "live_with"  # recorded
    with pytest.raises(ActionRefused) as refused:
        actions.do_endorse(
            world["ostrava0"], world.dialogue.pk, statement_doc.pk, grade="maybe",
            version_sha256="0" * 64, reason="x" * 501,
        )  # fmt: skip
    assert {f for f, _m in refused.value.problems} == {"grade", "version_sha256", "reason"}
    assert (
        "not the current text" in dict((f, m) for f, m in refused.value.problems)["version_sha256"]
    )


def test_endorsing_a_document_of_another_dialogue_is_not_found(world, statement_doc, member_of):
    other = world["member_elsewhere"]
    with pytest.raises(NotFound):
        actions.do_endorse(
            other, other.memberships.first().dialogue_id, statement_doc.pk, grade="endorse",
            version_sha256=actions.current(statement_doc).sha256,
        )  # fmt: skip


def test_consensus_per_delegation_with_small_cells(world, statement_doc):
    for name in ("ostrava0", "ostrava1", "ostrava2", "norvik0", "norvik1"):
        _endorse(world, name, statement_doc)
    _endorse(world, "norvik2", statement_doc, "live_with")
    rows = {r["delegation"]: r for r in queries.outline(statement_doc)["consensus"]["delegations"]}
    # One "can live with it" among three would name that person: Norvik's row is hidden; no
    # total across delegations is published, so Ostrava's row cannot give it away.
    assert rows["Norvik"]["level"] == "too_few"
    assert rows["Norvik"]["counts"] is None
    assert rows["Ostrava"]["level"] == "full"
    assert rows["Ostrava"]["counts"]["endorse"] == 3
    _endorse(world, "norvik2", statement_doc, "endorse")
    rows = {r["delegation"]: r for r in queries.outline(statement_doc)["consensus"]["delegations"]}
    assert (rows["Ostrava"]["level"], rows["Norvik"]["level"]) == ("full", "full")
    _endorse(world, "norvik1", statement_doc, "object", reason="Not yet.")
    rows = {r["delegation"]: r for r in queries.outline(statement_doc)["consensus"]["delegations"]}
    # A lone objection is never shown as "contested": that would point at one person of three.
    assert rows["Norvik"]["level"] == "too_few"


def test_an_edit_rolled_back_sends_no_mail(
    world, statement_doc, django_capture_on_commit_callbacks
):
    _endorse(world, "ostrava0", statement_doc)
    mail.outbox.clear()
    sections = _sections(statement_doc)
    sections[0]["paragraphs"][0]["text"] = "Changed."
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        with transaction.atomic():
            actions.do_edit(
                world["facilitator"], world.dialogue.pk, statement_doc.pk, title="T",
                sections=sections, base_version=1,
            )  # fmt: skip
            raise RuntimeError("the request failed after the edit")
    assert mail.outbox == []
    assert Version.objects.filter(document=statement_doc).count() == 1


def test_an_edit_turns_pending_amendments_of_changed_paragraphs_into_conflicts(
    world, statement_doc
):
    d = world.dialogue.pk
    on_fish = actions.do_propose(
        world["norvik0"], d, statement_doc.pk, paragraph_key="fish", text="They share them."
    )
    on_data = actions.do_propose(
        world["ostrava0"], d, statement_doc.pk, paragraph_key="data", text="They swap data."
    )
    on_line = actions.do_propose(
        world["ostrava1"], d, statement_doc.pk, paragraph_key="line", text="A red telephone."
    )
    sections = _sections(statement_doc)
    sections[0]["paragraphs"][0]["text"] = "Both sides share the fish stocks."
    del sections[1]  # the "line" paragraph is gone
    actions.do_edit(
        world["facilitator"], d, statement_doc.pk, title="T", sections=sections, base_version=1
    )
    status = dict(Amendment.objects.values_list("pk", "status"))
    assert status[on_fish.pk] == Amendment.Status.CONFLICT
    assert status[on_line.pk] == Amendment.Status.CONFLICT
    assert status[on_data.pk] == Amendment.Status.PENDING  # its words are unchanged
    kept = Amendment.objects.get(pk=on_fish.pk)
    assert (kept.text, kept.base_text) == (
        "They share them.", "Both sides share the stocks of the Varena Sea."
    )  # fmt: skip
    with pytest.raises(ActionRefused, match="changed since"):
        actions.do_decide(world["facilitator"], d, statement_doc.pk, on_fish.pk, accept=True)
    actions.do_decide(world["facilitator"], d, statement_doc.pk, on_data.pk, accept=True)
    assert Amendment.objects.get(pk=on_data.pk).status == Amendment.Status.ACCEPTED


def test_amendment_accepted_makes_a_version(world, statement_doc):
    amendment = actions.do_propose(
        world["norvik0"], world.dialogue.pk, statement_doc.pk, paragraph_key="line",
        text="A hotline between coast guards and fisheries agencies.",
    )  # fmt: skip
    decided = actions.do_decide(
        world["facilitator"], world.dialogue.pk, statement_doc.pk, amendment.pk, accept=True
    )
    assert decided.status == Amendment.Status.ACCEPTED and decided.result_version == 2
    text = actions.paragraph_of(actions.current(statement_doc), "line")["text"]
    assert text == "A hotline between coast guards and fisheries agencies."


def test_rejection_needs_a_reason(world, statement_doc):
    amendment = actions.do_propose(
        world["norvik0"], world.dialogue.pk, statement_doc.pk, paragraph_key="fish", text="No."
    )
    with pytest.raises(ActionRefused, match="reason"):
        actions.do_decide(
            world["facilitator"], world.dialogue.pk, statement_doc.pk, amendment.pk, accept=False
        )
    actions.do_decide(
        world["facilitator"], world.dialogue.pk, statement_doc.pk, amendment.pk, accept=False,
        reason="Drops the substance.",
    )  # fmt: skip
    assert Amendment.objects.get(pk=amendment.pk).reason == "Drops the substance."


def test_amendment_to_a_changed_paragraph_is_a_conflict_and_kept(world, statement_doc):
    first = actions.do_propose(
        world["norvik0"], world.dialogue.pk, statement_doc.pk, paragraph_key="fish",
        text="Both sides share and jointly manage the stocks.",
    )  # fmt: skip
    second = actions.do_propose(
        world["ostrava1"], world.dialogue.pk, statement_doc.pk, paragraph_key="fish",
        text="Both sides share the stocks, to be studied.",
    )  # fmt: skip
    actions.do_decide(
        world["facilitator"], world.dialogue.pk, statement_doc.pk, first.pk, accept=True
    )
    with pytest.raises(ActionRefused, match="changed since"):
        actions.do_decide(
            world["facilitator"], world.dialogue.pk, statement_doc.pk, second.pk, accept=True
        )
    kept = Amendment.objects.get(pk=second.pk)
    assert kept.status == Amendment.Status.CONFLICT
    assert kept.text == "Both sides share the stocks, to be studied."
    # Proposed against words that are already gone: a conflict from the start, kept as well.
    late = actions.do_propose(
        world["ostrava2"], world.dialogue.pk, statement_doc.pk, paragraph_key="fish",
        text="Something else.", base_text="Both sides share the stocks of the Varena Sea.",
    )  # fmt: skip
    assert late.status == Amendment.Status.CONFLICT


def test_observers_do_not_amend(world, statement_doc):
    with pytest.raises(NotPermitted):
        actions.do_propose(
            world["observer"], world.dialogue.pk, statement_doc.pk, paragraph_key="fish", text="x"
        )


def test_rankings_refuse_unknown_and_repeated_drafts(world, statement_doc):
    a = actions.do_add_alternative(
        world["facilitator"], world.dialogue.pk, statement_doc.pk, paragraph_key="line", text="A"
    )
    b = actions.do_add_alternative(
        world["facilitator"], world.dialogue.pk, statement_doc.pk, paragraph_key="line", text="B"
    )
    with pytest.raises(ActionRefused) as refused:
        actions.do_rank(
            world["ostrava0"], world.dialogue.pk, statement_doc.pk, paragraph_key="line",
            order=[a.pk, a.pk, 999999],
        )  # fmt: skip
    messages = " ".join(m for _f, m in refused.value.problems)
    assert f"This paragraph has no draft 999999: its drafts are {a.pk} and {b.pk}." in messages
    assert f"Draft {a.pk} is listed more than once: name each draft once." in messages
    actions.do_rank(
        world["ostrava0"], world.dialogue.pk, statement_doc.pk, paragraph_key="line",
        order=[b.pk, a.pk],
    )  # fmt: skip
    result = queries.alternatives(statement_doc, "line")
    assert result["ranking"][0] == [b.pk]


def test_aide_memoire_copies_are_numbered_and_audited(world):
    document = actions.do_create(
        world["convener"], world.dialogue.pk, kind="aide_memoire", title="Aide-mémoire",
        sections=SECTIONS,
    )  # fmt: skip
    first = actions.do_copy(world["convener"], world.dialogue.pk, document.pk, recipient="Envoy A")
    second = actions.do_copy(world["convener"], world.dialogue.pk, document.pk, recipient="Envoy B")
    assert (first.number, second.number) == (1, 2)
    assert AuditEntry.objects.filter(object_type="copy", action="copy").count() == 2
    for name in ("facilitator", "ostrava0", "observer"):
        with pytest.raises(NotFound):
            actions.load_document(world[name], world.dialogue.pk, document.pk)
    with pytest.raises(ActionRefused):
        actions.do_create(
            world["facilitator"], world.dialogue.pk, kind="aide_memoire", title="X",
            sections=SECTIONS,
        )  # fmt: skip
