import re

import pytest

from tests.helpers import sign_in

pytestmark = pytest.mark.django_db


def test_pages_send_a_strict_content_security_policy(client):
    response = client.get("/accounts/login/")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"


def test_pages_have_no_inline_script_or_style(client, make_user, dialogue, member_of):
    sign_in(client, member_of(make_user()))
    for path in [
        "/",
        "/accounts/settings/",
        f"/dialogues/{dialogue.pk}/",
        "/accounts/two-factor/enable/",
    ]:
        body = client.get(path).content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", body), path
        assert " style=" not in body and "<style" not in body, path


def test_base_layout_is_accessible(client):
    body = client.get("/accounts/login/").content.decode()
    assert '<html lang="en">' in body
    assert 'href="#main"' in body and 'id="main"' in body
    assert '<label for="id_email">' in body
    assert "/static/vendor/htmx/htmx.min.js" in body and "/static/vendor/pico/pico.min.css" in body


def test_home_needs_sign_in(client, db):
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_unknown_page_is_a_friendly_404(client, db):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "Not found" in response.content.decode()


def test_unknown_api_path_is_json(client, db):
    response = client.get("/api/v1/no-such-endpoint")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")


def test_healthz_reports_the_database(client, db):
    assert client.get("/healthz").json() == {"status": "ok"}


def test_admin_is_for_site_administrators(client, make_user, db):
    from track2.accounts.models import User

    sign_in(client, make_user())
    assert client.get("/admin/").status_code == 302
    User.objects.create_superuser(email="root@example.org", password="a long admin passphrase")
    client.post("/accounts/logout/")
    client.post(
        "/accounts/login/", {"email": "root@example.org", "password": "a long admin passphrase"}
    )
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/accounts/user/").status_code == 200


def test_admin_can_turn_off_two_factor_for_a_lost_phone(client, make_user, db):
    from track2.accounts.models import User

    person = make_user(totp_secret="JBSWY3DPEHPK3PXP")
    User.objects.create_superuser(email="root@example.org", password="a long admin passphrase")
    client.post(
        "/accounts/login/", {"email": "root@example.org", "password": "a long admin passphrase"}
    )
    response = client.post(
        "/admin/accounts/user/", {"action": "turn_off_two_factor", "_selected_action": [person.pk]}
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert not person.has_two_factor
