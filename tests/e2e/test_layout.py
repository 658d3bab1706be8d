"""The demo, walked in Chromium as every role on a 375 px phone: no page scrolls sideways (wide
tables scroll inside their own labelled, keyboard-reachable region). axe-core (conftest) checks
every page on the way."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.helpers import sign_in_page
from tests.site.walk import html_pages, walk
from tests.template_db import demo_in_database

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Every role, and a participant of each side. The walk takes one page of each kind (one person's
# page, not all thirty): a layout problem belongs to a page's template, not to one person (the
# lists that show every person's name are pages of their own kind, walked too).
ROLES = [
    "convener",  # not also "coconvener": the same role's pages, walked once as the convener
    "facilitator",
    "rapporteur",
    "participant",
    "participant.ostrava",
    "observer",
    "liaison",
]
WIDTHS = "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
# The innermost elements that stick out on the right: what to fix when a page is too wide.
CULPRITS = """() => {
  const edge = document.documentElement.clientWidth;
  const out = [...document.body.querySelectorAll("*")].filter(e => e.getBoundingClientRect().right > edge + 1);
  return out.filter(e => ![...e.children].some(c => out.includes(c))).slice(0, 4)
    .map(e => e.tagName.toLowerCase() + (e.className ? "." + e.className : "") + " " +
              (e.textContent || "").trim().slice(0, 30));
}"""


def pages_of(login) -> list[str]:
    client = Client()
    assert (
        client.post(
            "/accounts/login/", {"email": login.email, "password": login.password}
        ).status_code
        == 302
    )
    return list(html_pages(walk(client, per_kind=1)))


def test_no_sign_in_page_scrolls_sideways_on_a_phone(live_server, new_page):
    anonymous = new_page(viewport={"width": 375, "height": 800})
    too_wide = []
    for path in ("/accounts/login/", "/accounts/reset/"):
        anonymous.goto(live_server.url + path)
        scroll, client = anonymous.evaluate(WIDTHS)
        if scroll > client:
            too_wide.append(
                f"anonymous {path}: {scroll}px wide in {client}px: {anonymous.evaluate(CULPRITS)}"
            )
    assert too_wide == [], "\n".join(too_wide)


# One test per role, so that the walks (the longest browser test as one) run side by side.
@pytest.mark.long
@pytest.mark.parametrize("role", ROLES)
def test_no_page_scrolls_sideways_on_a_phone(role, live_server, new_page):
    login = next(login for login in demo_in_database() if login.email.split("@")[0] == role)
    page = new_page(viewport={"width": 375, "height": 800})
    sign_in_page(page, live_server.url, login.email, login.password)
    paths = pages_of(login)
    too_wide = []
    for path in paths:
        page.goto(live_server.url + path)
        # axe-core's run on this page ends before the next: a page left early is loaded again
        # at the end to be checked (tests/e2e/conftest.py), and the walk would load each twice.
        page.wait_for_function("() => window.__track2AxeDone === true", timeout=60_000)
        scroll, client = page.evaluate(WIDTHS)
        if scroll > client:
            too_wide.append(
                f"{role} {path}: {scroll}px wide in {client}px: {page.evaluate(CULPRITS)}"
            )
    assert len(paths) >= 3, paths  # the walk found the role's pages
    assert too_wide == [], "\n".join(too_wide)


@pytest.mark.long
def test_balance_tables_scroll_in_a_labelled_focusable_region(live_server, new_page):
    logins = {login.email.split("@")[0]: login for login in demo_in_database()}
    for width in (1280, 375):
        page = new_page(viewport={"width": width, "height": 800})
        sign_in_page(page, live_server.url, logins["convener"].email, logins["convener"].password)
        page.get_by_role("link", name="Varena Sea Dialogue").first.click()
        page.get_by_role("link", name="Balance").first.click()
        # The click returns before the navigation ends: measure the balance page, not the one
        # it is leaving (a document between the two has no root element).
        page.wait_for_url("**/balance/")
        page.wait_for_load_state()
        scroll, client = page.evaluate(WIDTHS)
        assert scroll <= client, width
        regions = page.locator("[role=region][tabindex='0']")
        assert regions.count() >= 3
        for index in range(regions.count()):
            assert regions.nth(index).get_attribute("aria-label")
        # keyboard: Tab reaches a scroll region, and the arrow keys scroll it
        wide = page.locator("[role=region][tabindex='0']").filter(has=page.locator("table")).last
        wide.focus()
        assert page.evaluate("() => document.activeElement.getAttribute('role')") == "region"
