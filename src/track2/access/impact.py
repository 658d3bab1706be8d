"""Who may read and record what of a dialogue's policy impact (issue 14).

Recommendations, relays and reactions: every member except observers, and observers when the
convener opened them. The evaluation (aggregates under k): the same, with its own switch for
observers. Who was briefed is read by conveners and liaisons, and by other members when the
relay's sensitivity says so — never by observers. The dialogue's conveners choose the sensitivity
liaisons' relays take (`Disclosure.relay_sensitivity`, read by liaisons and conveners; the rule
is `actions.check_relay`'s). Track 1.5 notifications name officials: conveners and liaisons only.
Liaisons (and conveners) record relays, reactions and notifications.
Free-text survey answers: facilitators and conveners, through `queries.comments`.
"""

from __future__ import annotations

from dataclasses import dataclass

from track2.access import DialogueAccess, NotFound, access_dialogue, one_of
from track2.impact.models import Disclosure, Recommendation, Survey


def disclosure_of(dialogue) -> Disclosure:
    """The convener's choices, with everything closed until they choose (no row written on read)."""
    found = Disclosure.objects.filter(dialogue=dialogue).first()
    return found if found is not None else Disclosure(dialogue=dialogue)


@dataclass(frozen=True)
class ImpactAccess:
    ctx: DialogueAccess
    disclosure: Disclosure

    @property
    def dialogue(self):
        return self.ctx.dialogue

    @property
    def sees_recommendations(self) -> bool:
        if self.ctx.is_only_observer:
            return self.disclosure.observers_see_recommendations
        return self.ctx.is_member

    @property
    def sees_evaluation(self) -> bool:
        if self.ctx.is_only_observer:
            return self.disclosure.observers_see_evaluation
        return self.ctx.is_member

    @property
    def may_record(self) -> bool:
        """Relays, reactions and Track 1.5 notifications: liaisons and conveners."""
        return self.ctx.has("liaison")

    @property
    def may_recommend(self) -> bool:
        """Writing recommendations: conveners, facilitators and liaisons."""
        return self.ctx.has("liaison") or self.ctx.has("facilitator")

    @property
    def may_run_surveys(self) -> bool:
        return self.ctx.has("facilitator")

    @property
    def answers_surveys(self) -> bool:
        return self.ctx.is_participant and self.ctx.own_seat is not None

    @property
    def sees_notifications(self) -> bool:
        return self.ctx.has("liaison")

    @property
    def is_convener(self) -> bool:
        return self.ctx.is_convener

    def sees_briefed(self, relay) -> bool:
        if self.ctx.has("liaison"):
            return True
        return relay.sensitivity == relay.Sensitivity.MEMBERS and not self.ctx.is_only_observer


def access_impact(user, dialogue_id, need: str = "member") -> ImpactAccess:
    ctx = access_dialogue(user, dialogue_id, need)
    return ImpactAccess(ctx, disclosure_of(ctx.dialogue))


def access_recommendations(user, dialogue_id, need: str = "member") -> ImpactAccess:
    """The dialogue's impact pages for a reader of its recommendations; else NotFound."""
    found = access_impact(user, dialogue_id, need)
    if not found.sees_recommendations:
        raise NotFound
    return found


def access_evaluation(user, dialogue_id) -> ImpactAccess:
    found = access_impact(user, dialogue_id)
    if not found.sees_evaluation:
        raise NotFound
    return found


def access_recommendation(user, dialogue_id, recommendation_id, need: str = "member"):
    found = access_recommendations(user, dialogue_id, need)
    recommendation = one_of(
        Recommendation.objects.filter(dialogue=found.dialogue), recommendation_id
    )
    recommendation.dialogue = found.dialogue
    return found, recommendation


def access_survey(user, dialogue_id, survey_id, need: str = "member"):
    found = access_impact(user, dialogue_id, need)
    survey = one_of(Survey.objects.filter(dialogue=found.dialogue), survey_id)
    survey.dialogue = found.dialogue
    return found, survey


def access_survey_comments(user, dialogue_id, survey_id):
    """A survey's free-text answers: read by those who run surveys (facilitators, conveners)
    only; participants could tell their colleagues' words, observers are outside the room."""
    found, survey = access_survey(user, dialogue_id, survey_id)
    if not found.may_run_surveys:
        raise NotFound
    return found, survey
