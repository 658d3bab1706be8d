"""Walk every migration back and forward on a site that has data (run as a module, in a site's
environment): unapply, one by one, every migration after each app's initial ones (each backward
step runs on the data the previous one left), apply them all again, and compare every table's
rows with what they were before the walk."""

from __future__ import annotations

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


def main() -> None:
    django.setup()
    from django.db import connection, migrations
    from django.db.migrations.executor import MigrationExecutor

    from track2.operations.manifest import table_summary

    executor = MigrationExecutor(connection)
    graph = executor.loader.graph

    before = table_summary()

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

    def walkable(key) -> bool:
        return not first(key) and not any(
            d != key and loses_rows(d) for d in graph.backwards_plan(key)
        )

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
    problems = sorted(t for t in set(before) | set(after) if before.get(t) != after.get(t))
    json.dump(
        {
            "backward": backward,
            "skipped": skipped,
            "forward": [f"{m.app_label}.{m.name}" for m in forward],
            "problems": problems,
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
