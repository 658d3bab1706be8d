"""Every password or code check counts toward the same limits (issue 8, findings 3 and 4)."""

from datetime import timedelta

import pytest
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.test import Client

from tests.helpers import PASSWORD, sign_in
from track2.accounts import actions, throttle, totp
from track2.accounts.models import AttemptLock, SignInAttempt, User

pytestmark = pytest.mark.django_db

EMAIL = "person@example.org"
PAUSED = "Too many failed sign-ins"


def test_production_sign_in_limits_are_not_raised():
    # Like the Argon2 cost (test_hashing.py): a test that loops over the setting moves with it,
    # so the production values themselves are pinned here.
    from track2 import settings as real

    assert real.LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS == 5
    assert real.LOGIN_FAILURES_PER_ACCOUNT == 50
    assert real.LOGIN_FAILURES_PER_ADDRESS == 20
    assert real.SECOND_STEP_FAILURES_PER_ACCOUNT == 20
    assert real.SECOND_STEP_FAILURE_WINDOW_SECONDS == 24 * 60 * 60
    assert real.LOGIN_FAILURE_WINDOW_SECONDS == 15 * 60
    assert real.PASSWORD_RESETS_PER_ACCOUNT == 3
    assert real.PASSWORD_RESETS_PER_ADDRESS == 10
    assert real.PASSWORD_RESET_WINDOW_SECONDS == 60 * 60


def wrong_sign_in(client, email=EMAIL):
    return client.post(
        "/accounts/login/", {"email": email, "password": "a wrong guess"}
    ).content.decode()


def test_five_wrong_passwords_are_checked_and_the_sixth_attempt_is_not(client, make_user):
    make_user()
    for _ in range(5):
        assert "do not match" in wrong_sign_in(client)
    response = client.post("/accounts/login/", {"email": EMAIL, "password": PASSWORD})
    assert PAUSED in response.content.decode() and "15 minutes" in response.content.decode()
    assert SESSION_KEY not in client.session


def test_the_pause_ends_when_the_attempts_leave_the_window(client, make_user):
    make_user()
    for _ in range(5):
        wrong_sign_in(client)
    # The oldest attempt left the window 14 minutes ago... only that one: one more try, and no more.
    oldest = SignInAttempt.objects.order_by("at").first().at
    SignInAttempt.objects.filter(at=oldest).update(
        at=throttle.timezone.now() - timedelta(minutes=16)
    )
    assert "do not match" in wrong_sign_in(client)
    assert PAUSED in wrong_sign_in(client)
    SignInAttempt.objects.update(at=throttle.timezone.now() - timedelta(minutes=16))
    sign_in(client, User.objects.get(email=EMAIL))


def test_a_completed_sign_in_starts_the_count_again_and_frees_the_address(
    client, make_user, settings
):
    make_user()
    for _ in range(4):
        wrong_sign_in(client)
    sign_in(client, User.objects.get(email=EMAIL))
    client.post("/accounts/logout/")
    for _ in range(4):
        assert "do not match" in wrong_sign_in(client)
    # Many people behind one office address signing in successfully do not pause each other.
    settings.LOGIN_FAILURES_PER_ADDRESS = 3
    for n in range(5):
        sign_in(Client(REMOTE_ADDR="10.3.3.3"), make_user(f"colleague{n}@example.org"))


def test_an_unknown_address_is_paused_like_a_real_one(client, db):
    for _ in range(5):
        assert "do not match" in wrong_sign_in(client, "nobody@example.org")
    assert PAUSED in wrong_sign_in(client, "nobody@example.org")


def enable_two_factor(user) -> str:
    secret = totp.new_secret()
    user.totp_secret, user.totp_last_step = secret, 0
    user.save()
    return secret


def test_wrong_codes_count_and_the_right_password_does_not_forget_them(client, make_user):
    user = make_user()
    secret = enable_two_factor(user)
    for _ in range(2):
        wrong_sign_in(client)
    for _ in range(3):
        # The right password leads to the code step; it must not wipe the wrong codes so far,
        # or the code could be guessed without limit by signing in again between guesses.
        assert (
            client.post("/accounts/login/", {"email": EMAIL, "password": PASSWORD}).status_code
            == 302
        )
        assert (
            "not valid" in client.post("/accounts/login/code/", {"code": "000000"}).content.decode()
        )
    client.post("/accounts/login/", {"email": EMAIL, "password": PASSWORD})
    assert (
        PAUSED
        in client.post("/accounts/login/", {"email": EMAIL, "password": PASSWORD}).content.decode()
    )
    # Even a right code is not checked during the pause.
    code = totp.code_at(secret, totp.current_step())
    assert PAUSED in client.post("/accounts/login/code/", {"code": code}).content.decode()
    assert SESSION_KEY not in client.session


def test_password_change_checks_count_toward_the_sign_in_limit(client, make_user):
    user = make_user()
    sign_in(client, user)
    change = {
        "old_password": "not it",
        "new_password1": "a brand new passphrase",
        "new_password2": "a brand new passphrase",
    }
    for _ in range(5):
        assert (
            "current password is not right"
            in client.post("/accounts/password/", change).content.decode()
        )
    change["old_password"] = PASSWORD
    assert "Too many wrong passwords" in client.post("/accounts/password/", change).content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert (
        PAUSED
        in Client()
        .post("/accounts/login/", {"email": EMAIL, "password": PASSWORD})
        .content.decode()
    )


def test_two_factor_off_checks_count_toward_the_sign_in_limit(client, make_user):
    user = make_user()
    enable_two_factor(user)
    client.force_login(user)
    for _ in range(5):
        assert (
            "not right"
            in client.post("/accounts/two-factor/disable/", {"password": "nope"}).content.decode()
        )
    assert (
        "Too many"
        in client.post("/accounts/two-factor/disable/", {"password": PASSWORD}).content.decode()
    )
    user.refresh_from_db()
    assert user.has_two_factor


def test_parallel_reservations_never_pass_the_limit(make_user):
    # The same rule as the served test (test_parallel_limits.py), without HTTP: reservations
    # past the limit are refused even when nothing was checked in between.
    granted = 0
    for _ in range(8):
        try:
            throttle.reserve(account=EMAIL, address="192.0.2.1")
        except throttle.Paused as pause:
            assert pause.minutes == 15
        else:
            granted += 1
    assert granted == 5
    assert SignInAttempt.objects.filter(kind="account").count() == 5


def test_keys_are_stored_as_digests(make_user):
    throttle.reserve(account=EMAIL, address="192.0.2.77")
    stored = " ".join(SignInAttempt.objects.values_list("key_digest", flat=True))
    assert EMAIL not in stored and "192.0.2.77" not in stored


def reset(client, email):
    return client.post("/accounts/reset/", {"email": email})


@pytest.mark.parametrize("email", [EMAIL, "stranger@example.org"])
def test_password_reset_is_limited_per_account_and_says_so_the_same_way(client, make_user, email):
    make_user()
    for n in range(3):
        assert reset(Client(REMOTE_ADDR=f"10.0.0.{n + 1}"), email).status_code == 302
    sent = len(mail.outbox)
    refused = reset(client, email.upper())
    body = refused.content.decode()
    assert refused.status_code == 200 and "Too many reset requests" in body and "60 minutes" in body
    assert len(mail.outbox) == sent  # nothing more sent; the page is the same for both addresses


def test_password_reset_is_limited_per_network_address(client, make_user):
    make_user()
    for n in range(10):
        assert reset(client, f"guess{n}@example.org").status_code == 302
    assert "Too many reset requests" in reset(client, EMAIL).content.decode()
    assert mail.outbox == []
    assert reset(Client(REMOTE_ADDR="10.2.2.2"), EMAIL).status_code == 302
    assert len(mail.outbox) == 1


def test_one_code_used_by_two_racing_requests_signs_in_once(make_user):
    # Two requests that loaded the user before either recorded the code: both see the code as
    # unused, so only the conditional update can stop the second one.
    secret = enable_two_factor(make_user())
    first, second = User.objects.get(email=EMAIL), User.objects.get(email=EMAIL)
    code = totp.code_at(secret, totp.current_step())
    proof = actions.check_second_factor(first, code, "192.0.2.1")
    assert actions.check_second_factor(second, code, "192.0.2.2") == proof
    actions.do_record_second_factor(first, proof)
    with pytest.raises(actions.SignInRefused, match="already been used"):
        actions.do_record_second_factor(second, proof)
    assert User.objects.get(email=EMAIL).totp_last_step == proof.totp_step


def test_attempts_and_locks_past_every_window_are_forgotten(make_user):
    throttle.reserve(account="old@example.org", address="192.0.2.9")
    an_hour_ago = throttle.timezone.now() - timedelta(minutes=61)
    SignInAttempt.objects.update(at=an_hour_ago)
    AttemptLock.objects.update(touched_at=an_hour_ago)
    throttle.reserve(account=EMAIL, address="192.0.2.10")
    # The account, the address and the pair of both: three keys a check.
    assert SignInAttempt.objects.count() == 3
    assert AttemptLock.objects.count() == 3


def test_the_with_block_form_counts_unless_told_otherwise(make_user):
    # The form other sign-in methods (passkeys, recovery codes) use around their own check.
    with throttle.attempt(account=EMAIL, address="192.0.2.20"):
        pass  # a wrong guess: stays counted
    with throttle.attempt(account=EMAIL, address="192.0.2.20") as attempt:
        attempt.passed()  # right, but a second step follows: not counted, earlier failures kept
    assert SignInAttempt.objects.filter(kind="account").count() == 1
    with throttle.attempt(account=EMAIL, address="192.0.2.20") as attempt:
        attempt.succeeded()  # sign-in done: the account starts again, the address keeps its failures
    assert SignInAttempt.objects.filter(kind="account").count() == 0
    assert SignInAttempt.objects.filter(kind="address").count() == 1
