"""The impact API (issue 14): the same actions, access rules and disclosure as the pages. Every
answer carries the status line; figures about people come only through `impact.queries`."""

from __future__ import annotations

from datetime import date
from typing import Literal

from django.http import HttpResponse
from ninja import Field, Query, Router, Schema, Status

from track2.access import NotFound, dialogues_for
from track2.access.impact import (
    access_evaluation,
    access_impact,
    access_recommendation,
    access_recommendations,
    access_survey_comments,
)
from track2.access.institutions import access_institution
from track2.api.auth import AuthedRequest
from track2.api.fields import (
    AnswerKey,
    Code,
    EvidenceText,
    Id,
    Likert,
    Link,
    Note,
    ParagraphKey,
    Percent,
    SurveyText,
    Title,
)
from track2.api.refusals import files, not_permitted
from track2.disclosure.status import STATUS_LINE
from track2.impact import actions, queries, report
from track2.impact.models import Notification

router = Router(tags=["policy impact"])
D = "/dialogues/{dialogue_id}/impact"
R = D + "/recommendations/{recommendation_id}"
S = D + "/surveys/{survey_id}"


class RecommendationIn(Schema):
    title: Title
    text: EvidenceText = Field("", description="empty: the words of the document's paragraph")
    target_kind: Code = Field(description="ministry, parliament, regional, un or other")
    target_institution: Title
    owner_id: Id | None = Field(None, description="the policy carrier: a liaison or convener")
    priority: Code = Field("medium", description="high, medium or low")
    due_on: date | None = None
    recommended_on: date | None = Field(None, description="when it was made (default today)")
    document_id: Id | None = Field(None, description="the outcome document it is drawn from")
    paragraph_key: ParagraphKey = Field("", description="the paragraph's key in that document")


class RelayIn(Schema):
    briefed: Title = Field(description="the official or institution briefed")
    channel: Code = Field(description="meeting, non_paper, back_channel or letter")
    relayed_on: date
    sensitivity: Code | None = Field(
        None,
        description="liaisons or members: who reads `briefed`; empty: the conveners' choice for "
        "the dialogue (a liaison may not choose a wider one)",
    )
    version_number: int | None = Field(None, ge=1, le=2_147_483_647)


class ReactionIn(Schema):
    status: Code = Field(description="received, acknowledged, considering, adopted_in_part, "
                         "adopted, rejected or no_response")  # fmt: skip
    reacted_on: date
    evidence_text: EvidenceText = ""
    evidence_url: Link = Field("", description="a link to the evidence (http or https)")
    relay_id: Id | None = None


class Track15NotificationIn(Schema):
    informed: Title
    informed_on: date
    informed_by: Title
    note: Note = ""


class ImpactDisclosureIn(Schema):
    is_public: bool = False
    shows_institution: bool = False
    shows_parties: bool = False
    public_theme: Title = ""
    observers_see_recommendations: bool = False
    observers_see_evaluation: bool = False


class RelaySensitivityIn(Schema):
    relay_sensitivity: Code = Field(
        description="liaisons or members: who reads who was briefed in relays liaisons record"
    )


class SurveyOpenIn(Schema):
    round_number: int = Field(ge=1, le=100)
    phase: Code = Field(description="before, after or follow_up")
    meeting_id: Id | None = None


class SurveyAnswerIn(Schema):
    # The ranges here as in the action, so that one 422 lists them with the other fields'.
    thermometer: dict[AnswerKey, Percent] = Field(
        description="other side's delegation id → 0–100 (feeling thermometer)", max_length=50
    )
    trust: dict[AnswerKey, Likert] = Field(description="trust item → 1–5", max_length=20)
    escalation: Percent = Field(description="perceived likelihood of escalation, 0–100 %")
    free_text: SurveyText = ""


class EvaluationExportQuery(Schema):
    format: Literal["html", "pdf", "csv"] = "pdf"


def _detail(found, recommendation) -> dict:
    return {
        **queries.recommendation_row(recommendation, found),
        "timeline": queries.timeline(recommendation, found),
        "status_line": STATUS_LINE,
    }


@router.get(D + "/recommendations", summary="Recommendations with their stage, and the funnel")
def list_recommendations(request: AuthedRequest, dialogue_id: Id):
    found = access_recommendations(request.auth, dialogue_id)
    return {
        "recommendations": queries.recommendations(found),
        "funnel": queries.funnel(found.dialogue),
        "status_line": STATUS_LINE,
    }


@router.post(
    D + "/recommendations",
    response={201: dict},
    summary="Write a recommendation (conveners, facilitators, liaisons)",
    openapi_extra=not_permitted("Only conveners, facilitators and liaisons write them."),
)
def create_recommendation(request: AuthedRequest, dialogue_id: Id, payload: RecommendationIn):
    recommendation = actions.do_recommend(request.auth, dialogue_id, **payload.dict())
    found, recommendation = access_recommendation(request.auth, dialogue_id, recommendation.pk)
    return Status(201, _detail(found, recommendation))


@router.get(R, summary="A recommendation and its timeline (relays, reactions, word diffs)")
def get_recommendation(request: AuthedRequest, dialogue_id: Id, recommendation_id: Id):
    found, recommendation = access_recommendation(request.auth, dialogue_id, recommendation_id)
    return _detail(found, recommendation)


@router.put(
    R,
    summary="Correct a recommendation (whoever may write one): every field, as when writing it",
    openapi_extra=not_permitted("Only conveners, facilitators and liaisons correct them."),
)
def correct_recommendation(
    request: AuthedRequest, dialogue_id: Id, recommendation_id: Id, payload: RecommendationIn
):
    changed = actions.do_correct_recommendation(
        request.auth, dialogue_id, recommendation_id, **payload.dict()
    )
    found, recommendation = access_recommendation(request.auth, dialogue_id, recommendation_id)
    return {**_detail(found, recommendation), "changed": changed}


@router.post(
    R + "/relays",
    response={201: dict},
    summary="Record a relay to an official (liaisons, conveners)",
    openapi_extra=not_permitted("Only liaisons and conveners record relays."),
)
def relay(request: AuthedRequest, dialogue_id: Id, recommendation_id: Id, payload: RelayIn):
    actions.do_relay(request.auth, dialogue_id, recommendation_id, **payload.dict())
    found, recommendation = access_recommendation(request.auth, dialogue_id, recommendation_id)
    return Status(201, _detail(found, recommendation))


@router.post(
    R + "/reactions",
    response={201: dict},
    summary="Record an official reaction with evidence (liaisons, conveners)",
    openapi_extra=not_permitted("Only liaisons and conveners record reactions."),
)
def react(request: AuthedRequest, dialogue_id: Id, recommendation_id: Id, payload: ReactionIn):
    actions.do_react(request.auth, dialogue_id, recommendation_id, **payload.dict())
    found, recommendation = access_recommendation(request.auth, dialogue_id, recommendation_id)
    return Status(201, _detail(found, recommendation))


@router.get(D + "/evaluation", summary="The evaluation's figures (through the small-cell rule)")
def evaluation(request: AuthedRequest, dialogue_id: Id):
    found = access_evaluation(request.auth, dialogue_id)
    return queries.evaluation(found.dialogue)


@router.get(
    D + "/evaluation/export",
    summary="The evaluation report (HTML, PDF) or the aggregates (CSV)",
    openapi_extra=files("text/html", "application/pdf", "text/csv",
                        description="Aggregates only, with the status line."),
)  # fmt: skip
def export(request: AuthedRequest, dialogue_id: Id, params: Query[EvaluationExportQuery]):
    found = access_evaluation(request.auth, dialogue_id)
    response = HttpResponse(
        report.render(found.dialogue, params.format),
        content_type=report.CONTENT_TYPES[params.format],
    )
    response["Content-Disposition"] = (
        f'attachment; filename="dialogue-{found.dialogue.pk}-evaluation.{params.format}"'
    )
    return response


def _notification_out(n: Notification) -> dict:
    return {"id": n.pk, "informed": n.informed, "informed_on": n.informed_on.isoformat(),
            "informed_by": n.informed_by, "note": n.note}  # fmt: skip


@router.get(D + "/notifications", summary="Track 1.5 notifications (liaisons, conveners)")
def list_notifications(request: AuthedRequest, dialogue_id: Id):
    found = access_impact(request.auth, dialogue_id, "liaison")
    rows = Notification.objects.filter(dialogue=found.dialogue).order_by("informed_on", "informed")
    return {"notifications": [_notification_out(n) for n in rows], "status_line": STATUS_LINE}


@router.post(D + "/notifications", response={201: dict}, summary="Record a Track 1.5 notification")
def notify(request: AuthedRequest, dialogue_id: Id, payload: Track15NotificationIn):
    notification = actions.do_notify(request.auth, dialogue_id, **payload.dict())
    return Status(201, {**_notification_out(notification), "status_line": STATUS_LINE})


def _disclosure_out(chosen) -> dict:
    return {**{name: getattr(chosen, name) for name in actions.DISCLOSURE_FLAGS},
            "public_theme": chosen.public_theme, "status_line": STATUS_LINE}  # fmt: skip


@router.get(D + "/disclosure", summary="What the convener discloses (conveners)")
def get_disclosure(request: AuthedRequest, dialogue_id: Id):
    return _disclosure_out(access_impact(request.auth, dialogue_id, "convener").disclosure)


@router.put(D + "/disclosure", summary="Choose the public page's fields and what observers read")
def set_disclosure(request: AuthedRequest, dialogue_id: Id, payload: ImpactDisclosureIn):
    return _disclosure_out(actions.do_set_disclosure(request.auth, dialogue_id, **payload.dict()))


@router.get(
    D + "/relay-sensitivity",
    summary="Who reads who was briefed, as the conveners chose (liaisons, conveners)",
)
def get_relay_sensitivity(request: AuthedRequest, dialogue_id: Id):
    return queries.relay_sensitivity_out(access_impact(request.auth, dialogue_id, "liaison"))


@router.put(
    D + "/relay-sensitivity",
    summary="Choose who reads who was briefed in relays liaisons record (conveners)",
)
def set_relay_sensitivity(request: AuthedRequest, dialogue_id: Id, payload: RelaySensitivityIn):
    change = actions.do_set_relay_sensitivity(request.auth, dialogue_id, **payload.dict())
    found = access_impact(request.auth, dialogue_id, "convener")
    return {**queries.relay_sensitivity_out(found), "narrowed": change.narrowed}


@router.get(D + "/surveys", summary="The trust and tension surveys, and whether you answered")
def list_surveys(request: AuthedRequest, dialogue_id: Id):
    found = access_impact(request.auth, dialogue_id)
    if found.ctx.is_only_observer and not found.sees_evaluation:
        raise NotFound
    return {
        "surveys": [
            {**queries.survey_out(s), "answered": actions.has_answered(found, s)}
            for s in queries.ordered_surveys(found.dialogue)
        ],
        "status_line": STATUS_LINE,
    }


@router.post(
    D + "/surveys", response={201: dict}, summary="Open a survey (facilitators, conveners)"
)
def open_survey(request: AuthedRequest, dialogue_id: Id, payload: SurveyOpenIn):
    survey = actions.do_open_survey(request.auth, dialogue_id, **payload.dict())
    return Status(201, {**queries.survey_out(survey), "status_line": STATUS_LINE})


@router.post(S + "/close", summary="Close a survey: no more answers")
def close_survey(request: AuthedRequest, dialogue_id: Id, survey_id: Id):
    survey = actions.do_close_survey(request.auth, dialogue_id, survey_id)
    return {**queries.survey_out(survey), "status_line": STATUS_LINE}


@router.get(
    S + "/comments",
    summary="A closed survey's free-text answers (facilitators, conveners), at least k or none",
)
def survey_comments(request: AuthedRequest, dialogue_id: Id, survey_id: Id):
    _found, survey = access_survey_comments(request.auth, dialogue_id, survey_id)
    return queries.comments(survey)


@router.put(
    S + "/response",
    summary="Your anonymous answers (a second replaces the first while open)",
    openapi_extra=not_permitted("Only seated participants answer."),
)
def answer(request: AuthedRequest, dialogue_id: Id, survey_id: Id, payload: SurveyAnswerIn):
    actions.do_answer(request.auth, dialogue_id, survey_id, **payload.dict())
    return {"answered": True, "status_line": STATUS_LINE}


@router.get("/institutions/{institution_id}/programme", summary="Programme view (conveners)")
def programme(request: AuthedRequest, institution_id: Id):
    institution = access_institution(request.auth, institution_id)
    rows = []
    for ctx in dialogues_for(request.auth):
        if ctx.dialogue.institution_id != institution.pk or not ctx.is_convener:
            continue
        rows.append({
            "dialogue_id": ctx.dialogue.pk, "title": ctx.dialogue.title,
            "funnel": queries.funnel(ctx.dialogue), "trust_trend": queries.trust_trend(ctx.dialogue),
        })  # fmt: skip
    return {"institution": institution.name, "dialogues": rows, "status_line": STATUS_LINE}
