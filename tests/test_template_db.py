"""The suite's test database is migrated once per run and copied into each worker
(tests/template_db.py): the copy must be the migrated database, whichever worker runs this."""

import sqlite3
from collections import Counter
from contextlib import closing
from pathlib import Path

from django.apps import apps
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests import template_db


def test_the_suite_database_has_every_migration_and_what_migrate_writes(db):
    executor = MigrationExecutor(connection)
    assert executor.migration_plan(executor.loader.graph.leaf_nodes()) == []
    known = set(ContentType.objects.values_list("app_label", "model"))
    models = apps.get_models()
    assert {(m._meta.app_label, m._meta.model_name) for m in models} <= known
    assert Permission.objects.filter(codename="view_dialogue").exists()


def test_the_demo_in_the_suite_database_is_the_demo_site_row_for_row(built_demo, db, settings):
    """`built_demo` on SQLite copies the demo built once per run (template_db.copy_demo_in): every
    row of every table, the pseudonym keys and the back channel's folder, and logins that sign
    in. On PostgreSQL it is built in this process, and only the logins are to check."""
    from track2.accounts.models import User

    for login in built_demo:
        assert User.objects.get(email=login.email).check_password(login.password), login.email
    if connection.vendor != "sqlite":
        return
    site = template_db.demo_site()
    # Read as Django reads the suite's (its converters are the sqlite3 module's, for every
    # connection that asks for them).
    parsed = sqlite3.PARSE_DECLTYPES | sqlite3.PARSE_COLNAMES
    demo_database = f"file:{site / 'track2.sqlite3'}?mode=ro"
    with closing(sqlite3.connect(demo_database, uri=True, detect_types=parsed)) as demo:
        tables = [
            name
            for (name,) in demo.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite%' AND name != 'django_migrations'"
            )
        ]
        assert "deliberation_vote" in tables
        with connection.cursor() as cursor:
            for table in tables:
                expected = Counter(demo.execute(f'SELECT * FROM "{table}"').fetchall())
                cursor.execute(f'SELECT * FROM "{table}"')
                assert Counter(map(tuple, cursor.fetchall())) == expected, table
    for key in (site / "keys").glob("dialogue-*.key"):
        assert (Path(settings.TRACK2_HOME) / "keys" / key.name).read_bytes() == key.read_bytes()
    assert (settings.CONFIG.home / "backchannel-demo" / "passphrase").exists()
