"""Every write of the impact app: `check_*` loads through track2.access.impact and collects every
problem; `do_*` writes and records the audit entry. Survey answers are not audited (an entry
names its actor, and an answer must not be linkable to a person: as votes in the room)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone

from track2 import keyring, validation
from track2.access import NotFound, one_of
from track2.access.impact import access_impact, access_recommendation, access_survey
from track2.audit.record import changed, record, snapshot
from track2.deliberation import plain_text
from track2.dialogues.models import Delegation, Membership, Role
from track2.errors import ActionRefused, NotPermitted, Problems
from track2.impact.instruments import LIKERT, TRUST_ITEMS
from track2.impact.models import (
    Disclosure,
    Notification,
    Reaction,
    Recommendation,
    Relay,
    Response,
    Survey,
    opens_wider,
)
from track2.meetings.models import Meeting
from track2.outcomes import texts

MAX_LINE = 200
MAX_TEXT = 5000
MAX_NOTE = 500
MAX_ROUND = 100


def today() -> date:
    return timezone.localdate()


def _text(problems: Problems, value: object, field: str, limit: int, *, required=True,
          multiline=False) -> str:  # fmt: skip
    if value is None:
        value = ""
    if not isinstance(value, str):
        problems.add("Send the text as a string.", field)
        return ""
    problem = plain_text.problem(value, multiline=multiline)
    if problem:
        problems.add(problem, field)
        return ""
    cleaned = texts.clean(value) if not multiline else value.strip()
    if required and not cleaned:
        problems.add("Write something here: it is empty.", field)
    elif len(cleaned) > limit:
        problems.add(f"Shorten this to {limit} characters (it has {len(cleaned)}).", field)
    return cleaned


def _choice(problems: Problems, value: object, choices, field: str) -> str:
    if value not in choices.values:
        problems.add(f"Choose one of: {', '.join(choices.values)}.", field)
        return ""
    return str(value)


def _day(problems: Problems, value: object, field: str, *, past=True, required=True):
    """A date (or ISO text); events that happened (`past`) cannot be later than today."""
    if value in (None, ""):
        if required:
            problems.add("Give the date (YYYY-MM-DD).", field)
        return None
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value.strip()[:10]) if len(value) <= 40 else None
        except ValueError:
            value = None
        if value is None:
            problems.add("Write the date as YYYY-MM-DD, e.g. 2026-03-14.", field)
            return None
    if not isinstance(value, date):
        problems.add("Write the date as YYYY-MM-DD, e.g. 2026-03-14.", field)
        return None
    problem = validation.moment_problem(value)
    if problem:
        problems.add(problem, field)
        return None
    if past and value > today():
        problems.add(
            f"{value.isoformat()} is in the future: record this once it has happened "
            f"(today is {today().isoformat()}).",
            field,
        )
        return None
    return value


def _url(problems: Problems, value: object, field: str) -> str:
    if value in (None, ""):
        return ""
    if not isinstance(value, str) or len(value) > 500:
        problems.add("Give a web address of at most 500 characters.", field)
        return ""
    try:
        URLValidator(schemes=["http", "https"])(value.strip())
    except ValidationError:
        problems.add(
            "That is not a web address: give the link to the evidence, starting with https://.",
            field,
        )
        return ""
    return value.strip()


# Recommendations ---------------------------------------------------------------------------


SOURCE_FIELDS = ("document", "paragraph_key", "version_number", "version_sha256")


def check_recommendation(by, dialogue_id, *, title, text, target_kind, target_institution,
                         owner_id=None, priority="medium", due_on=None, document_id=None,
                         paragraph_key="", recommended_on=None):  # fmt: skip
    found = access_impact(by, dialogue_id)
    if not found.may_recommend:
        raise NotPermitted("Conveners, facilitators and liaisons write recommendations.")
    fields = _recommendation_fields(
        found, None, title=title, text=text, target_kind=target_kind,
        target_institution=target_institution, owner_id=owner_id, priority=priority,
        due_on=due_on, document_id=document_id, paragraph_key=paragraph_key,
        recommended_on=recommended_on,
    )  # fmt: skip
    return found, fields


def check_correction(by, dialogue_id, recommendation_id, *, title, text, target_kind,
                     target_institution, owner_id=None, priority="medium", due_on=None,
                     document_id=None, paragraph_key="", recommended_on=None):  # fmt: skip
    """A recommendation corrected by whoever may write one: the same fields and rules as when it
    was written, and its date stays on or before its relays' and reactions'."""
    found, recommendation = access_recommendation(by, dialogue_id, recommendation_id)
    if not found.may_recommend:
        raise NotPermitted("Conveners, facilitators and liaisons correct recommendations.")
    fields = _recommendation_fields(
        found, recommendation, title=title, text=text, target_kind=target_kind,
        target_institution=target_institution, owner_id=owner_id, priority=priority,
        due_on=due_on, document_id=document_id, paragraph_key=paragraph_key,
        recommended_on=recommended_on,
    )  # fmt: skip
    return found, recommendation, fields


def _recommendation_fields(found, before: Recommendation | None, *, title, text, target_kind,
                           target_institution, owner_id, priority, due_on, document_id,
                           paragraph_key, recommended_on) -> dict:  # fmt: skip
    """Every field of a recommendation written (`before` None) or corrected, with every problem
    raised at once."""
    problems = Problems()
    made_on = _day(problems, recommended_on, "recommended_on", required=False)
    if made_on is None and not problems.has("recommended_on"):
        made_on = before.recommended_on if before is not None else today()
    fields = {
        "title": _text(problems, title, "title", MAX_LINE),
        "target_kind": _choice(problems, target_kind, Recommendation.Target, "target_kind"),
        "target_institution": _text(problems, target_institution, "target_institution", MAX_LINE),
        "priority": _choice(problems, priority or "medium", Recommendation.Priority, "priority"),
        "due_on": _day(problems, due_on, "due_on", past=False, required=False),
        "recommended_on": made_on,
        "owner": None,
        "document": None, "paragraph_key": "", "version_number": None, "version_sha256": "",
    }  # fmt: skip
    if made_on is not None and fields["due_on"] is not None and fields["due_on"] < made_on:
        problems.add(
            f"The due date ({fields['due_on'].isoformat()}) is before the recommendation was "
            f"made ({made_on.isoformat()}): give a due date on or after it.",
            "due_on",
        )
    if before is not None and made_on is not None:
        _not_after_what_followed(problems, before, made_on)
    if owner_id not in (None, ""):
        owner = (
            Membership.objects.filter(
                dialogue=found.dialogue,
                role__in=[Role.LIAISON, Role.CONVENER],
                user_id=_int(owner_id),
            )
            .select_related("user")
            .first()
        )
        if owner is None:
            problems.add(
                "The policy carrier must be one of this dialogue's liaisons or conveners.",
                "owner_id",
            )
        else:
            fields["owner"] = owner.user
    drawn = _paragraph_drawn(problems, found, before, document_id, paragraph_key)
    if drawn is not None:
        document, version, paragraph = drawn
        fields.update(
            document=document, paragraph_key=paragraph["key"],
            version_number=version.number, version_sha256=version.sha256,
        )  # fmt: skip
        if not (isinstance(text, str) and text.strip()):
            text = paragraph["text"]
    fields["text"] = _text(problems, text, "text", MAX_TEXT)
    problems.raise_any()
    return fields


def _paragraph_drawn(problems: Problems, found, before, document_id, paragraph_key):
    """(document, version, paragraph) the recommendation is drawn from, or None: written
    directly, or refused. A correction that keeps its paragraph keeps the version it was drawn
    from (its words and hash); another paragraph is drawn from the document's current version."""
    from track2.access.outcomes import visible_documents
    from track2.outcomes.actions import current, paragraph_of

    key = paragraph_key if isinstance(paragraph_key, str) else ""
    if document_id in (None, ""):
        if key.strip():
            problems.add(
                "A paragraph belongs to an outcome document: choose the document as well, or "
                "leave the paragraph empty to write the recommendation directly.",
                "paragraph_key",
            )
        return None
    try:
        document = one_of(visible_documents(found.ctx), document_id)
    except NotFound:
        problems.add("No such outcome document in this dialogue.", "document_id")
        return None
    if (
        before is not None
        and before.document_id == document.pk
        and before.paragraph_key == key
        and before.version_number
    ):
        version = document.versions.filter(number=before.version_number).first()
    else:
        version = current(document)
    paragraph = paragraph_of(version, key) if version is not None and key else None
    if paragraph is None:
        keys = [
            p["key"]
            for section in (version.sections if version else [])
            for p in section["paragraphs"]
        ]
        shown = ", ".join(keys[:20]) + (" …" if len(keys) > 20 else "")
        problems.add(
            (f"The document has no paragraph “{validation.printable(key[:20])}”" if key
             else "Choose the paragraph")
            + f" in its version {version.number if version else '—'}: "
            + (f"choose one of its paragraphs ({shown})." if keys else "it has no paragraph."),
            "paragraph_key",
        )  # fmt: skip
        return None
    return document, version, paragraph


def _not_after_what_followed(problems: Problems, recommendation, made_on) -> None:
    """A recommendation's date corrected past one of its relays or reactions would put an event
    before the recommendation it follows."""
    dates = [
        *recommendation.relays.values_list("relayed_on", flat=True),
        *recommendation.reactions.values_list("reacted_on", flat=True),
    ]
    first = min(dates, default=None)
    if first is not None and made_on > first:
        problems.add(
            f"{made_on.isoformat()} is after this recommendation was first relayed or reacted to "
            f"({first.isoformat()}): its date must be on or before that.",
            "recommended_on",
        )


def _int(value) -> int:
    """An id as sent (number or text); 0 (which no row has) for anything else."""
    try:
        number = int(str(value)[:30])
    except (TypeError, ValueError):
        return 0
    return number if 1 <= number <= validation.MAX_ID else 0


@transaction.atomic
def do_recommend(by, dialogue_id, **given) -> Recommendation:
    found, fields = check_recommendation(by, dialogue_id, **given)
    recommendation = Recommendation.objects.create(dialogue=found.dialogue, **fields)
    drawn = fields["document"] is not None
    written = [name for name in fields if drawn or name not in SOURCE_FIELDS]
    record(by, "create", recommendation, fields=written, dialogue=found.dialogue)
    return recommendation


@transaction.atomic
def do_correct_recommendation(by, dialogue_id, recommendation_id, **given) -> list[str]:
    """Correct a recommendation; returns the names of the fields that changed (none: nothing
    written). The audit trail records an update with those names, never their values."""
    _found, recommendation = access_recommendation(by, dialogue_id, recommendation_id)
    # One correction at a time, checked on what the one before it left (and on relays and
    # reactions recorded meanwhile).
    Recommendation.objects.select_for_update().filter(pk=recommendation.pk).first()
    found, recommendation, fields = check_correction(by, dialogue_id, recommendation_id, **given)
    before = snapshot(recommendation)
    for name, value in fields.items():
        setattr(recommendation, name, value)
    names = changed(before, recommendation)
    if names:
        recommendation.save()
        record(by, "update", recommendation, fields=names, dialogue=found.dialogue)
    return names


def _not_before(problems: Problems, day, recommendation: Recommendation, field: str):
    if day is not None and day < recommendation.recommended_on:
        problems.add(
            f"{day.isoformat()} is before the recommendation was made "
            f"({recommendation.recommended_on.isoformat()}): check the date.",
            field,
        )
        return None
    return day


# Relays and reactions ----------------------------------------------------------------------


def sensitivity_label(value: str) -> str:
    return str(Relay.Sensitivity(value).label)


def check_relay(by, dialogue_id, recommendation_id, *, briefed, channel, relayed_on,
                sensitivity=None, version_number=None):  # fmt: skip
    """`sensitivity` empty: the one the dialogue's conveners chose. A convener may choose any;
    a liaison the conveners' choice or a stricter one, never a wider one."""
    found, recommendation = access_recommendation(by, dialogue_id, recommendation_id)
    if not found.may_record:
        raise NotPermitted("Liaisons and conveners record relays.")
    problems = Problems()
    chosen = found.disclosure.relay_sensitivity
    if sensitivity in (None, ""):
        sensitivity = chosen
    else:
        sensitivity = _choice(problems, sensitivity, Relay.Sensitivity, "sensitivity")
        if sensitivity and not found.is_convener and opens_wider(sensitivity, chosen):
            problems.add(
                f"This dialogue's conveners chose who reads who was briefed: "
                f"{sensitivity_label(chosen)}. A liaison cannot open a relay wider "
                f"({sensitivity_label(sensitivity)}): leave the sensitivity empty to take the "
                "conveners' choice, or ask a convener.",
                "sensitivity",
            )
    fields = {
        "briefed": _text(problems, briefed, "briefed", MAX_LINE),
        "channel": _choice(problems, channel, Relay.Channel, "channel"),
        "sensitivity": sensitivity,
        "relayed_on": _not_before(
            problems, _day(problems, relayed_on, "relayed_on"), recommendation, "relayed_on"
        ),
        "version_number": None,
    }
    if version_number not in (None, ""):
        number = _int(version_number)
        if recommendation.document_id is None:
            problems.add("This recommendation was not drawn from a document.", "version_number")
        elif not recommendation.document.versions.filter(number=number).exists():
            problems.add(f"The document has no version {str(version_number)[:20]}.",
                         "version_number")  # fmt: skip
        else:
            fields["version_number"] = number
    elif recommendation.version_number:
        fields["version_number"] = recommendation.version_number
    problems.raise_any()
    return found, recommendation, fields


def _locked_disclosure(dialogue) -> Disclosure | None:
    """The dialogue's choices, locked until the transaction ends (None: nothing chosen yet, so
    the strictest sensitivity, which a concurrent change can only widen)."""
    return Disclosure.objects.select_for_update().filter(dialogue=dialogue).first()


@transaction.atomic
def do_relay(by, dialogue_id, recommendation_id, **given) -> Relay:
    found, recommendation, fields = check_relay(by, dialogue_id, recommendation_id, **given)
    locked = _locked_disclosure(found.dialogue)
    if locked is not None and locked.relay_sensitivity != found.disclosure.relay_sensitivity:
        # The conveners changed their choice while this relay was checked: check it again
        # against the new one (a stricter choice must hold for this relay too).
        found, recommendation, fields = check_relay(by, dialogue_id, recommendation_id, **given)
    relay = Relay.objects.create(recommendation=recommendation, recorded_by=by, **fields)
    record(by, "relay", relay, fields=list(fields), dialogue=found.dialogue)
    return relay


def check_reaction(by, dialogue_id, recommendation_id, *, status, reacted_on, evidence_text="",
                   evidence_url="", relay_id=None):  # fmt: skip
    found, recommendation = access_recommendation(by, dialogue_id, recommendation_id)
    if not found.may_record:
        raise NotPermitted("Liaisons and conveners record officials' reactions.")
    problems = Problems()
    fields = {
        "status": _choice(problems, status, Reaction.Status, "status"),
        "reacted_on": _not_before(
            problems, _day(problems, reacted_on, "reacted_on"), recommendation, "reacted_on"
        ),
        "evidence_text": _text(
            problems, evidence_text, "evidence_text", MAX_TEXT, required=False
        ),  # fmt: skip
        "evidence_url": _url(problems, evidence_url, "evidence_url"),
        "relay": None,
    }
    if relay_id not in (None, ""):
        relay = recommendation.relays.filter(pk=_int(relay_id) or 0).first()
        if relay is None:
            problems.add("No such relay of this recommendation.", "relay_id")
        fields["relay"] = relay
    if status in ("adopted", "adopted_in_part") and not (
        fields["evidence_text"] or fields["evidence_url"]
    ):
        problems.add(
            "Give the evidence of adoption: the words adopted (quoted) or a link to them.",
            "evidence_text",
        )
    problems.raise_any()
    return found, recommendation, fields


@transaction.atomic
def do_react(by, dialogue_id, recommendation_id, **given) -> Reaction:
    found, recommendation, fields = check_reaction(by, dialogue_id, recommendation_id, **given)
    reaction = Reaction.objects.create(recommendation=recommendation, recorded_by=by, **fields)
    record(
        by, "react", reaction, fields=[k for k, v in fields.items() if v], dialogue=found.dialogue
    )
    return reaction


# Standing with officials and what is disclosed ---------------------------------------------


def check_notification(by, dialogue_id, *, informed, informed_on, informed_by, note=""):
    found = access_impact(by, dialogue_id, "liaison")
    problems = Problems()
    fields = {
        "informed": _text(problems, informed, "informed", MAX_LINE),
        "informed_on": _day(problems, informed_on, "informed_on"),
        "informed_by": _text(problems, informed_by, "informed_by", MAX_LINE),
        "note": _text(problems, note, "note", MAX_NOTE, required=False),
    }
    problems.raise_any()
    return found, fields


@transaction.atomic
def do_notify(by, dialogue_id, **given) -> Notification:
    found, fields = check_notification(by, dialogue_id, **given)
    notification = Notification.objects.create(dialogue=found.dialogue, **fields)
    record(by, "create", notification, fields=list(fields), dialogue=found.dialogue)
    return notification


DISCLOSURE_FLAGS = (
    "is_public",
    "shows_institution",
    "shows_parties",
    "observers_see_recommendations",
    "observers_see_evaluation",
)


@transaction.atomic
def do_set_disclosure(by, dialogue_id, *, public_theme="", **flags) -> Disclosure:
    found = access_impact(by, dialogue_id, "convener")
    problems = Problems()
    unknown = set(flags) - set(DISCLOSURE_FLAGS)
    if unknown:
        problems.add(f"Unknown choices: {', '.join(sorted(unknown))}.", "disclosure")
    for name, value in flags.items():
        if name in DISCLOSURE_FLAGS and not isinstance(value, bool):
            problems.add("Answer yes or no (true or false).", name)
    theme = _text(problems, public_theme, "public_theme", MAX_LINE, required=False)
    problems.raise_any()
    disclosure, _created = Disclosure.objects.get_or_create(dialogue=found.dialogue)
    for name in DISCLOSURE_FLAGS:
        if name in flags:
            setattr(disclosure, name, flags[name])
    disclosure.public_theme = theme
    disclosure.save()
    record(by, "update", disclosure, fields=[*flags, "public_theme"], dialogue=found.dialogue)
    return disclosure


def check_relay_sensitivity(by, dialogue_id, *, relay_sensitivity):
    found = access_impact(by, dialogue_id, "convener")
    problems = Problems()
    chosen = _choice(problems, relay_sensitivity, Relay.Sensitivity, "relay_sensitivity")
    problems.raise_any()
    return found, chosen


@dataclass(frozen=True)
class RelaySensitivityChange:
    disclosure: Disclosure
    # Relays recorded before, made stricter to follow a stricter choice (a wider choice applies
    # to new relays only: opening a relay is for a convener to decide one relay at a time).
    narrowed: int


@transaction.atomic
def do_set_relay_sensitivity(by, dialogue_id, **given) -> RelaySensitivityChange:
    found, chosen = check_relay_sensitivity(by, dialogue_id, **given)
    Disclosure.objects.get_or_create(dialogue=found.dialogue)
    disclosure = Disclosure.objects.select_for_update().get(dialogue=found.dialogue)
    if disclosure.relay_sensitivity == chosen:
        return RelaySensitivityChange(disclosure, 0)
    disclosure.relay_sensitivity = chosen
    disclosure.save(update_fields=["relay_sensitivity"])
    record(by, "update", disclosure, fields=["relay_sensitivity"], dialogue=found.dialogue)
    wider = [v for v in Relay.Sensitivity.values if opens_wider(v, chosen)]
    narrowed = list(
        Relay.objects.filter(recommendation__dialogue=found.dialogue, sensitivity__in=wider)
    )
    for relay in narrowed:
        relay.sensitivity = chosen
        relay.save(update_fields=["sensitivity"])
        record(by, "update", relay, fields=["sensitivity"], dialogue=found.dialogue)
    return RelaySensitivityChange(disclosure, len(narrowed))


# Surveys -----------------------------------------------------------------------------------


def check_open_survey(by, dialogue_id, *, round_number, phase, meeting_id=None):
    found = access_impact(by, dialogue_id, "facilitator")
    problems = Problems()
    if (
        isinstance(round_number, bool)
        or not isinstance(round_number, int)
        or not (1 <= round_number <= MAX_ROUND)
    ):
        problems.add(f"The round is a whole number from 1 to {MAX_ROUND}.", "round_number")
    phase = _choice(problems, phase, Survey.Phase, "phase")
    meeting = None
    if meeting_id not in (None, ""):
        meeting = Meeting.objects.filter(dialogue=found.dialogue, pk=_int(meeting_id) or 0).first()
        if meeting is None:
            problems.add("No such meeting in this dialogue.", "meeting_id")
    if (
        not problems.found
        and Survey.objects.filter(
            dialogue=found.dialogue, round_number=round_number, phase=phase
        ).exists()
    ):
        problems.add(f"Round {round_number} already has its “{phase}” survey.", "phase")
    problems.raise_any()
    return found, {"round_number": round_number, "phase": phase, "meeting": meeting}


@transaction.atomic
def do_open_survey(by, dialogue_id, **given) -> Survey:
    found, fields = check_open_survey(by, dialogue_id, **given)
    survey = Survey.objects.create(dialogue=found.dialogue, **fields)
    record(by, "create", survey, fields=list(fields), dialogue=found.dialogue)
    return survey


@transaction.atomic
def do_close_survey(by, dialogue_id, survey_id) -> Survey:
    _found, survey = access_survey(by, dialogue_id, survey_id, "facilitator")
    if not survey.is_open:
        raise ActionRefused("This survey is already closed.", "survey")
    survey.is_open = False
    survey.save(update_fields=["is_open"])
    record(by, "close", survey, fields=["is_open"], dialogue=survey.dialogue)
    return survey


def other_sides(dialogue, own_delegation_id: int) -> list[Delegation]:
    return list(
        Delegation.objects.filter(dialogue=dialogue, kind=Delegation.Kind.SIDE)
        .exclude(pk=own_delegation_id)
        .order_by("name")
    )


def _whole(problems: Problems, value: object, low: int, high: int, field: str) -> int | None:
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) < 10:
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        shown = repr(value) if len(repr(value)) < 24 else repr(value)[:20] + "…"
        problems.add(f"Give a whole number from {low} to {high} (not {shown}).", field)
        return None
    return value


def check_answer(by, dialogue_id, survey_id, *, thermometer, trust, escalation, free_text=""):
    found, survey = access_survey(by, dialogue_id, survey_id)
    if not found.ctx.is_participant:
        raise NotPermitted("Only the dialogue's participants answer its surveys.")
    seat = found.ctx.own_seat
    if seat is None:
        raise NotPermitted("You are not seated in a delegation: ask the convener to seat you.")
    if not survey.is_open:
        raise ActionRefused(
            "This survey is closed: answers are no longer taken (an earlier answer is kept).",
            "survey",
        )
    problems = Problems()
    sides = {str(d.pk) for d in other_sides(found.dialogue, seat.delegation_id)}
    warmth: dict[str, int] = {}
    if not isinstance(thermometer, dict):
        problems.add("Rate each other side from 0 to 100.", "thermometer")
    else:
        for key in set(map(str, thermometer)) - sides:
            problems.add(f"{key[:20]!r} is not another side of this dialogue.", "thermometer")
        for side in sorted(sides):
            value = thermometer.get(side, thermometer.get(int(side)))
            got = _whole(problems, value, 0, 100, f"thermometer.{side}")
            if got is not None:
                warmth[side] = got
    items: dict[str, int] = {}
    if not isinstance(trust, dict):
        problems.add("Answer each trust statement from 1 to 5.", "trust")
    else:
        for key in set(map(str, trust)) - set(TRUST_ITEMS):
            problems.add(f"{key[:20]!r} is not one of the trust statements.", "trust")
        for item in TRUST_ITEMS:
            got = _whole(problems, trust.get(item), min(LIKERT), max(LIKERT), f"trust.{item}")
            if got is not None:
                items[item] = got
    likelihood = _whole(problems, escalation, 0, 100, "escalation")
    words = _text(problems, free_text, "free_text", 2000, required=False, multiline=True)
    problems.raise_any()
    try:
        pseudonym = keyring.pseudonym(found.dialogue.pk, seat.person_id)
    except keyring.KeyDestroyed:
        raise ActionRefused(
            "This dialogue's key was destroyed: it takes no more answers."
        ) from None
    return survey, seat, pseudonym, {
        "thermometer": warmth, "trust": items, "escalation": likelihood, "free_text": words,
    }  # fmt: skip


@transaction.atomic
def do_answer(by, dialogue_id, survey_id, **given) -> Response:
    """One response per pseudonym: a second replaces the first while the survey is open."""
    survey, seat, pseudonym, answers = check_answer(by, dialogue_id, survey_id, **given)
    Survey.objects.select_for_update().filter(pk=survey.pk).first()
    if not Survey.objects.get(pk=survey.pk).is_open:  # closed while this answer was checked
        raise ActionRefused("This survey closed just now: answers are no longer taken.", "survey")
    response, _created = Response.objects.update_or_create(
        survey=survey,
        pseudonym=pseudonym,
        defaults={**answers, "delegation_id": seat.delegation_id, "answered_on": today()},
    )
    return response


def has_answered(found, survey) -> bool:
    seat = found.ctx.own_seat
    if seat is None or not found.ctx.is_participant:
        return False
    try:
        pseudonym = keyring.pseudonym(found.dialogue.pk, seat.person_id)
    except keyring.KeyDestroyed:
        return False
    return Response.objects.filter(survey=survey, pseudonym=pseudonym).exists()
