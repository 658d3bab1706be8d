import pytest
from django.test import Client

from tests.helpers import PASSWORD, sign_in
from track2.accounts import actions
from track2.accounts.models import ApiToken

pytestmark = pytest.mark.django_db


def bearer(raw: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_token_is_shown_once_and_stored_as_a_digest(client, make_user):
    user = make_user()
    sign_in(client, user)
    response = client.post("/accounts/tokens/", {"name": "rapporteur laptop", "password": PASSWORD})
    raw = response.context["raw"]
    assert raw.startswith("t2_") and raw in response.content.decode()
    token = ApiToken.objects.get(user=user)
    assert raw not in (token.digest, token.prefix) and len(token.digest) == 64
    assert raw not in client.get("/accounts/settings/").content.decode()


def test_token_needs_a_name(client, make_user):
    sign_in(client, make_user())
    response = client.post("/accounts/tokens/", {"name": "   ", "password": PASSWORD})
    assert response.status_code == 400
    assert ApiToken.objects.count() == 0


def test_me_with_a_token(make_user, dialogue, member_of):
    user = member_of(make_user(display_name="Dr Noor Hadid"), "rapporteur", "participant")
    raw, _ = actions.do_create_api_token(user, "script")
    response = Client().get("/api/v1/me", **bearer(raw))
    assert response.status_code == 200
    body = response.json()
    assert body["email"] == "person@example.org" and body["display_name"] == "Dr Noor Hadid"
    assert body["dialogues"] == [
        {"id": dialogue.pk, "title": dialogue.title, "roles": ["participant", "rapporteur"]}
    ]
    assert ApiToken.objects.get().last_used_at is not None


def test_me_with_the_browser_session(client, make_user):
    sign_in(client, make_user())
    assert client.get("/api/v1/me").json()["email"] == "person@example.org"


@pytest.mark.parametrize(
    "header", ["Bearer nonsense", "Bearer t2_short", "Bearer t2_" + "é" * 30, "Token abc"]
)
def test_malformed_or_wrong_tokens_get_401_json(db, header):
    response = Client().get("/api/v1/me", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"]


def test_malformed_token_says_what_is_wrong(db):
    response = Client().get("/api/v1/me", **bearer("nonsense"))
    assert "t2_" in response.json()["detail"]


def test_no_credentials_get_401_with_advice(db):
    response = Client().get("/api/v1/me")
    assert response.status_code == 401
    assert "Authorization: Bearer" in response.json()["detail"]


def test_revoked_token_stops_working(client, make_user):
    user = make_user()
    raw, token = actions.do_create_api_token(user, "old script")
    sign_in(client, user)
    client.post(f"/accounts/tokens/{token.pk}/revoke/")
    assert Client().get("/api/v1/me", **bearer(raw)).status_code == 401


def test_cannot_revoke_someone_elses_token(client, make_user):
    owner = make_user("owner@example.org")
    _, token = actions.do_create_api_token(owner, "theirs")
    sign_in(client, make_user("other@example.org"))
    # the same 404 as a missing token, so no token id can be probed
    assert client.post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 404
    assert client.post(f"/accounts/tokens/{token.pk + 1000}/revoke/").status_code == 404
    assert client.post("/accounts/tokens/99999999999999999999999/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.is_active


def test_revoking_twice_says_it_is_revoked_already(client, make_user):
    user = make_user()
    _, token = actions.do_create_api_token(user, "old script")
    sign_in(client, user)
    client.post(f"/accounts/tokens/{token.pk}/revoke/")
    response = client.post(f"/accounts/tokens/{token.pk}/revoke/", follow=True)
    assert "That token is already revoked." in response.content.decode()


def test_an_empty_password_change_names_what_is_missing(client, make_user):
    # an empty POST once left the form unbound and read its cleaned_data: a 500
    sign_in(client, make_user())
    response = client.post("/accounts/password/")
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()


def test_inactive_user_token_is_refused(make_user):
    user = make_user()
    raw, _ = actions.do_create_api_token(user, "script")
    user.is_active = False
    user.save()
    assert Client().get("/api/v1/me", **bearer(raw)).status_code == 401


def test_openapi_schema_is_served(db):
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert "/api/v1/me" in response.json()["paths"]


@pytest.mark.parametrize("where", ["just after the prefix", "in the last character"])
def test_a_token_sharing_a_real_tokens_prefix_is_refused(make_user, where):
    # The prefix only finds candidate rows; the whole token must match (a check of the
    # visible prefix alone would let anyone who saw "t2_abcdefgh…" in a list in).
    raw, token = actions.do_create_api_token(make_user(), "script")
    at = len(actions.TOKEN_MARK) + len(token.prefix) if where.startswith("just") else len(raw) - 1
    forged = raw[:at] + ("A" if raw[at] != "A" else "B") + raw[at + 1 :]
    assert forged != raw and len(forged) == len(raw) and forged[3:11] == token.prefix
    assert Client().get("/api/v1/me", **bearer(forged)).status_code == 401
    assert Client().get("/api/v1/me", **bearer(raw)).status_code == 200
