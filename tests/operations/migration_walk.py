"""Walk every migration back and forward on a site that has data (run as a module, in a site's
environment): unapply, one by one, every migration after each app's initial ones (each backward
step runs on the data the previous one left), apply them all again, and compare every table's
rows with what they were before the walk."""

from __future__ import annotations

import hashlib
import json
import sys

import django

OURS = (
    "accounts",
    "institutions",
    "people",
    "dialogues",
    "audit",
    "operations",
    "meetings",
    "deliberation",
    "facilitation",
    "backchannel",
    "live",
    "outcomes",
    "impact",
)


def added_by(graph, keys) -> set[tuple[str, str]]:
    """(table, column) of every field that these migrations add and the models still have."""
    from django.apps import apps
    from django.core.exceptions import FieldDoesNotExist
    from django.db import migrations

    found = set()
    for key in keys:
        for op in graph.nodes[key].operations:
            if not isinstance(op, migrations.AddField):
                continue
            try:
                model = apps.get_model(key[0], op.model_name)
                found.add((model._meta.db_table, model._meta.get_field(op.name).column))
            except (LookupError, FieldDoesNotExist):
                continue  # removed or renamed since: not in the models compared
    return found


def column_digests() -> dict[tuple[str, str], str]:
    """A digest per (table, column) of every model table, rows in primary-key order."""
    from django.apps import apps

    from track2.operations.manifest import NOT_COMPARED, _canonical

    digests = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed or meta.db_table in NOT_COMPARED:
            continue
        for field in meta.concrete_fields:
            values = model._base_manager.order_by("pk").values_list(field.attname, flat=True)
            text = json.dumps([_canonical(v) for v in values], default=str, sort_keys=True)
            digests[(meta.db_table, field.column)] = hashlib.sha256(text.encode()).hexdigest()
    return digests


def main() -> None:
    django.setup()
    from django.db import connection, migrations
    from django.db.migrations.executor import MigrationExecutor

    from track2.operations.manifest import table_summary

    executor = MigrationExecutor(connection)
    graph = executor.loader.graph

    before = table_summary()
    columns_before = column_digests()

    def created_tables(app: str, operations) -> list[str]:
        tables = []
        for op in operations:
            if isinstance(op, migrations.SeparateDatabaseAndState):
                tables += created_tables(app, op.database_operations)
            elif isinstance(op, migrations.CreateModel):
                tables.append(op.options.get("db_table") or f"{app}_{op.name_lower}")
        return tables

    # Undoing a migration that created tables drops them: that loses data only if they hold rows
    # (a table created empty after the old release comes back empty on the way forward). A move
    # between apps (SeparateDatabaseAndState without database operations) drops nothing.
    def loses_rows(key) -> bool:
        tables = created_tables(key[0], graph.nodes[key].operations)
        return any(before.get(t, {}).get("rows") for t in tables)

    # An app's initial migrations (by name, or the first of the app: live's makes a sequence,
    # meetings' takes its models over from dialogues) are not walked.
    def first(key) -> bool:
        return key[1].endswith("_initial") or not any(
            p.key[0] == key[0] for p in graph.node_map[key].parents
        )

    # Undoing a migration (or one that depends on it) that created a table holding rows would
    # lose them: such a migration is skipped, and said so.
    def walkable(key) -> bool:
        return not first(key) and not any(loses_rows(d) for d in graph.backwards_plan(key))

    backward, skipped = [], []
    for app in OURS:
        keys = sorted(k for k in graph.nodes if k[0] == app and not first(k))
        lowest = next((k for k in keys if all(walkable(j) for j in keys if j >= k)), None)
        skipped += [f"{a}.{n}" for a, n in keys if lowest is None or (a, n) < lowest]
        if lowest is None:
            continue
        parent = max(p.key[1] for p in graph.node_map[lowest].parents if p.key[0] == app)
        executor = MigrationExecutor(connection)
        if (app, parent) not in executor.loader.applied_migrations:
            continue  # an earlier app's walk already took this one back (it depends on it)
        plan = executor.migration_plan([(app, parent)])
        backward += [f"{m.app_label}.{m.name}" for m, backwards in plan if backwards]
        executor.migrate([(app, parent)])
    executor = MigrationExecutor(connection)
    forward = [m for m, _ in executor.migration_plan(executor.loader.graph.leaf_nodes())]
    executor.migrate(executor.loader.graph.leaf_nodes())
    after = table_summary()
    # A column that a walked migration adds loses its values on the way back and comes back with
    # its default (`reset`); every other column of every table must come back unchanged.
    columns_after = column_digests()
    changed = {
        c
        for c in set(columns_before) | set(columns_after)
        if columns_before.get(c) != columns_after.get(c)
    }
    added = added_by(graph, [tuple(name.split(".", 1)) for name in backward])
    reset = sorted(f"{t}.{c}" for t, c in changed & added)
    problems = sorted(
        {
            t
            for t in set(before) | set(after)
            if (before.get(t) or {}).get("rows") != (after.get(t) or {}).get("rows")
        }
        | {f"{t}.{c}" for t, c in changed - added}
    )
    json.dump(
        {
            "backward": backward,
            "skipped": skipped,
            "forward": [f"{m.app_label}.{m.name}" for m in forward],
            "problems": problems,
            "reset": reset,
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
