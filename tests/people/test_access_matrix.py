"""Access matrix: every role × every people page and API endpoint.

Only conveners of the dialogue see people data. Every other member, a convener of another
dialogue and an outsider get 404 (never 403: nobody learns what exists); an anonymous visitor
is sent to sign in (pages) or gets 401 (API). Refused writes change nothing.
"""

import pytest
from django.urls import reverse

from tests.helpers import PASSWORD, sign_in
from track2.accounts.actions import do_create_api_token
from track2.accounts.models import User
from track2.dialogues.models import Dialogue, Membership
from track2.institutions.models import ConveningRight, Institution
from track2.people import actions
from track2.people.models import Candidacy, CandidacyStep, Invitation

# other_convener: convener of another dialogue of the same institution (shares its directory, not
# this dialogue's candidacies); foreign_convener: convener in another institution; member_elsewhere:
# participant of another dialogue; site_admin: a site administrator with no role here.
ROLES = [
    "convener",
    "facilitator",
    "rapporteur",
    "participant",
    "observer",
    "liaison",
    "other_convener",
    "foreign_convener",
    "member_elsewhere",
    "site_admin",
    "outsider",
    "anonymous",
]


@pytest.fixture
def world(dialogue, make_user):
    """A dialogue with one nominated person, and a user holding `role`."""
    owner = make_user("owner@example.org")
    Membership.objects.create(dialogue=dialogue, user=owner, role="convener")
    candidacy = actions.do_add_person(
        owner,
        dialogue,
        full_name="Amina Diallo",
        email="amina@example.org",
        sector="academia",
        country="N",
        nominated_by="X",
    )
    return dialogue, candidacy


def user_for(role, dialogue, make_user):
    if role == "anonymous":
        return None
    if role == "site_admin":
        return User.objects.create_superuser(email="admin@example.org", password=PASSWORD)
    user = make_user(f"{role}@example.org")
    if role in ("other_convener", "member_elsewhere"):
        other = Dialogue.objects.create(title="Another dialogue", institution=dialogue.institution)
        Membership.objects.create(
            dialogue=other,
            user=user,
            role="convener" if role == "other_convener" else "participant",
        )
    elif role == "foreign_convener":
        elsewhere = Institution.objects.create(name="Elsewhere Foundation")
        ConveningRight.objects.create(institution=elsewhere, user=user)
        other = Dialogue.objects.create(title="A foreign dialogue", institution=elsewhere)
        Membership.objects.create(dialogue=other, user=user, role="convener")
    elif role != "outsider":
        Membership.objects.create(dialogue=dialogue, user=user, role=role)
    return user


def pages(dialogue, person_id):
    d, p = dialogue.pk, person_id
    return {
        "list": reverse("people:list", args=[d]),
        "add": reverse("people:add", args=[d]),
        "nominate": reverse("people:nominate", args=[d]),
        "import": reverse("people:import", args=[d]),
        "export": reverse("people:export", args=[d]),
        "detail": reverse("people:detail", args=[d, p]),
        "edit": reverse("people:edit", args=[d, p]),
    }


POSTS = {
    "add": (
        "people:add",
        False,
        {
            "full_name": "New Person",
            "email": "new@example.org",
            "sector": "media",
            "country": "X",
            "nominated_by": "Y",
            "role": "participant",
        },
    ),
    "nominate": (
        "people:nominate",
        False,
        {"email": "amina@example.org", "nominated_by": "Y", "role": "participant"},
    ),
    "vet": ("people:vet", True, {"vouched_by": "Someone"}),
    "withdraw": ("people:withdraw", True, {"notes": "x"}),
    "edit": (
        "people:edit",
        True,
        {
            "full_name": "Changed",
            "email": "amina@example.org",
            "sector": "academia",
            "country": "N",
            "aff-TOTAL_FORMS": "0",
            "aff-INITIAL_FORMS": "0",
            "candidacy-role": "participant",
        },
    ),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", ["list", "add", "nominate", "import", "export", "detail", "edit"])
def test_pages(client, world, make_user, role, page):
    dialogue, candidacy = world
    user = user_for(role, dialogue, make_user)
    if user is not None:
        sign_in(client, user)
    url = pages(dialogue, candidacy.person_id)[page]
    response = client.get(url)
    if role == "convener":
        assert response.status_code == 200
    elif role == "anonymous":
        assert response.status_code == 302 and response["Location"].startswith(
            reverse("accounts:login")
        )
    else:
        assert response.status_code == 404
        assert b"Amina" not in response.content


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    "action", sorted(POSTS) + ["invite", "renominate", "delete", "invite_vetted"]
)
def test_writes(client, world, make_user, role, action):
    dialogue, candidacy = world
    if action == "invite":
        actions.do_vet(None, candidacy, vouched_by="V")
        name, with_person, data = "people:invite", True, {}
    elif action == "invite_vetted":
        actions.do_vet(None, candidacy, vouched_by="V")
        name, with_person, data = "people:invite_vetted", False, {}
    elif action == "delete":
        name, with_person, data = "people:delete", True, {}
    elif action == "renominate":
        actions.do_withdraw(None, candidacy)
        name, with_person, data = "people:renominate", True, {"nominated_by": "Z"}
    else:
        name, with_person, data = POSTS[action]
    if action == "nominate":
        # Nominate the existing person to a dialogue where they are not yet a candidate.
        Candidacy.objects.all().delete()
    user = user_for(role, dialogue, make_user)
    if user is not None:
        sign_in(client, user)
    args = [dialogue.pk, candidacy.person_id] if with_person else [dialogue.pk]
    steps_before = CandidacyStep.objects.count()
    response = client.post(reverse(name, args=args), data)
    if role == "convener":
        assert response.status_code == 302, response.content.decode()[:3000]
    else:
        expected = 302 if role == "anonymous" else 404
        assert response.status_code == expected
        assert CandidacyStep.objects.count() == steps_before
        assert (
            not Invitation.objects.filter(revoked_at__isnull=True, used_at__isnull=True)
            .exclude(candidacy__status="invited")
            .exists()
        )
        candidacy.person.refresh_from_db()  # still exists (not deleted)
        assert candidacy.person.full_name == "Amina Diallo"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("method", "path", "body", "ok"),
    [
        ("get", "/dialogues/{d}/people", None, 200),
        (
            "post",
            "/dialogues/{d}/people",
            {
                "full_name": "N",
                "email": "n@example.org",
                "sector": "media",
                "country": "X",
                "nominated_by": "Y",
            },
            201,
        ),
        (
            "post",
            "/dialogues/{d}/people/nominate",
            {"email": "amina@example.org", "nominated_by": "Y"},
            400,
        ),
        ("get", "/dialogues/{d}/people/roster.csv", None, 200),
        ("get", "/dialogues/{d}/people/{p}", None, 200),
        ("patch", "/dialogues/{d}/people/{p}", {"pronouns": "they"}, 200),
        ("post", "/dialogues/{d}/people/{p}/vet", {"vouched_by": "V"}, 200),
        ("post", "/dialogues/{d}/people/{p}/invite", None, 400),
        ("post", "/dialogues/{d}/people/{p}/withdraw", {"notes": ""}, 200),
        ("post", "/dialogues/{d}/people/{p}/renominate", {"nominated_by": "Z"}, 400),
        ("delete", "/dialogues/{d}/people/{p}", None, 204),
        ("post", "/dialogues/{d}/people/invite-vetted", None, 200),
    ],
)
def test_api(client, world, make_user, role, method, path, body, ok):
    dialogue, candidacy = world
    user = user_for(role, dialogue, make_user)
    headers = {}
    if user is not None:
        raw, _token = do_create_api_token(user, "t")
        headers["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
    url = "/api/v1" + path.format(d=dialogue.pk, p=candidacy.person_id)
    kwargs = dict(headers)
    if body is not None or method != "get":
        kwargs.update(data=body or {}, content_type="application/json")
    steps_before = CandidacyStep.objects.count()
    response = getattr(client, method)(url, **kwargs)
    if role == "convener":
        # 400 where the action itself refuses (already a candidate; invite before vetting).
        assert response.status_code == ok, response.content
    elif role == "anonymous":
        assert response.status_code == 401
    else:
        assert response.status_code == 404
        assert response.json() == {"detail": "Not found."}
        assert CandidacyStep.objects.count() == steps_before


def test_unknown_ids_are_not_found_for_a_convener(client, world):
    dialogue, candidacy = world
    owner = Membership.objects.get(role="convener").user
    sign_in(client, owner)
    assert client.get(reverse("people:list", args=[999999])).status_code == 404
    assert client.get(reverse("people:detail", args=[dialogue.pk, 999999])).status_code == 404
    assert client.get(f"/dialogues/{dialogue.pk}/people/abc/").status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_api_roster_import(client, world, make_user, role):
    from django.core.files.uploadedfile import SimpleUploadedFile

    dialogue, _candidacy = world
    user = user_for(role, dialogue, make_user)
    headers = {}
    if user is not None:
        raw, _token = do_create_api_token(user, "t")
        headers["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
    content = b"full_name,email,sector,country,nominated_by\nBo,bo@example.org,media,N,X\n"
    response = client.post(
        f"/api/v1/dialogues/{dialogue.pk}/people/roster?confirm=true",
        {"file": SimpleUploadedFile("r.csv", content, "text/csv")},
        **headers,
    )
    expected = {"convener": 201, "anonymous": 401}.get(role, 404)
    assert response.status_code == expected
    assert Candidacy.objects.filter(person__email="bo@example.org").exists() == (role == "convener")
