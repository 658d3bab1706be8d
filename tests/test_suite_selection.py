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
    files += [NO_DATABASE.rstrip(":"), OWN_SQLITE_SITE.rstrip(":")]
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
    assert not [line for line in second if line.startswith((NO_DATABASE, OWN_SQLITE_SITE))]

    first = collected(None)
    assert set(second) < set(first)
    assert any(line.startswith(NO_DATABASE) for line in first)
    assert any(line.startswith(OWN_SQLITE_SITE) for line in first)
