import json
import re
import time

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from webauthn.helpers import bytes_to_base64url

from tests.accounts.authenticator import SoftAuthenticator
from tests.helpers import PASSWORD, sign_in
from track2.accounts import passkeys, totp
from track2.accounts.models import Passkey, User
from track2.accounts.relying_party import relying_party_id
from track2.dialogues.models import Role

pytestmark = pytest.mark.django_db

ADD_OPTIONS, ADD = "/accounts/passkeys/new/options/", "/accounts/passkeys/new/"
SIGN_IN_OPTIONS, SIGN_IN = "/accounts/login/passkey/options/", "/accounts/login/passkey/"
SECOND_OPTIONS, SECOND = "/accounts/login/code/passkey/options/", "/accounts/login/code/passkey/"


@pytest.fixture(autouse=True)
def _relying_party_is_the_test_host(settings):
    settings.PASSKEY_RP_ID = "testserver"


def post_json(client, url, data, **extra):
    body = data if isinstance(data, (str, bytes)) else json.dumps(data)
    return client.post(url, body, content_type="application/json", **extra)


def without_csrf(response) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())


def add_passkey(client, user, authenticator=None, name="work laptop"):
    """Register a passkey through the two real endpoints; return the authenticator that holds it."""
    authenticator = authenticator or SoftAuthenticator()
    client.force_login(user)
    options = post_json(client, ADD_OPTIONS, {"name": name, "password": PASSWORD})
    assert options.status_code == 200, options.content
    response = post_json(client, ADD, authenticator.register(options.json()["options"]))
    assert response.status_code == 201, response.content
    client.post("/accounts/logout/")
    return authenticator


def passkey_sign_in(client, authenticator, **assertion):
    options = post_json(client, SIGN_IN_OPTIONS, {})
    assert options.status_code == 200
    return post_json(
        client,
        SIGN_IN,
        {"credential": authenticator.assert_(options.json()["options"], **assertion)},
    )


# --- relying party ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hosts", "rp_id"),
    [
        (("127.0.0.1", "localhost", "[::1]", "::1"), "localhost"),
        ((".example.org", "127.0.0.1"), "example.org"),
        (("*",), "localhost"),
        (("10.0.0.5", "Dialogue.Example.ORG"), "dialogue.example.org"),
    ],
)
def test_relying_party_id_is_the_first_named_allowed_host(hosts, rp_id):
    assert relying_party_id(hosts) == rp_id


def test_origin_follows_the_request_and_another_domain_is_refused(settings):
    settings.PASSKEY_RP_ID = "example.org"
    assert (
        passkeys.relying_party("www.example.org:8443", True).origin
        == "https://www.example.org:8443"
    )
    with pytest.raises(passkeys.PasskeyRefused, match="only at example.org"):
        passkeys.relying_party("example.org.evil.test", True)


# --- registration -------------------------------------------------------------------------


def test_add_a_passkey_after_the_password(client, make_user):
    user = make_user()
    authenticator = add_passkey(client, user)
    passkey = Passkey.objects.get(user=user)
    assert passkey.name == "work laptop" and passkey.transports == ["internal"]
    # The handle given to the authenticator is 32 random bytes: neither the e-mail nor the id.
    assert len(authenticator.user_handle) == 32 and passkey.user_handle == bytes_to_base64url(
        authenticator.user_handle
    )
    assert bytes(passkey.public_key) and passkey.sign_count == 0
    client.force_login(user)
    page = client.get("/accounts/settings/").content.decode()
    assert "work laptop" in page and "Passkey “work laptop” added" in page


def test_second_passkey_keeps_the_user_handle_and_excludes_the_first(client, make_user):
    user = make_user()
    add_passkey(client, user)
    client.force_login(user)
    options = post_json(client, ADD_OPTIONS, {"name": "key two", "password": PASSWORD}).json()[
        "options"
    ]
    first = Passkey.objects.get(user=user)
    assert [c["id"] for c in options["excludeCredentials"]] == [first.credential_id]
    assert options["user"]["id"] == first.user_handle
    assert options["rp"]["id"] == "testserver"
    assert options["authenticatorSelection"]["residentKey"] == "required"


def test_adding_needs_the_right_password_and_counts_wrong_ones(client, make_user, settings):
    user = make_user()
    client.force_login(user)
    wrong = post_json(client, ADD_OPTIONS, {"name": "laptop", "password": "guess"})
    assert wrong.status_code == 400 and "password is not right" in wrong.json()["errors"][0]
    for _ in range(settings.LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS - 1):
        post_json(client, ADD_OPTIONS, {"name": "laptop", "password": "guess"})
    paused = post_json(client, ADD_OPTIONS, {"name": "laptop", "password": PASSWORD})
    assert paused.status_code == 400 and "Too many wrong passwords" in paused.json()["errors"][0]


def test_missing_name_and_password_are_both_reported(client, make_user):
    client.force_login(make_user())
    response = post_json(client, ADD_OPTIONS, {})
    assert response.status_code == 400
    message = " ".join(response.json()["errors"])
    assert "Give the passkey a name" in message and "Enter your password" in message


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("bell\x07key", "control"),
        ("new\nline", "control"),
        ("x" * 101, "under 100"),
        (42, "as text"),
        (["laptop"], "as text"),
        ("   ", "Give the passkey a name"),
        ("del\x7fete", "control"),
        ("c\x851", "control"),
        ("zero\u200bwidth\x1b[31m", "control"),
    ],
)
def test_bad_passkey_names_are_refused(client, make_user, name, says):
    client.force_login(make_user())
    response = post_json(client, ADD_OPTIONS, {"name": name, "password": PASSWORD})
    assert response.status_code == 400 and says in " ".join(response.json()["errors"])
    assert passkeys.CHALLENGE_KEY not in client.session


@pytest.mark.parametrize(
    ("body", "status", "says"),
    [
        ("{not json", 400, "not valid UTF-8 JSON"),
        (b"\xff\xfe{}", 400, "not valid UTF-8 JSON"),
        ('{"name": "\\ud800", "password": "x"}', 400, "not valid UTF-8 JSON"),
        ("[1, 2]", 422, "must be a JSON object"),
        ('"text"', 422, "must be a JSON object"),
        ("9" * 5000, 400, "not valid UTF-8 JSON"),
        ("[" * 100_000, 413, "too large"),
        ('{"name": "' + "a" * 70_000 + '"}', 413, "too large"),
    ],
)
def test_malformed_bodies_get_a_json_refusal(client, make_user, body, status, says):
    client.force_login(make_user())
    for url in (ADD_OPTIONS, ADD, SIGN_IN_OPTIONS, SIGN_IN):
        response = post_json(client, url, body)
        assert response.status_code == status, (url, response.content[:200])
        assert says in response.json()["errors"][0]


@pytest.mark.parametrize(
    "mangle",
    [
        lambda c: c.update(rawId="not base64url!"),
        lambda c: c.update(rawId=12),
        lambda c: c["response"].update(attestationObject="é" * 10),
        lambda c: c["response"].update(clientDataJSON=None),
        lambda c: c.update(type="password"),
        lambda c: c.update(response="oops"),
        lambda c: c["response"].update(attestationObject="A" * 20_000),
    ],
)
def test_malformed_registration_answers_are_refused_and_nothing_is_kept(client, make_user, mangle):
    user = make_user()
    client.force_login(user)
    options = post_json(client, ADD_OPTIONS, {"name": "laptop", "password": PASSWORD}).json()[
        "options"
    ]
    credential = SoftAuthenticator().register(options)
    mangle(credential)
    response = post_json(client, ADD, credential)
    assert response.status_code == 400 and response.json()["errors"]
    assert not Passkey.objects.exists()


def test_registration_for_another_origin_or_rp_is_refused(client, make_user):
    user = make_user()
    client.force_login(user)
    for kind in ({"origin": "https://testserver.evil.test"}, {"rp_id": "evil.test"}):
        options = post_json(client, ADD_OPTIONS, {"name": "laptop", "password": PASSWORD}).json()[
            "options"
        ]
        response = post_json(client, ADD, SoftAuthenticator().register(options, **kind))
        assert (
            response.status_code == 400 and "another site or step" in response.json()["errors"][0]
        )
    assert not Passkey.objects.exists()


def test_a_registration_challenge_serves_once_and_expires(client, make_user):
    user = make_user()
    client.force_login(user)
    options = post_json(client, ADD_OPTIONS, {"name": "laptop", "password": PASSWORD}).json()[
        "options"
    ]
    authenticator = SoftAuthenticator()
    assert post_json(client, ADD, authenticator.register(options)).status_code == 201
    again = post_json(client, ADD, SoftAuthenticator().register(options))
    assert (
        again.status_code == 400 and "expired or was already answered" in again.json()["errors"][0]
    )
    options = post_json(client, ADD_OPTIONS, {"name": "second", "password": PASSWORD}).json()[
        "options"
    ]
    session = client.session
    session[passkeys.CHALLENGE_KEY]["at"] = time.time() - passkeys.CHALLENGE_SECONDS - 1
    session.save()
    late = post_json(client, ADD, SoftAuthenticator().register(options))
    assert late.status_code == 400 and "expired" in late.json()["errors"][0]
    assert Passkey.objects.count() == 1


def test_the_same_authenticator_cannot_be_registered_twice(client, make_user):
    user, other = make_user(), make_user("other@example.org")
    authenticator = add_passkey(client, user)
    client.force_login(other)
    options = post_json(client, ADD_OPTIONS, {"name": "stolen", "password": PASSWORD}).json()[
        "options"
    ]
    response = post_json(client, ADD, authenticator.register(options))
    assert response.status_code == 400 and "already registered" in response.json()["errors"][0]
    assert Passkey.objects.get().user == user


# --- access to the passkey routes ---------------------------------------------------------


@pytest.mark.parametrize("url", [ADD_OPTIONS, ADD])
def test_adding_needs_a_signed_in_account(client, db, url):
    response = post_json(client, url, {"name": "laptop", "password": PASSWORD})
    assert response.status_code == 401 and "Sign in first" in response.json()["errors"][0]


@pytest.mark.parametrize(
    "url", [ADD_OPTIONS, ADD, SIGN_IN_OPTIONS, SIGN_IN, SECOND_OPTIONS, SECOND]
)
def test_passkey_endpoints_take_post_only(client, make_user, url):
    client.force_login(make_user())
    assert client.get(url).status_code == 405


def test_removing_a_passkey_is_for_its_owner_only(client, make_user):
    owner = make_user()
    add_passkey(client, owner)
    passkey = Passkey.objects.get()
    url = f"/accounts/passkeys/{passkey.pk}/remove/"
    anonymous = Client().post(url)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")
    for intruder in (
        make_user("other@example.org"),
        make_user("admin@example.org", is_staff=True, is_superuser=True),
    ):
        client.force_login(intruder)
        assert client.post(url).status_code == 404
        # A missing id gets the very same answer as someone else's.
        assert without_csrf(client.post("/accounts/passkeys/999999/remove/")) == without_csrf(
            client.post(url)
        )
    assert Passkey.objects.filter(pk=passkey.pk).exists()
    client.force_login(owner)
    assert "Remove passkey “work laptop”" in client.get(url).content.decode()
    assert client.post("/accounts/passkeys/99999999999999999999999/remove/").status_code == 404
    response = client.post(url, {"password": PASSWORD}, follow=True)
    assert "Passkey “work laptop” removed" in response.content.decode()
    assert not Passkey.objects.exists()


# --- sign-in with a passkey alone ---------------------------------------------------------


def test_sign_in_with_a_passkey_alone(client, make_user):
    user = make_user()
    authenticator = add_passkey(client, user)
    options = post_json(client, SIGN_IN_OPTIONS, {}).json()["options"]
    assert options.get("allowCredentials", []) == [] and options["userVerification"] == "required"
    credential = authenticator.assert_(options)
    response = post_json(client, SIGN_IN, {"credential": credential, "next": "/accounts/settings/"})
    assert response.status_code == 200 and response.json() == {"redirect": "/accounts/settings/"}
    assert client.session[SESSION_KEY] == str(user.pk)
    passkey = Passkey.objects.get()
    assert passkey.sign_count == 1 and passkey.last_used_at is not None


def test_passkey_sign_in_skips_the_code_step_and_ignores_foreign_next(client, make_user):
    user = make_user(totp_secret=totp.new_secret())
    authenticator = add_passkey(client, user)
    options = post_json(client, SIGN_IN_OPTIONS, {}).json()["options"]
    response = post_json(
        client,
        SIGN_IN,
        {"credential": authenticator.assert_(options), "next": "https://evil.test/"},
    )
    assert response.json() == {"redirect": "/"}
    assert client.session[SESSION_KEY] == str(user.pk)


def test_a_replayed_assertion_is_refused(client, make_user):
    user = make_user()
    authenticator = add_passkey(client, user)
    options = post_json(client, SIGN_IN_OPTIONS, {}).json()["options"]
    credential = authenticator.assert_(options)
    assert post_json(client, SIGN_IN, {"credential": credential}).status_code == 200
    client.post("/accounts/logout/")
    # The same answer again: its challenge was spent.
    replay = post_json(client, SIGN_IN, {"credential": credential})
    assert (
        replay.status_code == 400
        and "expired or was already answered" in replay.json()["errors"][0]
    )
    # The same answer to a fresh challenge: the signed challenge does not match.
    post_json(client, SIGN_IN_OPTIONS, {})
    replay = post_json(client, SIGN_IN, {"credential": credential})
    assert replay.status_code == 400 and "another site or step" in replay.json()["errors"][0]
    assert SESSION_KEY not in client.session


@pytest.mark.parametrize(
    ("assertion", "says"),
    [
        ({"origin": "https://testserver.phish.test"}, "another site or step"),
        ({"origin": "http://testserver:8000"}, "another site or step"),
        ({"rp_id": "phish.test"}, "another site or step"),
        ({"user_verified": False}, "did not verify you"),
        ({"count_step": 0}, "counter went backwards"),
    ],
)
def test_assertions_for_another_origin_rp_without_verification_or_a_stale_count_are_refused(
    client, make_user, assertion, says
):
    user = make_user()
    authenticator = add_passkey(client, user)
    assert passkey_sign_in(client, authenticator).status_code == 200
    client.post("/accounts/logout/")
    response = passkey_sign_in(client, authenticator, **assertion)
    assert response.status_code == 400 and says.lower() in response.json()["errors"][0].lower()
    assert SESSION_KEY not in client.session
    assert Passkey.objects.get().sign_count == 1


def test_a_lower_sign_count_is_refused_as_a_cloned_authenticator(client, make_user):
    user = make_user()
    authenticator = add_passkey(client, user)
    authenticator.sign_count = 10
    assert passkey_sign_in(client, authenticator).status_code == 200
    client.post("/accounts/logout/")
    authenticator.sign_count = 5
    assert passkey_sign_in(client, authenticator).status_code == 400
    assert Passkey.objects.get().sign_count == 11


def test_an_unknown_passkey_is_refused_and_counted(client, db, settings):
    settings.LOGIN_FAILURES_PER_ADDRESS = 3
    for _ in range(3):
        response = passkey_sign_in(client, SoftAuthenticator())
        assert response.status_code == 400 and "not registered" in response.json()["errors"][0]
    assert (
        "Too many failed sign-ins"
        in passkey_sign_in(client, SoftAuthenticator()).json()["errors"][0]
    )


def test_a_passkey_passes_the_accounts_pauses_but_not_its_networks(client, make_user, settings):
    # Anyone who knows an e-mail address can run up the account's pauses with wrong passwords;
    # a passkey cannot be guessed, so those pauses must not lock its owner's passkey out
    # (audit-accounts). A flood from one network address is still paused there.
    settings.LOGIN_FAILURES_PER_ACCOUNT = 6
    user = make_user()
    authenticator = add_passkey(client, user)
    for i in range(6):
        Client(REMOTE_ADDR=f"10.9.0.{i}").post(
            "/accounts/login/", {"email": user.email, "password": "guess"}
        )
    refused = Client(REMOTE_ADDR="10.1.1.1").post(
        "/accounts/login/", {"email": user.email, "password": PASSWORD}
    )
    assert "Too many failed sign-ins for this account" in refused.content.decode()
    elsewhere = Client(REMOTE_ADDR="10.1.1.1")
    assert passkey_sign_in(elsewhere, authenticator).status_code == 200
    assert elsewhere.session[SESSION_KEY] == str(user.pk)
    # The strict pause of this account from this very address does not stop the passkey either.
    same = Client(REMOTE_ADDR="10.9.0.0")
    for _ in range(settings.LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS):
        same.post("/accounts/login/", {"email": user.email, "password": "guess"})
    assert passkey_sign_in(same, authenticator).status_code == 200
    # The network's pause does.
    settings.LOGIN_FAILURES_PER_ADDRESS = 3
    flooded = Client(REMOTE_ADDR="10.7.7.7")
    for _ in range(3):
        assert passkey_sign_in(flooded, SoftAuthenticator()).status_code == 400
    response = passkey_sign_in(flooded, authenticator)
    assert (
        response.status_code == 400
        and "Too many failed sign-ins from your network" in response.json()["errors"][0]
    )
    assert SESSION_KEY not in flooded.session


def test_a_switched_off_account_cannot_sign_in_with_its_passkey(client, make_user):
    user = make_user()
    authenticator = add_passkey(client, user)
    User.objects.filter(pk=user.pk).update(is_active=False)
    response = passkey_sign_in(client, authenticator)
    assert response.status_code == 400 and "switched off" in response.json()["errors"][0]
    assert SESSION_KEY not in client.session


def test_an_answer_naming_another_user_handle_is_refused(client, make_user):
    user = make_user()
    authenticator = add_passkey(client, user)
    authenticator.user_handle = b"someone else"
    response = passkey_sign_in(client, authenticator)
    assert response.status_code == 400 and "another account" in response.json()["errors"][0]


def test_sign_in_answer_without_options_is_refused(client, db):
    response = post_json(
        client, SIGN_IN, {"credential": SoftAuthenticator().assert_({"challenge": "AAAA"})}
    )
    assert response.status_code == 400 and "expired" in response.json()["errors"][0]


@pytest.mark.parametrize("credential", [None, "text", 5, [], {"id": "x"}, {"response": {}}])
def test_sign_in_with_a_malformed_credential_is_refused(client, db, credential):
    post_json(client, SIGN_IN_OPTIONS, {})
    response = post_json(client, SIGN_IN, {"credential": credential})
    assert response.status_code == 400 and response.json()["errors"]


# --- passkey as the second factor ---------------------------------------------------------


def _password_step(client, user):
    assert (
        client.post("/accounts/login/", {"email": user.email, "password": PASSWORD})["Location"]
        == "/accounts/login/code/"
    )


def test_a_passkey_instead_of_the_code_at_the_second_step(client, make_user):
    user = make_user(totp_secret=totp.new_secret())
    authenticator = add_passkey(client, user)
    _password_step(client, user)
    assert "Use a passkey instead" in client.get("/accounts/login/code/").content.decode()
    options = post_json(client, SECOND_OPTIONS, {}).json()["options"]
    assert [c["id"] for c in options["allowCredentials"]] == [Passkey.objects.get().credential_id]
    # A second factor need not verify the user: the password was the first factor.
    response = post_json(
        client, SECOND, {"credential": authenticator.assert_(options, user_verified=False)}
    )
    assert response.status_code == 200 and response.json() == {"redirect": "/"}
    assert client.session[SESSION_KEY] == str(user.pk)


def test_a_passkey_second_step_passes_an_account_pause_raised_after_the_password(
    client, make_user, settings
):
    settings.LOGIN_FAILURES_PER_ACCOUNT = 4
    user = make_user(totp_secret=totp.new_secret())
    authenticator = add_passkey(client, user)
    _password_step(client, user)
    options = post_json(client, SECOND_OPTIONS, {}).json()["options"]
    for i in range(4):
        Client(REMOTE_ADDR=f"10.8.0.{i}").post(
            "/accounts/login/", {"email": user.email, "password": "guess"}
        )
    response = post_json(
        client, SECOND, {"credential": authenticator.assert_(options, user_verified=False)}
    )
    assert response.status_code == 200 and client.session[SESSION_KEY] == str(user.pk)


def test_the_second_step_refuses_another_accounts_passkey(client, make_user):
    user = make_user(totp_secret=totp.new_secret())
    add_passkey(client, user)
    other_authenticator = add_passkey(Client(), make_user("other@example.org"))
    _password_step(client, user)
    options = post_json(client, SECOND_OPTIONS, {}).json()["options"]
    response = post_json(client, SECOND, {"credential": other_authenticator.assert_(options)})
    assert (
        response.status_code == 400
        and "not registered for this account" in response.json()["errors"][0]
    )
    assert SESSION_KEY not in client.session


def test_the_second_step_with_a_passkey_needs_the_password_first(client, make_user):
    user = make_user(totp_secret=totp.new_secret())
    authenticator = add_passkey(client, user)
    response = post_json(client, SECOND_OPTIONS, {})
    assert response.status_code == 400 and "took too long" in response.json()["errors"][0]
    assert (
        post_json(
            client, SECOND, {"credential": authenticator.assert_({"challenge": "AAAA"})}
        ).status_code
        == 400
    )
    # A sign-in challenge cannot be spent at the second step, nor the reverse.
    _password_step(client, user)
    options = post_json(client, SIGN_IN_OPTIONS, {}).json()["options"]
    response = post_json(client, SECOND, {"credential": authenticator.assert_(options)})
    assert response.status_code == 400 and "expired" in response.json()["errors"][0]
    assert SESSION_KEY not in client.session


@pytest.mark.parametrize("when", ["options", "answer"])
def test_a_passkey_second_step_ends_when_the_account_is_switched_off_meanwhile(
    client, make_user, when
):
    # as the code page does: a half-finished sign-in of an account changed since is over
    user = make_user(totp_secret=totp.new_secret())
    authenticator = add_passkey(client, user)
    _password_step(client, user)
    options = None
    if when == "answer":
        options = post_json(client, SECOND_OPTIONS, {}).json()["options"]
    User.objects.filter(pk=user.pk).update(is_active=False)
    if options is None:
        response = post_json(client, SECOND_OPTIONS, {})
    else:
        response = post_json(client, SECOND, {"credential": authenticator.assert_(options)})
    assert response.status_code == 400 and "took too long" in response.json()["errors"][0]
    assert SESSION_KEY not in client.session


def test_an_account_without_passkeys_gets_no_second_step_options(client, make_user):
    user = make_user(totp_secret=totp.new_secret())
    _password_step(client, user)
    assert "Use a passkey instead" not in client.get("/accounts/login/code/").content.decode()
    response = post_json(client, SECOND_OPTIONS, {})
    assert response.status_code == 400 and "no passkey" in response.json()["errors"][0]


def test_settings_page_loads_the_passkey_script_from_our_own_files(client, make_user):
    sign_in(client, make_user())
    page = client.get("/accounts/settings/").content.decode()
    assert '<script src="/static/track2/passkeys.js" defer></script>' in page
    assert "<script>" not in page and "onclick" not in page


@pytest.mark.parametrize("url", [SIGN_IN_OPTIONS, SIGN_IN, ADD_OPTIONS])
def test_a_host_outside_the_relying_party_gets_no_options(client, make_user, url):
    client.force_login(make_user())
    response = post_json(
        client, url, {"name": "laptop", "password": PASSWORD}, HTTP_HOST="localhost"
    )
    assert response.status_code == 400 and "only at testserver" in response.json()["errors"][0]


@pytest.mark.parametrize("role", [*Role.values, "outsider", "site administrator"])
def test_nobody_else_in_the_owners_dialogue_can_remove_or_list_a_passkey(
    client, make_user, dialogue, member_of, role
):
    owner = member_of(make_user("owner@example.org"), Role.PARTICIPANT)
    add_passkey(Client(), owner, name="owner's key CANARY-7f3a")
    passkey = Passkey.objects.get()
    if role == "site administrator":
        other = make_user("admin@example.org", is_staff=True, is_superuser=True)
    elif role == "outsider":
        other = make_user("outsider@example.org")
    else:
        other = member_of(make_user("colleague@example.org"), role)
    client.force_login(other)
    assert client.post(f"/accounts/passkeys/{passkey.pk}/remove/").status_code == 404
    assert "CANARY-7f3a" not in client.get("/accounts/settings/").content.decode()
    options = post_json(client, ADD_OPTIONS, {"name": "mine", "password": PASSWORD}).json()[
        "options"
    ]
    assert options["excludeCredentials"] == [] and options["user"]["id"] != passkey.user_handle
    assert Passkey.objects.filter(pk=passkey.pk).exists()
