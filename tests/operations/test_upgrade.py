"""Upgrades keep data: a site of the previous release is restored, migrated forward, and every
migration is walked backward and forward again with its data."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys

from tests.operations.conftest import ROOT, Site

FIXTURE = ROOT / "tests" / "data" / "upgrade" / "track2-0.1.0-demo.sql"


def previous_release_site(tmp_path) -> Site:
    site = Site(tmp_path / "old-site")
    site.home.mkdir()
    connection = sqlite3.connect(site.sqlite_path)
    connection.executescript(FIXTURE.read_text())
    connection.close()
    return site


def rows_of(site: Site) -> dict[str, int]:
    connection = sqlite3.connect(site.sqlite_path)
    names = [
        r[0]
        for r in connection.execute(
            "select name from sqlite_master where type='table' and name not like 'sqlite_%'"
        )
    ]
    counts = {n: connection.execute(f'select count(*) from "{n}"').fetchone()[0] for n in names}
    connection.close()
    return counts


def test_a_previous_release_migrates_forward_and_every_migration_walks_back_with_data(tmp_path):
    site = previous_release_site(tmp_path)
    before = rows_of(site)
    assert before["dialogues_dialogue"] >= 1 and before["people_person"] > 10
    site.run("migrate", "-v0", check=True)
    after = rows_of(site)
    grown = {"django_migrations", "django_content_type", "auth_permission"}  # new models add rows
    for table, count in before.items():
        assert after[table] == count if table not in grown else after[table] >= count, table
    assert "operations_backuprecord" in after
    assert "schema up to date" in site.run("check").stdout

    walk = subprocess.run(
        [sys.executable, "-m", "tests.operations.migration_walk"],
        env=site.env(),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert walk.returncode == 0, walk.stderr
    result = json.loads(walk.stdout.strip().splitlines()[-1])
    assert result["problems"] == []
    assert len(result["backward"]) >= 7
    assert sorted(result["backward"]) == sorted(result["forward"])
    # The apps that came after the previous release are walked too.
    assert {
        "backchannel.0002_checkpoint_verifier",
        "deliberation.0002_statement_changes",
    } <= set(result["backward"]), result["backward"]
    # Only what an initial migration depends on cannot be walked with the data (audit's and
    # operations' first migrations need dialogues' latest: undoing them would drop the trail).
    assert set(result["skipped"]) <= {
        "dialogues.0008_pages_meeting_archived_at",
        "dialogues.0003_balance_thresholds",
        "dialogues.0004_venue_dialogue",
        "dialogues.0005_tenancy_institution",
        "dialogues.0006_tenancy_institution_required",
        "dialogues.0007_disclosure_k_floor",
    }, result["skipped"]


def test_every_later_migration_walks_back_and_forward_on_the_demos_data(demo_site):
    """The previous release predates the room, facilitation, the back channel, outcomes and
    impact: their migrations are walked here on a site holding data in every app (the demo)."""
    walk = subprocess.run(
        [sys.executable, "-m", "tests.operations.migration_walk"],
        env=demo_site.env(),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert walk.returncode == 0, walk.stderr
    result = json.loads(walk.stdout.strip().splitlines()[-1])
    assert result["problems"] == []
    assert sorted(result["backward"]) == sorted(result["forward"])
    walked_with_rows = {
        "backchannel.0002_checkpoint_verifier",
        "deliberation.0002_statement_changes",
        "facilitation.0002_caucus_statements",
    }
    assert walked_with_rows <= set(result["backward"]), result
    # A migration that created a table holding rows is not undone (that would lose them).
    assert "outcomes.0002_replaced_endorsements" in result["skipped"]
    # A column a walked migration added comes back with its default, and nothing else changes.
    assert "deliberation_statement.changes" in result["reset"]
    holding_rows = {table.split("_")[0] for table, n in rows_of(demo_site).items() if n}
    assert {"deliberation", "facilitation", "backchannel", "outcomes", "impact"} <= holding_rows
