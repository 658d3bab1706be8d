"""Moving two-factor sign-in to a new authenticator app (a new phone) in one step: the password and
a code from the new app, never a moment without a second factor, the recovery codes kept, the
other sessions ended and the owner told (docs/security.md)."""

import re
from html import unescape

import pytest
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.test import Client

from tests.accounts.test_factor_changes import (
    EMAIL,
    NOT_YOU,
    code_now,
    password_step,
    signed_in,
    with_two_factor,
)
from tests.helpers import PASSWORD
from track2.accounts import actions, totp
from track2.accounts.models import RecoveryCode, SignInAttempt, User
from track2.dialogues.models import Dialogue, Role
from track2.errors import ActionRefused
from track2.institutions.models import Institution

pytestmark = pytest.mark.django_db

URL = "/accounts/two-factor/new-app/"
KEPT = "totp_replacement"  # the session key of the secret offered to the new app


def open_page(client) -> str:
    """Open the page as its owner; return the new secret it offers (kept in the session)."""
    assert client.get(URL).status_code == 200
    return client.session[KEPT]


def text_of(response) -> str:
    return unescape(response.content.decode())


@pytest.fixture
def owner(make_user):
    """An account with two-factor on, signed in here and on another device."""

    class Owner:
        user = make_user()
        old = with_two_factor(user)
        codes = actions.do_issue_recovery_codes(user)
        here, elsewhere = Client(), Client(REMOTE_ADDR="10.4.4.4")

    Owner.here.force_login(Owner.user)
    Owner.elsewhere.force_login(Owner.user)
    return Owner


def assert_nothing_changed(owner, new: str) -> None:
    owner.user.refresh_from_db()
    assert owner.user.totp_secret == owner.old and owner.user.totp_last_step == 0
    assert owner.here.session[KEPT] == new  # kept for the next try, the app already scanned
    assert signed_in(owner.here) and signed_in(owner.elsewhere)


def test_the_new_app_replaces_the_old_one_and_the_recovery_codes_stay(
    owner, django_capture_on_commit_callbacks
):
    digests = set(RecoveryCode.objects.values_list("digest", flat=True))
    page = owner.here.get(URL)
    new = owner.here.session[KEPT]
    body = text_of(page)
    assert new != owner.old and new in body and "<svg" in body
    assert "recovery codes are kept" in body
    # The secret stays on the server between the page and its answer: no field carries it.
    assert not re.search(r"<input[^>]*" + new, body)
    assert re.search(r"<title>\s*\S.*\S · Track2\s*</title>", body)  # as tests/site/test_walk.py
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", body) and "<style" not in body
    assert owner.here.get(URL).content.decode().count(new)  # a reload offers the same secret

    with django_capture_on_commit_callbacks(execute=True):
        done = owner.here.post(URL, {"code": code_now(new), "password": PASSWORD}, follow=True)
    assert done.redirect_chain == [("/accounts/settings/", 302)]
    said = text_of(done)
    assert "now uses your new authenticator app" in said and "recovery codes are unchanged" in said
    owner.user.refresh_from_db()
    assert owner.user.totp_secret == new and KEPT not in owner.here.session
    # This session stays; the others end. The owner is told, as for every change of factors.
    assert signed_in(owner.here) and not signed_in(owner.elsewhere)
    assert [m.to for m in mail.outbox] == [[EMAIL]]
    assert "moved to a new authenticator app" in mail.outbox[0].body
    assert "recovery codes were kept" in mail.outbox[0].body and NOT_YOU in mail.outbox[0].body

    # The next step's code: the confirming code's step is spent, as when two-factor is turned on.
    step = totp.current_step() + 1
    old_app = Client()
    password_step(old_app)
    refused = old_app.post("/accounts/login/code/", {"code": totp.code_at(owner.old, step)})
    assert "not valid" in refused.content.decode() and SESSION_KEY not in old_app.session
    new_app = Client()
    password_step(new_app)
    assert (
        new_app.post("/accounts/login/code/", {"code": totp.code_at(new, step)}).status_code == 302
    )
    assert set(RecoveryCode.objects.values_list("digest", flat=True)) == digests
    with_code = Client()
    password_step(with_code)
    assert with_code.post("/accounts/login/code/", {"code": owner.codes[0]}).status_code == 302


def test_the_settings_page_offers_it_only_while_two_factor_is_on(client, make_user):
    user = make_user()
    client.force_login(user)
    assert URL not in client.get("/accounts/settings/").content.decode()
    with_two_factor(user)
    assert URL in client.get("/accounts/settings/").content.decode()


def test_with_two_factor_off_the_page_says_to_turn_it_on_and_does_nothing(client, make_user):
    user = make_user()
    client.force_login(user)
    for response in (
        client.get(URL, follow=True),
        client.post(URL, {"code": "123456", "password": PASSWORD}, follow=True),
    ):
        assert response.redirect_chain == [("/accounts/settings/", 302)]
        assert "Turn two-factor sign-in on instead" in text_of(response)
    user.refresh_from_db()
    assert not user.has_two_factor and KEPT not in client.session
    assert not SignInAttempt.objects.exists()  # no password was checked
    # The action refuses on its own too (a request that found two-factor on before it went off).
    secret = totp.new_secret()
    with pytest.raises(ActionRefused, match="Turn two-factor sign-in on instead"):
        actions.do_replace_authenticator(user, secret, code_now(secret), PASSWORD, "192.0.2.1")
    assert not User.objects.get(pk=user.pk).has_two_factor
    assert not SignInAttempt.objects.exists()


# --- bad input: every problem at once on the form, nothing changed -------------------------------

REQUIRED = "This field is required"
WRONG_PASSWORD = "password is not right"
WRONG_CODE = "does not match"
# name: (the fields, given the old and the new secret; what the page must say)
BAD = {
    "wrong password": (
        lambda old, new: {"code": code_now(new), "password": "a guess"},
        [WRONG_PASSWORD],
    ),
    "a code of the old app": (
        lambda old, new: {"code": code_now(old), "password": PASSWORD},
        [WRONG_CODE],
    ),
    "an expired code": (
        lambda old, new: {"code": totp.code_at(new, totp.current_step() - 3), "password": PASSWORD},
        [WRONG_CODE],
    ),
    "both wrong": (
        lambda old, new: {"code": code_now(old), "password": "a guess"},
        [WRONG_CODE, WRONG_PASSWORD],
    ),
    "nothing": (lambda old, new: {}, [REQUIRED, REQUIRED]),
    "no code, wrong password": (
        lambda old, new: {"password": "a guess"},
        [REQUIRED, WRONG_PASSWORD],
    ),
    "no password, wrong code": (lambda old, new: {"code": code_now(old)}, [WRONG_CODE, REQUIRED]),
    "a huge number": (
        lambda old, new: {"code": "9" * 5000, "password": "a guess"},
        ["at most 8 characters", WRONG_PASSWORD],
    ),
    "a huge password": (
        lambda old, new: {"code": code_now(new), "password": "x" * 200_000},
        ["at most 1024 characters"],
    ),
    "full-width digits": (
        lambda old, new: {"code": "１２３４５６", "password": PASSWORD},
        [WRONG_CODE],
    ),
    "a control character": (
        lambda old, new: {"code": "12\x1b456", "password": "a guess"},
        ["control character", WRONG_PASSWORD],
    ),
    "null characters": (
        lambda old, new: {"code": code_now(new), "password": "pass\x00word"},
        ["Null characters are not allowed"],
    ),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_is_named_on_the_form_all_at_once_and_changes_nothing(
    owner, django_capture_on_commit_callbacks, case
):
    new = open_page(owner.here)
    fields, says = BAD[case]
    with django_capture_on_commit_callbacks(execute=True):
        response = owner.here.post(URL, fields(owner.old, new))
    assert response.status_code == 400
    errors = re.findall(r'<small class="errorlist">(.*?)</small>', text_of(response))
    assert len(errors) == len(says), errors
    for expected, error in zip(says, errors, strict=True):
        assert expected in error, errors
    assert_nothing_changed(owner, new)
    assert not mail.outbox


def test_invalid_utf8_is_named_on_the_form_and_changes_nothing(owner):
    new = open_page(owner.here)
    response = owner.here.post(
        URL,
        data=b"code=%FF%FE%ED%A0%80&password=%C0%AF",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    assert WRONG_CODE in text_of(response) and WRONG_PASSWORD in text_of(response)
    assert_nothing_changed(owner, new)


def test_an_oversized_body_is_refused_before_anything_is_read(owner, settings):
    new = open_page(owner.here)
    body = f"code={code_now(new)}&password={PASSWORD}&pad=".encode() + b"x" * (
        settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1
    )
    response = owner.here.post(URL, data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413 and "Too much at once" in response.content.decode()
    assert_nothing_changed(owner, new)
    assert not SignInAttempt.objects.exists()


# --- the password is counted like a sign-in; the new app's code is not --------------------------


def test_wrong_passwords_count_toward_the_sign_in_pause(owner, settings):
    new = open_page(owner.here)
    limit = settings.LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS
    for n in range(limit):
        wrong = owner.here.post(URL, {"code": code_now(new), "password": "a guess"})
        assert WRONG_PASSWORD in text_of(wrong)
        assert SignInAttempt.objects.filter(kind="account-address").count() == n + 1
    paused = owner.here.post(URL, {"code": code_now(new), "password": PASSWORD})
    assert paused.status_code == 400 and "Too many wrong passwords" in text_of(paused)
    assert_nothing_changed(owner, new)
    # The same count as the sign-in page's: the account is paused there too, from this address.
    refused = Client().post("/accounts/login/", {"email": EMAIL, "password": PASSWORD})
    assert "Too many failed sign-ins" in text_of(refused)


def test_a_wrong_code_of_the_new_app_or_input_refused_by_the_form_costs_no_attempt(owner):
    new = open_page(owner.here)
    owner.here.post(URL, {"code": totp.code_at(new, totp.current_step() - 3), "password": PASSWORD})
    owner.here.post(URL, {"code": code_now(new), "password": "x" * 2000})
    assert not SignInAttempt.objects.exists()


def test_of_two_racing_moves_only_the_first_happens(owner):
    stale = User.objects.get(pk=owner.user.pk)  # what a second request loaded before the first
    first, second = totp.new_secret(), totp.new_secret()
    actions.do_replace_authenticator(owner.user, first, code_now(first), PASSWORD, "192.0.2.1")
    with pytest.raises(ActionRefused, match="changed while this page was open"):
        actions.do_replace_authenticator(stale, second, code_now(second), PASSWORD, "192.0.2.1")
    assert User.objects.get(pk=owner.user.pk).totp_secret == first


# --- who may use it ------------------------------------------------------------------------------


def test_anonymous_is_sent_to_sign_in(client, owner):
    for response in (client.get(URL), client.post(URL, {"code": "123456", "password": PASSWORD})):
        assert response.status_code == 302
        assert response["Location"] == "/accounts/login/?next=" + URL
    owner.user.refresh_from_db()
    assert owner.user.totp_secret == owner.old


def test_a_half_finished_sign_in_does_not_reach_it(client, owner):
    password_step(client)  # the password given, the code not yet
    client.get(URL)
    response = client.post(URL, {"code": "123456", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert KEPT not in client.session
    owner.user.refresh_from_db()
    assert owner.user.totp_secret == owner.old


def test_another_accounts_session_moves_only_its_own_app(owner, make_user):
    theirs_password = "the other person's own passphrase"
    other = make_user("other@example.org", password=theirs_password)
    others_old = with_two_factor(other)
    theirs = Client(REMOTE_ADDR="10.9.9.9")
    theirs.force_login(other)
    new = open_page(theirs)
    # The owner's password means nothing here: the page is about the signed-in account only.
    wrong = theirs.post(URL, {"code": code_now(new), "password": PASSWORD})
    assert WRONG_PASSWORD in text_of(wrong)
    assert theirs.post(URL, {"code": code_now(new), "password": theirs_password}).status_code == 302
    other.refresh_from_db()
    assert other.totp_secret == new != others_old
    owner.user.refresh_from_db()
    assert owner.user.totp_secret == owner.old
    assert signed_in(owner.here) and signed_in(owner.elsewhere)


KINDS = [*(role.value for role in Role), "outsider", "another dialogue", "another institution"]


@pytest.mark.parametrize("kind", [*KINDS, "site administrator"])
def test_every_kind_of_account_moves_its_own_app_and_no_one_elses(
    kind, owner, make_user, dialogue, member_of
):
    # The access matrix of an account page: whoever is signed in (any role of the owner's
    # dialogue, an outsider, a member of another dialogue or institution, the site administrator)
    # is offered a secret for their own account, moves only their own app, and never the owner's.
    member_of(owner.user, Role.CONVENER)
    password = f"{kind}'s own long passphrase"
    them = make_user(
        f"{kind.replace(' ', '.')}@example.org",
        password=password,
        **({"is_staff": True, "is_superuser": True} if kind == "site administrator" else {}),
    )
    if kind in {role.value for role in Role}:
        member_of(them, kind)
    elif kind == "another dialogue":
        member_of(
            them,
            Role.CONVENER,
            to=Dialogue.objects.create(title="Other", institution=dialogue.institution),
        )
    elif kind == "another institution":
        elsewhere = Institution.objects.create(name="Another institute")
        member_of(
            them, Role.CONVENER, to=Dialogue.objects.create(title="Other", institution=elsewhere)
        )
    theirs_old = with_two_factor(them)
    client = Client(REMOTE_ADDR="10.6.6.6")
    client.force_login(them)
    page = text_of(client.get(URL))
    new = client.session[KEPT]  # a secret of their own, never the owner's
    assert owner.old not in page.replace(" ", "") and new != owner.old
    refused = client.post(URL, {"code": code_now(new), "password": PASSWORD})  # the owner's
    assert refused.status_code == 400
    assert client.post(URL, {"code": code_now(new), "password": password}).status_code == 302
    them.refresh_from_db()
    assert them.totp_secret == new != theirs_old
    owner.user.refresh_from_db()
    assert owner.user.totp_secret == owner.old
    assert signed_in(owner.here) and signed_in(owner.elsewhere)
