"""Bad input on every sign-in and credential form: a form error saying what to do, never a 500,
never a counted attempt for input that was not a password or code at all."""

import pytest
from django.contrib.auth import SESSION_KEY

from tests.helpers import PASSWORD, sign_in
from track2.accounts import totp
from track2.accounts.models import SignInAttempt

pytestmark = pytest.mark.django_db

HUGE = "x" * 200_000  # several fields of it stay under the 2.5 MB body limit
BAD_TEXT = {
    "huge": (HUGE, "at most"),
    "nul": ("pass\x00word", "Null characters are not allowed"),
}


def post_raw(client, path, body: bytes):
    return client.post(path, data=body, content_type="application/x-www-form-urlencoded")


@pytest.mark.parametrize("case", sorted(BAD_TEXT))
def test_sign_in_with_a_bad_password_is_a_form_error_and_not_counted(client, make_user, case):
    make_user()
    value, message = BAD_TEXT[case]
    response = client.post("/accounts/login/", {"email": "person@example.org", "password": value})
    assert response.status_code == 200 and message in response.content.decode()
    assert SignInAttempt.objects.count() == 0


@pytest.mark.parametrize(
    "email", ["a" * 300 + "@example.org", "person\x1b@example.org", "per\u202eson@example.org"]
)
def test_sign_in_with_a_bad_address_is_a_form_error(client, make_user, email):
    make_user()
    response = client.post("/accounts/login/", {"email": email, "password": PASSWORD})
    assert response.status_code == 200 and 'aria-invalid="true"' in response.content.decode()
    assert SESSION_KEY not in client.session


def test_invalid_utf8_in_the_sign_in_form_is_a_form_error(client, make_user):
    make_user()
    response = post_raw(
        client, "/accounts/login/", b"email=person%ED%A0%80%FF@example.org&password=" + b"%FF%FE"
    )
    assert (
        response.status_code == 200 and "Enter a valid email address" in response.content.decode()
    )


@pytest.mark.parametrize("code", ["１２３４５６", "²³⁴⁵⁶⁷", "12\x0034", "\ud800", "9" * 5000])
def test_code_step_with_bad_input_answers_with_the_form(client, make_user, code):
    user = make_user()
    user.totp_secret = totp.new_secret()
    user.save()
    client.post("/accounts/login/", {"email": user.email, "password": PASSWORD})
    body = code.encode("utf-8", "surrogatepass")
    response = post_raw(
        client, "/accounts/login/code/", b"code=" + b"".join(b"%%%02X" % b for b in body)
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "not valid" in text or "at most 40 characters" in text or "Null characters" in text
    assert SESSION_KEY not in client.session


@pytest.mark.parametrize("case", sorted(BAD_TEXT))
def test_password_change_with_bad_input_shows_the_errors(client, make_user, case):
    user = make_user()
    sign_in(client, user)
    value, message = BAD_TEXT[case]
    response = client.post(
        "/accounts/password/",
        {
            "old_password": value,
            "new_password1": value,
            "new_password2": value,
            "revoke_credentials": "on",
        },
    )
    assert response.status_code == 200 and message in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


@pytest.mark.parametrize("case", sorted(BAD_TEXT))
def test_two_factor_off_with_bad_input_shows_the_error(client, make_user, case):
    user = make_user(totp_secret=totp.new_secret())
    client.force_login(user)
    value, message = BAD_TEXT[case]
    response = client.post("/accounts/two-factor/disable/", {"password": value})
    assert response.status_code == 200 and message in response.content.decode()
    user.refresh_from_db()
    assert user.has_two_factor


@pytest.mark.parametrize("email", ["a" * 300 + "@example.org", "person\x00@example.org", HUGE])
def test_password_reset_with_bad_input_is_a_form_error(client, make_user, email):
    make_user()
    response = client.post("/accounts/reset/", {"email": email})
    assert response.status_code == 200 and 'aria-invalid="true"' in response.content.decode()
    assert SignInAttempt.objects.count() == 0


def test_invalid_utf8_in_the_reset_form_is_a_form_error(client, db):
    response = post_raw(client, "/accounts/reset/", b"email=%ED%A0%80%C0%AF@example.org")
    assert (
        response.status_code == 200 and "Enter a valid email address" in response.content.decode()
    )


@pytest.mark.parametrize("case", sorted(BAD_TEXT))
def test_new_password_from_a_reset_link_with_bad_input_shows_the_error(client, make_user, case):
    import re

    from django.core import mail

    user = make_user()
    client.post("/accounts/reset/", {"email": user.email})
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    form_url = client.get(link, follow=True).redirect_chain[-1][0]
    value, message = BAD_TEXT[case]
    response = client.post(form_url, {"new_password1": value, "new_password2": value})
    assert response.status_code == 200 and message in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
