"""Reads shared by the outcome pages, API and exports: the outline every rendering is built from."""

from __future__ import annotations

from collections import Counter
from datetime import UTC

from django.db.models import F
from django.utils import timezone

from track2.deliberation.map_data import room_map
from track2.deliberation.models import Statement
from track2.dialogues.models import Delegation, DelegationMember
from track2.disclosure.cells import suppress
from track2.disclosure.site import k_of
from track2.disclosure.status import STATUS_LINE
from track2.outcomes import texts
from track2.outcomes.models import (
    Amendment,
    Attribution,
    Endorsement,
    OutcomeDocument,
    ReplacedEndorsement,
    Version,
)

NO_DELEGATION = "no delegation"
MAX_VERSION = 2_147_483_647  # the API's bound on a version number


def delegation_names(dialogue) -> dict[int, str]:
    """user id → delegation name, for the people of the dialogue who have an account."""
    rows = DelegationMember.objects.filter(
        dialogue=dialogue, person__user__isnull=False, delegation__kind=Delegation.Kind.SIDE
    )
    return dict(rows.values_list("person__user_id", "delegation__name"))


def consensus(document: OutcomeDocument, version: Version) -> dict:
    """The level per delegation over responses to the current version, through the small-cell
    rule: a delegation whose grade counts could name someone is shown as 'not enough responses'."""
    k = k_of(document.dialogue)
    of = delegation_names(document.dialogue)
    current = Endorsement.objects.filter(document=document, version_sha256=version.sha256)
    counts: dict[str, Counter] = {}
    for user_id, grade in current.values_list("user_id", "grade"):
        counts.setdefault(of.get(user_id, NO_DELEGATION), Counter())[grade] += 1
    names = sorted(set(of.values()) | set(counts))
    table = [[counts.get(n, Counter())[g] for g in texts.GRADES] for n in names]
    # Each delegation is its own table: no rendering publishes totals across delegations, so a
    # hidden row cannot be derived from the shown ones, and one side's lone objection does not
    # hide the other side's figures.
    shown = [suppress([row], k, whole_rows=True).is_row_shown(0) for row in table]
    rows = []
    for name, row, visible in zip(names, table, shown, strict=True):
        level = texts.consensus_level(dict(zip(texts.GRADES, row, strict=True)), k)
        if not visible:
            level = texts.LEVELS["too_few"]
        rows.append(
            {
                "delegation": name,
                "level": level.code,
                "level_label": level.label,
                "counts": dict(zip(texts.GRADES, row, strict=True)) if visible else None,
            }
        )
    earlier = Endorsement.objects.filter(document=document).exclude(version_sha256=version.sha256)
    listed: list[dict] = []
    if document.attribution == Attribution.ON_RECORD:
        for e in current.filter(listed=True).select_related("user").order_by("user__email"):
            listed.append({"name": _name(e.user), "grade": texts.GRADE_LABELS[e.grade]})
    return {
        "rule": texts.CONSENSUS_RULE.replace("k responses", f"{k} responses"),
        "k": k,
        "delegations": rows,
        "earlier_versions": earlier.count()
        if earlier.count() >= k or not earlier.exists()
        else None,
        "listed_endorsers": listed,
    }


def _name(user) -> str:
    person = getattr(user, "person", None)
    return str(person) if person is not None else user.get_full_name() or user.email


def evidence(document: OutcomeDocument, statement_ids: list[int]) -> list[dict]:
    """The room's figures for each cited statement (already through the small-cell rule)."""
    out = []
    found = Statement.objects.filter(
        pk__in=statement_ids,
        meeting__dialogue=document.dialogue,
        status=Statement.Status.ACCEPTED,
        is_for_facilitator=False,
    ).select_related("meeting")
    for statement in found:
        figures = next(
            (s for s in room_map(statement.meeting)["statements"] if s["id"] == statement.pk), None
        )
        out.append(
            {
                "statement": statement.pk,
                "text": statement.text,
                "label": figures["label"] if figures else "",
                "votes": figures["votes"] if figures else None,
                "by_side": [
                    {"side": r["side"], "agree_share": r.get("agree_share")}
                    for r in (figures or {}).get("by_side", [])
                    if r["shown"]
                ],
                "hidden_sides": [
                    r["side"] for r in (figures or {}).get("by_side", []) if not r["shown"]
                ],
            }
        )
    return out


def outline(document: OutcomeDocument, version: Version | None = None) -> dict:
    """Everything a rendering shows, with the document type and the status line."""
    latest = document.versions.order_by("-number")[0]
    version = version or latest
    sections = []
    for section in version.sections:
        paragraphs = [
            {**p, "evidence": evidence(document, p.get("cites", []))} for p in section["paragraphs"]
        ]
        sections.append({"heading": section["heading"], "paragraphs": paragraphs})
    return {
        "status_line": STATUS_LINE,
        "type": document.kind,
        "type_label": str(document.get_kind_display()),
        "document": document.pk,
        "dialogue": document.dialogue_id,
        "title": version.title,
        "version": version.number,
        "sha256": version.sha256,
        "is_current": version.number == latest.number,
        "attribution": document.attribution,
        # False for an aide-mémoire: participants do not read it, so nobody responds to it and
        # renderings show no consensus (an empty table would wait for responses that never come).
        "is_open_to_participants": document.is_open_to_participants,
        "sections": sections,
        "consensus": consensus(document, version),
        "pending_amendments": document.amendments.filter(status=Amendment.Status.PENDING).count(),
        # The room's figures are read now, from the map as the last vote left it (the room keeps
        # no time of its votes), so the moment of reading is the moment they are true of.
        "figures_as_of": timezone.now().astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def alternatives(document: OutcomeDocument, paragraph_key: str) -> dict:
    """Competing drafts of one paragraph ranked by Schulze: the order (ties share a position),
    the pairwise table d and the strongest paths p, indexed like `drafts`. Ballots are counted,
    never shown with their authors."""
    drafts = list(
        document.alternatives.filter(paragraph_key=paragraph_key)
        .order_by("pk")
        .values("pk", "text")
    )
    ids = [d["pk"] for d in drafts]
    index = {pk: i for i, pk in enumerate(ids)}
    ballots = [
        [index[pk] for pk in order if pk in index]
        for order in document.rankings.filter(paragraph_key=paragraph_key).values_list(
            "order", flat=True
        )
    ]
    out = {"status_line": STATUS_LINE, "paragraph_key": paragraph_key, "drafts": drafts,
           "ballots": len(ballots), "ranking": [], "pairwise": [], "strongest_paths": []}  # fmt: skip
    if ids and ballots:
        result = texts.rank_alternatives(ballots, len(ids))
        out["ranking"] = [[ids[i] for i in position] for position in result.order]
        out["pairwise"] = result.pairwise.astype(int).tolist()
        out["strongest_paths"] = result.strongest_paths.astype(int).tolist()
    return out


def summary(document: OutcomeDocument) -> dict:
    latest = document.versions.order_by("-number").first()
    return {
        "id": document.pk,
        "type": document.kind,
        "type_label": str(document.get_kind_display()),
        "title": latest.title if latest else "",
        "version": latest.number if latest else None,
        "sha256": latest.sha256 if latest else None,
        "status_line": STATUS_LINE,
    }


def versions(document: OutcomeDocument) -> list[dict]:
    return [
        {"number": v.number, "sha256": v.sha256, "made_on": v.made_on.isoformat(), "note": v.note}
        for v in document.versions.order_by("number")
    ]


def diff(document: OutcomeDocument, a: int, b: int) -> dict:
    """Word-level differences paragraph by paragraph (matched by key) between versions a and b."""
    from track2.errors import Problems

    # Version numbers are small; a number no column holds is no version (never a database error).
    wanted = [n for n in (a, b) if 1 <= n <= MAX_VERSION]
    found = {v.number: v for v in document.versions.filter(number__in=wanted)}
    problems = Problems()
    for number, field in ((a, "a"), (b, "b")):
        if number not in found:
            shown = number if -(10**12) < number < 10**12 else "so large a number"
            problems.add(f"There is no version {shown} of this document.", field)
    problems.raise_any()

    def flat(v: Version) -> dict[str, str]:
        return {p["key"]: p["text"] for s in v.sections for p in s["paragraphs"]}

    before, after = flat(found[a]), flat(found[b])
    keys = list(before) + [k for k in after if k not in before]
    paragraphs = [
        {"key": k, "runs": texts.word_diff(before.get(k, ""), after.get(k, ""))}
        for k in keys
        if before.get(k) != after.get(k)
    ]
    return {"status_line": STATUS_LINE, "a": a, "b": b, "title": texts.word_diff(
        found[a].title, found[b].title), "paragraphs": paragraphs}  # fmt: skip


def amendment_out(amendment: Amendment) -> dict:
    """An amendment without its proposer (participants' writes are not attributed)."""
    return {
        "id": amendment.pk,
        "paragraph_key": amendment.paragraph_key,
        "status": amendment.status,
        "base_version": amendment.base_version,
        "base_text": amendment.base_text,
        "text": amendment.text,
        "diff": texts.word_diff(amendment.base_text, amendment.text),
        "reason": amendment.reason,
        "result_version": amendment.result_version,
        "status_line": STATUS_LINE,
    }


def mine(document: OutcomeDocument, user) -> dict:
    """The caller's own response; `confirm_again` when it was given to an earlier version;
    `earlier`: the responses they replaced, latest first. Only ever the caller's own rows."""
    latest = document.versions.order_by("-number")[0]
    own = Endorsement.objects.filter(document=document, user=user).first()
    replaced = ReplacedEndorsement.objects.filter(document=document, user=user)
    return {
        "status_line": STATUS_LINE,
        "current_version": latest.number,
        "current_sha256": latest.sha256,
        "grade": own.grade if own else None,
        "reason": own.reason if own else "",
        "listed": own.listed if own else False,
        "version": own.version_number if own else None,
        "given_on": own.given_on.isoformat() if own and own.given_on else None,
        "confirm_again": bool(own and own.version_sha256 != latest.sha256),
        "earlier": [
            {
                "grade": e.grade,
                "grade_label": texts.GRADE_LABELS[e.grade],
                "version": e.version_number,
                "sha256": e.version_sha256,
                "reason": e.reason,
                "given_on": e.given_on.isoformat() if e.given_on else None,
                "replaced_on": e.replaced_on.isoformat(),
            }
            # The person's own sequence of responses: in the order they replaced them.
            for e in replaced.order_by("-replaced_on", "-pk")
        ],
    }


def own_rankings(document: OutcomeDocument, user) -> dict[str, str]:
    """The caller's own ranking of each paragraph's drafts, as the ranking form is typed
    ("3, 1, 2"): only ever the caller's own rows."""
    rows = document.rankings.filter(user=user).values_list("paragraph_key", "order")
    return {key: ", ".join(map(str, order)) for key, order in rows}


MAX_CITABLE = 2000


def citable(dialogue) -> dict:
    """The statements a paragraph may cite, with the ids the drafting form's `cites:` lines
    take (the room's pages show no ids): the accepted statements of each meeting's room, the
    meetings by title, the statements in the facilitators' order (then by their random id,
    which tells nothing). At most MAX_CITABLE, so that a Track 3 consultation's thousands do
    not make the page unusable; `more` says when some were left out."""
    found = list(
        Statement.objects.filter(
            meeting__dialogue=dialogue, status=Statement.Status.ACCEPTED, is_for_facilitator=False
        )
        .order_by("meeting__title", "meeting_id", F("position").asc(nulls_last=True), "pk")
        .values_list("meeting_id", "meeting__title", "pk", "text")[: MAX_CITABLE + 1]
    )
    meetings: dict[int, dict] = {}
    for meeting_id, title, pk, text in found[:MAX_CITABLE]:
        meetings.setdefault(meeting_id, {"meeting": title, "statements": []})["statements"].append(
            {"id": pk, "text": text}
        )
    return {"meetings": list(meetings.values()), "more": len(found) > MAX_CITABLE}
