"""The impact actions: recommendations drawn from documents, relays and reactions with evidence,
survey answers under pseudonyms (one per person, replaced while open, refused after), bad input
answered with every problem at once and nothing half-written, audit entries for writes."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.impact.conftest import past
from tests.outcomes.test_api import call
from track2.access import NotFound
from track2.audit.models import AuditEntry
from track2.dialogues.models import Delegation
from track2.errors import ActionRefused, NotPermitted
from track2.impact import actions, queries
from track2.impact.models import Reaction, Relay, Response
from track2.outcomes import actions as outcome_actions

TRUST = {"keeps_word": 4, "good_faith": 3, "shares_concerns": 5}


def norvik(world):
    return str(Delegation.objects.get(dialogue=world.dialogue, name="Norvik").pk)


def ostrava(world):
    return str(Delegation.objects.get(dialogue=world.dialogue, name="Ostrava").pk)


def answer(world, user, survey, warmth=50, **extra):
    other = norvik(world) if user.email.startswith("ostrava") else ostrava(world)
    return actions.do_answer(user, world.dialogue.pk, survey.pk, thermometer={other: warmth},
                             trust=extra.pop("trust", TRUST), escalation=extra.pop("escalation", 30),
                             **extra)  # fmt: skip


def test_recommendation_drawn_from_a_paragraph_keeps_its_version(world, statement_doc,
                                                                 recommendation):  # fmt: skip
    version = outcome_actions.current(statement_doc)
    assert recommendation.text == "A hotline between coast guards."
    assert (recommendation.version_sha256, recommendation.version_number) == (version.sha256, 1)
    assert AuditEntry.objects.filter(object_type="recommendation", action="create").exists()


def test_reaction_with_evidence_gives_a_word_diff(world, recommendation):
    relay = actions.do_relay(world["liaison"], world.dialogue.pk, recommendation.pk,
                             briefed="MFA", channel="meeting", relayed_on=past(5))  # fmt: skip
    assert relay.version_number == 1  # the version the recommendation was drawn from
    actions.do_react(world["liaison"], world.dialogue.pk, recommendation.pk, status="adopted",
                     reacted_on=past(1), relay_id=relay.pk,
                     evidence_text="A hotline between the two coast guards, staffed day and night.",
                     evidence_url="https://example.org/communique")  # fmt: skip
    found = actions.access_impact(world["liaison"], world.dialogue.pk)
    events = queries.timeline(recommendation, found)
    assert [e["kind"] for e in events] == ["recommended", "relay", "reaction"]
    diff = events[-1]["diff"]
    assert {"op": "added", "words": "the two"} in diff
    assert {"op": "same", "words": "A hotline between"} in diff
    stages = {s["code"]: s["count"] for s in queries.funnel(world.dialogue)["stages"]}
    assert stages == {"recommended": 1, "relayed": 1, "received": 1, "acknowledged": 1,
                      "considering": 1, "adopted_in_part": 1, "adopted": 1}  # fmt: skip


def test_bad_reaction_reports_every_problem_and_keeps_nothing(world, recommendation):
    with pytest.raises(ActionRefused) as refused:
        actions.do_react(world["liaison"], world.dialogue.pk, recommendation.pk, status="loved",
                         reacted_on=actions.today() + timedelta(days=3),
                         evidence_url="not a link", relay_id=10**30)  # fmt: skip
    fields = {f for f, _m in refused.value.problems}
    assert fields == {"status", "reacted_on", "evidence_url", "relay_id"}
    messages = " ".join(m for _f, m in refused.value.problems)
    assert "in the future" in messages and "not a web address" in messages
    assert not Reaction.objects.exists()


def test_adoption_needs_evidence(world, recommendation):
    with pytest.raises(ActionRefused, match="evidence of adoption"):
        actions.do_react(world["liaison"], world.dialogue.pk, recommendation.pk,
                         status="adopted", reacted_on=past(1))  # fmt: skip


def test_reaction_for_an_unknown_recommendation_is_not_found(world, recommendation):
    for bad in (10**6, 10**40, "x", -1):
        with pytest.raises(NotFound):
            actions.do_react(world["liaison"], world.dialogue.pk, bad, status="received",
                             reacted_on=past(1))  # fmt: skip


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("relayed_on", "2100-01-01", "in the future"),
        ("relayed_on", "yesterday", "YYYY-MM-DD"),
        ("relayed_on", "0001-01-01", ""),
        ("briefed", "Minister\x00X", ""),
        ("briefed", "x" * 201, "Shorten"),
        ("channel", "pigeon", "Choose one of"),
        ("version_number", 10**30, "no version"),
    ],
)
def test_bad_relays_are_refused(world, recommendation, field, value, message):
    given = {"briefed": "MFA", "channel": "meeting", "relayed_on": past(1), field: value}
    with pytest.raises(ActionRefused) as refused:
        actions.do_relay(world["liaison"], world.dialogue.pk, recommendation.pk, **given)
    assert refused.value.problems[0][0] == field
    assert message in refused.value.message
    assert not Relay.objects.exists()


def test_only_recorders_relay(world, recommendation):
    with pytest.raises(NotPermitted):
        actions.do_relay(world["participant"], world.dialogue.pk, recommendation.pk,
                         briefed="MFA", channel="meeting", relayed_on=past(1))  # fmt: skip


def test_answers_are_anonymous_one_per_person_and_replaced_while_open(world, survey):
    first = answer(world, world["ostrava0"], survey, warmth=20)
    second = answer(world, world["ostrava0"], survey, warmth=70)
    assert Response.objects.count() == 1 and first.pk == second.pk
    stored = Response.objects.get()
    assert stored.thermometer == {norvik(world): 70}
    columns = {f.name for f in Response._meta.get_fields()}
    assert not columns & {"user", "person", "created_at", "updated_at"}
    assert world["ostrava0"].email not in str(stored.__dict__)
    assert not AuditEntry.objects.filter(object_type="response").exists()


def test_answers_after_closing_are_refused_and_the_earlier_kept(world, survey):
    answer(world, world["ostrava0"], survey, warmth=20)
    actions.do_close_survey(world["facilitator"], world.dialogue.pk, survey.pk)
    with pytest.raises(ActionRefused, match="closed"):
        answer(world, world["ostrava0"], survey, warmth=90)
    with pytest.raises(ActionRefused, match="closed"):
        answer(world, world["norvik0"], survey)
    assert Response.objects.get().thermometer == {norvik(world): 20}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"warmth": 101}, "thermometer."),
        ({"warmth": -1}, "thermometer."),
        ({"warmth": 10**100}, "thermometer."),
        ({"warmth": True}, "thermometer."),
        ({"escalation": 1000}, "escalation"),
        ({"trust": {"keeps_word": 6, "good_faith": 0, "shares_concerns": "3"}}, "trust."),
        ({"trust": {"keeps_word": 3, "good_faith": 3, "shares_concerns": 3, "x": 1}}, "trust"),
        ({"free_text": "\udcff"}, "free_text"),
        ({"free_text": "bell\x07"}, "free_text"),
        ({"free_text": "x" * 2001}, "free_text"),
    ],
)
def test_out_of_range_answers_are_refused(world, survey, changes, field):
    with pytest.raises(ActionRefused) as refused:
        answer(world, world["ostrava0"], survey, **changes)
    assert any((f or "").startswith(field) for f, _m in refused.value.problems)
    assert not Response.objects.exists()


def test_rating_ones_own_side_is_refused(world, survey):
    with pytest.raises(ActionRefused, match="not another side"):
        actions.do_answer(world["ostrava0"], world.dialogue.pk, survey.pk,
                          thermometer={norvik(world): 50, ostrava(world): 99}, trust=TRUST,
                          escalation=10)  # fmt: skip


def test_only_seated_participants_answer(world, survey):
    for role in ("convener", "facilitator", "observer", "liaison"):
        with pytest.raises(NotPermitted):
            answer(world, world[role], survey)


def test_a_second_survey_for_the_same_round_and_phase_is_refused(world, survey):
    with pytest.raises(ActionRefused, match="already has"):
        actions.do_open_survey(world["facilitator"], world.dialogue.pk, round_number=1,
                               phase="before")  # fmt: skip
    with pytest.raises(ActionRefused) as refused:
        actions.do_open_survey(world["facilitator"], world.dialogue.pk, round_number=10**9,
                               phase="during", meeting_id=10**40)  # fmt: skip
    assert {f for f, _m in refused.value.problems} == {"round_number", "phase", "meeting_id"}


def test_notification_in_the_future_and_control_characters_are_refused(world):
    with pytest.raises(ActionRefused) as refused:
        actions.do_notify(world["liaison"], world.dialogue.pk, informed="MFA\x1b[31m",
                          informed_on=actions.today() + timedelta(days=1), informed_by="")  # fmt: skip
    assert {f for f, _m in refused.value.problems} == {"informed", "informed_on", "informed_by"}


def test_api_bad_input_is_answered_with_json(client, world, recommendation, survey):
    d = f"/dialogues/{world.dialogue.pk}/impact"
    reply = call(client, world["liaison"], "post", f"{d}/recommendations/{recommendation.pk}/reactions",
                 {"status": "received", "reacted_on": "2100-12-31", "evidence_url": "javascript:x"})  # fmt: skip
    assert reply.status_code == 400
    assert "in the future" in reply.content.decode()
    unknown = call(client, world["liaison"], "post", f"{d}/recommendations/999999/reactions",
                   {"status": "received", "reacted_on": past(1).isoformat()})  # fmt: skip
    assert unknown.status_code == 404
    huge = call(client, world["ostrava0"], "put", f"{d}/surveys/{survey.pk}/response",
                {"thermometer": {norvik(world): 10**40}, "trust": TRUST, "escalation": 1})  # fmt: skip
    assert huge.status_code in (400, 422)
    oversized = call(client, world["liaison"], "post", f"{d}/notifications",
                     b'{"informed": "' + b"x" * 3_000_000 + b'"}')  # fmt: skip
    assert oversized.status_code in (400, 413, 422)
    assert not Response.objects.exists()


def test_a_relay_before_the_recommendation_was_made_is_refused(world, recommendation):
    with pytest.raises(ActionRefused, match="before the recommendation was made"):
        actions.do_relay(world["liaison"], world.dialogue.pk, recommendation.pk, briefed="MFA",
                         channel="meeting", relayed_on=past(31))  # fmt: skip


def test_writes_appear_in_the_conveners_changes(client, world, recommendation, survey):
    from tests.helpers import sign_in

    actions.do_relay(world["liaison"], world.dialogue.pk, recommendation.pk, briefed="MFA",
                     channel="meeting", relayed_on=past(2))  # fmt: skip
    actions.do_notify(world["liaison"], world.dialogue.pk, informed="MFA", informed_on=past(3),
                      informed_by="the director")  # fmt: skip
    sign_in(client, world["convener"])
    page = client.get(f"/dialogues/{world.dialogue.pk}/changes/").content.decode()
    for label in ("recommendation", "relay to officials", "Track 1.5 notification",
                  "trust and tension survey"):  # fmt: skip
        assert label in page, label


def test_deleting_a_dialogues_content_deletes_its_survey_answers(world, survey):
    from django.utils import timezone

    from track2.dialogues.models import Dialogue
    from track2.operations import actions as operations
    from track2.operations import retention

    answer(world, world["ostrava0"], survey, free_text="We trust the hotline now.")
    operations.do_set_retention(world["convener"], world.dialogue, on_meeting_close="aggregates",
                                delete_content_after_days=0, destroy_key_on_close=False)  # fmt: skip
    later = timezone.now() + timedelta(days=400)
    # Open dialogue: a meeting's end under "aggregates only" leaves the surveys alone.
    assert retention.apply(later).erased.get("survey answers", 0) == 0
    assert Response.objects.filter(survey=survey).count() == 1
    Dialogue.objects.filter(pk=world.dialogue.pk).update(status=Dialogue.Status.CONCLUDED)
    assert retention.apply(later).erased["survey answers"] == 1
    assert not Response.objects.exists() and survey.__class__.objects.filter(pk=survey.pk).exists()
