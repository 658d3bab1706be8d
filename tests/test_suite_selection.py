"""The PostgreSQL pass runs what can differ on PostgreSQL, and only that (tests/conftest.py)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

USES_THE_DATABASE = (
    "tests/people/test_roster.py::test_roster_rows_and_the_add_person_action_refuse_alike"
)
SERVES_FROM_IT = "tests/site/test_serve.py::test_serve_answers_pages_static_files_and_api"
NO_DATABASE = "tests/commonground/test_schulze.py::"
OWN_SQLITE_SITE = "tests/operations/test_keys.py::"
IN_A_BROWSER = "tests/e2e/test_layout.py::"
ANY_DATABASE = "tests/test_every_route.py::"
ABOUT_POSTGRESQL_IN_A_BROWSER = (
    "tests/e2e/test_room_live.py::"
    "test_a_facilitator_watches_the_map_move_while_three_participants_vote[postgresql]"
)


def collected(database_url: str | None) -> list[str]:
    # Not as a pytest-xdist worker: a worker on PostgreSQL would connect to make its database.
    env = {
        k: v
        for k, v in os.environ.items()
        if k != "TRACK2_DATABASE_URL" and not k.startswith("PYTEST_XDIST")
    }
    if database_url:
        env["TRACK2_DATABASE_URL"] = database_url
    files = [path.split("::")[0] for path in (USES_THE_DATABASE, SERVES_FROM_IT)]
    files += [NO_DATABASE.rstrip(":"), OWN_SQLITE_SITE.rstrip(":"), IN_A_BROWSER.rstrip(":")]
    files += [ANY_DATABASE.rstrip(":")]
    files += [ABOUT_POSTGRESQL_IN_A_BROWSER.split("::")[0]]
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *files],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return [line for line in done.stdout.splitlines() if "::" in line]


def test_the_postgresql_pass_keeps_database_tests_and_drops_the_rest():
    # Collecting connects to nothing: the URL only names the pass.
    second = collected("postgresql://postgres@127.0.0.1:9/track2")
    assert any(line.startswith(USES_THE_DATABASE) for line in second)
    assert SERVES_FROM_IT in second
    assert ABOUT_POSTGRESQL_IN_A_BROWSER in second
    dropped = (NO_DATABASE, OWN_SQLITE_SITE, IN_A_BROWSER, ANY_DATABASE)
    assert not [line for line in second if line.startswith(dropped)]

    first = collected(None)
    # Each vendor's case of a test parametrized by vendor runs in that vendor's pass only.
    assert set(second) - {ABOUT_POSTGRESQL_IN_A_BROWSER} < set(first)
    for kept_first in dropped:
        assert any(line.startswith(kept_first) for line in first), kept_first
    assert ABOUT_POSTGRESQL_IN_A_BROWSER not in first


def test_a_test_driving_the_browser_runs_last_marked_or_not():
    # Playwright's sync API leaves an event loop running in the worker: an unmarked browser test
    # that ran mid-suite made asyncio.run() fail in every later test on that worker.
    from types import SimpleNamespace

    from tests.conftest import is_browser_test

    def item(marked: bool, fixtures: tuple[str, ...]) -> SimpleNamespace:
        return SimpleNamespace(
            get_closest_marker=lambda name: object() if marked and name == "browser" else None,
            fixturenames=fixtures,
        )

    assert is_browser_test(item(True, ()))
    assert is_browser_test(item(False, ("new_page", "browser", "axe")))
    assert not is_browser_test(item(False, ("db", "settings")))
    browser_last = collected(None)
    position = {line: n for n, line in enumerate(browser_last)}
    browser = [n for line, n in position.items() if line.startswith("tests/e2e/")]
    others = [n for line, n in position.items() if not line.startswith("tests/e2e/")]
    assert browser and others and min(browser) > max(others)


def test_schemathesis_conformance_is_marked_for_the_sqlite_pass_only():
    # Collecting that module builds a case per API operation (tens of seconds): its mark is
    # checked here instead, the mark's effect above (the route sweep's).
    from tests.api import test_schemathesis as module

    def marks(test) -> set[str]:
        return {mark.name for mark in getattr(test, "pytestmark", [])}

    assert "any_database" in marks(module.test_the_whole_api_conforms_to_its_openapi_document)
    # its stateful workflow runs in both passes
    assert "any_database" not in marks(
        module.test_stateful_workflows_through_the_links_schemathesis_infers
    )
