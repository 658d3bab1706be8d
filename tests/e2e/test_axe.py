"""The axe-core hook itself: it runs under the site's CSP on every page loaded, and it catches a
serious violation (so that a clean run means something)."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_axe_runs_on_every_loaded_page_under_the_csp(live_server, new_page, axe):
    page = new_page()
    page.goto(live_server.url + "/accounts/login/")
    page.goto(live_server.url + "/accounts/reset/")
    axe.finish(page)
    assert {
        live_server.url + "/accounts/login/",
        live_server.url + "/accounts/reset/",
    } <= axe.checked
    assert page.evaluate("typeof window.axe.run") == "function"
    # the page's CSP still forbids inline script: axe came in through the browser, not the page
    assert (
        "script-src 'self'"
        in page.request.get(live_server.url + "/accounts/login/").headers["content-security-policy"]
    )
    assert axe.violations == []


def test_axe_reports_a_serious_violation(live_server, new_page, axe):
    page = new_page()
    page.goto(live_server.url + "/accounts/login/")
    page.evaluate("""() => { const b = document.createElement('button'); b.id = 'nameless';
                             document.querySelector('main').append(b); }""")
    axe.check(page)
    assert any("button-name" in v and "#nameless" in v for v in axe.violations), axe.violations
    axe.violations.clear()  # planted on purpose: this test must not fail the hook
