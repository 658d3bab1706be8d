"""The demo shows the second sign-in step: the site administrator's account has two-factor
sign-in on, turned on through the accounts' own action, and what `track2 demo` prints for it
(the secret, its otpauth:// link, the recovery codes) signs in."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client

from track2.accounts import actions, totp
from track2.accounts.demo import BUILT_ON
from track2.accounts.models import RecoveryCode, User
from track2.site import demo

pytestmark = pytest.mark.django_db

ADMIN = "admin@demo.track2.invalid"
CODE = re.compile(r"\b[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}\b")


@pytest.fixture
def logins(built_demo, db):
    return {login.email: login for login in built_demo}


def printed(logins_: list[demo.DemoLogin]) -> dict[str, object]:
    """What a person reads under the administrator's login in `track2 demo`'s output."""
    text = "\n".join(demo.login_lines(logins_))
    block = text.split(ADMIN, 1)[1].split("@demo.track2.invalid", 1)[0]
    secret = re.search(r"secret \(base32\):\s+([A-Z2-7]+)\s", block)
    uri = re.search(r"(otpauth://\S+)", block)
    return {
        "text": block,
        "secret": secret.group(1) if secret else None,
        "uri": uri.group(1) if uri else None,
        "codes": CODE.findall(block),
    }


def password_step(client: Client, login: demo.DemoLogin):
    return client.post(
        "/accounts/login/?next=/admin/",
        {"email": login.email, "password": login.password, "next": "/admin/"},
    )


def test_the_administrators_login_is_printed_with_its_second_factor(logins):
    shown = printed(list(logins.values()))
    admin = logins[ADMIN]
    assert shown["secret"] == admin.totp_secret and len(admin.totp_secret) == 32
    assert len(shown["codes"]) == 10 == len(set(shown["codes"]))
    assert "each works once" in shown["text"]
    assert "These are demo credentials, printed on purpose" in shown["text"]
    # the link an authenticator app takes: this account, this secret, Track2 as the issuer
    link = urlsplit(shown["uri"])
    assert (link.scheme, link.netloc) == ("otpauth", "totp")
    assert unquote(link.path) == f"/Track2:{ADMIN}"
    assert parse_qs(link.query) == {"secret": [admin.totp_secret], "issuer": ["Track2"]}
    # the account holds that secret, and those codes (by their digests) and no others
    user = User.objects.get(email=ADMIN)
    assert user.is_superuser and user.has_two_factor and user.totp_secret == admin.totp_secret
    assert RecoveryCode.objects.filter(user=user, used_at__isnull=True).count() == 10


def test_only_the_administrator_has_two_factor_on(logins):
    others = [login for email, login in logins.items() if email != ADMIN]
    assert len(others) >= 7
    for login in others:
        assert not (login.totp_secret or login.otpauth_uri or login.recovery_codes), login.email
        assert not User.objects.get(email=login.email).has_two_factor, login.email
        assert password_step(Client(), login)["Location"] == "/admin/"  # one step


def test_the_password_alone_does_not_sign_the_administrator_in(logins):
    client = Client()
    response = password_step(client, logins[ADMIN])
    assert response["Location"] == "/accounts/login/code/"
    assert SESSION_KEY not in client.session
    assert client.get("/admin/", follow=True).redirect_chain[-1][0].startswith("/accounts/login/")
    wrong = client.post("/accounts/login/code/", {"code": "000000"})
    assert wrong.status_code == 200 and SESSION_KEY not in client.session


def test_a_code_computed_from_the_printed_secret_signs_in(logins):
    secret = printed(list(logins.values()))["secret"]
    client = Client()
    password_step(client, logins[ADMIN])
    # The app's next code: the current 30 seconds may be the ones that turned two-factor on,
    # a moment ago, and a code works once (the app's clock a step ahead is accepted).
    code = totp.code_at(secret, totp.current_step() + 1)
    response = client.post("/accounts/login/code/", {"code": code})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.session[SESSION_KEY] == str(User.objects.get(email=ADMIN).pk)
    assert client.get("/admin/").status_code == 200


def test_a_printed_recovery_code_signs_in_once(logins):
    code = printed(list(logins.values()))["codes"][0]
    client = Client()
    password_step(client, logins[ADMIN])
    assert client.post("/accounts/login/code/", {"code": code})["Location"] == "/admin/"
    assert client.session[SESSION_KEY] == str(User.objects.get(email=ADMIN).pk)
    again = Client()
    password_step(again, logins[ADMIN])
    refused = again.post("/accounts/login/code/", {"code": code})
    assert refused.status_code == 200 and "already used" in refused.content.decode()
    assert SESSION_KEY not in again.session
    # a demo site used again prints the nine codes left, not the spent one
    reprinted = printed(demo.as_they_work_now(list(logins.values())))
    assert code not in reprinted["codes"] and len(reprinted["codes"]) == 9
    assert reprinted["secret"] == logins[ADMIN].totp_secret


def test_a_demo_site_used_again_prints_only_what_still_signs_in(logins):
    admin = logins[ADMIN]
    user = User.objects.get(email=ADMIN)
    # moved to another authenticator app: the printed secret no longer works, the codes do
    moved = totp.new_secret()
    actions.do_replace_authenticator(
        user, moved, totp.code_at(moved, totp.current_step()), admin.password, BUILT_ON
    )
    reprinted = printed(demo.as_they_work_now(list(logins.values())))
    assert reprinted["secret"] is None and reprinted["uri"] is None
    assert reprinted["codes"] == list(admin.recovery_codes)
    assert "Two-factor sign-in is on" in reprinted["text"]
    # turned off: nothing of it is printed, and the password alone signs in
    actions.do_disable_two_factor(user, admin.password, BUILT_ON)
    reprinted = printed(demo.as_they_work_now(list(logins.values())))
    assert reprinted["codes"] == [] and "Two-factor" not in reprinted["text"]
    assert password_step(Client(), admin)["Location"] == "/admin/"


def test_the_saved_logins_keep_the_second_factor_and_old_files_still_load(logins, tmp_path):
    demo.save_logins(tmp_path, list(logins.values()))
    assert (tmp_path / demo.LOGINS_FILE).stat().st_mode & 0o777 == 0o600
    assert demo.load_logins(tmp_path) == list(logins.values())
    # a logins file written before the demo turned two-factor on
    old = [{"email": e, "password": "demo-x", "description": "d"} for e in logins]
    (tmp_path / demo.LOGINS_FILE).write_text(json.dumps(old))
    loaded = demo.load_logins(tmp_path)
    assert all(login.recovery_codes == () and login.totp_secret == "" for login in loaded)
    assert "Two-factor" not in "\n".join(demo.login_lines(loaded))
