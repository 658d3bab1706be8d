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
import json
import os
import re
import sqlite3
import tempfile
from collections import Counter
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
DEMO_LOGINS = "demo-logins.json"
# What a demo build writes into its data folder besides the database, and what a site keeps
# of its own: a copy of the demo takes the first, never the second.
_SITE_OWN = {"track2.sqlite3", "track2.sqlite3-wal", "track2.sqlite3-shm", "secret_key", "static"}


def demo_site() -> Path:
    """A site folder holding the demo, built once per test run by the first worker that needs it
    and only read afterwards: the operations tests copy it, and `built_demo` copies its rows
    into the suite's database. Every worker built its own before, some twenty seconds each. Its
    logins are kept beside it (DEMO_LOGINS), not in it: the operations tests look at every byte
    of a site. Its own lock: the build takes the migrated site's."""
    folder = Path(os.environ[TEMPLATE_FOLDER])
    template = folder / DEMO_SITE
    with _locked(folder, "demo-lock"):
        if not template.exists():
            scratch = Path(tempfile.mkdtemp(prefix="demo-", dir=folder))
            logins = _build_demo(migrated_site(scratch / "site"))
            (folder / DEMO_LOGINS).write_text(logins)
            (scratch / "site").rename(template)
            scratch.rmdir()
    return template


def _build_demo(home: Path) -> str:
    """`track2.site.demo.build()` in the migrated site `home`, through `track2 shell` at the
    operations sites' cheap Argon2; its logins as JSON."""
    import subprocess
    import sys

    from tests.helpers import outside_env

    env = outside_env()
    env.update(
        TRACK2_HOME=str(home),
        DJANGO_SETTINGS_MODULE="tests.operations.site_settings",
        TRACK2_EMAIL_URL="locmem://",
        PYTHONPATH=os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
    )
    code = (
        "import json; from track2.site import demo; "
        "print(json.dumps([login.__dict__ for login in demo.build()]))"
    )
    done = subprocess.run(
        [sys.executable, "-m", "track2", "shell", "-c", code],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if done.returncode != 0:
        raise RuntimeError(f"building the demo failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout.splitlines()[-1]  # the last line: Django's shell announces its imports


def demo_in_database() -> list:
    """The demo in the suite's database, as `track2.site.demo.build()` makes it, and its logins:
    the demo built once per run (`demo_site`), its rows copied in through the ORM, in the
    caller's transaction if there is one; its files (pseudonym keys, the back channel's folder)
    where this process's settings keep them. About 5 CPU seconds for `demo.build()` in a test
    process, 0.6-0.9 for the copy on SQLite and 1.0-1.2 on PostgreSQL: a module's world was built
    again by each worker that ran one of its tests, the phone-layout walk once per role
    (docs/testing.md). The suite's
    database and the demo's come from the same migrations; a table whose rows the migrations
    made (content types, permissions) is replaced only if its rows differ."""
    import shutil

    from django.conf import settings
    from django.contrib.contenttypes.models import ContentType
    from django.core.management.color import no_style
    from django.db import connection, transaction

    from track2 import keyring
    from track2.site.demo import DemoLogin

    site = demo_site()
    # One transaction, a savepoint in the caller's if there is one: in a transactional test each
    # insert would otherwise commit by itself. Values go through the fields (read from the
    # demo's SQLite, written for this database): PostgreSQL's are not SQLite's text.
    with demo_site_database() as alias, transaction.atomic(), connection.cursor() as cursor:
        models = saved_models()
        for model in models:
            fields = model._meta.concrete_fields
            names = [field.attname for field in fields]
            rows = list(model._base_manager.using(alias).values_list(*names))
            here = list(model._base_manager.values_list(*names))
            if len(here) == len(rows) and as_written(here) == as_written(rows):
                continue
            table = connection.ops.quote_name(model._meta.db_table)
            if here:
                cursor.execute(f"DELETE FROM {table}")
            columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
            marks = ", ".join(["%s"] * len(fields))
            cursor.executemany(
                f"INSERT INTO {table} ({columns}) VALUES ({marks})",
                [
                    [f.get_db_prep_save(v, connection) for f, v in zip(fields, row, strict=True)]
                    for row in rows
                ],
            )
        for statement in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(statement)  # PostgreSQL's next ids after the copied ones
    ContentType.objects.clear_cache()
    # Each file where this process's settings put it, as demo.build() would have: the pseudonym
    # keys in TRACK2_HOME/keys, the back channel's log key at its setting, the rest (the back
    # channel's folder) in the data folder.
    keys = Path(settings.TRACK2_HOME) / "keys"
    keys.mkdir(mode=0o700, parents=True, exist_ok=True)
    for key in (site / "keys").iterdir():
        if key.name.startswith("dialogue-"):
            shutil.copy2(key, keys / key.name)
            dialogue = int(key.stem.removeprefix("dialogue-"))
            (keys / f"dialogue-{dialogue}.destroyed").unlink(missing_ok=True)
            keyring.forget(dialogue)  # a key of the same number this process read before
        elif key.name == Path(settings.TRACK2_BACKCHANNEL_LOG_KEY).name:
            log_key = Path(settings.TRACK2_BACKCHANNEL_LOG_KEY)
            log_key.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            shutil.copy2(key, log_key)
        else:
            raise RuntimeError(f"the demo made a key file this copy does not know: {key.name}")
    for entry in site.iterdir():
        if entry.name in _SITE_OWN or entry.name == "keys":
            continue
        if entry.is_dir():
            shutil.copytree(entry, settings.CONFIG.home / entry.name, dirs_exist_ok=True)
        else:
            shutil.copy2(entry, settings.CONFIG.home / entry.name)
    rows = json.loads((Path(os.environ[TEMPLATE_FOLDER]) / DEMO_LOGINS).read_text())
    return [DemoLogin(**(row | {"recovery_codes": tuple(row["recovery_codes"])})) for row in rows]


@contextmanager
def demo_site_database() -> Iterator[str]:
    """The demo site's SQLite database as a Django database alias, while the block runs."""
    from django.db import connections
    from django.db.backends.sqlite3.base import DatabaseWrapper

    alias, path = "track2_demo_site", demo_site() / "track2.sqlite3"
    # Django fills in the rest of a database's settings only for a set that has a default.
    config = connections.configure_settings(
        {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(path)}}
    )
    connections[alias] = DatabaseWrapper(config["default"], alias)
    try:
        yield alias
    finally:
        connections[alias].close()
        del connections[alias]


def saved_models() -> list:
    """Every model with a table of its own (many-to-many tables included)."""
    from django.apps import apps

    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    ]


def as_written(rows) -> Counter:
    """Rows as a multiset, each written out as JSON with its objects' keys sorted: a JSON value is
    a dict, which cannot be counted, and PostgreSQL keeps an object's keys in an order of its
    own. Other values as text (a time zone's name, not its Python type, differs by database)."""
    return Counter(json.dumps(row, sort_keys=True, default=_as_text) for row in rows)


def _as_text(value) -> str:
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    return str(value)


def _sqlite_copy(source: Path, target: Path) -> None:
    """Through SQLite's backup API: whole, whatever its journal (WAL) still held."""
    reader, writer = sqlite3.connect(source), sqlite3.connect(target)
    try:
        reader.backup(writer)
    finally:
        reader.close()
        writer.close()
