"""The suite's test database is migrated once per run and copied into each worker
(tests/template_db.py): the copy must be the migrated database, whichever worker runs this."""

from django.apps import apps
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def test_the_suite_database_has_every_migration_and_what_migrate_writes(db):
    executor = MigrationExecutor(connection)
    assert executor.migration_plan(executor.loader.graph.leaf_nodes()) == []
    known = set(ContentType.objects.values_list("app_label", "model"))
    models = apps.get_models()
    assert {(m._meta.app_label, m._meta.model_name) for m in models} <= known
    assert Permission.objects.filter(codename="view_dialogue").exists()
