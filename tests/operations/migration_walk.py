"""Walk every migration back and forward on a site that has data (run as a module, in a site's
environment): unapply, one by one, every migration after each app's initial ones (each backward
step runs on the data the previous one left), apply them all again, and compare every table's
rows with what they were before the walk."""

from __future__ import annotations

import json
import sys

import django

OURS = ("accounts", "institutions", "people", "dialogues", "audit", "operations")


def main() -> None:
    django.setup()
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from track2.operations.manifest import table_summary

    executor = MigrationExecutor(connection)
    graph = executor.loader.graph

    # Undoing an initial migration drops its tables and their rows: a migration that an initial
    # one depends on (audit's first needs dialogues' seventh) cannot be walked with the data.
    def walkable(key) -> bool:
        return not key[1].endswith("_initial") and not any(
            d != key and d[1].endswith("_initial") for d in graph.backwards_plan(key)
        )

    before = table_summary()
    backward, skipped = [], []
    for app in OURS:
        keys = sorted(k for k in graph.nodes if k[0] == app and not k[1].endswith("_initial"))
        lowest = next((k for k in keys if all(walkable(j) for j in keys if j >= k)), None)
        skipped += [f"{a}.{n}" for a, n in keys if lowest is None or (a, n) < lowest]
        if lowest is None:
            continue
        parent = max(p.key[1] for p in graph.node_map[lowest].parents if p.key[0] == app)
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan([(app, parent)])
        backward += [f"{m.app_label}.{m.name}" for m, _ in plan]
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
