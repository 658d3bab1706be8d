import re
import time

import pytest
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.core.handlers.base import BaseHandler
from django.core.mail.backends.base import BaseEmailBackend
from django.test import Client, RequestFactory

from tests.helpers import PASSWORD, sign_in
from track2.accounts import totp

pytestmark = pytest.mark.django_db


def test_sign_in_rotates_the_session_and_shows_home(client, make_user):
    user = make_user()
    client.get("/accounts/login/")
    before = client.cookies.get("sessionid")
    response = client.post(
        "/accounts/login/", {"email": "PERSON@example.org", "password": PASSWORD}
    )
    assert response.status_code == 302 and response["Location"] == "/"
    after = client.cookies["sessionid"].value
    assert before is None or before.value != after
    assert client.session[SESSION_KEY] == str(user.pk)
    assert "Your dialogues" in client.get("/").content.decode()


@pytest.mark.parametrize("email", ["person@example.org", "nobody@example.org"])
def test_wrong_password_and_unknown_user_get_the_same_message(client, make_user, email):
    make_user()
    response = client.post("/accounts/login/", {"email": email, "password": "wrong password"})
    assert response.status_code == 200
    assert "do not match" in response.content.decode()
    assert SESSION_KEY not in client.session


def test_malformed_sign_in_form_marks_the_field(client, db):
    response = client.post("/accounts/login/", {"email": "not-an-address", "password": ""})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Enter a valid email address" in body
    assert 'aria-invalid="true"' in body


def test_account_is_throttled_after_repeated_failures(client, make_user, settings):
    make_user()
    for _ in range(settings.LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS):
        client.post("/accounts/login/", {"email": "person@example.org", "password": "wrong"})
    response = client.post(
        "/accounts/login/", {"email": "person@example.org", "password": PASSWORD}
    )
    assert "Too many failed sign-ins" in response.content.decode()
    assert SESSION_KEY not in client.session


def test_address_is_throttled_across_accounts(client, make_user, settings):
    settings.LOGIN_FAILURES_PER_ADDRESS = 3
    make_user()
    for n in range(3):
        client.post("/accounts/login/", {"email": f"guess{n}@example.org", "password": "wrong"})
    response = client.post(
        "/accounts/login/", {"email": "person@example.org", "password": PASSWORD}
    )
    assert "Too many failed sign-ins" in response.content.decode()
    other = Client(REMOTE_ADDR="10.9.9.9")
    assert (
        other.post(
            "/accounts/login/", {"email": "person@example.org", "password": PASSWORD}
        ).status_code
        == 302
    )


def test_sign_out_needs_post_and_ends_the_session(client, make_user):
    sign_in(client, make_user())
    assert client.get("/accounts/logout/").status_code == 405
    client.post("/accounts/logout/")
    assert client.get("/").status_code == 302


def test_expired_session_sends_back_to_sign_in(client, make_user):
    sign_in(client, make_user())
    session = client.session
    session.set_expiry(-1)
    session.save()
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_csrf_failure_gets_a_clear_page(make_user):
    make_user()
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(
        "/accounts/login/", {"email": "person@example.org", "password": PASSWORD}
    )
    assert response.status_code == 403
    assert "This form has expired" in response.content.decode()
    assert "Traceback" not in response.content.decode()


def test_password_change_ends_other_sessions(make_user):
    user = make_user()
    laptop, phone = Client(), Client()
    sign_in(laptop, user)
    sign_in(phone, user)
    response = laptop.post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "a brand new passphrase",
            "new_password2": "a brand new passphrase",
        },
    )
    assert response.status_code == 302
    assert laptop.get("/").status_code == 200
    assert phone.get("/").status_code == 302


def test_password_change_refuses_a_weak_password(client, make_user):
    sign_in(client, make_user())
    response = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": "123", "new_password2": "123"},
    )
    assert response.status_code == 200
    assert "too short" in response.content.decode()


def _reset_answer_not_yet_closed(email):
    # What a server does: the handler answers, the answer is written to the connection, and only
    # then is the response closed. Here, the answer is in hand and not closed yet.
    handler = BaseHandler()
    handler.load_middleware()
    request = RequestFactory().post("/accounts/reset/", {"email": email})
    request._dont_enforce_csrf_checks = True
    return handler.get_response(request)


@pytest.mark.parametrize("has_account", [True, False])
def test_the_reset_answer_does_not_wait_for_the_mail(make_user, has_account, caplog):
    # A mail server's conversation inside the request made the answer slower for an address
    # with an account than without, telling anyone who asked who has an account here.
    if has_account:
        make_user()
    response = _reset_answer_not_yet_closed("person@example.org")
    assert response.status_code == 302 and response["Location"] == "/accounts/reset/sent/"
    assert mail.outbox == []
    response.close()
    assert len(mail.outbox) == (1 if has_account else 0)
    assert "person@example.org" not in caplog.text


def test_a_mail_server_failing_after_the_reset_answer_is_logged_without_the_address(
    make_user, settings, caplog
):
    user = make_user()
    settings.EMAIL_BACKEND = "tests.accounts.test_sign_in.RefusingBackend"
    response = _reset_answer_not_yet_closed(user.email)
    assert response.status_code == 302
    response.close()
    assert f"account {user.pk} could not be sent" in caplog.text
    assert user.email not in caplog.text


class RefusingBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise ConnectionRefusedError("the mail server is down")


def test_password_reset_by_e_mail(client, make_user):
    make_user()
    response = client.post("/accounts/reset/", {"email": "person@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    assert "Choose a new password" in form_page.content.decode()
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "another long passphrase", "new_password2": "another long passphrase"},
    )
    assert done.status_code == 302
    assert (
        client.post(
            "/accounts/login/",
            {"email": "person@example.org", "password": "another long passphrase"},
        ).status_code
        == 302
    )
    # The link works once.
    assert "no longer works" in client.get(link, follow=True).content.decode()


def test_password_reset_for_unknown_address_reveals_nothing(client, db):
    response = client.post("/accounts/reset/", {"email": "stranger@example.org"})
    assert response.status_code == 302
    assert mail.outbox == []


def _enable_two_factor(client, user):
    sign_in(client, user)
    client.get("/accounts/two-factor/enable/")
    secret = client.session["totp_candidate"]
    wrong = client.post(
        "/accounts/two-factor/enable/",
        {
            "code": "000000" if totp.code_at(secret, totp.current_step()) != "000000" else "111111",
            "password": PASSWORD,
        },
    )
    assert "does not match" in wrong.content.decode()
    used = totp.code_at(secret, totp.current_step())
    response = client.post("/accounts/two-factor/enable/", {"code": used, "password": PASSWORD})
    assert response.status_code == 200 and "Your recovery codes" in response.content.decode()
    user.refresh_from_db()
    assert user.totp_secret == secret
    client.post("/accounts/logout/")
    return secret, used


def test_two_factor_sign_in(client, make_user):
    user = make_user()
    secret, used = _enable_two_factor(client, user)
    response = client.post("/accounts/login/", {"email": user.email, "password": PASSWORD})
    assert response["Location"] == "/accounts/login/code/"
    assert SESSION_KEY not in client.session
    bad = client.post("/accounts/login/code/", {"code": "12"})
    assert "not valid" in bad.content.decode()
    # The code used to turn two-factor on cannot be replayed (that very code: one computed
    # now would be another step's whenever a 30-second boundary fell in between).
    replay = client.post("/accounts/login/code/", {"code": used})
    assert SESSION_KEY not in client.session and replay.status_code == 200
    next_code = totp.code_at(secret, totp.current_step() + 1)
    assert client.post("/accounts/login/code/", {"code": next_code}).status_code == 302
    assert client.session[SESSION_KEY] == str(user.pk)


def test_two_factor_step_times_out(client, make_user):
    user = make_user()
    _enable_two_factor(client, user)
    client.post("/accounts/login/", {"email": user.email, "password": PASSWORD})
    session = client.session
    session["track2_pending_second_factor"]["at"] = time.time() - 3600
    session.save()
    response = client.get("/accounts/login/code/", follow=True)
    assert "took too long" in response.content.decode()


def test_two_factor_can_be_turned_off_with_the_password(client, make_user):
    user = make_user()
    _enable_two_factor(client, user)
    user.refresh_from_db()
    user.totp_last_step = 0
    user.save()
    client.force_login(user)
    assert (
        "not right"
        in client.post("/accounts/two-factor/disable/", {"password": "nope"}).content.decode()
    )
    assert client.post("/accounts/two-factor/disable/", {"password": PASSWORD}).status_code == 302
    user.refresh_from_db()
    assert not user.has_two_factor


def test_totp_matches_rfc_6238_test_vector():
    # RFC 6238 appendix B, SHA-1, T = 59 s → 94287082 (8 digits); we use the last 6.
    import base64

    secret = base64.b32encode(b"12345678901234567890").decode()
    assert totp.code_at(secret, 59 // 30) == "287082"
