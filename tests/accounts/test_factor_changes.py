"""Changes to how an account signs in, and the pauses around them (audit-accounts findings 1, 2,
4, 5 and 6): each asks for the password again, ends the other sessions where the factors change,
and tells the owner by e-mail; nobody at one network address can pause the owner at another."""

import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.messages import get_messages
from django.core import mail
from django.test import Client

from tests.accounts.authenticator import SoftAuthenticator
from tests.accounts.test_passkeys import ADD, ADD_OPTIONS, post_json
from tests.helpers import PASSWORD, sign_in
from track2.accounts import actions, totp
from track2.accounts.models import ApiToken, Passkey, RecoveryCode, SignInAttempt, User

pytestmark = pytest.mark.django_db

EMAIL = "person@example.org"
NEW = "another long passphrase"
NOT_YOU = "If this was not you"


@pytest.fixture
def sent(django_capture_on_commit_callbacks):
    """Run a block with its on-commit callbacks (where notices are sent); return the new mail."""

    class Sent:
        def __enter__(self):
            self.before = len(mail.outbox)
            self.capture = django_capture_on_commit_callbacks(execute=True)
            self.capture.__enter__()
            return self

        def __exit__(self, *exc):
            self.capture.__exit__(*exc)
            self.mail = mail.outbox[self.before :]

    return Sent


def with_two_factor(user) -> str:
    secret = totp.new_secret()
    user.totp_secret, user.totp_last_step = secret, 0
    user.save()
    actions.do_issue_recovery_codes(user)
    return secret


def code_now(secret: str) -> str:
    return totp.code_at(secret, totp.current_step())


def password_step(client, email=EMAIL, password=PASSWORD):
    response = client.post("/accounts/login/", {"email": email, "password": password})
    assert response.status_code == 302 and response["Location"] == "/accounts/login/code/"


def reset_password(client, email=EMAIL, new=NEW):
    """Ask for a reset link and use it, as the owner does from their mailbox."""
    client.post("/accounts/reset/", {"email": email})
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", mail.outbox[-1].body).group(1)
    form_page = client.get(link, follow=True)
    done = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new}
    )
    assert done.status_code == 302 and done["Location"] == "/accounts/reset/done/"


def signed_in(client) -> bool:
    return client.get("/accounts/settings/").status_code == 200


# --- finding 1: two-factor is turned on with the password, never re-enrolled over itself --------


def test_two_factor_cannot_be_enrolled_again_while_it_is_on(client, make_user):
    user = make_user()
    old_secret = with_two_factor(user)
    old_codes = set(RecoveryCode.objects.values_list("digest", flat=True))
    client.force_login(user)
    page = client.get("/accounts/two-factor/enable/", follow=True)
    assert page.redirect_chain[-1][0] == "/accounts/settings/"
    assert "already on" in page.content.decode()
    assert "choose “Move to a new authenticator app”" in page.content.decode()
    # Even a POST with a code of a secret of the caller's choosing and the right password.
    new_secret = totp.new_secret()
    session = client.session
    session["totp_candidate"] = new_secret
    session.save()
    response = client.post(
        "/accounts/two-factor/enable/", {"code": code_now(new_secret), "password": PASSWORD}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.totp_secret == old_secret
    assert set(RecoveryCode.objects.values_list("digest", flat=True)) == old_codes


def test_turning_two_factor_on_needs_the_password_and_counts_wrong_ones(
    client, make_user, settings
):
    user = make_user()
    client.force_login(user)
    client.get("/accounts/two-factor/enable/")
    secret = client.session["totp_candidate"]
    for _ in range(settings.LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS):
        wrong = client.post(
            "/accounts/two-factor/enable/", {"code": code_now(secret), "password": "a guess"}
        )
        assert wrong.status_code == 400 and "password is not right" in wrong.content.decode()
    missing = client.post("/accounts/two-factor/enable/", {"code": code_now(secret)})
    assert missing.status_code == 400 and "This field is required" in missing.content.decode()
    paused = client.post(
        "/accounts/two-factor/enable/", {"code": code_now(secret), "password": PASSWORD}
    )
    assert "Too many wrong passwords" in paused.content.decode()
    user.refresh_from_db()
    assert not user.has_two_factor and not RecoveryCode.objects.exists()


@pytest.mark.parametrize("change", ["on", "off", "new recovery codes"])
def test_a_change_of_factors_ends_the_other_sessions_and_tells_the_owner(make_user, sent, change):
    user = make_user()
    if change != "on":
        with_two_factor(user)
    here, elsewhere = Client(), Client(REMOTE_ADDR="10.4.4.4")
    here.force_login(user)
    elsewhere.force_login(user)
    with sent() as notice:
        if change == "on":
            here.get("/accounts/two-factor/enable/")
            secret = here.session["totp_candidate"]
            response = here.post(
                "/accounts/two-factor/enable/", {"code": code_now(secret), "password": PASSWORD}
            )
            assert "Your recovery codes" in response.content.decode()
        elif change == "off":
            here.post("/accounts/two-factor/disable/", {"password": PASSWORD})
        else:
            here.post("/accounts/two-factor/recovery-codes/", {"password": PASSWORD})
    assert signed_in(here) and not signed_in(elsewhere)
    assert [m.to for m in notice.mail] == [[EMAIL]]
    body = notice.mail[0].body
    assert NOT_YOU in body and "Forgot your password?" in body
    assert {"on": "turned on", "off": "turned off", "new recovery codes": "New recovery codes"}[
        change
    ] in body


# --- finding 2: the pause is per account and address; a reset lifts it ---------------------------


def wrong_sign_in(client, email=EMAIL) -> str:
    return client.post("/accounts/login/", {"email": email, "password": "a guess"}).content.decode()


def test_guesses_from_one_address_do_not_pause_the_owner_at_another(make_user, settings):
    user = make_user()
    guesser = Client(REMOTE_ADDR="10.6.6.6")
    for _ in range(settings.LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS):
        assert "do not match" in wrong_sign_in(guesser)
    assert "Too many failed sign-ins" in wrong_sign_in(guesser)
    sign_in(Client(), user)


def test_the_account_alone_has_a_higher_ceiling_and_says_a_reset_lifts_it(
    client, make_user, settings
):
    settings.LOGIN_FAILURES_PER_ACCOUNT = 8  # production: 50, pinned in test_limits.py
    make_user()
    for n in range(8):
        assert "do not match" in wrong_sign_in(Client(REMOTE_ADDR=f"10.7.7.{n}"))
    paused = client.post("/accounts/login/", {"email": EMAIL, "password": PASSWORD})
    body = paused.content.decode()
    assert "Too many failed sign-ins for this account" in body and "reset your password" in body
    assert SESSION_KEY not in client.session
    reset_password(client)
    sign_in(client, User.objects.get(email=EMAIL), NEW)


def test_a_completed_reset_lifts_the_pause_from_the_owners_own_address(client, make_user):
    make_user()
    for _ in range(5):
        wrong_sign_in(client)
    assert "reset your password" in wrong_sign_in(client)
    reset_password(client)
    sign_in(client, User.objects.get(email=EMAIL), NEW)


def test_a_paused_network_address_is_not_told_that_a_reset_helps(client, make_user, settings):
    settings.LOGIN_FAILURES_PER_ADDRESS = 3
    make_user()
    for n in range(3):
        wrong_sign_in(client, f"someone{n}@example.org")
    body = wrong_sign_in(client)
    assert "Too many failed sign-ins from your network" in body
    assert "reset" not in body.split("Too many failed sign-ins", 1)[1].split("</", 1)[0]


# --- finding 4: lasting credentials ask for the password and tell the owner -------------------


def test_an_api_token_needs_the_password_and_the_owner_is_told(client, make_user, sent):
    user = make_user()
    sign_in(client, user)
    wrong = client.post("/accounts/tokens/", {"name": "script", "password": "a guess"})
    assert wrong.status_code == 400 and "password is not right" in wrong.content.decode()
    missing = client.post("/accounts/tokens/", {"name": "script"})
    assert missing.status_code == 400 and "This field is required" in missing.content.decode()
    assert not ApiToken.objects.exists()
    with sent() as notice:
        made = client.post("/accounts/tokens/", {"name": "script", "password": PASSWORD})
    assert made.context["raw"].startswith("t2_") and ApiToken.objects.count() == 1
    assert len(notice.mail) == 1 and "API token named “script”" in notice.mail[0].body
    assert NOT_YOU in notice.mail[0].body


def test_a_blank_token_name_costs_no_password_attempt(make_user):
    with pytest.raises(ValueError, match="Give the token a name"):
        actions.do_issue_api_token(make_user(), "  ", "a guess", "192.0.2.1")
    assert not SignInAttempt.objects.exists()


def test_adding_or_removing_a_passkey_tells_the_owner_and_removing_needs_the_password(
    client, make_user, sent, settings
):
    settings.PASSKEY_RP_ID = "testserver"
    user = make_user()
    client.force_login(user)
    options = post_json(client, ADD_OPTIONS, {"name": "laptop", "password": PASSWORD})
    with sent() as added:
        post_json(client, ADD, SoftAuthenticator().register(options.json()["options"]))
    assert len(added.mail) == 1 and "passkey named “laptop” was added" in added.mail[0].body
    passkey = Passkey.objects.get()
    url = f"/accounts/passkeys/{passkey.pk}/remove/"
    for data in ({}, {"password": "a guess"}):
        refused = client.post(url, data)
        assert refused.status_code == 400 and Passkey.objects.exists()
    assert "password is not right" in refused.content.decode()
    with sent() as notice:
        assert client.post(url, {"password": PASSWORD}).status_code == 302
    assert not Passkey.objects.exists()
    assert len(notice.mail) == 1 and "passkey “laptop” was removed" in notice.mail[0].body


# --- finding 5: wrong codes are capped over a day, and the owner is told -----------------------


def test_the_owner_is_told_once_when_a_right_password_meets_wrong_codes(client, make_user, sent):
    with_two_factor(make_user())
    with sent() as notice:
        for _ in range(3):
            password_step(client)
            assert (
                "not valid"
                in client.post("/accounts/login/code/", {"code": "000000"}).content.decode()
            )
    assert len(notice.mail) == 1
    assert "typed your password correctly, then a wrong two-factor code" in notice.mail[0].body


def test_past_a_days_wrong_codes_codes_are_refused_until_a_reset(client, make_user, settings):
    settings.SECOND_STEP_FAILURES_PER_ACCOUNT = 4  # production: 20 a day, pinned in test_limits.py
    user = make_user()
    secret = with_two_factor(user)
    codes = actions.do_issue_recovery_codes(user)
    for n in range(4):
        # From ever new addresses, and with the short window passed: only the day's count is left.
        guesser = Client(REMOTE_ADDR=f"10.8.8.{n}")
        password_step(guesser)
        guesser.post("/accounts/login/code/", {"code": "000000"})
        SignInAttempt.objects.exclude(kind="second-step").delete()
    password_step(client)
    refused = client.post("/accounts/login/code/", {"code": code_now(secret)})
    body = refused.content.decode()
    assert "refused until the password is reset" in body and "Forgot your password?" in body
    assert SESSION_KEY not in client.session
    # A recovery code cannot be guessed, so it still signs in.
    assert client.post("/accounts/login/code/", {"code": codes[0]}).status_code == 302
    client.post("/accounts/logout/")
    reset_password(client)
    password_step(client, password=NEW)
    assert client.post("/accounts/login/code/", {"code": code_now(secret)}).status_code == 302


# --- finding 6: the account changes between the password and the code -------------------------


def sign_in_again_message(response) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


@pytest.mark.parametrize("change", ["deleted", "deactivated", "password reset"])
def test_a_change_between_the_two_steps_ends_the_half_finished_sign_in(client, make_user, change):
    user = make_user()
    secret = with_two_factor(user)
    password_step(client)
    if change == "deleted":
        user.delete()
    elif change == "deactivated":
        User.objects.filter(pk=user.pk).update(is_active=False)
    else:
        reset_password(Client(REMOTE_ADDR="10.5.5.5"))
    response = client.post("/accounts/login/code/", {"code": code_now(secret)})
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert "sign in again" in sign_in_again_message(response)
    assert SESSION_KEY not in client.session
    # The code was not spent, and the pending state is gone.
    if change != "deleted":
        assert User.objects.get(pk=user.pk).totp_last_step == 0
    assert client.get("/accounts/login/code/")["Location"] == "/accounts/login/"
