"""Copying the database in and out: SQLite's online backup API, PostgreSQL's pg_dump/pg_restore.

A snapshot is consistent while the site serves: SQLite's backup copies one read transaction's
view in one step; on PostgreSQL the checksums are read in a REPEATABLE READ transaction whose
snapshot pg_dump shares (`--snapshot`), so the manifest describes exactly the dumped rows.
"""

from __future__ import annotations

import glob
import os
import shutil
import sqlite3
import subprocess  # noqa: S404  (pg_dump/pg_restore with argument lists, never a shell)
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.db import connections, transaction

from track2.operations import manifest

SNAPSHOT_ALIAS = "track2-snapshot"


class DatabaseCopyError(Exception):
    """pg_dump/pg_restore is missing or failed, or a database cannot be read."""


def vendor(alias: str = "default") -> str:
    return connections[alias].vendor


def postgres_tool(name: str) -> str:
    """pg_dump / pg_restore from PATH, else the newest under /usr/lib/postgresql/*/bin."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(
        glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
        key=lambda p: [int(x) if x.isdigit() else 0 for x in Path(p).parts[-3].split(".")],
    )
    if not candidates:
        raise DatabaseCopyError(
            f"{name} is not installed; install PostgreSQL's client tools (apt-get install postgresql-client)."
        )
    return candidates[-1]


def _libpq(alias: str) -> tuple[list[str], dict[str, str]]:
    """Connection arguments for pg_dump/pg_restore; the password goes through the environment."""
    db = connections[alias].settings_dict
    args = ["--dbname", str(db["NAME"])]
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    env = {**os.environ, "PGPASSWORD": str(db.get("PASSWORD") or "")}
    return args, env


def _run(command: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        first = (done.stderr.strip().splitlines() or ["no message"])[0]
        raise DatabaseCopyError(f"{Path(command[0]).name} failed: {first}")


@contextmanager
def sqlite_file_alias(path: Path, alias: str = SNAPSHOT_ALIAS) -> Iterator[str]:
    """A Django connection to another SQLite file with the site's own settings."""
    connections.databases[alias] = {**connections.databases["default"], "NAME": str(path)}
    try:
        yield alias
    finally:
        connections[alias].close()
        del connections[alias]
        del connections.databases[alias]


def snapshot(dest: Path) -> tuple[str, dict]:
    """Write a consistent copy of the database to dest; return (file name, table summary)."""
    if vendor() == "sqlite":
        live = str(connections["default"].settings_dict["NAME"])
        target = dest / "database.sqlite3"
        source = sqlite3.connect(live, timeout=60)
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)  # all pages in one step: one consistent read transaction
            copy.execute("PRAGMA journal_mode=DELETE")
        finally:
            copy.close()
            source.close()
        with sqlite_file_alias(target) as alias:
            return target.name, manifest.table_summary(alias)
    target = dest / "database.pgdump"
    args, env = _libpq("default")
    with transaction.atomic(), connections["default"].cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        (snapshot_id,) = cursor.fetchone()
        _run(
            [postgres_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges"]
            + ["--snapshot", snapshot_id, "--file", str(target)]
            + args,
            env,
        )
        return target.name, manifest.table_summary("default")


def forget_deleted_pages(alias: str = "default") -> bool:
    """Leave no copy of deleted rows in SQLite's write-ahead log; True when it was emptied.

    `secure_delete` (config.py) zeroes a deleted row in the database file, but the WAL still
    holds every page as it was written, the erased statement included, until new writes happen
    to overwrite it — which a quiet site may not do for weeks. A TRUNCATE checkpoint copies the
    pages home (zeroed) and empties the log. It waits (the connection's timeout) for readers of
    older pages; if one is still reading, the next run tries again. PostgreSQL: nothing to do
    here (its dead rows go with autovacuum; its WAL with the server's archiving policy).
    """
    connection = connections[alias]
    if connection.vendor != "sqlite":
        return True
    if connection.in_atomic_block:
        # Called inside a caller's transaction (a test's): what it deleted is not committed yet,
        # and SQLite refuses to checkpoint; the next run does it.
        return False
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        busy, _log, _moved = cursor.fetchone()
    return busy == 0


def is_empty(alias: str = "default") -> bool:
    """No table in the database (a fresh site), or only an empty schema."""
    tables = connections[alias].introspection.table_names()
    return not tables


def empty(alias: str = "default") -> None:
    """Remove every table (restore --force, or undoing a restore that failed its checks)."""
    connection = connections[alias]
    if connection.vendor == "sqlite":
        path = Path(str(connection.settings_dict["NAME"]))
        connection.close()
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        return
    with connection.cursor() as cursor:
        cursor.execute("DROP SCHEMA public CASCADE")
        cursor.execute("CREATE SCHEMA public")


def install(staged: Path, alias: str = "default") -> None:
    """Put a staged database copy in place of the (empty) database."""
    connection = connections[alias]
    if connection.vendor == "sqlite":
        path = Path(str(connection.settings_dict["NAME"]))
        connection.close()
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".restoring")
        shutil.copyfile(staged, partial)
        os.chmod(partial, 0o600)
        for suffix in ("-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        os.replace(partial, path)
        return
    args, env = _libpq(alias)
    connection.close()
    _run(
        [postgres_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error"]
        + ["--single-transaction"]
        + args
        + [str(staged)],
        env,
    )
