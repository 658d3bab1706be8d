"""The audit trail never says who wrote what in an outcome document: a participant's proposals,
responses and rankings leave no entry (an entry names its actor, and the conveners who read
the trail could match it to the amendment list, which never names a proposer). Entries that
earlier releases wrote for proposals are erased by a migration; decisions stay recorded."""

from __future__ import annotations

import importlib
from types import SimpleNamespace

from django.db import connection

from tests.helpers import sign_in
from tests.outcomes.test_api import call
from track2.audit.models import AuditEntry
from track2.outcomes import actions
from track2.outcomes.models import Amendment


def test_nothing_a_participant_does_in_outcomes_names_them(client, world, statement_doc):
    """Everything a participant can do to an outcome document, through the actions, the API and
    the pages: no entry has them as its actor, and the Changes page and API never name them."""
    d, o = world.dialogue.pk, statement_doc.pk
    me = world["ostrava0"]
    draft = actions.do_add_alternative(world["facilitator"], d, o, paragraph_key="line", text="A")
    other = actions.do_add_alternative(world["facilitator"], d, o, paragraph_key="line", text="B")
    sha = actions.current(statement_doc).sha256
    before = AuditEntry.objects.count()

    # The actions.
    proposed = actions.do_propose(me, d, o, paragraph_key="fish", text="They share them.")
    actions.do_endorse(me, d, o, grade="live_with", version_sha256=sha, reason="Vague.")
    actions.do_endorse(me, d, o, grade="endorse", version_sha256=sha, listed=True)  # replaces
    actions.do_rank(me, d, o, paragraph_key="line", order=[other.pk, draft.pk])
    actions.do_export(me, d, o, fmt="markdown")
    # The API.
    path = f"/dialogues/{d}/outcomes/{o}"
    assert call(client, me, "post", path + "/amendments",
                {"paragraph_key": "data", "text": "They swap data."}).status_code == 201  # fmt: skip
    assert call(client, me, "put", path + "/endorsement",
                {"grade": "object", "version_sha256": sha}).status_code == 200  # fmt: skip
    assert call(client, me, "put", path + "/ranking",
                {"paragraph_key": "line", "order": [draft.pk]}).status_code == 200  # fmt: skip
    for read in ("", "/amendments", "/endorsement", "/versions", "/export?format=json"):
        assert call(client, me, "get", path + read).status_code == 200, read
    # The pages.
    sign_in(client, me)
    page = f"/dialogues/{d}/outcomes/{o}/"
    assert client.post(page + "amendments/", {"paragraph_key": "line",
                       "text": "A hotline, always."}).status_code == 302  # fmt: skip
    assert client.post(page + "endorse/", {"grade": "endorse",
                       "version_sha256": sha}).status_code == 302  # fmt: skip
    assert client.post(page + "ranking/", {"paragraph_key": "line",
                       "order": f"{draft.pk} {other.pk}"}).status_code == 302  # fmt: skip
    assert client.get(page).status_code == 200

    assert Amendment.objects.filter(document=statement_doc).count() == 3
    assert not AuditEntry.objects.filter(actor=me).exists()
    assert not AuditEntry.objects.filter(actor_name=me.email).exists()
    assert AuditEntry.objects.count() == before  # nobody's: the participant's writes leave none

    # A facilitator's decision on an amendment stays recorded, under the facilitator's name.
    actions.do_decide(world["facilitator"], d, o, proposed.pk, accept=False, reason="No.")
    decided = AuditEntry.objects.get(object_type="amendment")
    assert (decided.action, decided.actor) == ("rejected", world["facilitator"])
    client.logout()
    sign_in(client, world["convener"])
    changes = client.get(f"/dialogues/{d}/changes/").content.decode()
    api = call(client, world["convener"], "get", f"/dialogues/{d}/changes").content.decode()
    for shown in (changes, api):
        assert me.email not in shown and "Ostrava Person 0" not in shown
        assert "propose" not in shown


def test_the_migration_erases_recorded_proposals_and_keeps_decisions(world, statement_doc):
    amendment = actions.do_propose(
        world["norvik0"], world.dialogue.pk, statement_doc.pk, paragraph_key="fish", text="X."
    )
    # As earlier releases recorded a proposal: the proposer named as the actor.
    AuditEntry.objects.create(
        dialogue=world.dialogue, actor=world["norvik0"], actor_name=world["norvik0"].email,
        action="propose", object_type="amendment", object_id=amendment.pk, fields=["text"],
    )  # fmt: skip
    actions.do_decide(
        world["facilitator"], world.dialogue.pk, statement_doc.pk, amendment.pk, accept=False,
        reason="No.",
    )  # fmt: skip
    others = AuditEntry.objects.exclude(action="propose").count()
    migration = importlib.import_module("track2.audit.migrations.0002_forget_amendment_proposers")
    from django.apps import apps

    migration.forget_amendment_proposers(apps, SimpleNamespace(connection=connection))
    assert not AuditEntry.objects.filter(action="propose").exists()
    assert not AuditEntry.objects.filter(actor=world["norvik0"]).exists()
    assert AuditEntry.objects.count() == others  # the decision and every other entry stay
    assert AuditEntry.objects.filter(object_type="amendment", action="rejected").exists()
