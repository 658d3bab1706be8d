"""Sessions and credentials: password change, sign out everywhere, no-store (issue 8, finding 6)."""

import re

import pytest
from django.core import mail
from django.test import Client

from tests.helpers import PASSWORD, sign_in
from track2.accounts import actions
from track2.meetings import actions as meeting_actions

pytestmark = pytest.mark.django_db

NEW = "a brand new passphrase"


def bearer(raw):
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.fixture
def credentials(make_user):
    """A person with two API tokens and a private calendar feed, all working."""
    user = make_user()
    raws = [actions.do_create_api_token(user, name)[0] for name in ("laptop", "script")]
    feed = meeting_actions.do_issue_calendar_token(user, PASSWORD, "127.0.0.1")
    for raw in raws:
        assert Client().get("/api/v1/me", **bearer(raw)).status_code == 200
    assert Client().get(f"/calendar/{feed}.ics").status_code == 200
    return user, raws, feed


def change_password(client, revoke: bool):
    fields = {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW}
    if revoke:
        fields["revoke_credentials"] = "on"
    return client.post("/accounts/password/", fields)


def test_the_revoke_box_is_ticked_when_the_form_opens(client, credentials):
    sign_in(client, credentials[0])
    body = client.get("/accounts/password/").content.decode()
    box = re.search(r'<input[^>]*name="revoke_credentials"[^>]*>', body).group(0)
    assert 'type="checkbox"' in box and " checked" in box


def test_password_change_with_the_box_ticked_kills_tokens_and_feed(client, credentials):
    user, raws, feed = credentials
    laptop, phone = client, Client()
    sign_in(laptop, user)
    sign_in(phone, user)
    response = change_password(laptop, revoke=True)
    assert response.status_code == 302
    assert (
        "tokens and calendar feed address are revoked"
        in laptop.get(response["Location"]).content.decode()
    )
    for raw in raws:
        assert Client().get("/api/v1/me", **bearer(raw)).status_code == 401
    assert Client().get(f"/calendar/{feed}.ics").status_code == 404
    assert laptop.get("/").status_code == 200
    assert phone.get("/").status_code == 302


def test_password_change_with_the_box_unticked_keeps_tokens_and_feed(client, credentials):
    user, raws, feed = credentials
    sign_in(client, user)
    assert change_password(client, revoke=False).status_code == 302
    for raw in raws:
        assert Client().get("/api/v1/me", **bearer(raw)).status_code == 200
    assert Client().get(f"/calendar/{feed}.ics").status_code == 200
    user.refresh_from_db()
    assert user.check_password(NEW)


def test_password_change_shows_every_error_at_once(client, make_user):
    sign_in(client, make_user())
    body = client.post(
        "/accounts/password/",
        {"old_password": "wrong", "new_password1": "short", "new_password2": "other"},
    ).content.decode()
    assert "current password is not right" in body and "didn’t match" in body


def test_sign_out_everywhere_asks_first_then_ends_every_session_and_credential(client, credentials):
    user, raws, feed = credentials
    here, elsewhere = client, Client()
    sign_in(here, user)
    sign_in(elsewhere, user)
    page = here.get("/accounts/sign-out-everywhere/")
    assert page.status_code == 200 and "this one included" in page.content.decode()
    assert here.get("/").status_code == 200  # looking at the confirmation changes nothing
    response = here.post("/accounts/sign-out-everywhere/", follow=True)
    assert "signed out everywhere" in response.content.decode()
    assert here.get("/").status_code == 302
    assert elsewhere.get("/").status_code == 302
    assert elsewhere.get("/api/v1/me").status_code == 401
    for raw in raws:
        assert Client().get("/api/v1/me", **bearer(raw)).status_code == 401
    assert Client().get(f"/calendar/{feed}.ics").status_code == 404
    # Signing in again works, with the same password.
    sign_in(Client(), user)


def test_sign_out_everywhere_needs_a_signed_in_person(client, db):
    assert client.post("/accounts/sign-out-everywhere/")["Location"].startswith("/accounts/login/")


def test_sessions_from_before_the_epoch_field_keep_working(client, make_user):
    # An upgrade must not sign everyone out: an empty epoch gives Django's own session hash.
    user = make_user()
    sign_in(client, user)
    assert user.session_epoch == ""
    assert client.get("/").status_code == 200


def test_signed_in_pages_and_api_answers_are_not_stored(client, make_user):
    user = make_user()
    raw, _ = actions.do_create_api_token(user, "script")
    sign_in(client, user)
    assert client.get("/").headers["Cache-Control"] == "no-store"
    assert client.get("/accounts/settings/").headers["Cache-Control"] == "no-store"
    assert client.get("/api/v1/me").headers["Cache-Control"] == "no-store"
    assert Client().get("/api/v1/me", **bearer(raw)).headers["Cache-Control"] == "no-store"
    assert Client().get("/api/v1/me").headers["Cache-Control"] == "no-store"
    assert Client().get("/accounts/login/").headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("revoke", [True, False])
def test_a_password_reset_offers_the_same_revoke_choice(client, credentials, revoke):
    user, raws, feed = credentials
    client.post("/accounts/reset/", {"email": user.email})
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    assert 'name="revoke_credentials"' in form_page.content.decode()
    fields = {"new_password1": NEW, "new_password2": NEW}
    if revoke:
        fields["revoke_credentials"] = "on"
    assert client.post(form_page.redirect_chain[-1][0], fields).status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW)
    expected = 401 if revoke else 200
    assert all(Client().get("/api/v1/me", **bearer(raw)).status_code == expected for raw in raws)
    assert Client().get(f"/calendar/{feed}.ics").status_code == (404 if revoke else 200)
