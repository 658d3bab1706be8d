"""Browser tests: Playwright driving Debian's Chromium against a live Track2 server.

Never `playwright install`: the browser is /usr/bin/chromium. A failed test leaves a
screenshot in test-artifacts/.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
# Flags for a closed network and a root user (see the machine notes): no sandbox as root,
# no background connections that the closed network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

AXE_SOURCE = Path(__file__).resolve().parents[1] / "vendor" / "axe-core" / "axe.min.js"
# Impacts that fail a test; "minor" and "moderate" findings are left to review.
AXE_FAILS_ON = ("serious", "critical")
AXE_ON_LOAD = """
;(() => {
  if (window.top !== window) return;
  window.addEventListener("load", () => {
    window.__track2Axe(location.href, null);
    setTimeout(async () => {
      const result = await window.axe.run(document, {resultTypes: ["violations"]});
      window.__track2Axe(location.href, result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
        targets: v.nodes.slice(0, 5).map(n => n.target.join(" "))})));
      window.__track2AxeDone = true;
    }, 0);
  });
})();
"""
AXE_RUN = """async () => {
  const result = await window.axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.slice(0, 5).map(n => n.target.join(" "))}));
}"""

# Playwright's sync API runs an event loop; Django must still allow its sync ORM calls in tests.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


# 30 s, not 15: CI hosts differ up to twice in speed, and on a slow one a page that draws in 4 s
# alone took over 15 behind three other workers (the API reference, stop 56's CI run).
TIMEOUT_MS = 30_000


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"{CHROMIUM} is missing: run the README's test command, which installs Debian's chromium"
        )
    from playwright.sync_api import expect

    # Assertions wait as long as actions do (TIMEOUT_MS): the suite runs four workers on two
    # cores, and a page re-read after a live event can wait seconds behind another test's server.
    # How fast the map follows a vote is measured by benchmarks/bench_room.py, not here.
    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, request, axe):
    """A factory of pages, each in its own browser context (its own cookies: another person).
    axe-core checks every page they load."""
    contexts = []

    def make(**options):
        context = browser.new_context(locale="en-GB", timezone_id="Europe/Vienna", **options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        axe.watch(page)
        return page

    yield make
    failed = (
        getattr(request.node, "report_call", None) is not None and request.node.report_call.failed
    )
    for number, context in enumerate(contexts):
        if failed:
            ARTIFACTS.mkdir(exist_ok=True)
            for index, page in enumerate(context.pages):
                page.screenshot(
                    path=str(ARTIFACTS / f"{request.node.name}-{number}-{index}.png"),
                    full_page=True,
                )
        if not failed:
            for page in context.pages:
                axe.finish(page)
        context.close()
    if not failed:
        axe.fail_on_violations()


class AxeChecker:
    """Runs axe-core on every page a browser test loads and collects serious or critical violations.

    axe-core is injected through the browser (an init script, which the DevTools protocol evaluates
    outside the page's Content-Security-Policy), never by a <script> tag the CSP would block. Each
    page runs axe when it has loaded and reports back through an exposed binding, so a test that
    moves on quickly does not skip a page; a page left before axe finished is checked again by URL.
    """

    def __init__(self) -> None:
        self.started: list[str] = []
        self.checked: set[str] = set()
        self.violations: list[str] = []

    def watch(self, page) -> None:
        context = page.context
        if getattr(context, "_track2_axe", False):
            return
        context._track2_axe = True
        context.expose_binding("__track2Axe", lambda _source, url, found: self.record(url, found))
        context.add_init_script(script=AXE_SOURCE.read_text(encoding="utf-8") + AXE_ON_LOAD)

    def record(self, url: str, found) -> None:
        if found is None:
            self.started.append(url)
            return
        self.checked.add(url)
        for violation in found:
            if violation["impact"] in AXE_FAILS_ON:
                self.violations.append(
                    f"{url}: {violation['impact']} {violation['id']} ({violation['help']}) "
                    f"at {violation['targets']}"
                )

    def check(self, page) -> None:
        """Run axe now on the page as it is (after a change made without a page load). The run the
        page started when it loaded must end first: axe-core refuses two runs at once."""
        page.wait_for_function("() => window.__track2AxeDone === true", timeout=60_000)
        self.record(page.url, page.evaluate(AXE_RUN))

    def finish(self, page) -> None:
        """Wait for the last page's run, then check again every page left before axe finished."""
        if page.is_closed() or not page.url.startswith("http"):
            return
        page.wait_for_function("() => window.__track2AxeDone === true", timeout=60_000)
        for url in dict.fromkeys(self.started):
            if url not in self.checked:
                # Only GET pages reach here: a page after a POST is reached by a redirect (GET).
                page.goto(url)
                page.wait_for_function("() => window.__track2AxeDone === true", timeout=60_000)

    def fail_on_violations(self) -> None:
        if self.violations:
            pytest.fail(
                "axe-core found serious or critical accessibility violations:\n"
                + "\n".join(sorted(set(self.violations))),
                pytrace=False,
            )


@pytest.fixture
def axe():
    return AxeChecker()
