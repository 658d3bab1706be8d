"""Impact pages: thin over the actions and queries; every figure already through the disclosure
layer (queries), every write through actions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from track2.access import NotFound, dialogues_for, parse_id
from track2.access.impact import (
    access_evaluation,
    access_impact,
    access_recommendation,
    access_survey,
    disclosure_of,
)
from track2.access.institutions import access_institution, may_convene_in
from track2.access.outcomes import visible_documents
from track2.dialogues.models import Dialogue, Membership, Role
from track2.disclosure.status import STATUS_LINE
from track2.impact import actions, queries, report
from track2.impact.forms import (
    DisclosureForm,
    NotificationForm,
    ReactionForm,
    RecommendationForm,
    RelayForm,
    RelaySensitivityForm,
    SurveyForm,
    answer_form,
)
from track2.impact.models import Notification, Recommendation
from track2.meetings.models import Meeting
from track2.site.forms import NOT_DONE, act_and_tell, submit


def _recommendation_form(found, data=None, *, keep=None, **kwargs) -> RecommendationForm:
    carriers = Membership.objects.filter(
        dialogue=found.dialogue, role__in=[Role.LIAISON, Role.CONVENER]
    ).select_related("user")
    return RecommendationForm(
        data,
        carriers=sorted({(str(m.user_id), m.user.display_name or m.user.email) for m in carriers}),
        sources=queries.paragraph_choices(found, keep),
        **kwargs,
    )


def _recommendation_fields(data: dict) -> dict:
    """What the form sent, as the actions take it (a field the form refused is sent as absent,
    so that the action's problems with the rest show beside the form's)."""
    names = ("title", "text", "target_kind", "target_institution", "owner_id", "priority",
             "due_on", "document_id", "paragraph_key", "recommended_on")  # fmt: skip
    return {name: data.get(name) for name in names}


@login_required
def overview(request: HttpRequest, dialogue_id: int) -> HttpResponse:
    found = access_impact(request.user, dialogue_id)
    sees = found.sees_recommendations
    if not (sees or found.sees_evaluation):
        raise NotFound
    form = _recommendation_form(found, request.POST or None)
    status = 200
    if request.method == "POST" and found.may_recommend:
        # The action's rules are checked with the form's, so every problem shows at once.
        done = submit(
            form,
            lambda data: actions.do_recommend(
                request.user, dialogue_id, **_recommendation_fields(data)),
            check=lambda data: actions.check_recommendation(
                request.user, dialogue_id, **_recommendation_fields(data)),
        )  # fmt: skip
        if done is not NOT_DONE:
            messages.success(request, _("The recommendation is recorded."))
            return redirect("impact:recommendation", found.dialogue.pk, done.pk)
        status = 400
    return render(request, "impact/overview.html", {
        "dialogue": found.dialogue, "access": found.ctx, "found": found,
        "rows": queries.recommendations(found) if sees else [],
        "funnel": queries.funnel(found.dialogue) if sees else None,
        "form": form, "status_line": STATUS_LINE,
        "programme": found.dialogue.institution
        if found.is_convener and may_convene_in(request.user, found.dialogue.institution)
        else None,
    }, status=status)  # fmt: skip


def _recommendation_page(request, dialogue_id, recommendation_id, forms_=None, status=200):
    found, recommendation = access_recommendation(request.user, dialogue_id, recommendation_id)
    return render(request, "impact/recommendation.html", {
        "dialogue": found.dialogue, "access": found.ctx, "found": found,
        "r": queries.recommendation_row(recommendation, found),
        "events": queries.timeline(recommendation, found),
        "relay_form": RelayForm(), "reaction_form": ReactionForm(),
        "chosen_sensitivity": actions.sensitivity_label(found.disclosure.relay_sensitivity),
        "status_line": STATUS_LINE, **(forms_ or {}),
    }, status=status)  # fmt: skip


@login_required
def recommendation(request: HttpRequest, dialogue_id: int, recommendation_id: int):
    return _recommendation_page(request, dialogue_id, recommendation_id)


@login_required
def correct_recommendation(request: HttpRequest, dialogue_id: int, recommendation_id: int):
    """Correct a recommendation: for those who may write one (others: not found)."""
    found, item = access_recommendation(request.user, dialogue_id, recommendation_id)
    if not found.may_recommend:
        raise NotFound
    initial = {
        "title": item.title, "text": item.text, "target_kind": item.target_kind,
        "target_institution": item.target_institution,
        "owner_id": str(item.owner_id) if item.owner_id else "", "priority": item.priority,
        "recommended_on": item.recommended_on, "due_on": item.due_on,
        "paragraph_key": f"{item.document_id}:{item.paragraph_key}" if item.document_id else "",
    }  # fmt: skip
    form = _recommendation_form(found, request.POST or None, keep=item, initial=initial)
    status = 200
    if request.method == "POST":
        done = submit(
            form,
            lambda data: actions.do_correct_recommendation(
                request.user, dialogue_id, recommendation_id, **_recommendation_fields(data)),
            check=lambda data: actions.check_correction(
                request.user, dialogue_id, recommendation_id, **_recommendation_fields(data)),
        )  # fmt: skip
        if done is not NOT_DONE:
            messages.success(request, _corrected(done))
            return redirect("impact:recommendation", found.dialogue.pk, item.pk)
        status = 400
    return render(request, "impact/recommendation_edit.html", {
        "dialogue": found.dialogue, "access": found.ctx, "found": found, "r": item,
        "form": form, "status_line": STATUS_LINE,
    }, status=status)  # fmt: skip


def _corrected(names: list[str]) -> str:
    if not names:
        return _("Nothing was changed: the recommendation is as it was.")
    labels = []
    for name in names:
        label = str(Recommendation._meta.get_field(name).verbose_name)
        if name in actions.SOURCE_FIELDS:
            label = _("the paragraph it is drawn from")
        if label not in labels:
            labels.append(label)
    return _("The recommendation is corrected (%(fields)s).") % {"fields": ", ".join(labels)}


def _record_on(request, dialogue_id: int, recommendation_id: int, form, name: str, action, done,
               check):  # fmt: skip
    """A relay or a reaction recorded from the recommendation's page; refused, the page again
    with the form's problems and the action's, all at once."""

    def given(data: dict) -> dict:  # a field the form refused is sent as absent
        return {field: data.get(field) for field in form.fields}

    if (
        submit(
            form,
            lambda data: action(request.user, dialogue_id, recommendation_id, **given(data)),
            check=lambda data: check(request.user, dialogue_id, recommendation_id, **given(data)),
        )
        is NOT_DONE
    ):
        return _recommendation_page(
            request, dialogue_id, recommendation_id, {name: form}, status=400
        )
    messages.success(request, done)
    return redirect("impact:recommendation", dialogue_id, recommendation_id)


@login_required
@require_POST
def relay(request: HttpRequest, dialogue_id: int, recommendation_id: int):
    return _record_on(request, dialogue_id, recommendation_id, RelayForm(request.POST),
                      "relay_form", actions.do_relay, _("The relay is recorded."),
                      actions.check_relay)  # fmt: skip


@login_required
@require_POST
def react(request: HttpRequest, dialogue_id: int, recommendation_id: int):
    return _record_on(request, dialogue_id, recommendation_id, ReactionForm(request.POST),
                      "reaction_form", actions.do_react, _("The reaction is recorded."),
                      actions.check_reaction)  # fmt: skip


@login_required
def surveys(request: HttpRequest, dialogue_id: int) -> HttpResponse:
    found = access_impact(request.user, dialogue_id)
    if found.ctx.is_only_observer and not found.sees_evaluation:
        raise NotFound
    meetings = [(str(m.pk), m.title) for m in Meeting.objects.filter(dialogue=found.dialogue)
                .order_by("starts_at")]  # fmt: skip
    form = SurveyForm(request.POST or None, meetings=meetings)
    status = 200
    if request.method == "POST" and found.may_run_surveys:
        done = submit(form, lambda data: actions.do_open_survey(request.user, dialogue_id, **data))
        if done is not NOT_DONE:
            messages.success(request, _("The survey is open."))
            return redirect("impact:surveys", found.dialogue.pk)
        status = 400
    rows = [
        {**queries.survey_out(s), "answered": actions.has_answered(found, s)}
        for s in queries.ordered_surveys(found.dialogue)
    ]
    return render(request, "impact/surveys.html", {
        "dialogue": found.dialogue, "access": found.ctx, "found": found, "rows": rows,
        "form": form, "status_line": STATUS_LINE,
    }, status=status)  # fmt: skip


def _answer_payload(data: dict) -> dict:
    return {
        "thermometer": {k.removeprefix("thermometer_"): v for k, v in data.items()
                        if k.startswith("thermometer_")},
        "trust": {k.removeprefix("trust_"): v for k, v in data.items() if k.startswith("trust_")},
        "escalation": data.get("escalation"),
        "free_text": data.get("free_text", ""),
    }  # fmt: skip


@login_required
def survey(request: HttpRequest, dialogue_id: int, survey_id: int) -> HttpResponse:
    found, item = access_survey(request.user, dialogue_id, survey_id)
    if not (found.answers_surveys or found.may_run_surveys):
        raise NotFound
    form = None
    status = 200
    if found.answers_surveys:
        sides = actions.other_sides(found.dialogue, found.ctx.own_seat.delegation_id)
        form = answer_form(sides)(request.POST or None)
        if request.method == "POST":
            done = submit(form, lambda data: actions.do_answer(
                request.user, dialogue_id, survey_id, **_answer_payload(data)))  # fmt: skip
            if done is not NOT_DONE:
                messages.success(request, _("Thank you: your answers are recorded anonymously."))
                return redirect("impact:surveys", found.dialogue.pk)
            status = 400
    return render(request, "impact/survey.html", {
        "dialogue": found.dialogue, "access": found.ctx, "found": found, "survey": item,
        "label": queries.survey_label(item), "form": form,
        "answered": actions.has_answered(found, item), "status_line": STATUS_LINE,
        "n": item.responses.count() if found.may_run_surveys else None,
        "k": queries.k_of(found.dialogue),
        "comments": queries.comments(item) if found.may_run_surveys else None,
    }, status=status)  # fmt: skip


@login_required
@require_POST
def close_survey(request: HttpRequest, dialogue_id: int, survey_id: int) -> HttpResponse:
    act_and_tell(
        request,
        lambda: actions.do_close_survey(request.user, dialogue_id, survey_id),
        done=_("The survey is closed."),
    )
    return redirect("impact:surveys", dialogue_id)


@login_required
def evaluation(request: HttpRequest, dialogue_id: int) -> HttpResponse:
    found = access_evaluation(request.user, dialogue_id)
    return render(request, "impact/evaluation.html", {
        "dialogue": found.dialogue, "access": found.ctx, "found": found,
        "e": report.figures(found.dialogue), "status_line": STATUS_LINE,
    })  # fmt: skip


@login_required
def export(request: HttpRequest, dialogue_id: int, fmt: str) -> HttpResponse:
    found = access_evaluation(request.user, dialogue_id)
    if fmt not in report.CONTENT_TYPES:
        raise Http404
    response = HttpResponse(
        report.render(found.dialogue, fmt), content_type=report.CONTENT_TYPES[fmt]
    )
    name = "aggregates.csv" if fmt == "csv" else f"evaluation.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="dialogue-{found.dialogue.pk}-{name}"'
    return response


@login_required
def notifications(request: HttpRequest, dialogue_id: int) -> HttpResponse:
    found = access_impact(request.user, dialogue_id, "liaison")
    form = NotificationForm(request.POST or None)
    status = 200
    if request.method == "POST":
        done = submit(form, lambda data: actions.do_notify(request.user, dialogue_id, **data))
        if done is not NOT_DONE:
            messages.success(request, _("The notification is recorded."))
            return redirect("impact:notifications", found.dialogue.pk)
        status = 400
    rows = Notification.objects.filter(dialogue=found.dialogue).order_by("informed_on", "informed")
    return render(request, "impact/notifications.html", {
        "dialogue": found.dialogue, "access": found.ctx, "rows": rows, "form": form,
        "status_line": STATUS_LINE,
    }, status=status)  # fmt: skip


@login_required
def disclosure(request: HttpRequest, dialogue_id: int) -> HttpResponse:
    found = access_impact(request.user, dialogue_id, "convener")
    current = found.disclosure
    initial = {name: getattr(current, name) for name in actions.DISCLOSURE_FLAGS}
    form = DisclosureForm(request.POST or None, initial={**initial,
                          "public_theme": current.public_theme})  # fmt: skip
    status = 200
    if request.method == "POST":
        done = submit(
            form, lambda data: actions.do_set_disclosure(request.user, dialogue_id, **data)
        )
        if done is not NOT_DONE:
            messages.success(request, _("Your choices are saved."))
            return redirect("impact:disclosure", found.dialogue.pk)
        status = 400
    return render(request, "impact/disclosure.html", {
        "dialogue": found.dialogue, "access": found.ctx, "form": form, "status_line": STATUS_LINE,
        "published": current.is_public,  # a link to a page that is not there would be a 404
    }, status=status)  # fmt: skip


@login_required
def relay_sensitivity(request: HttpRequest, dialogue_id: int) -> HttpResponse:
    """Read by those who record relays (liaisons must know the choice); chosen by conveners."""
    found = access_impact(request.user, dialogue_id, "liaison")
    chosen = found.disclosure.relay_sensitivity
    form = RelaySensitivityForm(request.POST or None, initial={"relay_sensitivity": chosen})
    status = 200
    if request.method == "POST":
        done = submit(form, lambda data: actions.do_set_relay_sensitivity(
            request.user, dialogue_id, **data))  # fmt: skip
        if done is not NOT_DONE:
            messages.success(request, queries.relay_sensitivity_saved(done))
            return redirect("impact:relay_sensitivity", found.dialogue.pk)
        status = 400
    return render(request, "impact/relay_sensitivity.html", {
        "dialogue": found.dialogue, "access": found.ctx, "found": found, "form": form,
        "current": queries.relay_sensitivity_out(found), "status_line": STATUS_LINE,
    }, status=status)  # fmt: skip


def public_page(request: HttpRequest, dialogue_id: int) -> HttpResponse:
    """Only what the convener chose to disclose; no page at all unless they published one."""
    try:
        dialogue = Dialogue.objects.select_related("institution").get(pk=parse_id(dialogue_id))
    except Dialogue.DoesNotExist:
        raise NotFound from None
    chosen = disclosure_of(dialogue)
    if not chosen.is_public:
        raise NotFound
    return render(request, "impact/public.html", {
        "chosen": chosen,
        "institution": dialogue.institution.name if chosen.shows_institution else None,
        "parties": [p.name for p in dialogue.parties.order_by("name")] if chosen.shows_parties else [],
        "status_line": STATUS_LINE,
    })  # fmt: skip


@login_required
def programme(request: HttpRequest, institution_id: int) -> HttpResponse:
    """Every dialogue of the institution that the viewer convenes: what it produced and did."""
    institution = access_institution(request.user, institution_id)
    rows = []
    for ctx in dialogues_for(request.user):
        if ctx.dialogue.institution_id != institution.pk or not ctx.is_convener:
            continue
        funnel = {s["code"]: s["count"] for s in queries.funnel(ctx.dialogue)["stages"]}
        rows.append({
            "dialogue": ctx.dialogue,
            "outcomes": visible_documents(ctx).count(),
            "recommended": funnel["recommended"], "relayed": funnel["relayed"],
            "adopted": funnel["adopted_in_part"],
            "trend": queries.trust_trend(ctx.dialogue),
        })  # fmt: skip
    return render(request, "impact/programme.html", {
        "institution": institution, "rows": rows, "status_line": STATUS_LINE,
    })  # fmt: skip
