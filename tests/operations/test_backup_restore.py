"""Backup → restore → verify on real sites, SQLite and PostgreSQL, compared table by table;
every refusal leaves the target as it was."""

from __future__ import annotations

import os
import sqlite3
import stat

import pytest

from tests.operations.conftest import Site, two_conveners
from tests.operations.tables import differences, postgres_tables, sqlite_tables


def backup(site: Site, path, passphrase_file) -> None:
    done = site.run("backup", str(path), "--passphrase-file", str(passphrase_file), check=True)
    assert "read back and verified" in done.stdout


SIGNED_IN = (
    "from django.contrib.sessions.backends.db import SessionStore as S; "
    "s = S(); s['signed_in'] = 1; s.create()"
)


def test_sqlite_round_trip_with_the_demo_data(demo_site, empty_site, tmp_path, passphrase_file):
    demo_site.shell(SIGNED_IN)  # someone signed in on the old machine
    archive = tmp_path / "site.backup"
    backup(demo_site, archive, passphrase_file)
    assert oct(archive.stat().st_mode & 0o777) == "0o600"

    done = empty_site.run("restore", str(archive), "--passphrase-file", str(passphrase_file))
    assert done.returncode == 0, done.stderr
    assert "checksums and every restore check verified" in done.stdout

    before = sqlite_tables(demo_site.sqlite_path)
    after = sqlite_tables(empty_site.sqlite_path)
    # Every row comes back but the sessions: everyone signs in again on the new machine, and
    # housekeeping finds no session it cannot read (it warned of each as corrupted).
    assert len(before.pop("django_session")) >= 1 and after.pop("django_session") == []
    assert differences(before, after) == []
    assert "Session data corrupted" not in empty_site.run("housekeeping", check=True).stderr
    assert len(before["dialogues_dialogue"]) >= 1 and len(before["people_person"]) > 10
    # The restored site knows its backup was verified; the live site knows it too.
    for site in (demo_site, empty_site):
        assert "last verified backup made 0 days 0 h ago" in site.run("check").stdout


def test_postgresql_round_trip_with_the_demo_data(
    demo_site, tmp_path, passphrase_file, new_database
):
    source = Site(demo_site.home, database_url=new_database())
    moved = Site(demo_site.home).run("migrate-to", source.database_url)
    assert moved.returncode == 0, moved.stderr
    archive = tmp_path / "pg.backup"
    backup(source, archive, passphrase_file)

    target_home = tmp_path / "pg-target"
    target_home.mkdir()
    target = Site(target_home, database_url=new_database())
    done = target.run("restore", str(archive), "--passphrase-file", str(passphrase_file))
    assert done.returncode == 0, done.stderr
    assert (
        differences(postgres_tables(source.database_url), postgres_tables(target.database_url))
        == []
    )


# A dialogue made after the demo's, then deleted: the newest number, which a move that set
# PostgreSQL's sequence from the rows copied would give again (and its key's tombstone refuse).
SHORT_LIVED = """
from track2 import keyring
from track2.dialogues.models import Dialogue, Membership
varena = Dialogue.objects.get(title__startswith="Varena")
made = Dialogue.objects.create(title="Short-lived talks", institution=varena.institution)
for m in Membership.objects.filter(dialogue=varena, role="convener"):
    Membership.objects.create(dialogue=made, user=m.user, role="convener")
keyring.dialogue_key(made.pk)  # its first pseudonym made its key
print(made.pk)
"""


def test_sqlite_moves_to_postgresql_with_every_row(demo_site, new_database):
    first, second = two_conveners(demo_site, 1)
    deleted = int(demo_site.shell(SHORT_LIVED).strip())
    for by in (first, second):
        asked = demo_site.run(
            "delete-dialogue", str(deleted), "--by", by, "--title", "Short-lived talks"
        )
        assert asked.returncode == 0, asked.stderr
    url = new_database()
    done = demo_site.run("migrate-to", url)
    assert done.returncode == 0, done.stderr
    assert "every table matches" in done.stdout
    before = sqlite_tables(demo_site.sqlite_path)
    after = postgres_tables(url)
    assert set(before) == set(after)
    for name in before:
        assert len(before[name]) == len(after[name]), name
    # Ids keep going after the copied ones (sequences were moved).
    Site(demo_site.home, database_url=url).shell(
        "from track2.institutions.models import Institution as I; "
        "top = I.objects.order_by('-pk').first().pk; "
        "assert I.objects.create(name='After the move').pk > top"
    )
    # A deleted dialogue's number is never given again, on PostgreSQL either.
    made = Site(demo_site.home, database_url=url).shell(
        "from track2 import keyring\n"
        "from track2.dialogues.models import Dialogue\n"
        "from track2.institutions.models import Institution\n"
        "made = Dialogue.objects.create(title='After the move', "
        "institution=Institution.objects.first())\n"
        "keyring.pseudonym(made.pk, 1)\n"
        "print(made.pk)"
    )
    assert int(made.strip()) > deleted
    # A second run onto the same, no longer empty database is refused.
    again = demo_site.run("migrate-to", url)
    assert again.returncode != 0 and "already has" in again.stderr


@pytest.mark.parametrize(
    "damage",
    ["truncate-middle", "truncate-last-byte", "flip-byte", "append", "header", "empty-file"],
)
def test_a_damaged_archive_fails_clearly_and_restores_nothing(
    demo_site, empty_site, tmp_path, passphrase_file, damage
):
    archive = tmp_path / "site.backup"
    backup(demo_site, archive, passphrase_file)
    data = bytearray(archive.read_bytes())
    if damage == "truncate-middle":
        data = data[: len(data) // 2]
    elif damage == "truncate-last-byte":
        data = data[:-1]
    elif damage == "flip-byte":
        data[len(data) // 3] ^= 0x01
    elif damage == "append":
        data += b"extra"
    elif damage == "header":
        data[20] ^= 0xFF
    else:
        data = bytearray()
    archive.write_bytes(bytes(data))
    done = empty_site.run("restore", str(archive), "--passphrase-file", str(passphrase_file))
    assert done.returncode != 0
    message = done.stderr.strip().splitlines()
    assert len(message) == 1 and "nothing was restored" in message[0], done.stderr
    assert "Traceback" not in done.stderr
    assert _site_is_empty(empty_site)


def _site_is_empty(site: Site) -> bool:
    path = site.sqlite_path
    if path.exists():
        connection = sqlite3.connect(path)
        tables = connection.execute("select count(*) from sqlite_master where type='table'")
        count = tables.fetchone()[0]
        connection.close()
        if count:
            return False
    return not (site.home / "media").exists() and not (site.home / "keys").exists()


def test_a_wrong_passphrase_fails_clearly_and_restores_nothing(
    demo_site, empty_site, tmp_path, passphrase_file
):
    archive = tmp_path / "site.backup"
    backup(demo_site, archive, passphrase_file)
    wrong = tmp_path / "wrong"
    wrong.write_text("not the passphrase at all\n")
    done = empty_site.run("restore", str(archive), "--passphrase-file", str(wrong))
    assert done.returncode != 0
    assert done.stderr.strip() == (
        f"CommandError: nothing was restored: {archive}: the passphrase or key is wrong, "
        "or the file is damaged"
    )
    assert _site_is_empty(empty_site)


def test_restoring_onto_a_site_in_use_is_refused_unless_forced(
    demo_site, tmp_path, passphrase_file
):
    archive = tmp_path / "site.backup"
    backup(demo_site, archive, passphrase_file)
    demo_site.shell(
        "from track2.institutions.models import Institution; Institution.objects.create(name='Added after the backup')"
    )
    before = sqlite_tables(demo_site.sqlite_path)
    done = demo_site.run("restore", str(archive), "--passphrase-file", str(passphrase_file))
    assert done.returncode != 0 and "refusing to restore over a site that is in use" in done.stderr
    assert sqlite_tables(demo_site.sqlite_path) == before

    forced = demo_site.run(
        "restore", str(archive), "--passphrase-file", str(passphrase_file), "--force"
    )
    assert forced.returncode == 0, forced.stderr
    names = [row[1] for row in sqlite_tables(demo_site.sqlite_path)["institutions_institution"]]
    assert "Added after the backup" not in names


def test_a_backup_of_a_newer_release_is_refused_and_serve_refuses_its_database(
    demo_site, empty_site, tmp_path, passphrase_file
):
    connection = sqlite3.connect(demo_site.sqlite_path)
    connection.execute(
        "insert into django_migrations (app, name, applied) values ('operations', '9999_from_the_future', '2030-01-01')"
    )
    connection.commit()
    connection.close()
    served = demo_site.run("serve", "--port", "1")
    assert served.returncode != 0
    assert "upgraded by a newer Track2" in served.stderr and "9999_from_the_future" in served.stderr

    archive = tmp_path / "future.backup"
    backup(demo_site, archive, passphrase_file)
    done = empty_site.run("restore", str(archive), "--passphrase-file", str(passphrase_file))
    assert done.returncode != 0
    assert "made by a newer Track2" in done.stderr
    assert _site_is_empty(empty_site)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["backup", "{tmp}/no-such-folder/x.backup"], "does not exist; create it first"),
        (["backup", "{tmp}"], "is a folder"),
        (["restore", "{tmp}/missing.backup"], "is not a file"),
        (["backup", "{tmp}/x.backup", "--passphrase-file", "{tmp}/short"], "shorter than 12"),
        (["backup", "{tmp}/x.backup", "--passphrase-file", "{tmp}/latin1"], "cannot read"),
        (["backup", "{tmp}/x.backup"], "no passphrase"),
        (["restore-keys", "{tmp}/x", "--share", "{tmp}/short"], "is not a file"),
        (["backup", "{tmp}/x.backup", "--passphrase-file", "{tmp}/nope"], "(No such file"),
        # 1 GB of NULs was read whole and sealed the backup; a NUL on a short line likewise
        (["backup", "{tmp}/x.backup", "--passphrase-file", "{tmp}/sparse"], "no line break"),
        (["backup", "{tmp}/x.backup", "--passphrase-file", "{tmp}/nul"], "control characters"),
        (["backup-keys", "{tmp}/k", "--split", "1/3"], "is not a threshold"),
        (["backup-keys", "{tmp}/k", "--split", "0/0"], "is not a threshold"),  # was a traceback
        (["backup-keys", "{tmp}/k", "--split", "3/0"], "is not a threshold"),
        (["backup-keys", "{tmp}/k", "--split", "2/300"], "2/300 is not a threshold: use T/N with"),
        (["backup-keys", "{tmp}/k", "--split", "9" * 40 + "/3"], "is not a threshold"),
        (["backup-keys", "{tmp}/k", "--split", "two/3"], "is not T/N"),
        # the passphrase was ignored without a word
        (
            ["backup-keys", "{tmp}/k", "--split", "2/3", "--passphrase-file", "{tmp}/good"],
            "--split and --passphrase-file do not go together",
        ),
        # a pipe is never replaced, nor written as a keys file or a backup (both are read back)
        (["backup-keys", "{tmp}/fifo", "--split", "2/3"], "cannot write"),
        (["backup", "{tmp}/fifo", "--passphrase-file", "{tmp}/good"], "cannot write"),
        (["migrate-to", "mysql://x/y"], "nothing was moved"),
        (["migrate-to", "postgresql://h:port\x07/db"], "nothing was moved"),
    ],
)
def test_bad_input_gets_one_clear_line_and_changes_nothing(demo_site, tmp_path, args, expected):
    (tmp_path / "short").write_text("short\n")
    (tmp_path / "latin1").write_bytes("pass\xe9word-long-enough".encode("latin-1"))
    (tmp_path / "good").write_text("a passphrase long enough\n")
    (tmp_path / "nul").write_bytes(b"long enough pass\x00phrase\n")
    os.mkfifo(tmp_path / "fifo")
    with (tmp_path / "sparse").open("wb") as sparse:
        sparse.truncate(2**30)  # 1 GB of NULs, no line break, no disk used
    make = [a.replace("{tmp}", str(tmp_path)) for a in args]
    before = sqlite_tables(demo_site.sqlite_path)
    done = demo_site.run(*make, stdin=subprocess_devnull())
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0], done.stderr
    assert sqlite_tables(demo_site.sqlite_path) == before
    assert not list(tmp_path.glob("*.backup")) and not (tmp_path / "k").exists()
    assert not list(tmp_path.glob("*share*")) and not list(tmp_path.glob(".*"))
    assert stat.S_ISFIFO((tmp_path / "fifo").lstat().st_mode)


def subprocess_devnull():
    import subprocess

    return subprocess.DEVNULL


def test_the_demo_shows_a_retention_policy_and_conveners_change_it(demo_site):
    shown = demo_site.run("retention", "1", "--by", "convener@demo.track2.invalid", check=True)
    assert "when a meeting closes, keep" in shown.stdout and "deleted 365 days" in shown.stdout
    changed = demo_site.run(
        "retention", "1", "--by", "convener@demo.track2.invalid", "--delete-after-days", "never"
    )
    assert changed.returncode == 0 and "content kept" in changed.stdout
    refused = demo_site.run(
        "retention", "1", "--by", "participant@demo.track2.invalid", "--delete-after-days", "3"
    )
    assert refused.returncode != 0 and "convenes no dialogue" in refused.stderr
    bad = demo_site.run(
        "retention", "1", "--by", "convener@demo.track2.invalid", "--delete-after-days", "1e9"
    )
    assert bad.returncode != 0 and "not a number of days" in bad.stderr
    # every wrong option at once (the account's error alone was named before)
    both = demo_site.run(
        "retention", "1", "--by", "nobody@example.org", "--delete-after-days", "1e9"
    )
    assert "no active account" in both.stderr and "not a number of days" in both.stderr
    # a number out of range is not "not a number"
    for days in ("99999999999999999999999", "-5", "36501"):
        out = demo_site.run(
            "retention", "1", "--by", "convener@demo.track2.invalid", "--delete-after-days", days
        )
        assert out.returncode != 0 and "from 0 to 36500, or never" in out.stderr, out.stderr


@pytest.mark.parametrize("damage", ["altered", "deleted"])
def test_a_backup_whose_back_channel_log_was_tampered_with_fails_verification(
    demo_site, empty_site, tmp_path, passphrase_file, damage
):
    connection = sqlite3.connect(demo_site.sqlite_path)
    (size,) = connection.execute("select max(size) from backchannel_checkpoint").fetchone()
    assert size and size > 3, "the demo signs a checkpoint of its back channel's log"
    if damage == "altered":
        connection.execute(
            'update backchannel_logleaf set digest = randomblob(32) where "index" = 2'
        )
    else:
        connection.execute('delete from backchannel_logleaf where "index" = 2')
    connection.commit()
    connection.close()
    archive = tmp_path / "site.backup"
    backup(demo_site, archive, passphrase_file)

    done = empty_site.run("restore", str(archive), "--passphrase-file", str(passphrase_file))
    assert done.returncode != 0
    (line,) = done.stderr.strip().splitlines()
    assert "nothing was restored" in line and "back-channel log: entry 2" in line, line
    assert "Traceback" not in done.stderr
    assert _site_is_empty(empty_site)
