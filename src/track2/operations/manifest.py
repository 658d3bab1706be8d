"""What a backup promises: the applied migrations, and per table its row count and a checksum.

Checksums are taken through the ORM (values ordered by primary key, in a canonical text form),
so that the same rows give the same checksum on SQLite and PostgreSQL: `track2 migrate-to`
compares with the same function as `track2 restore`.
"""

from __future__ import annotations

import datetime
import decimal
import hashlib
import json
import uuid

from django.apps import apps
from django.db import connections
from django.db.migrations.recorder import MigrationRecorder

import track2

FORMAT = 1
# Written by the operations themselves and by the database's own bookkeeping: not compared.
NOT_COMPARED = {"django_migrations", "operations_backuprecord", "django_session"}


def _canonical(value: object) -> object:
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).isoformat() if value.tzinfo else value.isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value.normalize())
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    return value


def table_summary(alias: str = "default") -> dict[str, dict[str, object]]:
    """{table: {"rows": n, "sha256": …}} for every table of every installed model."""
    summary: dict[str, dict[str, object]] = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed or meta.db_table in NOT_COMPARED:
            continue
        columns = [field.attname for field in meta.concrete_fields]
        digest = hashlib.sha256()
        rows = 0
        for row in (
            model._base_manager.using(alias)
            .order_by("pk")
            .values_list(*columns)
            .iterator(chunk_size=2000)
        ):
            # Keys sorted: PostgreSQL's jsonb gives an object's keys back in its own order
            # (shorter first), SQLite in the order they were written.
            line = json.dumps([_canonical(v) for v in row], default=str, sort_keys=True)
            digest.update(line.encode() + b"\n")
            rows += 1
        summary[meta.db_table] = {"rows": rows, "sha256": digest.hexdigest()}
    return summary


def applied_migrations(alias: str = "default") -> list[str]:
    recorder = MigrationRecorder(connections[alias])
    return sorted(f"{app}.{name}" for app, name in recorder.applied_migrations())


def known_migrations() -> set[str]:
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(None, ignore_no_migrations=True)
    return {f"{app}.{name}" for app, name in loader.disk_migrations}


def unknown_applied(alias: str = "default") -> list[str]:
    """Migrations applied to the database that this code does not have: a newer release wrote it."""
    return sorted(set(applied_migrations(alias)) - known_migrations())


def compare(expected: dict, found: dict) -> list[str]:
    """One line per table whose rows differ (count or content)."""
    problems = []
    for table in sorted(set(expected) | set(found)):
        want, got = expected.get(table), found.get(table)
        if want is None or got is None:
            problems.append(f"table {table} is {'missing' if got is None else 'unexpected'}")
        elif want["rows"] != got["rows"]:
            problems.append(f"table {table}: {got['rows']} rows, the manifest says {want['rows']}")
        elif want["sha256"] != got["sha256"]:
            problems.append(f"table {table}: the rows differ from the manifest's checksum")
    return problems


def code_version() -> str:
    return getattr(track2, "__version__", "") or _package_version()


def _package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("track2")
    except PackageNotFoundError:
        return "unknown"
