"""Outcome pages: thin over the actions; the document itself is the one renderer's HTML."""

from __future__ import annotations

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from track2.access import access_dialogue
from track2.access.outcomes import access_document, visible_documents
from track2.disclosure.status import STATUS_LINE
from track2.errors import ActionRefused, NotPermitted
from track2.outcomes import actions, queries
from track2.outcomes import render as renderer
from track2.outcomes.forms import (
    OUT_OF_DATE,
    AlternativeForm,
    AmendmentForm,
    DecisionForm,
    DocumentForm,
    EditForm,
    EndorseForm,
    RankingForm,
    body_of,
    sections_from,
)
from track2.site.forms import NOT_DONE, act_and_tell, submit


def _page(request, dialogue_id, document_id, forms_=None, status=200):
    found = access_document(request.user, dialogue_id, document_id)
    document = found.document
    data = queries.outline(document)
    keys = {p["key"] for s in data["sections"] for p in s["paragraphs"]}
    is_participant = found.is_participant
    # Drafts are ranked by participants: none on a document they do not read (the actions
    # refuse to add one), so no box to add one and no table that nobody can fill.
    has_drafts = document.is_open_to_participants
    ranking_form = (forms_ or {}).get("ranking_form")
    context = {
        "dialogue": document.dialogue,
        "document": document,
        "d": data,
        "body": renderer.html(data, standalone=False),
        "mine": queries.mine(document, request.user) if is_participant else None,
        "is_participant": is_participant,
        "access": found.dialogue_access,
        "may_amend": found.may_amend,
        "is_facilitator": found.is_facilitator,
        "amendments": [queries.amendment_out(a) for a in document.amendments.order_by("pk")],
        "drafts": _drafts(document, keys, request.user, is_participant, ranking_form)
        if has_drafts
        else [],
        "has_drafts": has_drafts,
        "versions": queries.versions(document),
        "endorse_form": EndorseForm(initial={"version_sha256": data["sha256"]}),
        "decision_form": DecisionForm(),
        **(forms_ or {}),
    }
    # A refused amendment or draft goes back into its paragraph's box; one whose paragraph is
    # not on the page (gone in a new version, or a box this reader has not) is shown apart.
    boxes = (("amendment", found.may_amend), ("draft", found.is_facilitator and has_drafts))
    for name, has_boxes in boxes:
        form = context.get(f"{name}_form")
        if form is not None:
            context[f"{name}_at"] = _box_of(form, keys) if has_boxes else None
    if "decision_at" in context:
        # A refused decision goes back into its amendment's form; one no longer pending (decided
        # meanwhile) has no form there, so its problems are said apart, below the amendments.
        pending = {a["id"] for a in context["amendments"] if a["status"] == "pending"}
        if not (found.is_facilitator and context["decision_at"] in pending):
            context["decision_at"] = None
    if ranking_form is not None:
        # A paragraph whose drafts are not on the page has its problems said below the drafts.
        refused = [group for group in context["drafts"] if group["is_refused"]]
        context["ranking_at"] = refused[0]["paragraph_key"] if refused else None
    return render(request, "outcomes/document.html", context, status=status)


def _drafts(document, keys: set[str], user, is_participant: bool, ranking_form) -> list[dict]:
    """Each paragraph's competing drafts as ranked, the rows of the tables d and p named by
    their draft as the columns are (the API gives the bare tables, indexed like `drafts`), and
    what the reader's ranking box holds: the order as typed when it was just refused, else
    their own ranking (only a participant has one)."""
    own = queries.own_rankings(document, user) if is_participant else {}
    refused_key = ranking_form.data.get("paragraph_key", "") if ranking_form is not None else None
    out = []
    for key in sorted(keys):
        if not document.alternatives.filter(paragraph_key=key).exists():
            continue
        group = queries.alternatives(document, key)
        numbers = [draft["pk"] for draft in group["drafts"]]
        is_refused = is_participant and key == refused_key
        out.append(
            {
                **group,
                "pairwise_rows": list(zip(numbers, group["pairwise"], strict=False)),
                "strongest_rows": list(zip(numbers, group["strongest_paths"], strict=False)),
                "is_refused": is_refused,
                "is_ranked": key in own,
                "typed": ranking_form.data.get("order", "") if is_refused else own.get(key, ""),
            }
        )
    return out


class _Forbidden(Exception):
    """A NotPermitted carried past `submit`, which would show it on the form as if typing could
    change it (and on a form this reader is not shown)."""

    def __init__(self, refusal: NotPermitted):
        super().__init__(refusal.message)
        self.refusal = refusal


def _permitted(step):
    def run(data):
        try:
            return step(data)
        except NotPermitted as refusal:
            raise _Forbidden(refusal) from refusal

    return run


def _forbidden(request, refusal: NotPermitted, page):
    """A member whose role does not allow a write: the page they came from, the reason above it,
    403 (as the API answers). Those who may not read the document never get here: NotFound."""
    for _field, message in refusal.problems:
        messages.error(request, message)
    return page(status=403)


def _box_of(form, keys: set[str]) -> str | None:
    """The paragraph whose box a refused paragraph form goes back into, or None when that
    paragraph is not in the document (then the page was out of date: said so on the form)."""
    key = form.data.get("paragraph_key", "")
    if key in keys:
        return key
    if not form.has_error("paragraph_key"):
        form.add_error("paragraph_key", OUT_OF_DATE)
    return None


_PLACE = re.compile(r"^sections\[(\d+)\](?:\.paragraphs\[(\d+)\])?")


def _on_document(
    request, dialogue_id: int, document_id: int, form, name: str, *steps, tell, at=None
):
    """A form posted on a document's page: its action run through `submit`; refused, the page
    again with the form's problems (400), or with the reason a role may not do it (403);
    done, `tell(result)` says so and back to the page. `at` names the object of a form the page
    repeats per object (the amendment decided), so the refused one is the one shown again."""
    try:
        done = submit(form, *map(_permitted, steps))
    except _Forbidden as forbidden:
        return _forbidden(
            request,
            forbidden.refusal,
            lambda status: _page(request, dialogue_id, document_id, status=status),
        )
    if done is NOT_DONE:
        forms_ = {name: form} if at is None else {name: form, name.replace("_form", "_at"): at}
        return _page(request, dialogue_id, document_id, forms_, status=400)
    tell(done)
    return redirect("outcomes:document", dialogue_id, document_id)


def _in_the_text(refusal: ActionRefused) -> ActionRefused:
    """The actions name places as the API sends them (sections[0].paragraphs[1].cites); the
    drafting form has one text box, so the same problems are shown on it, place in words."""
    problems = []
    for field, message in refusal.problems:
        place = _PLACE.match(field or "")
        if place is None:
            problems.append((field, message))
            continue
        section, paragraph = place.groups()
        where = _("Section %(s)s") % {"s": int(section) + 1}
        if paragraph is not None:
            where += ", " + _("paragraph %(p)s") % {"p": int(paragraph) + 1}
        problems.append(("body", f"{where}: {message}"))
    field, message = problems[0]
    return ActionRefused(message, field=field, problems=problems)


def _create(request, dialogue_id: int, data: dict):
    try:
        return actions.do_create(
            request.user,
            dialogue_id,
            kind=data["kind"],
            title=data["title"],
            attribution=data["attribution"],
            sections=sections_from(data["body"]),
        )
    except ActionRefused as refusal:
        if type(refusal) is not ActionRefused:  # NotPermitted and kin keep their own answer
            raise
        raise _in_the_text(refusal) from refusal


def _edit(request, dialogue_id: int, document_id: int, data: dict):
    try:
        return actions.do_edit(
            request.user,
            dialogue_id,
            document_id,
            title=data["title"],
            sections=sections_from(data["body"]),
            base_version=data["base_version"],
        )
    except ActionRefused as refusal:
        if type(refusal) is not ActionRefused:
            raise
        raise _in_the_text(refusal) from refusal


@login_required
def edit(request: HttpRequest, dialogue_id: int, document_id: int) -> HttpResponse:
    """A new version from the drafting form (facilitators; aide-mémoire: conveners). Paragraphs
    keep their keys where the text shows they stand for the same paragraph (actions)."""
    try:
        document = actions.load_document(
            request.user, dialogue_id, document_id, "facilitator", "edit outcome documents"
        )
    except NotPermitted as refusal:
        return _forbidden(
            request,
            refusal,
            lambda status: _page(request, dialogue_id, document_id, status=status),
        )
    version = actions.current(document)
    initial = {"title": version.title, "body": body_of(version.sections), "base_version": version.number}  # fmt: skip
    form = EditForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        done = submit(form, lambda data: _edit(request, dialogue_id, document_id, data))
        if done is not NOT_DONE:
            messages.success(request, _("Version %(n)s is made.") % {"n": done.number})
            return redirect("outcomes:document", dialogue_id, document_id)
        status = 400
    stale = form.is_bound and "base_version" in form.errors
    seen = getattr(form, "cleaned_data", {}).get("base_version")
    if stale:
        # The refusal said why; sent again, the kept text (merged by hand) is checked afresh
        # against the version shown here.
        form.data = form.data.copy()
        form.data["base_version"] = str(version.number)
    return render(
        request,
        "outcomes/edit.html",
        {
            "dialogue": document.dialogue,
            "document": document,
            "version": version,
            "form": form,
            # Made meanwhile: shown beside the kept text so the editor can merge by hand.
            "current_body": body_of(version.sections) if stale else None,
            "seen": seen,
            "status_line": STATUS_LINE,
            "citable": queries.citable(document.dialogue),
        },
        status=status,
    )


@login_required
def documents(request: HttpRequest, dialogue_id: int) -> HttpResponse:
    ctx = access_dialogue(request.user, dialogue_id)
    dialogue = ctx.dialogue
    may_draft = ctx.has("facilitator")
    form = DocumentForm(request.POST or None)

    def page(status=200):
        rows = [queries.summary(d) for d in visible_documents(ctx)]
        return render(
            request,
            "outcomes/documents.html",
            {"dialogue": dialogue, "rows": rows, "form": form, "may_draft": may_draft,
             "citable": queries.citable(dialogue) if may_draft else None},
            status=status,
        )  # fmt: skip

    if request.method == "POST":
        try:
            document = submit(form, _permitted(lambda data: _create(request, dialogue.pk, data)))
        except _Forbidden as forbidden:
            return _forbidden(request, forbidden.refusal, page)
        if document is not NOT_DONE:
            return redirect("outcomes:document", dialogue.pk, document.pk)
        return page(status=400)
    return page()


@login_required
def document(request: HttpRequest, dialogue_id: int, document_id: int) -> HttpResponse:
    return _page(request, dialogue_id, document_id)


@login_required
@require_POST
def endorse(request: HttpRequest, dialogue_id: int, document_id: int) -> HttpResponse:
    return _on_document(
        request, dialogue_id, document_id, EndorseForm(request.POST), "endorse_form",
        lambda data: actions.do_endorse(
            request.user, dialogue_id, document_id, grade=data["grade"],
            version_sha256=data["version_sha256"], reason=data["reason"], listed=data["listed"],
        ),
        lambda data: actions.check_endorse(
            request.user, dialogue_id, document_id, grade=data.get("grade"),
            version_sha256=data.get("version_sha256"), reason=data.get("reason", ""),
        ),
        tell=lambda done: messages.success(request, _("Your response is recorded on this version.")),
    )  # fmt: skip


@login_required
@require_POST
def propose(request: HttpRequest, dialogue_id: int, document_id: int) -> HttpResponse:
    def tell(done) -> None:
        if done.status == "conflict":
            messages.warning(
                request, _("The paragraph changed meanwhile: your amendment is kept as a conflict.")
            )
        else:
            messages.success(request, _("Your amendment is proposed."))

    return _on_document(
        request, dialogue_id, document_id, AmendmentForm(request.POST), "amendment_form",
        lambda data: actions.do_propose(
            request.user, dialogue_id, document_id, paragraph_key=data["paragraph_key"],
            text=data["text"], base_text=data["base_text"] or None,  # none sent: the current words
        ),
        tell=tell,
    )  # fmt: skip


@login_required
@require_POST
def decide(request: HttpRequest, dialogue_id: int, document_id: int, amendment_id: int):
    return _on_document(
        request, dialogue_id, document_id, DecisionForm(request.POST), "decision_form",
        lambda data: actions.do_decide(
            request.user, dialogue_id, document_id, amendment_id, accept=data["accept"],
            reason=data["reason"],
        ),
        tell=lambda done: messages.success(request, _("Amendment %(status)s.") % {"status": done.status}),
        at=amendment_id,
    )  # fmt: skip


@login_required
@require_POST
def add_draft(request: HttpRequest, dialogue_id: int, document_id: int) -> HttpResponse:
    return _on_document(
        request, dialogue_id, document_id, AlternativeForm(request.POST), "draft_form",
        lambda data: actions.do_add_alternative(
            request.user, dialogue_id, document_id, paragraph_key=data["paragraph_key"],
            text=data["text"],
        ),
        tell=lambda done: messages.success(request, _("Competing draft %(n)s is added.") % {"n": done.pk}),
    )  # fmt: skip


@login_required
@require_POST
def rank(request: HttpRequest, dialogue_id: int, document_id: int) -> HttpResponse:
    return _on_document(
        request, dialogue_id, document_id, RankingForm(request.POST), "ranking_form",
        lambda data: actions.do_rank(
            request.user, dialogue_id, document_id, paragraph_key=data["paragraph_key"],
            order=data["order"],
        ),
        # Run even when the form refused the order, so the paragraph and the caller's role are
        # checked too (every problem at once); an order the form refused is not checked again.
        lambda data: actions.check_rank(
            request.user, dialogue_id, document_id, paragraph_key=data.get("paragraph_key", ""),
            order=data.get("order"),
        ),
        tell=lambda done: messages.success(request, _("Your ranking is recorded.")),
    )  # fmt: skip


@login_required
def diff(request: HttpRequest, dialogue_id: int, document_id: int) -> HttpResponse:
    document = actions.load_document(request.user, dialogue_id, document_id)
    try:
        a, b = int(request.GET.get("a", "1")), int(request.GET.get("b", "1"))
    except ValueError:
        messages.error(request, _("Choose two versions of this document to compare."))
        return redirect("outcomes:document", dialogue_id, document_id)
    changes = act_and_tell(request, lambda: queries.diff(document, a, b))
    if changes is NOT_DONE:
        return redirect("outcomes:document", dialogue_id, document_id)
    return render(
        request,
        "outcomes/diff.html",
        {"dialogue": document.dialogue, "document": document, "changes": changes},
    )


@login_required
def export(request: HttpRequest, dialogue_id: int, document_id: int, fmt: str) -> HttpResponse:
    recipient = request.GET.get("recipient")
    try:
        exported = actions.do_export(
            request.user, dialogue_id, document_id, fmt=fmt, recipient=recipient or None
        )
    except ActionRefused as refusal:
        typed = recipient is not None or any(f == "recipient" for f, _m in refusal.problems)
        if type(refusal) is ActionRefused and typed:
            # The recipient is typed in the page's copy form: it comes back with the name as
            # typed, marked when it is at fault, and every other problem above it (STYLE.md
            # §12), where a redirect would lose it.
            return _page(
                request, dialogue_id, document_id, {"copy_refusal": _copy_refusal(refusal, recipient)},
                status=400,
            )  # fmt: skip
        for _field, message in refusal.problems:
            messages.error(request, message)
        return redirect("outcomes:document", dialogue_id, document_id)
    response = HttpResponse(exported.content, content_type=exported.content_type)
    response["Content-Disposition"] = f'attachment; filename="{exported.filename}"'
    return response


def _copy_refusal(refusal: ActionRefused, recipient: str | None) -> dict:
    """The copy form's refusal as the page shows it: the recipient as typed, the problems of
    that field beside it, the others (a format, a version) above the form."""
    return {
        "recipient": recipient or "",
        "at_recipient": [m for f, m in refusal.problems if f == "recipient"],
        "others": [m for f, m in refusal.problems if f != "recipient"],
    }
