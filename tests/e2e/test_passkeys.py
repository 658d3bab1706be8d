"""Passkeys in Chromium with its virtual authenticator (DevTools protocol, WebAuthn domain).

The authenticator is a platform one (internal transport, resident keys, user verification),
like a laptop's fingerprint reader; the live server is at http://localhost:PORT, a secure
context for Chromium, and localhost is the relying party the settings derive on loopback.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.helpers import PASSWORD, sign_in_page
from track2.accounts import totp
from track2.accounts.models import Passkey, User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def with_virtual_authenticator(page) -> tuple[object, str]:
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    added = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    return cdp, added["authenticatorId"]


def sign_out(page):
    page.get_by_role("button", name="Sign out", exact=True).click()
    page.wait_for_url("**/accounts/login/")


@pytest.mark.long
def test_register_a_passkey_then_sign_in_with_it_alone_and_as_second_factor(
    live_server, new_page, make_user
):
    user = make_user("noor@example.org", display_name="Dr Noor Hadid")
    page = new_page()
    cdp, authenticator = with_virtual_authenticator(page)
    sign_in_page(page, live_server.url, "noor@example.org")

    page.goto(live_server.url + "/accounts/settings/")
    page.get_by_label("Passkey name").fill("Noor's laptop")
    page.get_by_label("Your password").fill("not my password")
    page.get_by_role("button", name="Add a passkey").click()
    expect(page.get_by_role("alert").filter(has_text="password is not right")).to_be_visible()
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Add a passkey").click()
    expect(page.get_by_text("Passkey “Noor's laptop” added")).to_be_visible()
    expect(page.get_by_role("cell", name="Noor's laptop", exact=True)).to_be_visible()
    stored = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})["credentials"]
    assert (
        len(stored) == 1 and stored[0]["isResidentCredential"] and stored[0]["rpId"] == "localhost"
    )
    assert Passkey.objects.get(user=user).transports == ["internal"]

    # A passkey alone: no e-mail, no password.
    sign_out(page)
    page.get_by_role("button", name="Sign in with a passkey").click()
    page.wait_for_url(live_server.url + "/")
    expect(page.get_by_role("heading", name="Your dialogues")).to_be_visible()
    assert Passkey.objects.get().sign_count >= 1

    # With two-factor on, the passkey serves at the second step instead of the 6-digit code.
    User.objects.filter(pk=user.pk).update(totp_secret=totp.new_secret())
    sign_out(page)
    page.get_by_label("E-mail address").fill("noor@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url("**/accounts/login/code/")
    page.get_by_role("button", name="Use a passkey instead").click()
    page.wait_for_url(live_server.url + "/")
    expect(page.get_by_role("heading", name="Your dialogues")).to_be_visible()

    # Removing it: the authenticator still holds it, but the site no longer accepts it.
    # It asks for the password again, as adding one does.
    page.goto(live_server.url + "/accounts/settings/")
    page.get_by_role("button", name="Remove passkey Noor's laptop").click()
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Remove passkey", exact=True).click()
    expect(page.get_by_text("Passkey “Noor's laptop” removed")).to_be_visible()
    User.objects.filter(pk=user.pk).update(totp_secret="")
    sign_out(page)
    page.get_by_role("button", name="Sign in with a passkey").click()
    expect(page.get_by_role("alert").filter(has_text="not registered")).to_be_visible()
    assert "/accounts/login/" in page.url


def test_a_passkey_for_another_origin_is_refused(live_server, new_page, make_user):
    make_user("noor@example.org")
    page = new_page()
    with_virtual_authenticator(page)
    # The same server reached as 127.0.0.1: an origin outside the relying party "localhost".
    other_origin = re.sub(r"//localhost:", "//127.0.0.1:", live_server.url)
    page.goto(other_origin + "/accounts/login/")
    page.get_by_role("button", name="Sign in with a passkey").click()
    expect(
        page.get_by_role("alert").filter(has_text="Passkeys work only at localhost")
    ).to_be_visible()
    assert "/accounts/login/" in page.url


def test_cancelled_passkey_prompt_says_what_happened(live_server, new_page, make_user):
    make_user("noor@example.org")
    page = new_page()
    cdp, authenticator = with_virtual_authenticator(page)
    # No passkey on the authenticator for this site: Chromium's prompt ends with NotAllowedError.
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_role("button", name="Sign in with a passkey").click()
    expect(page.get_by_role("alert").filter(has_text="cancelled or timed out")).to_be_visible()


def test_turn_on_two_factor_save_recovery_codes_and_sign_in_with_one(
    live_server, new_page, make_user
):
    make_user("noor@example.org")
    page = new_page()
    sign_in_page(page, live_server.url, "noor@example.org")
    page.goto(live_server.url + "/accounts/settings/")
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    secret = page.locator("code.token").inner_text()
    page.get_by_label("6-digit code from your authenticator app").fill(
        totp.code_at(secret, totp.current_step())
    )
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Turn on").click()
    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    codes = (
        page.get_by_role("list", name="Recovery codes").get_by_role("listitem").all_inner_texts()
    )
    assert len(codes) == 10
    page.get_by_role("button", name="I have saved them").click()
    expect(page.get_by_text("10 recovery codes left.")).to_be_visible()

    sign_out(page)
    page.get_by_label("E-mail address").fill("noor@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url("**/accounts/login/code/")
    page.get_by_label("6-digit code from your authenticator app, or a recovery code").fill(codes[0])
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(live_server.url + "/")
    page.goto(live_server.url + "/accounts/settings/")
    expect(page.get_by_text("9 recovery codes left.")).to_be_visible()
