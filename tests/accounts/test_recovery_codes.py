import re
import threading

import pytest
from django.contrib.auth import SESSION_KEY
from django.db import connection
from django.test import Client

from tests.helpers import PASSWORD, sign_in
from track2.accounts import actions, recovery, totp
from track2.accounts.models import RecoveryCode, User

pytestmark = pytest.mark.django_db

CODE_SHAPE = re.compile(r"<code>([0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4})</code>")


def _turn_on_two_factor(client, user) -> list[str]:
    sign_in(client, user)
    client.get("/accounts/two-factor/enable/")
    secret = client.session["totp_candidate"]
    response = client.post(
        "/accounts/two-factor/enable/",
        {"code": totp.code_at(secret, totp.current_step()), "password": PASSWORD},
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    codes = CODE_SHAPE.findall(response.content.decode())
    client.post("/accounts/logout/")
    return codes


def _password_step(client, user):
    response = client.post("/accounts/login/", {"email": user.email, "password": PASSWORD})
    assert response["Location"] == "/accounts/login/code/"


def test_turning_on_two_factor_shows_ten_distinct_codes_once_and_stores_only_digests(
    client, make_user
):
    user = make_user()
    codes = _turn_on_two_factor(client, user)
    assert len(codes) == recovery.COUNT == len(set(codes))
    stored = list(RecoveryCode.objects.filter(user=user).values_list("digest", flat=True))
    assert sorted(stored) == sorted(recovery.digest(code) for code in codes)
    assert not any(code.replace("-", "") in digest for code in codes for digest in stored)
    sign_in_with_code = Client()
    _password_step(sign_in_with_code, user)
    settings_page = sign_in_with_code.post("/accounts/login/code/", {"code": codes[0]}, follow=True)
    body = settings_page.content.decode()
    assert not any(code in body for code in codes)


def test_a_code_has_80_random_bits():
    assert len(recovery.ALPHABET) ** recovery.LENGTH == 2**80
    assert len({recovery.new_code() for _ in range(200)}) == 200


def test_a_recovery_code_signs_in_once(client, make_user):
    user = make_user()
    codes = _turn_on_two_factor(client, user)
    _password_step(client, user)
    # Typed sloppily: upper case, spaces instead of hyphens, O for 0 and l for 1.
    typed = codes[3].upper().replace("-", " ").replace("0", "O").replace("1", "l")
    assert client.post("/accounts/login/code/", {"code": typed}).status_code == 302
    assert client.session[SESSION_KEY] == str(user.pk)
    client.post("/accounts/logout/")
    _password_step(client, user)
    again = client.post("/accounts/login/code/", {"code": codes[3]})
    assert again.status_code == 200 and "already used" in again.content.decode()
    assert SESSION_KEY not in client.session
    assert client.post("/accounts/login/code/", {"code": codes[4]}).status_code == 302


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "abcd",
        "zzzz-zzzz-zzzz-zzzz",
        "abcd-efgh-jkmn-pqrsx",
        "abcd-efgh-jkmn-pqr\x00",
        "ａｂｃｄ-efgh-jkmn-pqrs",
        "abcd-efgh-jkmn-pqr\u0301",
        "1" * 40,
        "1" * 41,
    ],
)
def test_bad_codes_are_refused_with_a_message_and_counted(client, make_user, typed):
    user = make_user()
    _turn_on_two_factor(client, user)
    _password_step(client, user)
    response = client.post("/accounts/login/code/", {"code": typed})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'aria-invalid="true"' in body
    assert SESSION_KEY not in client.session
    if typed:
        assert "not valid" in body or "Ensure this value" in body or "Null characters" in body


def test_invalid_utf8_in_a_code_is_refused(client, make_user):
    user = make_user()
    _turn_on_two_factor(client, user)
    _password_step(client, user)
    # A lone surrogate as the browser would send it, encoded: bytes that are not UTF-8.
    response = client.post(
        "/accounts/login/code/",
        "code=%ED%A0%80abcd-efgh-jkmn-pqrs",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200 and "not valid" in response.content.decode()
    assert SESSION_KEY not in client.session


def test_wrong_recovery_codes_count_toward_the_sign_in_pause(client, make_user, settings):
    user = make_user()
    codes = _turn_on_two_factor(client, user)
    _password_step(client, user)
    for _ in range(settings.LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS):
        assert (
            "not valid"
            in client.post(
                "/accounts/login/code/", {"code": "aaaa-bbbb-cccc-dddd"}
            ).content.decode()
        )
    paused = client.post("/accounts/login/code/", {"code": codes[0]})
    assert "Too many failed sign-ins" in paused.content.decode()
    assert SESSION_KEY not in client.session
    assert RecoveryCode.objects.filter(user=user, used_at__isnull=True).count() == recovery.COUNT


def test_two_stale_checks_of_one_code_spend_it_once(client, make_user):
    user = make_user()
    codes = _turn_on_two_factor(client, user)
    first, second = User.objects.get(pk=user.pk), User.objects.get(pk=user.pk)
    proof_a = actions.check_second_factor(first, codes[0], "127.0.0.2")
    proof_b = actions.check_second_factor(second, codes[0], "127.0.0.3")
    actions.do_record_second_factor(first, proof_a)
    with pytest.raises(actions.SignInRefused, match="already been used"):
        actions.do_record_second_factor(second, proof_b)


@pytest.mark.django_db(transaction=True)
def test_two_racing_requests_with_one_code_sign_in_once(make_user):
    if connection.vendor == "sqlite":
        pytest.skip(
            "the test run's in-memory SQLite locks whole tables, so requests cannot overlap; "
            "the stale-copies test above covers SQLite, this one runs on PostgreSQL"
        )
    user = make_user()
    codes = _turn_on_two_factor(Client(), user)
    racers = [Client(REMOTE_ADDR=f"127.0.0.{n}") for n in (2, 3)]
    for racer in racers:
        _password_step(racer, user)
    barrier = threading.Barrier(2)
    statuses = []

    def race(racer):
        barrier.wait()
        try:
            statuses.append(racer.post("/accounts/login/code/", {"code": codes[0]}).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=race, args=(racer,)) for racer in racers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200, 302]
    assert RecoveryCode.objects.filter(user=user, used_at__isnull=False).count() == 1


def test_settings_page_shows_how_many_codes_are_left(client, make_user):
    user = make_user()
    codes = _turn_on_two_factor(client, user)
    _password_step(client, user)
    client.post("/accounts/login/code/", {"code": codes[0]})
    assert "9 recovery codes left." in client.get("/accounts/settings/").content.decode()


def test_regenerating_needs_the_password_and_replaces_every_code(client, make_user, settings):
    user = make_user()
    old = _turn_on_two_factor(client, user)
    user.refresh_from_db()
    client.force_login(user)
    assert client.get("/accounts/two-factor/recovery-codes/").status_code == 200
    wrong = client.post("/accounts/two-factor/recovery-codes/", {"password": "not it"})
    assert wrong.status_code == 400 and "password is not right" in wrong.content.decode()
    empty = client.post("/accounts/two-factor/recovery-codes/", {"password": ""})
    assert empty.status_code == 400 and "This field is required" in empty.content.decode()
    response = client.post("/accounts/two-factor/recovery-codes/", {"password": PASSWORD})
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    new = CODE_SHAPE.findall(response.content.decode())
    assert len(new) == recovery.COUNT and not set(new) & set(old)
    assert RecoveryCode.objects.filter(user=user).count() == recovery.COUNT
    client.post("/accounts/logout/")
    _password_step(client, user)
    assert "not valid" in client.post("/accounts/login/code/", {"code": old[0]}).content.decode()
    assert client.post("/accounts/login/code/", {"code": new[0]}).status_code == 302


def test_wrong_passwords_on_regenerate_count_toward_the_pause(client, make_user, settings):
    user = make_user()
    _turn_on_two_factor(client, user)
    user.refresh_from_db()
    client.force_login(user)
    for _ in range(settings.LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS):
        client.post("/accounts/two-factor/recovery-codes/", {"password": "guess"})
    paused = client.post("/accounts/two-factor/recovery-codes/", {"password": PASSWORD})
    assert paused.status_code == 400 and "Too many wrong passwords" in paused.content.decode()


def test_regenerating_without_two_factor_is_refused(client, make_user):
    user = make_user()
    client.force_login(user)
    response = client.post("/accounts/two-factor/recovery-codes/", {"password": PASSWORD})
    assert (
        response.status_code == 400
        and "Turn two-factor sign-in on first" in response.content.decode()
    )
    assert not RecoveryCode.objects.exists()


def test_regenerate_page_needs_a_signed_in_user(client, db):
    for method in (client.get, client.post):
        response = method("/accounts/two-factor/recovery-codes/")
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_turning_two_factor_off_deletes_the_codes(client, make_user):
    user = make_user()
    _turn_on_two_factor(client, user)
    user.refresh_from_db()
    client.force_login(user)
    assert client.post("/accounts/two-factor/disable/", {"password": PASSWORD}).status_code == 302
    assert not RecoveryCode.objects.filter(user=user).exists()


def test_two_stale_copies_of_the_user_cannot_both_spend_one_totp_code(make_user):
    secret = totp.new_secret()
    user = make_user(totp_secret=secret)
    first, second = User.objects.get(pk=user.pk), User.objects.get(pk=user.pk)
    code = totp.code_at(secret, totp.current_step())
    proof_a = actions.check_second_factor(first, code, "127.0.0.2")
    proof_b = actions.check_second_factor(second, code, "127.0.0.3")
    actions.do_record_second_factor(first, proof_a)
    with pytest.raises(actions.SignInRefused, match="already been used"):
        actions.do_record_second_factor(second, proof_b)
