"""Every row of every table, read straight from the database file or server (not through the
code under test), to compare a restored site with the one backed up."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import psycopg

# Written by the operations themselves after the snapshot (the record of the backup made or restored).
SKIPPED = {"operations_backuprecord"}


def _all_rows(execute, names) -> dict[str, list[tuple]]:
    return {
        name: sorted(execute(f'select * from "{name}"').fetchall(), key=repr)
        for name in names
        if name not in SKIPPED
    }


def sqlite_tables(path: Path) -> dict[str, list[tuple]]:
    connection = sqlite3.connect(path)
    try:
        names = connection.execute(
            "select name from sqlite_master where type='table' and name not like 'sqlite_%'"
        )
        return _all_rows(connection.execute, [row[0] for row in names])
    finally:
        connection.close()


def postgres_tables(url: str) -> dict[str, list[tuple]]:
    with psycopg.connect(url) as connection:
        names = connection.execute("select tablename from pg_tables where schemaname = 'public'")
        return _all_rows(connection.execute, [row[0] for row in names])


def differences(before: dict, after: dict) -> list[str]:
    found = []
    for name in sorted(set(before) | set(after)):
        if before.get(name) != after.get(name):
            found.append(
                f"{name}: {len(before.get(name, []))} rows before, {len(after.get(name, []))} after"
            )
    return found


def sqlite_columns_holding(path: Path, needles) -> set[tuple[str, str]]:
    """(table, column) of every value in the SQLite file that contains one of the strings."""
    pattern = re.compile("|".join(re.escape(n) for n in needles))
    found = set()
    connection = sqlite3.connect(path)
    try:
        names = connection.execute(
            "select name from sqlite_master where type='table' and name not like 'sqlite_%'"
        ).fetchall()
        for (name,) in names:
            cursor = connection.execute(f'select * from "{name}"')
            columns = [d[0] for d in cursor.description]
            for row in cursor:
                for column, value in zip(columns, row, strict=True):
                    text = value.decode("latin-1") if isinstance(value, bytes) else str(value)
                    if pattern.search(text):
                        found.add((name, column))
    finally:
        connection.close()
    return found
