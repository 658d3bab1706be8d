"""The suite's test database is migrated once per run and copied into each worker
(tests/template_db.py): the copy must be the migrated database, whichever worker runs this."""

from pathlib import Path

from django.apps import apps
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests import template_db
from track2.deliberation.models import Vote


def test_the_suite_database_has_every_migration_and_what_migrate_writes(db):
    executor = MigrationExecutor(connection)
    assert executor.migration_plan(executor.loader.graph.leaf_nodes()) == []
    known = set(ContentType.objects.values_list("app_label", "model"))
    models = apps.get_models()
    assert {(m._meta.app_label, m._meta.model_name) for m in models} <= known
    assert Permission.objects.filter(codename="view_dialogue").exists()


def test_the_demo_in_the_suite_database_is_the_demo_site_row_for_row(built_demo, db, settings):
    """`built_demo` copies the demo built once per run (template_db.demo_in_database): every row
    of every table, the pseudonym keys and the back channel's folder, and logins that sign in."""
    from track2.accounts.models import User

    for login in built_demo:
        assert User.objects.get(email=login.email).check_password(login.password), login.email
    models = template_db.saved_models()
    with template_db.demo_site_database() as demo:
        for model in models:
            names = [field.attname for field in model._meta.concrete_fields]
            expected = template_db.as_written(model._base_manager.using(demo).values_list(*names))
            copied = template_db.as_written(model._base_manager.values_list(*names))
            assert copied == expected, model._meta.db_table
    assert Vote.objects.count() > 1000
    site = template_db.demo_site()
    for key in (site / "keys").glob("dialogue-*.key"):
        assert (Path(settings.TRACK2_HOME) / "keys" / key.name).read_bytes() == key.read_bytes()
    assert (settings.CONFIG.home / "backchannel-demo" / "passphrase").exists()
