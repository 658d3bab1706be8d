"""A backup taken while 20 participants vote loses no acknowledged vote and is taken at one
consistent point (each participant's votes in the backup are exactly its first n)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest

from tests.operations.conftest import ROOT, Site
from tests.operations.writers import CLIENTS


def read_acks(path) -> set[tuple[int, int]]:
    lines = path.read_text().splitlines() if path.exists() else []
    return {tuple(map(int, line.split())) for line in lines if line.count(" ") == 1}


def probe_rows(site: Site, acks) -> set[tuple[int, int]]:
    """(client, sequence) of every vote in the site's database."""
    client_of = {
        pseudonym: int(client)
        for client, pseudonym in (
            line.split() for line in Path(f"{acks}.voters").read_text().splitlines()
        )
    }
    sequence_of = {
        int(statement): n
        for n, statement in enumerate(Path(f"{acks}.statements").read_text().split(), start=1)
    }
    sql = "select pseudonym, statement_id from deliberation_vote"
    if site.database_url:
        with psycopg.connect(site.database_url) as connection:
            rows = connection.execute(sql).fetchall()
    else:
        connection = sqlite3.connect(site.sqlite_path)
        rows = connection.execute(sql).fetchall()
        connection.close()
    return {(client_of[pseudonym], sequence_of[int(statement)]) for pseudonym, statement in rows}


@pytest.mark.parametrize("vendor", ["sqlite", "postgresql"])
def test_a_backup_under_twenty_voters_loses_no_acknowledged_vote(
    vendor, tmp_path, passphrase_file, request
):
    url = request.getfixturevalue("new_database")() if vendor == "postgresql" else ""
    (tmp_path / "site").mkdir()
    site = Site(tmp_path / "site", database_url=url)
    site.run("migrate", "-v0", check=True)
    acks, stop = tmp_path / "acks", tmp_path / "stop"
    writers = subprocess.Popen(
        [sys.executable, "-m", "tests.operations.writers", str(acks), str(stop)],
        env=site.env(),
        cwd=ROOT,
    )
    try:
        # Every client writing, before the backup starts (SQLite's one writer at a time may
        # leave one client waiting for its first write well after the others' first 200).
        def all_writing() -> bool:
            seen = read_acks(acks)
            return len(seen) >= 200 and {c for c, _n in seen} == set(range(CLIENTS))

        deadline = time.monotonic() + 180  # the room is built first
        while not all_writing() and time.monotonic() < deadline:
            time.sleep(0.1)
        acknowledged_before = read_acks(acks)
        assert {client for client, _n in acknowledged_before} == set(range(CLIENTS))
        archive = tmp_path / "busy.backup"
        site.run("backup", str(archive), "--passphrase-file", str(passphrase_file), check=True)
        time.sleep(0.5)
        assert writers.poll() is None, "the writers stopped during the backup"
    finally:
        stop.touch()
        writers.wait(timeout=60)
    assert writers.returncode == 0
    acknowledged = read_acks(acks)
    assert len(acknowledged) > len(acknowledged_before)

    target_url = request.getfixturevalue("new_database")() if vendor == "postgresql" else ""
    (tmp_path / "target").mkdir()
    target = Site(tmp_path / "target", database_url=target_url)
    target.run("restore", str(archive), "--passphrase-file", str(passphrase_file), check=True)
    restored = probe_rows(target, acks)
    assert acknowledged_before <= restored
    assert restored <= acknowledged
    for client in range(CLIENTS):
        numbers = sorted(n for c, n in restored if c == client)
        assert numbers == list(range(1, len(numbers) + 1)), f"client {client} has a gap"
