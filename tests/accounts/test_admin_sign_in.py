"""/admin/login/ is the site's own sign-in, two-factor and pause included (issue 8, finding 3)."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client

from tests.helpers import PASSWORD
from track2.accounts import totp

pytestmark = pytest.mark.django_db

ADMIN = "admin@example.org"


@pytest.fixture
def administrator(django_user_model):
    return django_user_model.objects.create_superuser(ADMIN, PASSWORD)


def test_admin_sends_to_the_site_sign_in_with_next(client, administrator):
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0] == "/accounts/login/?next=%2Fadmin%2F"
    signed = client.post(
        "/accounts/login/?next=/admin/", {"email": ADMIN, "password": PASSWORD, "next": "/admin/"}
    )
    assert signed["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_admin_sign_in_refuses_a_next_on_another_site(client, db):
    response = client.get("/admin/login/?next=https://evil.example/")
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2F"


def test_thirty_wrong_passwords_then_the_right_one_at_admin_login_do_not_sign_in(
    client, administrator
):
    for n in range(30):
        client.post("/admin/login/", {"username": ADMIN, "password": f"guess {n}", "email": ADMIN})
    assert (
        client.post(
            "/admin/login/", {"username": ADMIN, "email": ADMIN, "password": PASSWORD}
        ).status_code
        == 302
    )
    assert SESSION_KEY not in client.session
    assert client.get("/admin/")["Location"].startswith("/admin/login/")
    # The guesses, sent where the sign-in really is, are limited like any other.
    for n in range(30):
        client.post("/accounts/login/", {"email": ADMIN, "password": f"guess {n}"})
    paused = client.post(
        "/accounts/login/", {"email": ADMIN, "password": PASSWORD, "next": "/admin/"}
    )
    assert "Too many failed sign-ins" in paused.content.decode()
    assert client.get("/admin/")["Location"].startswith("/admin/login/")


def test_with_two_factor_the_password_alone_opens_neither_the_admin_nor_the_app(
    client, administrator
):
    secret = totp.new_secret()
    administrator.totp_secret = secret
    administrator.save()
    response = client.post(
        "/accounts/login/", {"email": ADMIN, "password": PASSWORD, "next": "/admin/"}
    )
    assert response["Location"] == "/accounts/login/code/"
    assert client.get("/admin/").status_code == 302
    assert client.get("/admin/accounts/user/").status_code == 302
    assert client.get("/").status_code == 302
    assert client.get("/accounts/settings/").status_code == 302
    assert client.get("/api/v1/me").status_code == 401
    done = client.post("/accounts/login/code/", {"code": totp.code_at(secret, totp.current_step())})
    assert done["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_a_signed_in_person_who_is_not_an_administrator_is_told_so(client, make_user):
    client.force_login(make_user())
    response = client.get("/admin/", follow=True)
    assert response.status_code == 403
    assert "does not administer this site" in response.content.decode()


def test_admin_password_change_is_the_sites_counted_one(client, administrator):
    client.force_login(administrator)
    assert client.get("/admin/password_change/")["Location"] == "/accounts/password/"
    assert Client().get("/admin/password_change/").status_code in (301, 302)
