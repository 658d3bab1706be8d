"""The suite's test database, migrated once per test run and copied into each pytest-xdist worker.

Migrating an empty database costs some ten seconds of CPU; every worker of both passes of
scripts/test.sh did it. Now the first worker to get here migrates as Django always does and keeps
a copy; the others copy it instead of migrating: on SQLite, the migrated database through
SQLite's backup API; on PostgreSQL, a database made with CREATE DATABASE … TEMPLATE. The copy
holds everything the migration wrote (tables, rows the migrations add, content types,
permissions, django_migrations), so what the tests see is the same.

tests/conftest.py makes the folder (TEMPLATE_FOLDER) before pytest-xdist starts its workers, and
removes the PostgreSQL template database at the end of the run.
"""

from __future__ import annotations

import fcntl
import os
import re
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

TEMPLATE_FOLDER = "TRACK2_TEST_DB_TEMPLATE"
SQLITE_FILE = "test-database.sqlite3"
POSTGRES_NAME_FILE = "postgresql-template"
ROOT = Path(__file__).resolve().parents[1]


@contextmanager
def migrated_once() -> Iterator[None]:
    """While Django creates the test databases: its `migrate` of each runs only once per run."""
    folder = os.environ.get(TEMPLATE_FOLDER)
    if not folder:
        yield
        return
    from django.core import management

    real = management.call_command

    def call_command(name, *args, **options):
        if name != "migrate" or args:
            return real(name, *args, **options)
        from django.db import connections

        connection = connections[options.get("database", "default")]
        with _locked(Path(folder)):
            if _copied_in(connection, Path(folder)):
                return None
            done = real(name, *args, **options)
            _keep(connection, Path(folder))
            return done

    # create_test_db imports call_command when it runs: patching the module's name reaches it.
    with mock.patch.object(management, "call_command", call_command):
        yield


@contextmanager
def _locked(folder: Path, name: str = "lock") -> Iterator[None]:
    with open(folder / name, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _copied_in(connection, folder: Path) -> bool:
    if connection.vendor == "sqlite":
        path = folder / SQLITE_FILE
        if not path.exists():
            return False
        connection.ensure_connection()
        source = sqlite3.connect(path)
        try:
            source.backup(connection.connection)
        finally:
            source.close()
        return True
    if connection.vendor == "postgresql":
        named = folder / POSTGRES_NAME_FILE
        if not named.exists():
            return False
        template = named.read_text()
        name = connection.settings_dict["NAME"]
        connection.close()
        with connection._nodb_cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
            cursor.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        return True
    return False


def _keep(connection, folder: Path) -> None:
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        target = sqlite3.connect(folder / SQLITE_FILE)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
    elif connection.vendor == "postgresql":
        name = connection.settings_dict["NAME"]
        template = re.sub(r"_gw\d+$", "", name) + "_template"
        connection.close()
        with connection._nodb_cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{template}"')
            cursor.execute(f'CREATE DATABASE "{template}" TEMPLATE "{name}"')
        (folder / POSTGRES_NAME_FILE).write_text(template)


def drop_postgres_template(folder: Path, database_url: str) -> None:
    """At the end of the run (the controller process): the template database goes."""
    named = folder / POSTGRES_NAME_FILE
    if not named.exists() or not database_url.startswith("postgres"):
        return
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{named.read_text()}" WITH (FORCE)')


SITE_FILE = "site.sqlite3"


def migrated_site(home: Path) -> Path:
    """A new SQLite site's data folder holding a migrated, empty database, so that the `track2`
    command a test runs there (serve, a seed script) finds nothing to migrate: one `track2 migrate`
    per test run instead of one per site. Only for tests that are not about a first migration
    (tests/site/test_serve.py serves one fresh folder; tests/site/test_demo_run.py builds one)."""
    import shutil
    import subprocess
    import sys

    from tests.helpers import outside_env

    folder = Path(os.environ[TEMPLATE_FOLDER])
    template = folder / SITE_FILE
    with _locked(folder):
        if not template.exists():
            scratch = Path(tempfile.mkdtemp(prefix="site-", dir=folder))
            env = outside_env()
            env.pop("TRACK2_DATABASE_URL", None)
            env.update(
                TRACK2_HOME=str(scratch),
                DJANGO_SETTINGS_MODULE="track2.settings",
                TRACK2_EMAIL_URL="locmem://",
                PYTHONPATH=os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
            )
            subprocess.run(
                [sys.executable, "-m", "track2", "migrate", "-v0"],
                env=env,
                cwd=ROOT,
                check=True,
                capture_output=True,
                timeout=300,
            )
            _sqlite_copy(scratch / "track2.sqlite3", template)
            shutil.rmtree(scratch, ignore_errors=True)
    home.mkdir(mode=0o700, parents=True, exist_ok=True)
    _sqlite_copy(template, home / "track2.sqlite3")
    return home


DEMO_SITE = "demo-site"


def demo_site_once(build) -> Path:
    """A site folder holding the demo, built once per test run by the first worker that needs it
    (`build(home)` fills a migrated site) and only read afterwards: each test copies it. Every
    worker built its own before, some twenty seconds each. Its own lock: `build` takes the
    migrated site's."""
    folder = Path(os.environ[TEMPLATE_FOLDER])
    template = folder / DEMO_SITE
    with _locked(folder, "demo-lock"):
        if not template.exists():
            scratch = Path(tempfile.mkdtemp(prefix="demo-", dir=folder))
            build(migrated_site(scratch / "site"))
            (scratch / "site").rename(template)
            scratch.rmdir()
    return template


def _sqlite_copy(source: Path, target: Path) -> None:
    """Through SQLite's backup API: whole, whatever its journal (WAL) still held."""
    reader, writer = sqlite3.connect(source), sqlite3.connect(target)
    try:
        reader.backup(writer)
    finally:
        reader.close()
        writer.close()
