"""The people API: same actions as the pages, JSON errors with a clear detail."""

import pytest
from django.core import mail

from track2.accounts.actions import do_create_api_token
from track2.people.models import Candidacy, Invitation, Person

Status = Candidacy.Status


@pytest.fixture
def api(client, convener):
    raw, _token = do_create_api_token(convener, "script")

    class Api:
        def call(self, method, path, json=None, **extra):
            kwargs = {"HTTP_AUTHORIZATION": f"Bearer {raw}", **extra}
            if json is not None:
                kwargs.update(data=json, content_type="application/json")
            return getattr(client, method)("/api/v1" + path, **kwargs)

    return Api()


NEW = {
    "full_name": "Amina Diallo",
    "email": "amina@example.org",
    "sector": "academia",
    "country": "Northland",
    "nominated_by": "Prof. Example",
    "expertise": ["fisheries"],
    "organisation": "Sea Institute",
    "position": "Fellow",
    "gender": "woman",
}


def test_create_list_get_update(api, dialogue, north):
    response = api.call(
        "post", f"/dialogues/{dialogue.pk}/people", {**NEW, "delegation_id": north.pk}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["candidacy"] == {
        "status": "nominated",
        "role": "participant",
        "delegation_id": north.pk,
        "delegation": "Northland delegation",
        "nominated_by": "Prof. Example",
        "risk_notes": "",
    }
    assert body["affiliations"][0]["organisation"] == "Sea Institute"
    assert body["history"][0]["status"] == "nominated"
    pid = body["id"]
    listed = api.call("get", f"/dialogues/{dialogue.pk}/people").json()
    assert [p["id"] for p in listed["items"]] == [pid] and listed["total"] == 1
    assert (
        api.call("get", f"/dialogues/{dialogue.pk}/people?q=sea+inst").json()["items"][0]["id"]
        == pid
    )
    assert api.call("get", f"/dialogues/{dialogue.pk}/people?sector=business").json()["items"] == []
    got = api.call("get", f"/dialogues/{dialogue.pk}/people/{pid}").json()
    assert "risk_notes" not in got and got["personal_capacity"] is False
    patched = api.call(
        "patch",
        f"/dialogues/{dialogue.pk}/people/{pid}",
        {"pronouns": "she/her", "role": "observer", "delegation_id": None},
    )
    assert patched.status_code == 200, patched.content
    assert patched.json()["pronouns"] == "she/her"
    assert patched.json()["candidacy"]["role"] == "observer"
    assert patched.json()["candidacy"]["delegation_id"] is None


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"email": "AMINA@example.org"}, "email"),
        ({"email": "bad"}, "email"),
        ({"sector": "serving_official"}, "sector"),
        ({"sector": "pilot"}, "sector"),
        ({"full_name": ""}, "full_name"),
        ({"delegation_id": 999999}, "delegation_id"),
        ({"role": "emperor"}, "role"),
    ],
)
def test_create_bad_input_is_400_with_field(api, dialogue, change, field):
    if change.get("email", "").lower() == "amina@example.org":
        assert api.call("post", f"/dialogues/{dialogue.pk}/people", NEW).status_code == 201
    response = api.call("post", f"/dialogues/{dialogue.pk}/people", {**NEW, **change})
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["field"] == field and body["detail"]


def test_schema_errors_are_422(api, dialogue):
    response = api.call("post", f"/dialogues/{dialogue.pk}/people", {"full_name": "x"})
    assert response.status_code == 422 and "detail" in response.json()


def test_patch_bad_input(api, dialogue):
    pid = api.call("post", f"/dialogues/{dialogue.pk}/people", NEW).json()["id"]
    response = api.call("patch", f"/dialogues/{dialogue.pk}/people/{pid}", {"email": "nope"})
    assert response.status_code == 400 and response.json()["field"] == "email"
    response = api.call("patch", f"/dialogues/{dialogue.pk}/people/{pid}", {"gender": "robot"})
    assert response.status_code == 400 and response.json()["field"] == "gender"


def test_workflow(api, dialogue, django_capture_on_commit_callbacks):
    pid = api.call("post", f"/dialogues/{dialogue.pk}/people", NEW).json()["id"]
    base = f"/dialogues/{dialogue.pk}/people/{pid}"
    refused = api.call("post", base + "/invite")
    assert refused.status_code == 400 and "not been vetted" in refused.json()["detail"]
    assert api.call("post", base + "/vet", {"vouched_by": ""}).json()["field"] == "vouched_by"
    vetted = api.call("post", base + "/vet", {"vouched_by": "Amb. X", "notes": "ok"})
    assert vetted.status_code == 200 and vetted.json()["history"][-1]["vouched_by"] == "Amb. X"
    with django_capture_on_commit_callbacks(execute=True):
        invited = api.call("post", base + "/invite")
    assert invited.status_code == 201
    assert invited.json()["sent_to"] == "amina@example.org"
    assert "invitations/" not in invited.content.decode()  # the link is only e-mailed
    assert len(mail.outbox) == 1
    withdrawn = api.call("post", base + "/withdraw", {"notes": "no"})
    assert withdrawn.status_code == 200 and withdrawn.json()["candidacy"]["status"] == "withdrawn"
    assert api.call("post", base + "/withdraw", {}).status_code == 400
    assert Invitation.objects.get().revoked_at is not None
    assert (
        api.call("post", base + "/renominate", {"nominated_by": " "}).json()["field"]
        == "nominated_by"
    )
    again = api.call("post", base + "/renominate", {"nominated_by": "New sponsor"})
    assert again.status_code == 200 and again.json()["candidacy"]["status"] == "nominated"
    assert api.call("post", base + "/renominate", {"nominated_by": "x"}).status_code == 400


def test_nominate_existing(api, dialogue, track15, member_of, convener):
    member_of(convener, "convener", to=track15)
    api.call("post", f"/dialogues/{track15.pk}/people", NEW)
    response = api.call(
        "post",
        f"/dialogues/{dialogue.pk}/people/nominate",
        {"email": "Amina@Example.org", "nominated_by": "Y"},
    )
    assert response.status_code == 201
    assert Candidacy.objects.filter(dialogue=dialogue, person__email="amina@example.org").exists()
    again = api.call(
        "post",
        f"/dialogues/{dialogue.pk}/people/nominate",
        {"email": "amina@example.org", "nominated_by": "Y"},
    )
    assert again.status_code == 400 and "already a candidate" in again.json()["detail"]
    ghost = api.call(
        "post",
        f"/dialogues/{dialogue.pk}/people/nominate",
        {"email": "ghost@example.org", "nominated_by": "Y"},
    )
    assert ghost.status_code == 400 and ghost.json()["field"] == "email"


def test_roster_export(api, dialogue):
    api.call(
        "post",
        f"/dialogues/{dialogue.pk}/people",
        {**NEW, "full_name": '=HYPERLINK("http://e","x")'},
    )
    response = api.call("get", f"/dialogues/{dialogue.pk}/people/roster.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "'=HYPERLINK" in response.content.decode("utf-8-sig")


def test_person_of_another_dialogue_is_not_found(api, dialogue, track15, make_user, member_of):
    other = member_of(make_user("o@example.org"), "convener", to=track15)
    from track2.people import actions

    elsewhere = actions.do_add_person(
        other,
        track15,
        full_name="E",
        email="e@example.org",
        sector="media",
        country="X",
        nominated_by="Y",
    )
    response = api.call("get", f"/dialogues/{dialogue.pk}/people/{elsewhere.person_id}")
    assert response.status_code == 404 and response.json() == {"detail": "Not found."}
    assert (
        api.call("get", f"/dialogues/{track15.pk}/people/{elsewhere.person_id}").status_code == 404
    )
    assert Person.objects.count() == 1


def test_unauthenticated_and_malformed_token(client, dialogue):
    assert client.get(f"/api/v1/dialogues/{dialogue.pk}/people").status_code == 401
    response = client.get(
        f"/api/v1/dialogues/{dialogue.pk}/people", HTTP_AUTHORIZATION="Bearer nope"
    )
    assert response.status_code == 401 and "malformed" in response.json()["detail"]


def test_delete(api, dialogue, north):
    pid = api.call("post", f"/dialogues/{dialogue.pk}/people", NEW).json()["id"]
    other = api.call(
        "post", f"/dialogues/{dialogue.pk}/people", {**NEW, "email": "o@example.org"}
    ).json()["id"]
    from track2.dialogues.models import DelegationMember

    DelegationMember.objects.create(dialogue=dialogue, delegation=north, person_id=other)
    refused = api.call("delete", f"/dialogues/{dialogue.pk}/people/{other}")
    assert refused.status_code == 400 and "seated" in refused.json()["detail"]
    assert api.call("delete", f"/dialogues/{dialogue.pk}/people/{pid}").status_code == 204
    assert api.call("get", f"/dialogues/{dialogue.pk}/people/{pid}").status_code == 404


def test_invite_all_vetted(api, dialogue, convener):
    from track2.people import actions

    for n in range(2):
        pid = api.call(
            "post", f"/dialogues/{dialogue.pk}/people", {**NEW, "email": f"p{n}@example.org"}
        ).json()["id"]
        api.call("post", f"/dialogues/{dialogue.pk}/people/{pid}/vet", {"vouched_by": "V"})
    api.call("post", f"/dialogues/{dialogue.pk}/people", {**NEW, "email": "waiting@example.org"})
    response = api.call("post", f"/dialogues/{dialogue.pk}/people/invite-vetted")
    assert response.status_code == 200
    assert sorted(i["sent_to"] for i in response.json()["invited"]) == [
        "p0@example.org",
        "p1@example.org",
    ]
    assert api.call("post", f"/dialogues/{dialogue.pk}/people/invite-vetted").json() == {
        "invited": [],
        "failures": [],
    }
    assert actions.invitation_days() == 14


def upload(api, dialogue, content: bytes, confirm=None):
    from django.core.files.uploadedfile import SimpleUploadedFile

    path = f"/dialogues/{dialogue.pk}/people/roster" + ("?confirm=true" if confirm else "")
    return api.call(
        "post", path, None, data={"file": SimpleUploadedFile("r.csv", content, "text/csv")}
    )


ROSTER = b"full_name,email,sector,country,nominated_by\nAmina,amina@example.org,academia,N,X\n"


def test_roster_import_preview_then_confirm(api, dialogue):
    preview = upload(api, dialogue, ROSTER)
    assert preview.status_code == 200, preview.content
    assert preview.json() == {"valid": True, "rows": 1, "added": 0, "errors": []}
    assert not Person.objects.exists()
    done = upload(api, dialogue, ROSTER, confirm=True)
    assert done.status_code == 201 and done.json()["added"] == 1
    assert Person.objects.get().email == "amina@example.org"


def test_roster_import_bad_files(api, dialogue):
    bad = b"full_name,email,sector,country,nominated_by\nAmina,nope,academia,N,X\nBo,bo@example.org,media,S,Y\n"
    preview = upload(api, dialogue, bad).json()
    assert (
        preview["valid"] is False
        and preview["errors"][0]["row"] == 2
        and preview["errors"][0]["column"] == "email"
    )
    refused = upload(api, dialogue, bad, confirm=True)
    assert refused.status_code == 400 and refused.json()["errors"][0]["column"] == "email"
    assert not Person.objects.exists()
    latin = upload(api, dialogue, "full_name\nJosé\n".encode("latin-1"), confirm=True)
    assert latin.status_code == 400 and "not UTF-8" in latin.json()["detail"]
    assert upload(api, dialogue, b"").status_code == 400


def test_roster_import_names_a_workbook_as_the_page_does(api, dialogue):
    from tests.people.test_roster import NOT_CSV

    for data, words in NOT_CSV:
        refused = upload(api, dialogue, data, confirm=True)
        body = refused.json()
        assert refused.status_code == 400 and words in body["detail"], body
        assert body["field"] == "file" and body["errors"][0]["message"] == body["detail"]
    assert not Person.objects.exists()


def test_an_action_refusal_is_400_json_with_detail_and_field(api, dialogue):
    """One API-wide handler (track2.api.urls) answers every ActionRefused the same way."""
    with_field = api.call(
        "post", f"/dialogues/{dialogue.pk}/people", {**NEW, "sector": "serving_official"}
    )
    assert with_field.status_code == 400
    assert with_field["Content-Type"].startswith("application/json")
    body = with_field.json()
    assert set(body) == {"detail", "field", "errors"}
    assert body["field"] == "sector" and "Track 2" in body["detail"]
    assert body["errors"] == [{"field": "sector", "message": body["detail"]}]
    assert not Person.objects.exists()  # refused: nothing saved

    pid = api.call("post", f"/dialogues/{dialogue.pk}/people", NEW).json()["id"]
    without_field = api.call("post", f"/dialogues/{dialogue.pk}/people/{pid}/invite")
    assert without_field.status_code == 400
    detail = without_field.json()["detail"]
    assert without_field.json() == {
        "detail": detail,
        "field": None,
        "errors": [{"field": None, "message": detail}],
    }
    assert "not been vetted" in without_field.json()["detail"]


def test_a_refused_patch_changes_nothing(api, dialogue):
    pid = api.call("post", f"/dialogues/{dialogue.pk}/people", NEW).json()["id"]
    # The profile part is valid, the delegation is not: the whole change is refused.
    refused = api.call(
        "patch",
        f"/dialogues/{dialogue.pk}/people/{pid}",
        {"full_name": "Changed", "risk_notes": "changed", "delegation_id": 999999},
    )
    assert refused.status_code == 400 and refused.json()["field"] == "delegation_id"
    person = Person.objects.get(pk=pid)
    assert person.full_name == "Amina Diallo"
    assert person.candidacies.get().risk_notes == ""


def test_a_delegation_of_another_dialogue_is_refused_on_its_field_everywhere(
    api, dialogue, track15
):
    """The body's delegation_id is loaded through access (`delegation_named`): another dialogue's
    delegation is refused like an id that does not exist, on add, nominate and change alike."""
    from track2.dialogues.models import Delegation, Party

    party = Party.objects.create(dialogue=track15, name="Elsewhere", country="Elsewhere")
    elsewhere = Delegation.objects.create(
        dialogue=track15, party=party, name="Elsewhere delegation"
    )
    base = f"/dialogues/{dialogue.pk}/people"
    for path, body in (
        (base, {**NEW, "delegation_id": elsewhere.pk}),
        (
            base + "/nominate",
            {"email": "x@example.org", "nominated_by": "Dr X", "delegation_id": elsewhere.pk},
        ),
    ):
        refused = api.call("post", path, body)
        assert refused.status_code == 400, refused.content
        assert refused.json() == {
            "detail": "There is no delegation with this id in this dialogue.",
            "field": "delegation_id",
            "errors": [
                {
                    "field": "delegation_id",
                    "message": "There is no delegation with this id in this dialogue.",
                }
            ],
        }
    assert not Person.objects.exists()
    pid = api.call("post", base, NEW).json()["id"]
    refused = api.call("patch", f"{base}/{pid}", {"delegation_id": elsewhere.pk})
    assert refused.status_code == 400 and refused.json()["field"] == "delegation_id"
    assert Candidacy.objects.get(person_id=pid).delegation is None
