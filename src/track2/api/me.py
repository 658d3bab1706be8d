from ninja import Router, Schema

from track2 import access
from track2.access.institutions import institutions_for
from track2.api.auth import AuthedRequest

router = Router(tags=["accounts"])


class DialogueRoles(Schema):
    id: int
    title: str
    roles: list[str]


class InstitutionOut(Schema):
    id: int
    name: str


class Me(Schema):
    email: str
    display_name: str
    time_zone: str
    two_factor: bool
    dialogues: list[DialogueRoles]
    # Where this account may create dialogues (empty: ask a site administrator for the right).
    convening_institutions: list[InstitutionOut]


@router.get("/me", response=Me, summary="The signed-in user and the dialogues they belong to")
def me(request: AuthedRequest):
    user = request.auth
    return {
        "email": user.email,
        "display_name": user.display_name,
        "time_zone": user.time_zone,
        "two_factor": user.has_two_factor,
        "dialogues": [
            {"id": m.dialogue.pk, "title": m.dialogue.title, "roles": list(m.role_names)}
            for m in access.dialogues_for(user)
        ],
        "convening_institutions": [{"id": i.pk, "name": i.name} for i in institutions_for(user)],
    }
