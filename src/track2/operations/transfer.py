"""`track2 migrate-to URL`: copy a site's every row from its database into an empty PostgreSQL.

The target gets the schema from our own migrations, then the rows column by column as stored
(no `save()`: `auto_now` fields and signals must not rewrite history), in one transaction
(PostgreSQL checks Django's deferred foreign keys at commit), then its sequences are moved past
the copied ids. Both sides are then summarised with `manifest.table_summary` and must match.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import DatabaseError, connections, transaction
from django.db.migrations.executor import MigrationExecutor

from track2.config import ConfigError, parse_database_url
from track2.operations import manifest

TARGET_ALIAS = "track2-target"
BATCH = 1000


class TransferRefused(Exception):
    """The copy cannot be made as asked; the source is untouched."""


@dataclass(frozen=True)
class TransferDone:
    tables: int
    rows: int
    display: str


def _models():
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    ]


def open_target(url: str) -> str:
    try:
        target, display = parse_database_url(url, settings.CONFIG.home)
    except ConfigError as err:
        raise TransferRefused(str(err).replace("TRACK2_DATABASE_URL", "the URL")) from None
    if target["ENGINE"] != "django.db.backends.postgresql":
        raise TransferRefused(
            f"{display} is not a PostgreSQL database; give postgresql://user:pass@host:5432/name."
        )
    base = dict(connections.databases["default"])
    base.update(target)
    # Not SQLite's OPTIONS (journal mode, timeout): only what the target's own URL set.
    base["OPTIONS"] = target.get("OPTIONS") or {}
    connections.databases[TARGET_ALIAS] = base
    return display


def close_target() -> None:
    if TARGET_ALIAS in connections.databases:
        connections[TARGET_ALIAS].close()
        del connections[TARGET_ALIAS]
        del connections.databases[TARGET_ALIAS]


def migrate_to(url: str) -> TransferDone:
    executor = MigrationExecutor(connections["default"])
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        raise TransferRefused(
            "this site's database has migrations to apply; run `track2 migrate` first."
        )
    display = open_target(url)
    try:
        target = connections[TARGET_ALIAS]
        try:
            tables = target.introspection.table_names()
        except DatabaseError as err:
            raise TransferRefused(
                f"cannot use {display}: {str(err).strip().splitlines()[0]}"
            ) from None
        if tables:
            raise TransferRefused(
                f"{display} already has {len(tables)} tables; give an empty database (createdb a new one)."
            )
        call_command("migrate", database=TARGET_ALIAS, interactive=False, verbosity=0)
        rows = _copy_rows(target)
        expected = manifest.table_summary("default")
        problems = manifest.compare(expected, manifest.table_summary(TARGET_ALIAS))
        if manifest.applied_migrations("default") != manifest.applied_migrations(TARGET_ALIAS):
            problems.append("the applied migrations differ")
        if problems:
            raise TransferRefused(
                "the copy does not match the source: "
                + "; ".join(problems)
                + f"; drop and recreate {display} before trying again."
            )
        return TransferDone(len(expected), rows, display)
    finally:
        close_target()


def _copy_rows(target) -> int:
    models = _models()
    copied = 0
    with transaction.atomic(using=TARGET_ALIAS), target.cursor() as cursor:
        quote = target.ops.quote_name
        names = [model._meta.db_table for model in models]
        # migrate wrote its own content types and permissions: the source's replace them, ids and all.
        cursor.execute("TRUNCATE " + ", ".join(quote(n) for n in names) + " CASCADE")
        for model in models:
            fields = model._meta.concrete_fields
            columns = ", ".join(quote(f.column) for f in fields)
            placeholders = ", ".join(["%s"] * len(fields))
            sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({placeholders})"  # noqa: S608  (quoted identifiers from our own models)
            batch = []
            source = (
                model._base_manager.using("default")
                .order_by("pk")
                .values_list(*[f.attname for f in fields])
            )
            for row in source.iterator(chunk_size=BATCH):
                batch.append(
                    [
                        f.get_db_prep_save(v, connection=target)
                        for f, v in zip(fields, row, strict=True)
                    ]
                )
                if len(batch) >= BATCH:
                    cursor.executemany(sql, batch)
                    copied += len(batch)
                    batch = []
            if batch:
                cursor.executemany(sql, batch)
                copied += len(batch)
        for statement in target.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(statement)
        _past_every_dialogue_number(cursor)
    return copied


def _past_every_dialogue_number(cursor) -> None:
    """Past the highest dialogue number the site ever gave, not only past the rows copied: a
    deleted dialogue's number must never go to a new dialogue, whose key its tombstone would
    refuse (dialogue_deletion.py). SQLite never gives a number twice (AUTOINCREMENT)."""
    from track2.operations.deletion_traces import highest_number_ever

    highest = highest_number_ever()
    if highest:
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('dialogues_dialogue', 'id'), "
            "GREATEST(%s, (SELECT COALESCE(MAX(id), 0) FROM dialogues_dialogue)))",
            [highest],
        )
