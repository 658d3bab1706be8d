import pytest
from playwright.sync_api import expect

from tests.helpers import PASSWORD, sign_in_page
from track2.dialogues.models import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_in_see_home_and_sign_out(live_server, new_page, make_user, dialogue, member_of):
    member_of(make_user("noor@example.org", display_name="Dr Noor Hadid"), Role.RAPPORTEUR)
    page = new_page()
    page.goto(live_server.url + "/")
    # Not signed in: sent to the sign-in page.
    assert "/accounts/login/" in page.url
    page.get_by_label("E-mail address").fill("noor@example.org")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("alert").filter(has_text="do not match")).to_be_visible()

    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(live_server.url + "/")
    expect(page.get_by_role("heading", name="Your dialogues")).to_be_visible()
    expect(page.get_by_role("link", name=dialogue.title)).to_be_visible()
    expect(page.get_by_role("cell", name="rapporteur")).to_be_visible()

    page.get_by_role("button", name="Sign out", exact=True).click()
    page.wait_for_url("**/accounts/login/")
    expect(page.get_by_text("You are signed out.")).to_be_visible()
    page.goto(live_server.url + "/")
    assert "/accounts/login/" in page.url


def test_sign_in_by_keyboard_alone(live_server, new_page, make_user):
    make_user("noor@example.org")
    page = new_page()
    page.goto(live_server.url + "/accounts/login/")
    # The e-mail field has focus on arrival; Tab moves on; Enter submits.
    assert page.evaluate("document.activeElement.id") == "id_email"
    page.keyboard.type("noor@example.org")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(live_server.url + "/")
    expect(page.get_by_role("heading", name="Your dialogues")).to_be_visible()


def test_sign_out_everywhere_from_the_account_page(live_server, new_page, make_user):
    make_user("noor@example.org")
    laptop, phone = new_page(), new_page()
    for page in (laptop, phone):
        sign_in_page(page, live_server.url, "noor@example.org")
    laptop.goto(live_server.url + "/accounts/settings/")
    laptop.get_by_role("button", name="Sign out everywhere…").click()
    # A confirmation page first: nothing has happened yet.
    expect(laptop.get_by_role("heading", name="Sign out everywhere")).to_be_visible()
    expect(laptop.get_by_text("this one included")).to_be_visible()
    laptop.get_by_role("button", name="Sign out everywhere").click()
    laptop.wait_for_url("**/accounts/login/")
    expect(laptop.get_by_text("You are signed out everywhere")).to_be_visible()
    phone.goto(live_server.url + "/")
    assert "/accounts/login/" in phone.url


def test_admin_sign_in_is_the_site_sign_in(live_server, new_page, django_user_model):
    django_user_model.objects.create_superuser("admin@example.org", PASSWORD)
    page = new_page()
    page.goto(live_server.url + "/admin/")
    assert "/accounts/login/" in page.url and "next=%2Fadmin%2F" in page.url
    page.get_by_label("E-mail address").fill("admin@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(live_server.url + "/admin/")
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()
