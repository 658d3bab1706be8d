"""/api/v1/docs: the bundled Swagger UI works under the site's Content-Security-Policy, with
no CDN and no inline script."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_api_docs_load_under_the_csp_with_no_outside_request(live_server, new_page):
    page = new_page()
    requests, console_errors = [], []
    page.on("request", lambda request: requests.append(request.url))
    page.on(
        "console", lambda message: message.type == "error" and console_errors.append(message.text)
    )
    # Violations are reported as events; collect them from the start of the page's life.
    page.add_init_script(
        "window.__violations = [];"
        "document.addEventListener('securitypolicyviolation',"
        " e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));"
    )
    response = page.goto(live_server.url + "/api/v1/docs")
    assert response.status == 200
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.locator(".swagger-ui .info .title").filter(has_text="Track2 API").wait_for()
    # Folded by tag: the accounts tag opens to its operations, with their declared refusals.
    assert page.locator(".opblock-summary-path").count() == 0
    page.locator(".opblock-tag", has_text="accounts").first.click()
    page.locator(".opblock-summary-path", has_text="/api/v1/me").first.click()
    page.locator(".responses-table").first.wait_for()
    expect(page.locator(".response-col_status", has_text="401").first).to_be_visible()
    assert page.evaluate("window.__violations") == []
    assert not [text for text in console_errors if "Content Security Policy" in text]
    assert all(url.startswith(live_server.url) or url.startswith("data:") for url in requests), (
        requests
    )
