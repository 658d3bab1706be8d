"""Reads shared by the impact pages, API, CSV, charts and report. Every figure about people goes
through the disclosure layer here (k from the dialogue, groups shown whole or not at all), so no
output can show a figure this module did not let through."""

from __future__ import annotations

import math
from collections import defaultdict

from track2.deliberation import nonattribution
from track2.dialogues.models import Delegation
from track2.disclosure.cells import suppress
from track2.disclosure.comments import shown_comments
from track2.disclosure.groups import is_total_shown, shown_groups
from track2.disclosure.site import k_of  # noqa: F401  (pages show k)
from track2.disclosure.status import STATUS_LINE
from track2.impact import stats
from track2.impact.instruments import MEASURES
from track2.impact.models import Reaction, Recommendation, Relay, Response, Survey
from track2.meetings.models import Meeting, MeetingParticipant
from track2.outcomes import texts

PHASE_ORDER = {Survey.Phase.BEFORE: 0, Survey.Phase.AFTER: 1, Survey.Phase.FOLLOW_UP: 2}
# How far a recommendation got: each reaction reaches a rank; rejected and no response end it.
PROGRESS = {"received": 1, "acknowledged": 2, "considering": 3, "adopted_in_part": 4, "adopted": 5}
FUNNEL = [
    ("recommended", "recommended"),
    ("relayed", "relayed to officials"),
    ("received", "received"),
    ("acknowledged", "acknowledged"),
    ("considering", "under consideration"),
    ("adopted_in_part", "adopted at least in part"),
    ("adopted", "adopted"),
]
HIDDEN = "hidden: fewer than k respondents"


# Recommendations ---------------------------------------------------------------------------


def _latest(reactions) -> Reaction | None:
    return max(reactions, key=lambda r: (r.reacted_on, r.pk), default=None)


def recommendation_row(recommendation: Recommendation, found) -> dict:
    reactions = list(recommendation.reactions.all())
    latest = _latest(reactions)
    return {
        "id": recommendation.pk,
        "title": recommendation.title,
        "text": recommendation.text,
        "target_kind": recommendation.get_target_kind_display(),
        "target_institution": recommendation.target_institution,
        "owner": getattr(recommendation.owner, "display_name", "") or "",
        "priority": recommendation.priority,
        "due_on": recommendation.due_on.isoformat() if recommendation.due_on else None,
        "source": (
            {
                "document_id": recommendation.document_id,
                "paragraph_key": recommendation.paragraph_key,
                "version": recommendation.version_number,
                "sha256": recommendation.version_sha256,
            }
            if recommendation.version_sha256
            else None
        ),
        "relays": recommendation.relays.count(),
        "stage": latest.status if latest else ("relayed" if recommendation.relays.exists() else "recommended"),
        "stage_label": latest.get_status_display() if latest else (
            "relayed" if recommendation.relays.exists() else "not yet relayed"
        ),
    }  # fmt: skip


def paragraph_choices(found, keep: Recommendation | None = None) -> list:
    """The paragraphs a recommendation may be drawn from, grouped by document (the current
    version of each document the reader may see), as "document id:paragraph key" choices; with
    `keep`, its own paragraph as drawn too, even when the current version no longer has it."""
    from track2.access.outcomes import visible_documents
    from track2.outcomes.actions import current

    groups = []
    for document in visible_documents(found.ctx):
        version = current(document)
        options = [
            (f"{document.pk}:{p['key']}", f"¶ {p['key']}: {texts.clean(p['text'])[:80]}")
            for section in version.sections
            for p in section["paragraphs"]
        ]
        own = f"{keep.document_id}:{keep.paragraph_key}" if keep is not None else ""
        if keep is not None and keep.document_id == document.pk and own not in dict(options):
            options.insert(0, (own, f"¶ {keep.paragraph_key} (version {keep.version_number})"))
        groups.append((f"{version.title} (version {version.number})", options))
    return groups


def recommendations(found) -> list[dict]:
    """Ordered by priority then title (meaning, not insertion)."""
    order = {"high": 0, "medium": 1, "low": 2}
    rows = Recommendation.objects.filter(dialogue=found.dialogue).select_related("owner")
    return sorted(
        (recommendation_row(r, found) for r in rows.prefetch_related("reactions")),
        key=lambda row: (order.get(row["priority"], 3), row["title"].lower()),
    )


def timeline(recommendation: Recommendation, found) -> list[dict]:
    events = [
        {
            "on": recommendation.recommended_on.isoformat(),
            "kind": "recommended",
            "label": "recommended",
            "detail": f"to {recommendation.target_institution}",
        }
    ]
    for relay in recommendation.relays.order_by("relayed_on", "pk"):
        who = relay.briefed if found.sees_briefed(relay) else "an official (not disclosed to you)"
        version = f", version {relay.version_number}" if relay.version_number else ""
        events.append(
            {
                "on": relay.relayed_on.isoformat(),
                "kind": "relay",
                "id": relay.pk,
                "label": f"relayed ({relay.get_channel_display()})",
                "detail": f"{who}{version}",
            }
        )
    for reaction in recommendation.reactions.order_by("reacted_on", "pk"):
        events.append(
            {
                "on": reaction.reacted_on.isoformat(),
                "kind": "reaction",
                "id": reaction.pk,
                "label": reaction.get_status_display(),
                "status": reaction.status,
                "evidence_text": reaction.evidence_text,
                "evidence_url": reaction.evidence_url,
                "diff": (
                    [{"op": op, "words": w} for op, w in texts.word_diff(recommendation.text, reaction.evidence_text)]
                    if reaction.evidence_text
                    else []
                ),
            }
        )  # fmt: skip
    order = {"recommended": 0, "relay": 1, "reaction": 2}
    return sorted(events, key=lambda e: (e["on"], order[e["kind"]]))


def relay_sensitivity_out(found) -> dict:
    """The conveners' choice of who reads who was briefed, and how many relays each reading has
    (counts of relays, not of people: no k)."""
    chosen = found.disclosure.relay_sensitivity
    counts = {value: 0 for value in Relay.Sensitivity.values}
    for value in Relay.objects.filter(recommendation__dialogue=found.dialogue).values_list(
        "sensitivity", flat=True
    ):
        counts[value] += 1
    return {
        "relay_sensitivity": chosen,
        "label": str(Relay.Sensitivity(chosen).label),
        "relays": counts,
        "status_line": STATUS_LINE,
    }


def relay_sensitivity_saved(change) -> str:
    label = Relay.Sensitivity(change.disclosure.relay_sensitivity).label
    said = f"Saved: relays recorded by liaisons are read by {label}."
    if change.narrowed:
        said += f" {change.narrowed} relay(s) recorded before now follow this stricter choice."
    return said


def funnel(dialogue) -> dict:
    """How many recommendations reached each stage (recommendations, not people: no k)."""
    rows = Recommendation.objects.filter(dialogue=dialogue).prefetch_related("reactions", "relays")
    reached = {code: 0 for code, _label in FUNNEL}
    ended = {"rejected": 0, "no_response": 0}
    for recommendation in rows:
        reached["recommended"] += 1
        reactions = list(recommendation.reactions.all())
        if recommendation.relays.all() or reactions:
            reached["relayed"] += 1
        best = max((PROGRESS.get(r.status, 0) for r in reactions), default=0)
        for code, rank in PROGRESS.items():
            if best >= rank:
                reached[code] += 1
        latest = _latest(reactions)
        if latest is not None and latest.status in ended:
            ended[latest.status] += 1
    return {
        "stages": [{"code": c, "label": label, "count": reached[c]} for c, label in FUNNEL],
        "rejected": ended["rejected"],
        "no_response": ended["no_response"],
    }


# Surveys and their evaluation --------------------------------------------------------------


def ordered_surveys(dialogue) -> list[Survey]:
    return sorted(
        Survey.objects.filter(dialogue=dialogue),
        key=lambda s: (s.round_number, PHASE_ORDER[s.phase]),
    )


def survey_label(survey: Survey) -> str:
    return f"round {survey.round_number}, {survey.get_phase_display()}"


def measure_of(response: Response, measure: str) -> float:
    if measure == "thermometer":
        values = list(response.thermometer.values())
        return sum(values) / len(values) if values else math.nan
    if measure == "trust":
        values = list(response.trust.values())
        return sum(values) / len(values) if values else math.nan
    return float(response.escalation)


def comparisons(surveys: list[Survey]) -> list[tuple[str, Survey, Survey]]:
    """Before → after in each round, after → delayed follow-up, and first → last across rounds."""
    by_round: dict[int, dict[str, Survey]] = defaultdict(dict)
    for survey in surveys:
        by_round[survey.round_number][survey.phase] = survey
    pairs = []
    for number in sorted(by_round):
        phases = by_round[number]
        if "before" in phases and "after" in phases:
            pairs.append((f"round {number}: before → after", phases["before"], phases["after"]))
        if "after" in phases and "follow_up" in phases:
            pairs.append(
                (f"round {number}: after → delayed follow-up", phases["after"], phases["follow_up"])
            )
    if len(by_round) > 1 and surveys[0].round_number != surveys[-1].round_number:
        pairs.append(
            (f"across rounds: {survey_label(surveys[0])} → {survey_label(surveys[-1])}",
             surveys[0], surveys[-1])
        )  # fmt: skip
    return pairs


def _change_out(change: stats.Change | None) -> dict | None:
    if change is None:
        return None
    return {
        "paired": change.paired,
        "n_before": change.n_before,
        "n_after": change.n_after,
        "n_pairs": change.n_pairs,
        "mean_before": round(change.mean_before, 2),
        "mean_after": round(change.mean_after, 2),
        "change": round(change.change, 2),
        "ci_low": None if change.ci_low is None else round(change.ci_low, 2),
        "ci_high": None if change.ci_high is None else round(change.ci_high, 2),
        "effect_size": None if change.effect_size is None else round(change.effect_size, 2),
        "effect_kind": change.effect_kind,
    }


def _change(a: dict[str, float], b: dict[str, float], k: int) -> stats.Change | None:
    if not a or not b:
        return None
    # Paired only when at least k people answered both: a mean difference of fewer could be
    # traced to the few who are known to have come twice.
    return stats.change_between(a, b, min_pairs=max(k, 2))


def sides(dialogue) -> list[Delegation]:
    return list(
        Delegation.objects.filter(dialogue=dialogue, kind=Delegation.Kind.SIDE).order_by("name")
    )


def evaluation(dialogue) -> dict:
    """Every figure of the evaluation, already through the small-cell rule."""
    k = k_of(dialogue)
    surveys = ordered_surveys(dialogue)
    groups = sides(dialogue)
    responses: dict[int, list[Response]] = defaultdict(list)
    for response in Response.objects.filter(survey__dialogue=dialogue):
        responses[response.survey_id].append(response)
    out_comparisons = []
    for label, first, second in comparisons(surveys):
        counts = [
            [sum(r.delegation_id == g.pk for r in responses[s.pk]) for s in (first, second)]
            for g in groups
        ]
        shown = shown_groups(counts, k)
        total_shown = is_total_shown([len(responses[first.pk]), len(responses[second.pk])], k)
        measures = []
        for measure, measure_label in MEASURES.items():

            def values(survey, group=None, measure=measure):
                return {
                    r.pseudonym: measure_of(r, measure)
                    for r in responses[survey.pk]
                    if group is None or r.delegation_id == group.pk
                }

            rows = [{
                "group": "all delegations",
                "shown": total_shown,
                "change": _change_out(_change(values(first), values(second), k)) if total_shown else None,
            }]  # fmt: skip
            for group, visible in zip(groups, shown, strict=True):
                rows.append({
                    "group": group.name,
                    "shown": visible,
                    "change": _change_out(_change(values(first, group), values(second, group), k))
                    if visible else None,
                })  # fmt: skip
            measures.append({"measure": measure, "label": measure_label, "rows": rows})
        out_comparisons.append({
            "label": label, "from": survey_label(first), "to": survey_label(second),
            "measures": measures,
        })  # fmt: skip
    return {
        "k": k,
        "status_line": STATUS_LINE,
        "method": (
            f"Percentile bootstrap, {stats.N_RESAMPLES} resamples, {int(stats.CONFIDENCE * 100)} % "
            f"interval, fixed seed. Paired (Cohen's d_z) where at least k = {k} respondents answered "
            "both surveys, else unpaired (Cohen's d, pooled standard deviation). Groups under k "
            "respondents, and further groups whose figures could otherwise be worked out, are hidden."
        ),
        "surveys": [survey_out(s, len(responses[s.pk])) for s in surveys],
        "comparisons": out_comparisons,
        "balance": balance(groups, surveys, responses, k),
        "continuity": continuity(dialogue, k),
        "effort": effort(dialogue),
        "funnel": funnel(dialogue),
    }


def comments(survey: Survey) -> dict:
    """A survey's free-text answers as the disclosure layer lets them through: once closed, at
    least k of them, none naming one of the dialogue's people, in the order of their words, with
    no delegation, day or pseudonym. Never in the report, the CSV or the evaluation."""
    k = k_of(survey.dialogue)
    terms = nonattribution.people_terms(survey.dialogue)
    texts = Response.objects.filter(survey=survey).values_list("free_text", flat=True)
    found = shown_comments(
        texts, k, is_closed=not survey.is_open,
        names=lambda text: nonattribution.named_terms(text, terms),
    )  # fmt: skip
    return {
        "k": k,
        "comments": list(found.shown),
        "written": found.written,
        "withheld_naming": found.withheld_naming,
        "hidden_because": found.reason_text,
        "status_line": STATUS_LINE,
    }


def survey_out(survey: Survey, n: int | None = None) -> dict:
    return {
        "id": survey.pk,
        "round": survey.round_number,
        "phase": survey.phase,
        "label": survey_label(survey),
        "is_open": survey.is_open,
        "meeting_id": survey.meeting_id,
        **({"responses": n} if n is not None else {}),
    }


def balance(groups, surveys, responses, k) -> dict:
    """Respondents per delegation per survey (small cells hidden with complementary suppression)."""
    table = [
        [sum(r.delegation_id == g.pk for r in responses[s.pk]) for s in surveys] for g in groups
    ]
    if not table or not surveys:
        return {"surveys": [], "rows": []}
    hidden = suppress(table, k)
    return {
        "surveys": [survey_label(s) for s in surveys],
        "rows": [
            {"group": g.name,
             "counts": [table[i][j] if hidden.is_shown(i, j) else None for j in range(len(surveys))]}
            for i, g in enumerate(groups)
        ],
    }  # fmt: skip


def _meetings(dialogue) -> list[Meeting]:
    return list(Meeting.objects.filter(dialogue=dialogue).order_by("starts_at"))


def continuity(dialogue, k: int) -> list[dict]:
    """Of those who attended one meeting, how many attended the next (counts under k hidden)."""
    meetings = _meetings(dialogue)
    attended: dict[int, set[int]] = defaultdict(set)
    for meeting_id, person_id in MeetingParticipant.objects.filter(
        meeting__dialogue=dialogue, status=MeetingParticipant.Status.ATTENDED
    ).values_list("meeting_id", "person_id"):
        attended[meeting_id].add(person_id)
    rows = []
    for first, second in zip(meetings, meetings[1:], strict=False):
        a, both = attended[first.pk], attended[first.pk] & attended[second.pk]
        if not a:
            continue
        # Both counts are shown only when neither could name a few people: the ones who left.
        visible = (
            len(a) >= k
            and (len(both) >= k or len(both) == 0)
            and (len(a) - len(both) >= k or len(a) == len(both))
        )
        rows.append({
            "from": first.title, "to": second.title, "attended": len(a) if visible else None,
            "returned": len(both) if visible else None,
            "share": round(len(both) / len(a), 2) if visible else None,
        })  # fmt: skip
    return rows


def effort(dialogue) -> dict:
    """Rounds, meeting hours and people-days (attendance counted, nobody named)."""
    meetings = _meetings(dialogue)
    hours = sum(max((m.ends_at - m.starts_at).total_seconds(), 0) for m in meetings) / 3600
    counts = dict.fromkeys((m.pk for m in meetings), 0)
    for meeting_id in MeetingParticipant.objects.filter(
        meeting__dialogue=dialogue, status=MeetingParticipant.Status.ATTENDED
    ).values_list("meeting_id", flat=True):
        counts[meeting_id] += 1
    people_days = sum(
        counts[m.pk] * max(1, math.ceil((m.ends_at - m.starts_at).total_seconds() / 86400))
        for m in meetings
    )
    return {"rounds": len(meetings), "meeting_hours": round(hours, 1), "people_days": people_days}


def trust_trend(dialogue) -> dict | None:
    """The overall change in warmth, first survey → last (for the programme view)."""
    data = evaluation(dialogue)
    if not data["comparisons"]:
        return None
    last = data["comparisons"][-1]
    overall = last["measures"][0]["rows"][0]
    return {"label": last["label"], "change": overall["change"]} if overall["shown"] else None
