"""Outcome documents' API: the same actions and access rules as the pages. Every answer about a
document is its outline, which carries the document type and the status line."""

from __future__ import annotations

from typing import Literal

from django.http import HttpResponse
from ninja import Field, Query, Router, Schema, Status

from track2.access import access_dialogue
from track2.access.outcomes import visible_documents
from track2.api.auth import AuthedRequest
from track2.api.fields import Code, Id, ParagraphKey, ParagraphText, Reason, Sha256, Title
from track2.api.pagination import PageQuery, page_of
from track2.api.refusals import files, not_permitted
from track2.disclosure.status import STATUS_LINE
from track2.outcomes import actions, queries, texts
from track2.outcomes.models import Kind

router = Router(tags=["outcome documents"])
D = "/dialogues/{dialogue_id}/outcomes"
O = D + "/{document_id}"  # noqa: E741


class ParagraphIn(Schema):
    text: ParagraphText
    key: ParagraphKey | None = Field(None, description="keep a paragraph's key across versions")
    cites: list[Id] = Field([], max_length=50, description="statement ids from the room")


class SectionIn(Schema):
    heading: Title
    paragraphs: list[ParagraphIn] = Field(max_length=500)


class DocumentIn(Schema):
    kind: Code = Field(description=", ".join(Kind.values))
    title: Title
    attribution: Code = Field("chatham_house", description="chatham_house or on_record")
    sections: list[SectionIn] = Field(max_length=100)


class EditIn(Schema):
    title: Title
    sections: list[SectionIn] = Field(max_length=100)
    base_version: int = Field(ge=1, le=2_147_483_647, description="the version you edited")


class AmendmentIn(Schema):
    paragraph_key: ParagraphKey
    text: ParagraphText
    base_text: ParagraphText | None = Field(None, description="the words you amended")


class DecisionIn(Schema):
    accept: bool
    reason: Reason = ""


class EndorsementIn(Schema):
    grade: Code = Field(description=", ".join(texts.GRADES))
    version_sha256: Sha256 = Field(description="the SHA-256 of the version you read")
    reason: Reason = ""
    listed: bool = Field(False, description="on-record documents: list my name")


class AlternativeIn(Schema):
    paragraph_key: ParagraphKey
    text: ParagraphText


class RankingIn(Schema):
    paragraph_key: ParagraphKey
    order: list[Id] = Field(max_length=100, description="draft ids, most preferred first")


class ExportQuery(Schema):
    format: Literal["html", "markdown", "pdf", "json"] = "pdf"
    version: int | None = Field(None, ge=1, le=2_147_483_647)
    recipient: Title | None = Field(
        None, description="aide-mémoire (conveners): the copy's recipient, printed on every page"
    )


class DiffQuery(Schema):
    a: int = Field(ge=1, le=2_147_483_647)
    b: int = Field(ge=1, le=2_147_483_647)


def _sections(sections: list[SectionIn]) -> list[dict]:
    return [s.dict() for s in sections]


@router.get(D, summary="The dialogue's outcome documents (paginated)")
def list_documents(request: AuthedRequest, dialogue_id: Id, params: Query[PageQuery]):
    ctx = access_dialogue(request.auth, dialogue_id)
    page = page_of(visible_documents(ctx), params, queries.summary)
    return {**page, "status_line": STATUS_LINE}


@router.post(
    D,
    response={201: dict},
    summary="Draft a document (facilitators, conveners)",
    openapi_extra=not_permitted("Members of other roles read documents; they do not draft them."),
)
def create_document(request: AuthedRequest, dialogue_id: Id, payload: DocumentIn):
    document = actions.do_create(
        request.auth,
        dialogue_id,
        kind=payload.kind,
        title=payload.title,
        attribution=payload.attribution,
        sections=_sections(payload.sections),
    )
    return Status(201, queries.outline(document))


@router.get(O, summary="A document's current version, evidence and consensus")
def get_document(request: AuthedRequest, dialogue_id: Id, document_id: Id):
    document = actions.load_document(request.auth, dialogue_id, document_id)
    return queries.outline(document)


@router.put(
    O,
    summary="Edit: always a new version (give the version you edited)",
    openapi_extra=not_permitted("Only facilitators and conveners edit."),
)
def edit_document(request: AuthedRequest, dialogue_id: Id, document_id: Id, payload: EditIn):
    actions.do_edit(
        request.auth,
        dialogue_id,
        document_id,
        title=payload.title,
        sections=_sections(payload.sections),
        base_version=payload.base_version,
    )
    return queries.outline(actions.load_document(request.auth, dialogue_id, document_id))


@router.get(O + "/versions", summary="Every version: number, hash, date, note")
def list_versions(request: AuthedRequest, dialogue_id: Id, document_id: Id):
    document = actions.load_document(request.auth, dialogue_id, document_id)
    return {"status_line": STATUS_LINE, "versions": queries.versions(document)}


@router.get(O + "/diff", summary="Word-level differences between two versions")
def diff(request: AuthedRequest, dialogue_id: Id, document_id: Id, params: Query[DiffQuery]):
    document = actions.load_document(request.auth, dialogue_id, document_id)
    return queries.diff(document, params.a, params.b)


@router.get(O + "/amendments", summary="Amendments: pending, accepted, rejected, conflicts")
def list_amendments(
    request: AuthedRequest, dialogue_id: Id, document_id: Id, params: Query[PageQuery]
):
    document = actions.load_document(request.auth, dialogue_id, document_id)
    page = page_of(document.amendments.order_by("pk"), params, queries.amendment_out)
    return {**page, "status_line": STATUS_LINE}


@router.post(
    O + "/amendments",
    response={201: dict},
    summary="Propose an amendment to a paragraph",
    openapi_extra=not_permitted("Observers and liaisons do not amend."),
)
def propose(request: AuthedRequest, dialogue_id: Id, document_id: Id, payload: AmendmentIn):
    amendment = actions.do_propose(
        request.auth,
        dialogue_id,
        document_id,
        paragraph_key=payload.paragraph_key,
        text=payload.text,
        base_text=payload.base_text,
    )
    return Status(201, queries.amendment_out(amendment))


@router.post(
    O + "/amendments/{amendment_id}/decision",
    summary="Accept, or reject with a reason",
    openapi_extra=not_permitted("Only facilitators and conveners decide on amendments."),
)
def decide(
    request: AuthedRequest, dialogue_id: Id, document_id: Id, amendment_id: Id, payload: DecisionIn
):
    amendment = actions.do_decide(
        request.auth,
        dialogue_id,
        document_id,
        amendment_id,
        accept=payload.accept,
        reason=payload.reason,
    )
    return queries.amendment_out(amendment)


@router.put(
    O + "/endorsement",
    summary="Your response to the current version (replaces yours, kept for you)",
    openapi_extra=not_permitted("Only participants respond."),
)
def endorse(request: AuthedRequest, dialogue_id: Id, document_id: Id, payload: EndorsementIn):
    actions.do_endorse(
        request.auth,
        dialogue_id,
        document_id,
        grade=payload.grade,
        version_sha256=payload.version_sha256,
        reason=payload.reason,
        listed=payload.listed,
    )
    return queries.mine(actions.load_document(request.auth, dialogue_id, document_id), request.auth)


@router.get(
    O + "/endorsement",
    summary="Your own response, your replaced ones, and whether to confirm it again",
    openapi_extra=not_permitted("Only participants respond."),
)
def my_endorsement(request: AuthedRequest, dialogue_id: Id, document_id: Id):
    document = actions.load_document(
        request.auth, dialogue_id, document_id, "participant", actions.RESPOND
    )
    return queries.mine(document, request.auth)


@router.post(
    O + "/alternatives",
    response={201: dict},
    summary="Add a competing draft",
    openapi_extra=not_permitted("Only facilitators and conveners add drafts."),
)
def add_alternative(
    request: AuthedRequest, dialogue_id: Id, document_id: Id, payload: AlternativeIn
):
    alternative = actions.do_add_alternative(
        request.auth,
        dialogue_id,
        document_id,
        paragraph_key=payload.paragraph_key,
        text=payload.text,
    )
    return Status(201, {"id": alternative.pk, "status_line": STATUS_LINE})


@router.get(O + "/alternatives/{paragraph_key}", summary="Drafts ranked by Schulze, with tables")
def ranked(request: AuthedRequest, dialogue_id: Id, document_id: Id, paragraph_key: ParagraphKey):
    document = actions.load_document(request.auth, dialogue_id, document_id)
    return queries.alternatives(document, paragraph_key)


@router.put(
    O + "/ranking",
    summary="Your ranking of a paragraph's drafts (replaces any)",
    openapi_extra=not_permitted("Only participants rank."),
)
def rank(request: AuthedRequest, dialogue_id: Id, document_id: Id, payload: RankingIn):
    actions.do_rank(
        request.auth,
        dialogue_id,
        document_id,
        paragraph_key=payload.paragraph_key,
        order=payload.order,
    )
    document = actions.load_document(request.auth, dialogue_id, document_id)
    return queries.alternatives(document, payload.paragraph_key)


@router.get(
    O + "/export",
    summary="The document as HTML, Markdown, PDF or JSON (aide-mémoire: use a copy)",
    openapi_extra=files(
        "text/html", "text/markdown", "application/pdf", "application/json",
        description="The document with its type and status line.",
    ),
)  # fmt: skip
def export(request: AuthedRequest, dialogue_id: Id, document_id: Id, params: Query[ExportQuery]):
    exported = actions.do_export(
        request.auth,
        dialogue_id,
        document_id,
        fmt=params.format,
        version=params.version,
        recipient=params.recipient,
    )
    response = HttpResponse(exported.content, content_type=exported.content_type)
    response["Content-Disposition"] = f'attachment; filename="{exported.filename}"'
    return response
