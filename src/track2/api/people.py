"""People API: the directory of a dialogue, nominations, vetting, invitations, roster export.

Conveners only (track2.access.people); everyone else gets 404. Refusals from the actions
come back as 400 with {"detail": message, "field": field} (the API-wide handler in api.urls).
Risk notes are the candidacy's: each dialogue sees only the notes its own conveners wrote.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import File, Query, Router, Schema, Status, UploadedFile

from track2.access import people as people_access
from track2.access.delegations import delegation_named
from track2.api.auth import AuthedRequest
from track2.api.fields import Code, Email, Id, Notes, Place, Tag, Title
from track2.api.pagination import PageQuery, page_of
from track2.api.schemas import schemas
from track2.disclosure.site import is_shown_in_personal_capacity
from track2.errors import ActionRefused
from track2.people import actions, roster
from track2.people.models import Candidacy
from track2.people.queries import PeopleFilter, candidacies_of

router = Router(tags=["people"])


class Refusal(Schema):
    detail: str
    field: str | None = None
    # Per-row problems, for a roster file.
    errors: list[dict] | None = None


class AffiliationOut(Schema):
    organisation: str
    position: str
    is_current: bool
    until_year: int | None


class CandidacyOut(Schema):
    status: str
    role: str
    delegation_id: int | None
    delegation: str | None
    nominated_by: str
    # Risk and sensitivity notes for this dialogue only.
    risk_notes: str


class PersonOut(Schema):
    id: int
    full_name: str
    pronouns: str
    sector: str
    country: str
    languages: list[str]
    expertise: list[str]
    email: str
    phone: str
    gender: str
    has_account: bool
    personal_capacity: bool
    affiliations: list[AffiliationOut]
    candidacy: CandidacyOut


class StepOut(Schema):
    status: str
    at: datetime
    by: str | None
    vouched_by: str
    notes: str


class PersonDetailOut(PersonOut):
    history: list[StepOut]


class PersonPage(Schema):
    items: list[PersonOut]
    total: int
    page: int
    limit: int


if TYPE_CHECKING:
    # Classes built by a call are no types to mypy; pydantic checks every field of them.
    PersonIn = Any
    PersonPatch = Any
else:
    # The directory entry's fields and the candidacy's, from their one declaration
    # (people.actions.PERSON and CANDIDACY); adding a person also names who nominated them and
    # may give a current affiliation.
    PersonIn, PersonPatch = schemas(
        (actions.PERSON, actions.CANDIDACY),
        "Person",
        types={"languages": list[Tag], "expertise": list[Tag], "role": Code},
        extra_in={
            "nominated_by": (Title, ...),
            "organisation": (Title, ""),
            "position": (Title, ""),
        },
    )


class NominateIn(Schema):
    email: Email
    nominated_by: Title
    role: Code = "participant"
    delegation_id: Id | None = None


class VetIn(Schema):
    vouched_by: Title
    notes: Notes = ""


class NotesIn(Schema):
    notes: Notes = ""


class InvitationOut(Schema):
    sent_to: str
    expires_at: datetime
    candidacy_status: str


class PeopleQuery(PageQuery):
    q: Title = ""
    sector: Code = ""
    country: Place = ""
    status: Code = ""
    delegation: Code = ""


def _person_out(candidacy: Candidacy, *, with_history: bool = False, dialogue=None) -> dict:
    """`dialogue`: the candidacy's, when a list already holds it (not read again per person)."""
    person = candidacy.person
    out = {
        "id": person.pk,
        "full_name": person.full_name,
        "pronouns": person.pronouns,
        "sector": person.sector,
        "country": person.country,
        "languages": person.languages,
        "expertise": person.expertise,
        "email": person.email,
        "phone": person.phone,
        "gender": person.gender,
        "has_account": person.user_id is not None,
        "personal_capacity": is_shown_in_personal_capacity(person, dialogue or candidacy.dialogue),
        "affiliations": [
            {
                "organisation": a.organisation,
                "position": a.position,
                "is_current": a.is_current,
                "until_year": a.until_year,
            }
            for a in person.affiliations.all()
        ],
        "candidacy": {
            "status": candidacy.status,
            "role": candidacy.role,
            "delegation_id": candidacy.delegation_id,
            "delegation": candidacy.delegation.name if candidacy.delegation else None,
            "nominated_by": candidacy.nominated_by,
            "risk_notes": candidacy.risk_notes,
        },
    }
    if with_history:
        out["history"] = [
            {
                "status": s.status,
                "at": s.at,
                "by": str(s.by) if s.by else None,
                "vouched_by": s.vouched_by,
                "notes": s.notes,
            }
            for s in candidacy.steps.select_related("by")
        ]
    return out


@router.get(
    "/dialogues/{dialogue_id}/people",
    response=PersonPage,
    summary="People who are candidates in a dialogue (conveners), with search and filters (paginated)",
)
def list_people(request: AuthedRequest, dialogue_id: Id, filters: Query[PeopleQuery]):
    dialogue = people_access.access_people(request.auth, dialogue_id).dialogue
    found = candidacies_of(dialogue, PeopleFilter(**filters.dict(exclude={"page", "limit"})))
    return page_of(found, filters, lambda c: _person_out(c, dialogue=dialogue))


@router.post(
    "/dialogues/{dialogue_id}/people",
    response={201: PersonDetailOut, 400: Refusal},
    summary="Add a new person to the directory and nominate them to the dialogue",
)
def create_person(request: AuthedRequest, dialogue_id: Id, payload: PersonIn):
    ctx = people_access.access_people(request.auth, dialogue_id)
    data = payload.dict()
    data["delegation"] = delegation_named(ctx, data.pop("delegation_id"))
    candidacy = actions.do_add_person(request.auth, ctx.dialogue, **data)
    return Status(201, _person_out(candidacy, with_history=True))


@router.post(
    "/dialogues/{dialogue_id}/people/nominate",
    response={201: PersonDetailOut, 400: Refusal},
    summary="Nominate a person already in the directory (found by e-mail) to the dialogue",
)
def nominate_existing(request: AuthedRequest, dialogue_id: Id, payload: NominateIn):
    ctx = people_access.access_people(request.auth, dialogue_id)
    candidacy = actions.do_nominate_by_email(
        request.auth,
        ctx.dialogue,
        email=payload.email,
        nominated_by=payload.nominated_by,
        role=payload.role,
        delegation=delegation_named(ctx, payload.delegation_id),
    )
    return Status(201, _person_out(candidacy, with_history=True))


class InvitedOut(Schema):
    invited: list[InvitationOut]
    # One message per person who could not be invited (e.g. the mail server refused).
    failures: list[str]


@router.post(
    "/dialogues/{dialogue_id}/people/invite-vetted",
    response={200: InvitedOut, 400: Refusal},
    summary="Invite every vetted person who has not been invited yet",
)
def invite_all_vetted(request: AuthedRequest, dialogue_id: Id):
    dialogue = people_access.access_people(request.auth, dialogue_id).dialogue
    sent, failures = actions.do_invite_all_vetted(
        request.auth, dialogue, base_url=f"{request.scheme}://{request.get_host()}"
    )
    return Status(
        200,
        {
            "invited": [
                {
                    "sent_to": i.sent_to,
                    "expires_at": i.expires_at,
                    "candidacy_status": Candidacy.Status.INVITED,
                }
                for i in sent
            ],
            "failures": failures,
        },
    )


class RowErrorOut(Schema):
    row: int
    column: str
    message: str


class RosterCheckOut(Schema):
    valid: bool
    rows: int
    added: int
    errors: list[RowErrorOut]


@router.post(
    "/dialogues/{dialogue_id}/people/roster",
    response={200: RosterCheckOut, 201: RosterCheckOut, 400: Refusal},
    summary="Check a roster CSV (every row); with confirm=true, add everyone in it — all or nothing",
)
def import_roster(
    request: AuthedRequest, dialogue_id: Id, file: File[UploadedFile], confirm: bool = False
):
    dialogue = people_access.access_people(request.auth, dialogue_id).dialogue
    if file.size is None or file.size > roster.MAX_BYTES:  # Django always measures an upload
        raise ActionRefused(
            _("The file is larger than 2 MB; a roster is much smaller."), field="file"
        )
    text = roster.decode(file.read())
    checked = roster.check_roster(dialogue, text)
    errors = [{"row": e.row, "column": e.column, "message": e.message} for e in checked.errors]
    if not confirm:
        # A preview: nothing is saved.
        return Status(
            200,
            {"valid": checked.is_valid, "rows": len(checked.rows), "added": 0, "errors": errors},
        )
    if not checked.is_valid:
        return Status(
            400,
            {
                "detail": _("The roster has problems; nothing was saved. See 'errors'."),
                "field": "file",
                "errors": errors,
            },
        )
    added = roster.do_import_roster(request.auth, dialogue, text)
    return Status(201, {"valid": True, "rows": len(added), "added": len(added), "errors": []})


@router.get(
    "/dialogues/{dialogue_id}/people/roster.csv",
    summary="The dialogue's roster as CSV (formulas neutralised)",
)
def export_roster(request: AuthedRequest, dialogue_id: Id):
    dialogue = people_access.access_people(request.auth, dialogue_id).dialogue
    response = HttpResponse(roster.export_csv(dialogue), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="dialogue-{dialogue.pk}-people.csv"'
    return response


@router.get(
    "/dialogues/{dialogue_id}/people/{person_id}",
    response=PersonDetailOut,
    summary="One person of the dialogue, with the vetting history",
)
def get_person(request: AuthedRequest, dialogue_id: Id, person_id: Id):
    candidacy = people_access.access_candidacy(request.auth, dialogue_id, person_id)
    return _person_out(candidacy, with_history=True)


@router.patch(
    "/dialogues/{dialogue_id}/people/{person_id}",
    response={200: PersonDetailOut, 400: Refusal},
    summary="Change a person's profile, or their role, delegation and risk notes in this dialogue",
)
def update_person(request: AuthedRequest, dialogue_id: Id, person_id: Id, payload: PersonPatch):
    ctx = people_access.access_people(request.auth, dialogue_id)
    candidacy = people_access.candidacy(ctx, person_id)
    changes = payload.dict(exclude_unset=True)
    role = changes.pop("role", None)
    has_delegation = "delegation_id" in changes
    delegation_id = changes.pop("delegation_id", None)
    has_risk_notes = "risk_notes" in changes
    risk_notes = changes.pop("risk_notes", None)
    with transaction.atomic():
        if changes:
            actions.do_update_person(request.auth, candidacy.person, **changes)
        if role is not None or has_delegation:
            actions.do_update_candidacy(
                request.auth,
                candidacy,
                role=role if role is not None else candidacy.role,
                delegation=delegation_named(ctx, delegation_id)
                if has_delegation
                else candidacy.delegation,
            )
        if has_risk_notes:
            actions.do_set_risk_notes(request.auth, candidacy, risk_notes)
    candidacy = people_access.access_candidacy(request.auth, dialogue_id, person_id)
    return Status(200, _person_out(candidacy, with_history=True))


@router.post(
    "/dialogues/{dialogue_id}/people/{person_id}/vet",
    response={200: PersonDetailOut, 400: Refusal},
    summary="Record that the person is vetted (who vouched, notes)",
)
def vet(request: AuthedRequest, dialogue_id: Id, person_id: Id, payload: VetIn):
    candidacy = people_access.access_candidacy(request.auth, dialogue_id, person_id)
    candidacy = actions.do_vet(
        request.auth, candidacy, vouched_by=payload.vouched_by, notes=payload.notes
    )
    return Status(200, _person_out(candidacy, with_history=True))


@router.post(
    "/dialogues/{dialogue_id}/people/{person_id}/invite",
    response={201: InvitationOut, 400: Refusal},
    summary="E-mail a one-time invitation link (an earlier link stops working)",
)
def invite(request: AuthedRequest, dialogue_id: Id, person_id: Id):
    candidacy = people_access.access_candidacy(request.auth, dialogue_id, person_id)
    invitation, _link = actions.do_invite(
        request.auth, candidacy, base_url=f"{request.scheme}://{request.get_host()}"
    )
    # The link itself is only e-mailed to the invitee, never returned.
    return Status(
        201,
        {
            "sent_to": invitation.sent_to,
            "expires_at": invitation.expires_at,
            "candidacy_status": Candidacy.Status.INVITED,
        },
    )


@router.post(
    "/dialogues/{dialogue_id}/people/{person_id}/withdraw",
    response={200: PersonDetailOut, 400: Refusal},
    summary="Withdraw the candidacy (open invitation links stop working)",
)
def withdraw(request: AuthedRequest, dialogue_id: Id, person_id: Id, payload: NotesIn):
    candidacy = people_access.access_candidacy(request.auth, dialogue_id, person_id)
    candidacy = actions.do_withdraw(request.auth, candidacy, notes=payload.notes)
    return Status(200, _person_out(candidacy, with_history=True))


class RenominateIn(Schema):
    nominated_by: Title
    notes: Notes = ""


@router.post(
    "/dialogues/{dialogue_id}/people/{person_id}/renominate",
    response={200: PersonDetailOut, 400: Refusal},
    summary="Nominate a withdrawn or declined person again (history is kept)",
)
def renominate(request: AuthedRequest, dialogue_id: Id, person_id: Id, payload: RenominateIn):
    candidacy = people_access.access_candidacy(request.auth, dialogue_id, person_id)
    candidacy = actions.do_renominate(
        request.auth, candidacy, nominated_by=payload.nominated_by, notes=payload.notes
    )
    return Status(200, _person_out(candidacy, with_history=True))


@router.delete(
    "/dialogues/{dialogue_id}/people/{person_id}",
    response={204: None, 400: Refusal},
    summary="Delete a person entered by mistake (only while nothing else depends on the entry)",
)
def delete_person(request: AuthedRequest, dialogue_id: Id, person_id: Id):
    candidacy = people_access.access_candidacy(request.auth, dialogue_id, person_id)
    actions.do_delete_person(request.auth, candidacy)
    return Status(204, None)
