"""Every write on outcome documents: `check_*` loads through `track2.access` and enforces every
rule (all problems at once); `do_*` writes and records the audit entry. Proposals of amendments,
endorsements and rankings are not audited: an entry names its actor, and the conveners who read
the trail could match a proposal to the amendment list, which never says who proposed it.

Who may not do a write answers by what they may read: a member of the dialogue who reads the
document but lacks the role is refused with a reason (NotPermitted, 403); anyone who may not read
it gets the same NotFound as for a document that does not exist (404)."""

from __future__ import annotations

import secrets
from collections import Counter
from dataclasses import dataclass
from functools import partial

from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from track2 import validation
from track2.access import access_dialogue, one_of
from track2.access.outcomes import DocumentAccess, access_document
from track2.audit.record import record
from track2.deliberation import nonattribution
from track2.deliberation.models import Statement
from track2.disclosure.status import with_status_line
from track2.errors import ActionRefused, NotPermitted, Problems
from track2.outcomes import texts
from track2.outcomes.models import (
    Alternative,
    Amendment,
    Attribution,
    Copy,
    Endorsement,
    Kind,
    OutcomeDocument,
    Ranking,
    ReplacedEndorsement,
    Version,
)
from track2.validation import MAX_ID

MAX_TITLE = 200
MAX_PARAGRAPH = 5000
MAX_HEADING = 200
MAX_PARAGRAPHS = 500
MAX_REASON = 500
MAX_CITES = 50
RESPOND = "respond to outcome documents"
# The room's pages show no ids: where a drafter finds them (queries.citable, on the drafting
# pages; in the API, each statement of a meeting's list carries its `id`).
WHERE_IDS = (
    "The drafting page lists the statements you can cite with their ids under “Statements you "
    "can cite” (in the API: the `id` of each statement in a meeting's statements)."
)


# Who holds each need, as the refusal of a member without it says.
_HOLDERS = {
    "facilitator": "facilitators and conveners",
    "participant": "participants",
    "convener": "conveners",
}


def load_document(
    user, dialogue_id, document_id, need: str = "member", doing: str = ""
) -> OutcomeDocument:
    """The document if the user may read it (track2.access.outcomes: aide-mémoires for conveners),
    else NotFound. With a `need` the reader's roles do not meet: NotPermitted, saying who
    `doing` is for ("Only participants respond to outcome documents.")."""
    return writer(user, dialogue_id, document_id, need, doing).document


def writer(user, dialogue_id, document_id, need: str, doing: str) -> DocumentAccess:
    """The document with the caller's access context, for a write that needs `need`."""
    found = access_document(user, dialogue_id, document_id)
    if need != "member" and not found.dialogue_access.has(need):
        raise NotPermitted(
            f"Only {_HOLDERS[need]} {doing or 'do this'}; your role reads the document."
        )
    return found


def _one_writer_at_a_time(document: OutcomeDocument) -> None:
    """Lock the document's row before reading its current version: a new version takes the next
    number and the current words, so edits, accepted amendments and responses to a document are
    made one after another, each seeing what the one before it committed (two facilitators
    accepting at once would otherwise both make "version N+1", one of them refused by the unique
    number with a server error, or one would silently drop the other's words)."""
    OutcomeDocument.objects.select_for_update().filter(pk=document.pk).first()


def current(document: OutcomeDocument) -> Version:
    # Every document is created with its first version in the same transaction.
    return document.versions.order_by("-number")[0]


def _text_problems(
    problems: Problems, text: object, field: str, limit: int, *, multiline: bool = True
) -> str:
    """The text cleaned (texts.clean), with its problems added to `problems`: the site's text
    rules in their one wording (track2.validation, as forms and the API say them), empty, too
    long. White space is made one space, so line breaks are harmless unless `multiline` is off."""
    if not isinstance(text, str):
        problems.add("Send the text as a string.", field)
        return ""
    problem = validation.text_problem(text, multiline=multiline)
    if problem:
        problems.add(problem, field)
    cleaned = texts.clean(text)
    if not cleaned:
        problems.add("Write some text: it is empty.", field)
    elif len(cleaned) > limit:
        problems.add(f"Shorten the text to {limit} characters (it has {len(cleaned)}).", field)
    return cleaned


def check_sections(
    sections: object, problems: Problems, dialogue, previous: list[dict] | None = None
) -> list[dict]:
    """Sections as [{"heading", "paragraphs": [{"text", "key"?, "cites"?}]}]; a paragraph sent
    without a key takes the key of the `previous` version's paragraph it stands in for
    (`texts.follow_keys`), or a new random one; cited statements must be accepted statements of
    `dialogue`'s rooms. Every problem is collected with the place it is at."""
    if not isinstance(sections, list) or not sections:
        problems.add("Give at least one section with at least one paragraph.", "sections")
        return []
    out: list[dict] = []
    citing: list[tuple[str, list[int]]] = []
    count = 0
    for s, section in enumerate(sections):
        where = f"sections[{s}]"
        if not isinstance(section, dict) or not isinstance(section.get("paragraphs"), list):
            problems.add("Each section needs a heading and a list of paragraphs.", where)
            continue
        heading = _text_problems(
            problems, section.get("heading", ""), f"{where}.heading", MAX_HEADING
        )
        paragraphs = []
        for p, paragraph in enumerate(section["paragraphs"]):
            count += 1
            place = f"{where}.paragraphs[{p}]"
            if not isinstance(paragraph, dict):
                problems.add("Each paragraph is an object with a text.", place)
                continue
            text = _text_problems(problems, paragraph.get("text"), f"{place}.text", MAX_PARAGRAPH)
            key = paragraph.get("key")
            cites = _cite_problems(problems, paragraph.get("cites"), f"{place}.cites")
            citing.append((f"{place}.cites", cites))
            paragraphs.append({"key": str(key)[:16] if key else None, "text": text, "cites": cites})
        out.append({"heading": heading, "paragraphs": paragraphs})
    _give_keys([p for s in out for p in s["paragraphs"]], previous or [])
    if count > MAX_PARAGRAPHS:
        problems.add(f"A document holds at most {MAX_PARAGRAPHS} paragraphs.", "sections")
    keys = [p["key"] for s in out for p in s["paragraphs"]]
    if len(keys) != len(set(keys)):
        problems.add("Two paragraphs share a key; give each its own.", "sections")
    _check_cited(problems, dialogue, citing)
    return out


def _give_keys(paragraphs: list[dict], previous: list[dict]) -> None:
    """Keys for the paragraphs sent without one: the one they stand in for in the previous
    version unless a paragraph sent names it itself, else a new random key."""
    used = {p["key"] for p in paragraphs if p["key"]}
    before = [(p["key"], p["text"]) for s in previous for p in s["paragraphs"]]
    followed = texts.follow_keys(before, [p["text"] for p in paragraphs])
    for paragraph, key in zip(paragraphs, followed, strict=True):
        if paragraph["key"]:
            continue
        if key is None or key in used:
            key = secrets.token_hex(4)
        paragraph["key"] = key
        used.add(key)


def _shown(value: object) -> str:
    """A refused value as a message shows it: short, whatever was sent."""
    if isinstance(value, int) and not -(10**20) < value < 10**20:
        # repr of a number of thousands of digits is refused by Python and read by nobody.
        return "a number far above 2^63" if value > 0 else "a number far below 0"
    text = repr(value)
    return text if len(text) <= 24 else text[:20] + "…"


def _cite_problems(problems: Problems, cites: object, place: str) -> list[int]:
    """The shape of one paragraph's `cites`: a list of at most MAX_CITES distinct statement ids.
    Returns the ids worth looking up (whole numbers in the range ids are drawn from)."""
    if cites is None:
        return []
    if not isinstance(cites, list):
        problems.add("List the cited statements' ids, e.g. [12, 34].", place)
        return []
    if len(cites) > MAX_CITES:
        problems.add(
            f"Cite at most {MAX_CITES} statements in one paragraph (this one cites "
            f"{len(cites)}): keep the ones that carry the paragraph.",
            place,
        )
    # bool is an int in Python; true and false are not statement ids.
    numbers = [c for c in cites if isinstance(c, int) and not isinstance(c, bool)]
    others = [c for c in cites if not (isinstance(c, int) and not isinstance(c, bool))]
    if others:
        problems.add(
            "Cite statements by their numeric ids; "
            f"{', '.join(_shown(c) for c in others)} is not one.",
            place,
        )
    out_of_range = [c for c in numbers if not 1 <= c <= MAX_ID]
    if out_of_range:
        problems.add(
            f"No statement has the id {', '.join(_shown(c) for c in out_of_range)}: statement "
            f"ids are whole numbers from 1 to 2^63 − 1. {WHERE_IDS}",
            place,
        )
    repeated = sorted(c for c, n in Counter(numbers).items() if n > 1)
    if repeated:
        problems.add(
            f"Cite each statement once: {', '.join(map(str, repeated))} appears more than once.",
            place,
        )
    if len(cites) > MAX_CITES:
        return []  # refused already; not worth looking up
    return [c for c in numbers if 1 <= c <= MAX_ID]


def _check_cited(problems: Problems, dialogue, citing: list[tuple[str, list[int]]]) -> None:
    """Cited statements must be statements of this dialogue's rooms that the room accepted.
    A statement of another dialogue gets the same answer as an id nobody uses, so a refusal
    never tells that it exists (one query for the whole document)."""
    wanted = {c for _place, cites in citing for c in cites}
    if not wanted:
        return
    found = {
        row[0]: row
        for row in Statement.objects.filter(pk__in=wanted, meeting__dialogue=dialogue).values_list(
            "pk", "status", "is_for_facilitator", "merged_into"
        )
    }
    for place, cites in citing:
        unknown = [c for c in dict.fromkeys(cites) if c not in found]
        if unknown:
            problems.add(
                f"No statement {', '.join(map(str, unknown))} among the accepted statements of "
                f"this dialogue's rooms. {WHERE_IDS}",
                place,
            )
        for c in dict.fromkeys(cites):
            if c not in found:
                continue
            _pk, status, for_facilitator, merged_into = found[c]
            if for_facilitator:
                problems.add(
                    f"Statement {c} is a note to the facilitators, never shown to the room: "
                    "remove it from the cited statements.",
                    place,
                )
            elif status == Statement.Status.MERGED:
                problems.add(
                    f"Statement {c} was merged into statement {merged_into}: cite that one.",
                    place,
                )
            elif status != Statement.Status.ACCEPTED:
                problems.add(
                    f"Statement {c} is not accepted in the room "
                    f"({Statement.Status(status).label}): cite only accepted statements.",
                    place,
                )


def _new_version(
    by, document: OutcomeDocument, title: str, sections: list[dict], note: str, accepting=None
):
    last = document.versions.order_by("-number").first()  # None for the first version
    number = 1 if last is None else last.number + 1
    digest = texts.sha256_hex(texts.canonical_text(document.kind, title, sections))
    version = Version.objects.create(
        document=document, number=number, title=title, sections=sections, sha256=digest, note=note
    )
    record(by, "version", version, fields=["sections", "title"], dialogue=document.dialogue)
    _mark_conflicts(document, version, accepting)
    if last is not None and last.sha256 != digest:
        _ask_to_confirm_again(document, version)
    return version


def _mark_conflicts(document: OutcomeDocument, version: Version, accepting=None) -> None:
    """Pending amendments whose paragraph no longer reads as they saw it (an edit, an accepted
    rival, a removed paragraph) now target text that is gone: kept, shown as conflicts."""
    now = {p["key"]: p["text"] for s in version.sections for p in s["paragraphs"]}
    pending = document.amendments.filter(status=Amendment.Status.PENDING)
    if accepting is not None:
        pending = pending.exclude(pk=accepting.pk)
    stale = [
        pk
        for pk, key, seen in pending.values_list("pk", "paragraph_key", "base_text")
        if now.get(key) != seen
    ]
    if stale:
        Amendment.objects.filter(pk__in=stale).update(status=Amendment.Status.CONFLICT)


def _ask_to_confirm_again(document: OutcomeDocument, version: Version) -> None:
    """Endorsements of earlier words stay as they were (nothing lost) and their givers are told."""
    stale = Endorsement.objects.filter(document=document).exclude(version_sha256=version.sha256)
    for endorsement in stale.select_related("user"):
        body = "\n".join(
            with_status_line(
                [
                    f"Type: {document.get_kind_display()}",
                    f"The text you responded to (version {endorsement.version_number}) has "
                    f"changed; version {version.number} is current.",
                    "Your response was given to an earlier version: please confirm it again.",
                ]
            )
        )
        # Sent once the version is committed: a rolled-back edit must not ask anyone anything.
        transaction.on_commit(
            partial(
                send_mail,
                f"[Track2] Confirm your response again: {document.get_kind_display()}",
                body,
                None,
                [endorsement.user.email],
            )
        )


def check_create(by, dialogue_id, *, kind, title, sections, attribution=Attribution.CHATHAM_HOUSE):
    ctx = access_dialogue(by, dialogue_id)
    if not ctx.has("facilitator"):
        raise NotPermitted(
            "Only facilitators and conveners draft outcome documents; your role reads them."
        )
    dialogue = ctx.dialogue
    problems = Problems()
    if kind not in Kind.values:
        problems.add(f"Choose a type: one of {', '.join(Kind.values)}.", "kind")
    if kind == Kind.AIDE_MEMOIRE and not ctx.is_convener:
        problems.add("Only conveners draft a confidential aide-mémoire.", "kind")
    if attribution not in Attribution.values:
        problems.add(f"Choose attribution: one of {', '.join(Attribution.values)}.", "attribution")
    title = _text_problems(problems, title, "title", MAX_TITLE)
    cleaned = check_sections(sections, problems, dialogue)
    problems.raise_any()
    return dialogue, title, cleaned


@transaction.atomic
def do_create(by, dialogue_id, **fields) -> OutcomeDocument:
    dialogue, title, sections = check_create(by, dialogue_id, **fields)
    document = OutcomeDocument.objects.create(
        dialogue=dialogue,
        kind=fields["kind"],
        attribution=fields.get("attribution", Attribution.CHATHAM_HOUSE),
    )
    record(by, "create", document, fields=["kind", "attribution"], dialogue=dialogue)
    _new_version(by, document, title, sections, "first draft")
    return document


@transaction.atomic
def do_edit(by, dialogue_id, document_id, *, title, sections, base_version) -> Version:
    """A new version (never an in-place change). `base_version` is the number the editor saw."""
    document = load_document(by, dialogue_id, document_id, "facilitator", "edit outcome documents")
    _one_writer_at_a_time(document)
    problems = Problems()
    last = current(document)
    if base_version != last.number:
        problems.add(
            f"Version {last.number} was made while you edited version {base_version}; "
            "reload it and apply your changes again (your text is below).",
            "base_version",
        )
    title = _text_problems(problems, title, "title", MAX_TITLE)
    cleaned = check_sections(sections, problems, document.dialogue, previous=last.sections)
    problems.raise_any()
    return _new_version(by, document, title, cleaned, "edited")


NAMES_SOMEONE = (
    "This text may name one of the dialogue's people (a name, an e-mail address or an "
    "organisation): outcome documents attribute no words to anyone. Say it without the name "
    "and send it again."
)


def _names_someone(dialogue, text: str) -> bool:
    """The room's non-attribution check (deliberation.nonattribution), as statements, record
    notes and caucus texts run it: amendments are refused rather than held (decisions.md)."""
    return bool(nonattribution.named_terms(text, nonattribution.people_terms(dialogue)))


def paragraph_of(version: Version, key: str) -> dict | None:
    for section in version.sections:
        for paragraph in section["paragraphs"]:
            if paragraph["key"] == key:
                return paragraph
    return None


@transaction.atomic
def do_propose(by, dialogue_id, document_id, *, paragraph_key, text, base_text=None) -> Amendment:
    """Anyone who takes part (participants, facilitators, conveners, rapporteurs) may propose."""
    found = access_document(by, dialogue_id, document_id)
    document = found.document
    if not found.may_amend:
        raise NotPermitted(
            "Only participants, rapporteurs, facilitators and conveners propose amendments; "
            "your role reads the document."
        )
    # An edit committed meanwhile marks pending amendments as conflicts; one proposed against the
    # version it replaced must see that version gone, not slip in pending after the marking.
    _one_writer_at_a_time(document)
    problems = Problems()
    version = current(document)
    paragraph = paragraph_of(version, str(paragraph_key))
    if paragraph is None:
        problems.add("No paragraph with that key in the current version.", "paragraph_key")
    cleaned = _text_problems(problems, text, "text", MAX_PARAGRAPH)
    if cleaned and _names_someone(document.dialogue, cleaned):
        problems.add(NAMES_SOMEONE, "text")
    problems.raise_any()
    if paragraph is None:  # already refused by raise_any; this tells the type checker
        raise ActionRefused("No paragraph with that key in the current version.", "paragraph_key")
    seen = texts.clean(base_text) if isinstance(base_text, str) else paragraph["text"]
    amendment = Amendment.objects.create(
        document=document,
        paragraph_key=paragraph["key"],
        base_text=seen,
        base_version=version.number,
        text=cleaned,
        proposer=by,
        # Proposed against words that are no longer there: kept, and shown as a conflict.
        status=Amendment.Status.PENDING if seen == paragraph["text"] else Amendment.Status.CONFLICT,
    )
    # Not recorded in the audit trail: an entry names its actor (see the module's docstring).
    return amendment


@transaction.atomic
def do_decide(by, dialogue_id, document_id, amendment_id, *, accept: bool, reason="") -> Amendment:
    document = load_document(
        by, dialogue_id, document_id, "facilitator", "accept or reject amendments"
    )
    _one_writer_at_a_time(document)
    amendment = one_of(
        Amendment.objects.select_for_update().filter(document=document), amendment_id
    )
    problems = Problems()
    if amendment.status in (Amendment.Status.ACCEPTED, Amendment.Status.REJECTED):
        problems.add(f"This amendment was already {amendment.status}.", "amendment")
    reason = reason if isinstance(reason, str) else ""
    if not accept and not texts.clean(reason):
        problems.add("Give a reason for rejecting: the proposer will read it.", "reason")
    if len(reason) > MAX_REASON:
        problems.add(f"Shorten the reason to {MAX_REASON} characters.", "reason")
    version = current(document)
    paragraph = paragraph_of(version, amendment.paragraph_key)
    if accept and (paragraph is None or paragraph["text"] != amendment.base_text):
        problems.add(
            "The paragraph changed since this amendment was proposed: compare the texts "
            "(both are kept) and propose again against the current words.",
            "amendment",
        )
    problems.raise_any()
    amendment.reason = texts.clean(reason)
    if accept:
        sections = [
            {
                "heading": s["heading"],
                "paragraphs": [
                    {**p, "text": amendment.text} if p["key"] == amendment.paragraph_key else p
                    for p in s["paragraphs"]
                ],
            }
            for s in version.sections
        ]
        # Other proposals for these words now target text that is gone: shown as conflicts.
        new = _new_version(
            by, document, version.title, sections, f"amendment {amendment.pk}", amendment
        )
        amendment.status = Amendment.Status.ACCEPTED
        amendment.result_version = new.number
    else:
        amendment.status = Amendment.Status.REJECTED
    amendment.save(update_fields=["status", "reason", "result_version"])
    record(by, amendment.status, amendment, fields=["status", "reason"], dialogue=document.dialogue)
    return amendment


def check_endorse(by, dialogue_id, document_id, *, grade, version_sha256, reason=""):
    """Every problem with a response: the grade, the version it was given to, the reason."""
    document = load_document(by, dialogue_id, document_id, "participant", RESPOND)
    problems = Problems()
    if grade not in texts.GRADES:
        problems.add(f"Choose one of: {', '.join(texts.GRADE_LABELS.values())}.", "grade")
    version = current(document)
    if version_sha256 != version.sha256:
        problems.add(
            f"That is not the current text (version {version.number}, {version.sha256[:12]}…): "
            "read the current version and respond to it.",
            "version_sha256",
        )
    if not isinstance(reason, str) or len(reason) > MAX_REASON:
        problems.add(f"Shorten the reason to {MAX_REASON} characters.", "reason")
    problems.raise_any()
    return document, version


@transaction.atomic
def do_endorse(by, dialogue_id, document_id, *, grade, version_sha256, reason="", listed=False):
    """One response per person, on the version in front of them. A second response replaces the
    first, which is recorded (ReplacedEndorsement) when its grade, version or reason differs;
    sending the same response again changes only `listed`."""
    # Responses to one document are written one after another, so a replaced response is
    # recorded exactly once even when the same person sends two at the same moment; and the
    # version is checked under the lock, so a response to words an edit just replaced is refused
    # rather than kept without the "confirm again" e-mail that edit sent to the others.
    _one_writer_at_a_time(load_document(by, dialogue_id, document_id, "participant", RESPOND))
    document, version = check_endorse(
        by, dialogue_id, document_id, grade=grade, version_sha256=version_sha256, reason=reason
    )
    today = timezone.localdate()
    given = {"grade": grade, "version_sha256": version.sha256,
             "version_number": version.number, "reason": texts.clean(reason)}  # fmt: skip
    endorsement = Endorsement.objects.filter(document=document, user=by).first()
    if endorsement is None:
        return Endorsement.objects.create(
            document=document, user=by, listed=bool(listed), given_on=today, **given
        )
    if any(getattr(endorsement, field) != value for field, value in given.items()):
        ReplacedEndorsement.objects.create(
            document=document,
            user=by,
            grade=endorsement.grade,
            version_sha256=endorsement.version_sha256,
            version_number=endorsement.version_number,
            reason=endorsement.reason,
            given_on=endorsement.given_on,
            replaced_on=today,
        )
        for field, value in given.items():
            setattr(endorsement, field, value)
        endorsement.given_on = today
    endorsement.listed = bool(listed)
    endorsement.save()
    return endorsement


@transaction.atomic
def do_add_alternative(by, dialogue_id, document_id, *, paragraph_key, text) -> Alternative:
    document = load_document(by, dialogue_id, document_id, "facilitator", "add competing drafts")
    problems = Problems()
    if not document.is_open_to_participants:
        problems.add(
            "Participants rank competing drafts, and they do not read a confidential "
            "aide-mémoire: edit its text instead.",
            "document",
        )
    if paragraph_of(current(document), str(paragraph_key)) is None:
        problems.add("No paragraph with that key in the current version.", "paragraph_key")
    cleaned = _text_problems(problems, text, "text", MAX_PARAGRAPH)
    problems.raise_any()
    alternative = Alternative.objects.create(
        document=document, paragraph_key=str(paragraph_key), text=cleaned
    )
    record(by, "create", alternative, fields=["text"], dialogue=document.dialogue)
    return alternative


@transaction.atomic
def check_rank(by, dialogue_id, document_id, *, paragraph_key, order):
    """Every problem with a ranking at once: the paragraph, and each number that is no draft of
    it, is not a number or is listed twice, said in words (the page sends what was typed)."""
    document = load_document(by, dialogue_id, document_id, "participant", "rank competing drafts")
    known = sorted(
        Alternative.objects.filter(document=document, paragraph_key=str(paragraph_key)).values_list(
            "pk", flat=True
        )
    )
    problems = Problems()
    if not known:
        problems.add("This paragraph has no competing drafts to rank.", "paragraph_key")
    if not isinstance(order, list) or not order:
        problems.add("List the drafts' numbers, most preferred first.", "order")
        order = []
    # bool is an int in Python; true and false are not draft numbers.
    numbers = [i for i in order if isinstance(i, int) and not isinstance(i, bool)]
    others = [i for i in order if not (isinstance(i, int) and not isinstance(i, bool))]
    if others:
        problems.add(
            f"Rank the drafts by their numbers: {_listed([_shown(i) for i in others])} "
            f"{'is' if len(others) == 1 else 'are'} not a draft number.",
            "order",
        )
    unknown = list(dict.fromkeys(i for i in numbers if i not in known))
    if known and unknown:
        problems.add(
            f"This paragraph has no draft{'s' if len(unknown) > 1 else ''} "
            f"{_listed([_shown(i) for i in unknown])}: "
            f"its drafts are {_listed([str(i) for i in known])}.",
            "order",
        )
    repeated = [i for i, n in Counter(numbers).items() if n > 1]
    if repeated:
        problems.add(
            f"Draft{'s' if len(repeated) > 1 else ''} {_listed([_shown(i) for i in repeated])} "
            f"{'is' if len(repeated) == 1 else 'are'} listed more than once: name each draft "
            "once.",
            "order",
        )
    problems.raise_any()
    return document, numbers


def _listed(items: list[str]) -> str:
    """ "4", "4 and 5", "4, 5 and 6"."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


@transaction.atomic
def do_rank(by, dialogue_id, document_id, *, paragraph_key, order) -> Ranking:
    document, order = check_rank(
        by, dialogue_id, document_id, paragraph_key=paragraph_key, order=order
    )
    ranking, _ = Ranking.objects.update_or_create(
        document=document, paragraph_key=str(paragraph_key), user=by, defaults={"order": order}
    )
    return ranking


def _recipient_problems(problems: Problems, recipient: object) -> str:
    """A copy's recipient: named, on one line, within the column's 200 characters."""
    if recipient is None or (isinstance(recipient, str) and not recipient.strip()):
        problems.add(
            "Name the recipient: each copy of an aide-mémoire is numbered for one.", "recipient"
        )
        return ""
    return _text_problems(problems, recipient, "recipient", 200, multiline=False)


@transaction.atomic
def do_copy(by, dialogue_id, document_id, *, recipient) -> Copy:
    """A numbered copy of an aide-mémoire for one recipient, recorded in the audit trail."""
    document = load_document(
        by, dialogue_id, document_id, "convener", "make numbered copies of an aide-mémoire"
    )
    problems = Problems()
    if document.kind != Kind.AIDE_MEMOIRE:
        problems.add("Numbered copies are for confidential aide-mémoires.", "document")
    name = _recipient_problems(problems, recipient)
    problems.raise_any()
    _one_writer_at_a_time(document)
    number = (document.copies.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    copy = Copy.objects.create(
        document=document, number=number, recipient=name, version_number=current(document).number
    )
    record(by, "copy", copy, fields=["number", "recipient"], dialogue=document.dialogue)
    return copy


__all__ = ["ActionRefused", "do_create", "do_edit", "do_propose", "do_decide", "do_endorse"]


@dataclass(frozen=True)
class Exported:
    content: bytes
    content_type: str
    filename: str


EXTENSIONS = {"html": "html", "markdown": "md", "pdf": "pdf", "json": "json"}


def do_export(by, dialogue_id, document_id, *, fmt, version=None, recipient=None) -> Exported:
    """A file of the document. An aide-mémoire goes out only as a numbered copy for a named
    recipient, made by a convener (load_document already hides it from everyone else)."""
    from track2.outcomes import render

    document = load_document(by, dialogue_id, document_id)
    problems = Problems()
    if fmt not in EXTENSIONS:
        problems.add(f"Choose a format: one of {', '.join(EXTENSIONS)}.", "format")
    chosen = None
    if version is not None:
        chosen = document.versions.filter(number=version).first()
        if chosen is None:
            problems.add(f"There is no version {version} of this document.", "version")
    if document.kind == Kind.AIDE_MEMOIRE:
        # Checked here with the format and the version, so that every problem of the copy's
        # request is said at once (do_copy checks it again, for its other callers).
        _recipient_problems(problems, recipient)
    problems.raise_any()
    copy = (
        do_copy(by, dialogue_id, document_id, recipient=recipient)
        if document.kind == Kind.AIDE_MEMOIRE
        else None
    )
    content = render.render(document, fmt, version=chosen, copy=copy)
    number = (chosen or current(document)).number
    suffix = f"-copy{copy.number}" if copy else ""
    return Exported(
        content,
        render.CONTENT_TYPES[fmt],
        f"{document.kind}-{document.pk}-v{number}{suffix}.{EXTENSIONS[fmt]}",
    )
