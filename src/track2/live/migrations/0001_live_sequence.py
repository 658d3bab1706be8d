"""The sequence that numbers live-update events on PostgreSQL (SQLite numbers them in process)."""

from django.db import migrations

from track2.live.postgres import SEQUENCE


def create_sequence(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE SEQUENCE IF NOT EXISTS {SEQUENCE}")


def drop_sequence(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP SEQUENCE IF EXISTS {SEQUENCE}")


class Migration(migrations.Migration):
    dependencies = []
    operations = [migrations.RunPython(create_sequence, drop_sequence)]
