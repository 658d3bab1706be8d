"""The impact part of the demo: recommendations drawn from the joint statement at every stage,
relays and reactions (one adopted, with the communiqué language that shows it), a Track 1.5
notification, a public page, and two rounds of trust and tension surveys in which warmth and trust
rise and the perceived likelihood of escalation falls. Built through the real actions; called from
`track2.site.demo`. The visiting participants leave the last survey open for the visitor."""

from __future__ import annotations

import random
from datetime import timedelta

from track2.accounts.models import User
from track2.deliberation.demo import VISITORS
from track2.dialogues.models import Delegation, DelegationMember, Dialogue
from track2.impact import actions
from track2.impact.instruments import TRUST_ITEMS
from track2.meetings.models import Meeting
from track2.outcomes.models import OutcomeDocument

COMMUNIQUE = (
    "The ministers agreed to establish a direct hotline between the two coast guards, to be "
    "staffed day and night."
)
# (round, phase, mean warmth, mean trust, mean escalation %): the change the demo shows.
WAVES = [
    (1, "before", 34, 2.2, 48),
    (1, "after", 47, 2.9, 40),
    (2, "before", 45, 2.8, 38),
    (2, "after", 61, 3.6, 27),
]


# Free-text comments left after each round (invented; they name nobody), shown to facilitators
# and conveners once the survey closes, because at least k people wrote one.
COMMENTS = {
    (1, "after"): [
        "The joint site visit did more than the plenary.",
        "Too little time for the fisheries item.",
        "I heard the other side's worries about the shipping lanes for the first time.",
        "More informal time over meals, please.",
    ],
    (2, "before"): [
        "I still doubt the hotline will be staffed.",
        "The first round's record was fair to both sides.",
        "Worried that leaks would end this.",
    ],
}


def _respondents(dialogue: Dialogue) -> list[tuple[User, int]]:
    seats = DelegationMember.objects.filter(
        dialogue=dialogue, delegation__kind=Delegation.Kind.SIDE, person__user__isnull=False,
        person__user__memberships__dialogue=dialogue, person__user__memberships__role="participant",
    ).select_related("person__user").order_by("delegation__name", "person__full_name")  # fmt: skip
    return [(s.person.user, s.delegation_id) for s in seats.distinct()]


def _answer(rng: random.Random, warmth: float, trust: float, escalation: float, others) -> dict:
    clip = lambda v, lo, hi: int(max(lo, min(hi, round(v))))  # noqa: E731
    return {
        "thermometer": {str(o): clip(rng.gauss(warmth, 9), 0, 100) for o in others},
        "trust": {item: clip(rng.gauss(trust, 0.7), 1, 5) for item in TRUST_ITEMS},
        "escalation": clip(rng.gauss(escalation, 8), 0, 100),
        "free_text": "",
    }


def build_surveys(dialogue: Dialogue, users: dict[str, User]) -> None:
    facilitator = users["facilitator"]
    meetings = list(Meeting.objects.filter(dialogue=dialogue).order_by("starts_at")[:2])
    sides = [d.pk for d in Delegation.objects.filter(dialogue=dialogue, kind=Delegation.Kind.SIDE)]
    rng = random.Random(14)  # noqa: S311  (invented demo figures, not security)
    respondents = _respondents(dialogue)
    for number, phase, warmth, trust, escalation in WAVES:
        meeting = meetings[number - 1] if len(meetings) >= number else None
        survey = actions.do_open_survey(
            facilitator, dialogue.pk, round_number=number, phase=phase,
            meeting_id=meeting.pk if meeting else None,
        )  # fmt: skip
        is_last = (number, phase) == WAVES[-1][:2]
        comments = COMMENTS.get((number, phase), [])
        for i, (user, own) in enumerate(respondents):
            if is_last and user.email in VISITORS:
                continue  # left for the visitor to answer
            answers = _answer(rng, warmth, trust, escalation, [s for s in sides if s != own])
            if i < len(comments):
                answers["free_text"] = comments[i]
            actions.do_answer(user, dialogue.pk, survey.pk, **answers)
        if not is_last:
            actions.do_close_survey(facilitator, dialogue.pk, survey.pk)


def build_impact(dialogue: Dialogue, users: dict[str, User]) -> None:
    convener, liaison, facilitator = users["convener"], users["liaison"], users["facilitator"]
    d = dialogue.pk
    today = actions.today()
    document = OutcomeDocument.objects.filter(dialogue=dialogue, kind="joint_statement").first()
    common = {
        "document_id": document.pk if document else None,
        "owner_id": liaison.pk,
        "recommended_on": today - timedelta(days=45),
    }
    hotline = actions.do_recommend(
        facilitator, d, title="A coast-guard hotline", text="", paragraph_key="hotline",
        target_kind="ministry", target_institution="Ministry of Foreign Affairs, Northern Republic",
        priority="high", due_on=today + timedelta(days=60), **common,
    )  # fmt: skip
    reports = actions.do_recommend(
        facilitator, d, title="Near-miss reports within a day", text="", paragraph_key="reports",
        target_kind="regional", target_institution="Varena Sea Regional Maritime Forum",
        priority="medium", **common,
    )  # fmt: skip
    stocks = actions.do_recommend(
        facilitator, d, title="A joint fish-stock assessment", text="", paragraph_key="stocks",
        target_kind="parliament", target_institution="Fisheries Committee, Southern Assembly",
        priority="medium", **common,
    )  # fmt: skip
    actions.do_recommend(
        convener, d, title="A UN-hosted technical workshop on sea lanes",
        text="Both governments should ask the UN to host a technical workshop on sea lanes.",
        target_kind="un", target_institution="UN Office for Ocean Affairs", priority="low",
        owner_id=liaison.pk,
    )  # fmt: skip
    # The conveners let every member read who was briefed; the liaison keeps the hotline's
    # official to conveners and liaisons (a stricter choice), the convener the back channel's.
    actions.do_set_relay_sensitivity(convener, d, relay_sensitivity="members")
    r1 = actions.do_relay(
        liaison, d, hotline.pk, briefed="Deputy Director, Maritime Affairs Department",
        channel="non_paper", relayed_on=today - timedelta(days=40), sensitivity="liaisons",
    )  # fmt: skip
    for status, days in (("received", 38), ("acknowledged", 30), ("considering", 21)):
        actions.do_react(liaison, d, hotline.pk, status=status,
                         reacted_on=today - timedelta(days=days), relay_id=r1.pk)  # fmt: skip
    actions.do_react(
        liaison, d, hotline.pk, status="adopted", reacted_on=today - timedelta(days=7),
        relay_id=r1.pk, evidence_text=COMMUNIQUE,
        evidence_url="https://example.org/communique/varena-sea-ministerial",
    )  # fmt: skip
    r2 = actions.do_relay(
        liaison, d, reports.pk, briefed="Secretariat of the Regional Maritime Forum",
        channel="meeting", relayed_on=today - timedelta(days=25),
    )  # fmt: skip
    actions.do_react(liaison, d, reports.pk, status="acknowledged",
                     reacted_on=today - timedelta(days=20), relay_id=r2.pk)  # fmt: skip
    actions.do_relay(
        convener, d, stocks.pk, briefed="Chair of the Fisheries Committee", channel="back_channel",
        relayed_on=today - timedelta(days=10), sensitivity="liaisons",
    )  # fmt: skip
    actions.do_notify(
        convener, d, informed="Ministry of Foreign Affairs, Northern Republic (Policy Planning)",
        informed_on=today - timedelta(days=120), informed_by="the convening institute's director",
        note="Told that the dialogue exists; no content shared.",
    )  # fmt: skip
    actions.do_set_disclosure(
        convener, d, is_public=True, shows_institution=True, shows_parties=False,
        public_theme="Maritime incident prevention", observers_see_recommendations=False,
        observers_see_evaluation=True,
    )  # fmt: skip
    build_surveys(dialogue, users)
