import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest
from django.db import transaction
from hypothesis import settings as hypothesis_settings

from tests import template_db
from tests.helpers import PASSWORD, check_foreign_keys_now
from track2.accounts.models import User
from track2.dialogues.models import Dialogue, Membership, Role
from track2.institutions.models import Institution

# No per-example time limit anywhere: on a shared two-core machine an example's wall time says how
# busy the machine was (CI once failed two Schulze properties at 330 ms against the default 200).
# What is slow is measured by benchmarks/, not by property tests.
hypothesis_settings.register_profile("track2", deadline=None)
hypothesis_settings.load_profile("track2")

ROOT = Path(__file__).resolve().parents[1]


def pytest_configure(config):
    collect_static_once()
    own_postgres_database()
    if not os.environ.get("PYTEST_XDIST_WORKER") and not os.environ.get(
        template_db.TEMPLATE_FOLDER
    ):
        # The test database is migrated once per run, not once per worker (tests/template_db.py).
        os.environ[template_db.TEMPLATE_FOLDER] = tempfile.mkdtemp(prefix="track2-test-db-")
        config._track2_template_folder = Path(os.environ[template_db.TEMPLATE_FOLDER])


def pytest_unconfigure(config):
    folder = getattr(config, "_track2_template_folder", None)
    if folder is None:
        return
    template_db.drop_postgres_template(folder, os.environ.get("TRACK2_DATABASE_URL", ""))
    shutil.rmtree(folder, ignore_errors=True)
    os.environ.pop(template_db.TEMPLATE_FOLDER, None)


@pytest.fixture(scope="session")
def django_db_setup(
    request, django_test_environment, django_db_blocker, django_db_modify_db_settings
):
    """pytest-django's own (without --reuse-db and --nomigrations, which the suite does not
    use), with each test database migrated once per run and copied (tests/template_db.py)."""
    from django.test.utils import setup_databases, teardown_databases
    from pytest_django.fixtures import _get_databases_for_setup

    aliases, serialized_aliases = _get_databases_for_setup(request.session.items)
    verbosity = request.config.option.verbose
    with django_db_blocker.unblock(), template_db.migrated_once():
        databases = setup_databases(
            verbosity=verbosity,
            interactive=False,
            aliases=aliases,
            serialized_aliases=serialized_aliases,
        )
    yield
    with django_db_blocker.unblock():
        _wait_for_served_sessions(databases)
        teardown_databases(databases, verbosity=verbosity)


def _wait_for_served_sessions(databases, seconds: float = 15.0) -> None:
    """On PostgreSQL, let the sessions of served processes that used a test database end before
    it is dropped: a process that has exited leaves its server-side session closing for a
    moment, and DROP DATABASE refuses while it lasts (seen when a served test ran last)."""
    for connection, _old_name, destroy in databases:
        if not destroy or connection.vendor != "postgresql":
            continue
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
                if cursor.fetchone()[0] == 0:
                    break
            time.sleep(0.1)
        else:
            # Name what holds the database (each session's last statement). An idle session holds
            # no transaction, so it is ended: a connection some thread of this process opened and
            # never closed (CI once failed on one, `SELECT set_config('TimeZone', …)`). A session
            # still working or inside a transaction is left, and DROP DATABASE refuses.
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pid, state, left(query, 100) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
                for pid, state, query in cursor.fetchall():
                    print(
                        f"session left open on the test database ({state}): {query}",
                        file=sys.stderr,
                    )
                    if state == "idle":
                        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
                        print(f"  ended (idle, pid {pid})", file=sys.stderr)


def collect_static_once():
    """Every site a test serves shares one folder of collected static files (TRACK2_STATIC_ROOT),
    collected here once, before pytest-xdist starts its workers (they inherit the variable):
    collecting compresses every file and took most of each served site's start. The folder is
    kept between runs and collected again only when a static file changed
    (track2.site.static_files)."""
    if os.environ.get("PYTEST_XDIST_WORKER") or os.environ.get("TRACK2_STATIC_ROOT"):
        return
    folder = ROOT / "test-artifacts" / "static"
    folder.parent.mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACK2_")}
    env.update(
        DJANGO_SETTINGS_MODULE="track2.settings",
        TRACK2_HOME=str(folder.parent / "static-home"),
        TRACK2_STATIC_ROOT=str(folder),
        PYTHONPATH=os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
    )
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); "
            "from track2.site import static_files; static_files.collect()",
        ],
        env=env,
        check=True,
    )
    os.environ["TRACK2_STATIC_ROOT"] = str(folder)


def own_postgres_database():
    """Under pytest-xdist on PostgreSQL, each worker's served sites get a database of their own.
    Tests that run `track2 serve` as a process pass TRACK2_DATABASE_URL on (scripts/test.sh points
    it at a `track2` database); two workers migrating and filling one database at once would
    trip over each other. pytest-django already gives each worker its own test database."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    url = os.environ.get("TRACK2_DATABASE_URL", "")
    if not worker or not url.startswith("postgres"):
        return
    import psycopg

    base, _name = url.rsplit("/", 1)
    own = f"track2_{worker}"
    with psycopg.connect(url, autocommit=True) as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [own]).fetchone():
            admin.execute(f'CREATE DATABASE "{own}"')
    os.environ["TRACK2_DATABASE_URL"] = f"{base}/{own}"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item, nextitem):
    """With TRACK2_TEST_CPU_LOG=path, each test's CPU seconds (this worker's, and its finished
    child processes': `track2` commands, served sites) are appended to the file, one line per
    test: where the suite's CPU goes, which the wall-clock durations of four workers sharing two
    cores do not say (docs/testing.md)."""
    log = os.environ.get("TRACK2_TEST_CPU_LOG")
    if not log:
        return (yield)

    def spent() -> float:
        own = resource.getrusage(resource.RUSAGE_SELF)
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime

    before = spent()
    result = yield
    with open(log, "a", encoding="utf-8") as out:
        out.write(f"{spent() - before:.3f} {item.nodeid}\n")
    return result


def pytest_collection_modifyitems(config, items):
    """Browser tests last: Playwright's sync API keeps an event loop running in the main thread
    for the rest of the session (the browser is session-scoped), and any later test calling
    asyncio.run() would fail with "cannot be called from a running event loop". The long ones
    first among them: pytest-xdist hands tests out in this order, and a long test started last
    would leave the other workers idle while it ends the pass."""
    items.sort(key=lambda item: (is_browser_test(item), item.get_closest_marker("long") is None))
    # A test parametrized by database vendor runs each vendor once, in the pass on that vendor
    # (scripts/test.sh runs the suite on SQLite, then on PostgreSQL): the SQLite case would
    # repeat itself in the second pass, and the PostgreSQL case would start a cluster of its own.
    this = (
        "postgresql"
        if os.environ.get("TRACK2_DATABASE_URL", "").startswith("postgres")
        else "sqlite"
    )
    other = [item for item in items if vendor_of(item) - {this}]
    # The PostgreSQL pass runs only what can turn out differently on PostgreSQL: tests that use
    # the suite's database, and those marked as reaching it through a served process. A test
    # that touches no database, or only sites of its own on SQLite (a `track2` command, the
    # operations tests), ran in the SQLite pass already. A browser drives pages whatever database
    # is behind them, and the test client runs those pages' requests again on PostgreSQL: browser
    # tests run there only when they are about the database. A test parametrized by vendor runs
    # in its vendor's pass whatever it uses (docs/decisions.md).
    if this == "postgresql":
        other += [
            item
            for item in items
            if item not in other
            and not vendor_of(item)
            and (
                not uses_suite_database(item)
                or item.get_closest_marker("browser") is not None
                # the route sweep, schemathesis's conformance: decided in Python, not by the vendor
                or item.get_closest_marker("any_database") is not None
            )
        ]
    if other:
        config.hook.pytest_deselected(items=other)
        items[:] = [item for item in items if item not in other]


def is_browser_test(item) -> bool:
    """Marked `browser`, or driving one through the session's browser fixture even if unmarked
    (an unmarked one ran mid-suite and left asyncio.run() failing in every later test)."""
    return item.get_closest_marker("browser") is not None or "browser" in getattr(
        item, "fixturenames", ()
    )


def vendor_of(item) -> set[str]:
    """The database a test is parametrized by ({"sqlite"} or {"postgresql"}), or none."""
    params = getattr(item, "callspec", None)
    if params is None:
        return set()
    return {params.params.get("vendor"), params.params.get("database")} & {"sqlite", "postgresql"}


SUITE_DATABASE_FIXTURES = {"db", "transactional_db", "live_server", "django_db_reset_sequences"}


def uses_suite_database(item) -> bool:
    return (
        bool(SUITE_DATABASE_FIXTURES & set(getattr(item, "fixturenames", ())))
        or item.get_closest_marker("django_db") is not None
        or item.get_closest_marker("suite_database") is not None
    )


class _InFlight:
    """Requests the live server is still answering, counted by Django's request signals (sent in
    the server's own request threads; a response is finished when its last byte is sent)."""

    def __init__(self) -> None:
        self.count = 0
        self.lock = threading.Lock()

    def started(self, **_: object) -> None:
        with self.lock:
            self.count += 1

    def finished(self, **_: object) -> None:
        with self.lock:
            self.count -= 1

    def wait_until_idle(self, timeout: float = 30.0, settle: float = 0.05) -> None:
        deadline = time.monotonic() + timeout
        idle_since = None
        while time.monotonic() < deadline:
            if self.count <= 0:
                idle_since = idle_since or time.monotonic()
                if time.monotonic() - idle_since >= settle:
                    return
            else:
                idle_since = None
            time.sleep(0.01)


@pytest.fixture(autouse=True)
def _live_server_answers_before_the_flush(request):
    """A live-server test's database is flushed when it ends; a request its browser left still
    running on the server then held a table, and the flush failed with "database table is
    locked" (SQLite, teardown of tests/e2e/test_sign_in.py once under load). Set up after the
    test's database, so torn down before it: the flush waits until every request has finished."""
    if "live_server" not in request.fixturenames:
        yield
        return
    from django.core.signals import request_finished, request_started

    request.getfixturevalue("transactional_db")
    in_flight = _InFlight()
    request_started.connect(in_flight.started, weak=False)
    request_finished.connect(in_flight.finished, weak=False)
    try:
        yield
        in_flight.wait_until_idle()
    finally:
        request_started.disconnect(in_flight.started)
        request_finished.disconnect(in_flight.finished)


@pytest.fixture(autouse=True)
def _fast_and_plain(settings):
    # Cheap Argon2 in tests (STYLE.md §7); tests/accounts/test_hashing.py asserts production values.
    settings.ARGON2_TIME_COST = 1
    settings.ARGON2_MEMORY_COST = 8
    settings.ARGON2_PARALLELISM = 1
    # No manifest in tests: collectstatic is not run for every test session.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(scope="session", autouse=True)
def _no_map_sweep_between_tests():
    """The map keeper's minute sweep asks the database which kept meetings still exist; on a
    worker's own timer it would query the test database between and during other tests (where
    pytest-django refuses it). The tests call the sweep themselves; served sites sweep as in
    production."""
    from track2.deliberation import map_data

    map_data.SWEEP_SECONDS = 24 * 3600.0


@pytest.fixture
def make_user(db):
    def make(email: str = "person@example.org", password: str = PASSWORD, **fields) -> User:
        return User.objects.create_user(email=email, password=password, **fields)

    return make


@pytest.fixture
def institution(db) -> Institution:
    return Institution.objects.create(name="Institute for Maritime Dialogue")


@pytest.fixture
def dialogue(institution) -> Dialogue:
    return Dialogue.objects.create(
        title="Varena Sea Dialogue",
        purpose="Fisheries and incident prevention.",
        institution=institution,
    )


@pytest.fixture
def member_of(dialogue):
    def add(user: User, *roles: str, to: Dialogue | None = None) -> User:
        for role in roles or (Role.PARTICIPANT,):
            Membership.objects.create(dialogue=to or dialogue, user=user, role=role)
        return user

    return add


@pytest.fixture(scope="module")
def built_demo(django_db_setup, django_db_blocker):
    """The demo's logins, the demo in the database for a module's tests: inside a transaction
    rolled back after the module, as Django's setUpTestData does. Each test's own transaction
    (`db`) is a savepoint in it, so what one test changes is undone before the next. Only for
    tests that read the demo through the ORM and the test client: a live server or a
    transactional test would not see it."""
    from django.contrib.contenttypes.models import ContentType

    with django_db_blocker.unblock(), transaction.atomic():
        logins = template_db.demo_in_database()
        check_foreign_keys_now()
        yield logins
        transaction.set_rollback(True)
    ContentType.objects.clear_cache()  # ids the copy may have brought, rolled back
