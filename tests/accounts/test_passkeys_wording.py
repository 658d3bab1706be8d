"""What a refused passkey answer tells the person (audit of accounts, finding 10): a sentence that
says what to do, never py_webauthn's own words, which go to the log; and JSON, not the site's HTML
page, for a body over the site's limit, so that passkeys.js can show the message."""

import logging

import pytest
from django.conf import settings
from webauthn.helpers import bytes_to_base64url

from tests.accounts.authenticator import SoftAuthenticator
from tests.accounts.test_passkeys import (
    ADD,
    ADD_OPTIONS,
    SECOND,
    SECOND_OPTIONS,
    SIGN_IN,
    SIGN_IN_OPTIONS,
    add_passkey,
    passkey_sign_in,
    post_json,
)
from tests.helpers import PASSWORD
from track2.accounts.models import Passkey

pytestmark = pytest.mark.django_db

ANOTHER_SITE_OR_STEP = "This passkey answer was made for another site or step; try again."
LIBRARY_WORDS = ("Unexpected", "RP ID", "ClientDataType", "webauthn.", "expected")


@pytest.fixture(autouse=True)
def _relying_party_is_the_test_host(settings):
    settings.PASSKEY_RP_ID = "testserver"


def says_only_what_to_do(response) -> None:
    assert response.status_code == 400, response.content
    assert response.json()["errors"] == [ANOTHER_SITE_OR_STEP]
    for words in LIBRARY_WORDS:
        assert words not in response.content.decode(), words


def test_a_registration_for_another_rp_or_step_says_so_and_logs_why(client, make_user, caplog):
    client.force_login(make_user())
    caplog.set_level(logging.INFO, logger="track2.accounts.passkeys")

    def options():
        answer = post_json(client, ADD_OPTIONS, {"name": "laptop", "password": PASSWORD})
        return answer.json()["options"]

    says_only_what_to_do(post_json(client, ADD, SoftAuthenticator().register(options(), rp_id="x")))
    # A sign-in's client data ("webauthn.get") sent as a registration.
    authenticator, asked = SoftAuthenticator(), options()
    credential = authenticator.register(asked)
    credential["response"]["clientDataJSON"] = bytes_to_base64url(
        authenticator._client_data("webauthn.get", asked["challenge"], None)
    )
    says_only_what_to_do(post_json(client, ADD, credential))
    assert not Passkey.objects.exists()
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "Unexpected RP ID hash" in logged and "client data type" in logged
    assert PASSWORD not in logged


def test_a_sign_in_for_another_origin_or_rp_says_so_and_logs_why(client, make_user, caplog):
    authenticator = add_passkey(client, make_user())
    caplog.set_level(logging.INFO, logger="track2.accounts.passkeys")
    says_only_what_to_do(passkey_sign_in(client, authenticator, rp_id="phish.test"))
    says_only_what_to_do(passkey_sign_in(client, authenticator, origin="https://phish.test"))
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "Unexpected RP ID hash" in logged and "phish.test" in logged


def test_a_body_over_the_site_limit_gets_the_passkey_endpoints_json(client, make_user):
    client.force_login(make_user())
    body = '{"name": "' + "a" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10) + '"}'
    for url in (ADD_OPTIONS, ADD, SIGN_IN_OPTIONS, SIGN_IN, SECOND_OPTIONS, SECOND):
        response = post_json(client, url, body)
        assert response.status_code == 413, url
        assert response["Content-Type"] == "application/json", url
        (message,) = response.json()["errors"]
        assert "too large" in message and "1 MB" in message
