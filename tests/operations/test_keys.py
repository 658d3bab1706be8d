"""Keys are backed up apart: passphrase or 2-of-3 shares bound to the site; the database backup
holds no key material and no plaintext."""

from __future__ import annotations

import io
import itertools
import shutil
import sqlite3
import tarfile

import pytest

from tests.operations.conftest import PASSPHRASE, Site, make_keys, two_conveners
from tests.template_db import migrated_site
from track2.operations.pouch import PouchReader


def dialogue_ids(site: Site) -> list[int]:
    connection = sqlite3.connect(site.sqlite_path)
    ids = [row[0] for row in connection.execute("select id from dialogues_dialogue")]
    connection.close()
    return ids


def restored_copy(site: Site, tmp_path, archive, passphrase_file, name="restored") -> Site:
    """A new machine: the database backup restored onto an empty home (keys come apart)."""
    home = tmp_path / name
    home.mkdir()
    target = Site(home)
    target.run("restore", str(archive), "--passphrase-file", str(passphrase_file), check=True)
    return target


@pytest.fixture
def keyed_site(demo_site, tmp_path, passphrase_file):
    keys = make_keys(demo_site, dialogue_ids(demo_site))
    archive = tmp_path / "site.backup"
    demo_site.run("backup", str(archive), "--passphrase-file", str(passphrase_file), check=True)
    return demo_site, keys, archive


def keys_on(site: Site) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in (site.home / "keys").iterdir()}


def test_split_keys_restore_with_any_two_shares_and_not_with_one(
    keyed_site, tmp_path, passphrase_file
):
    site, keys, archive = keyed_site
    done = site.run("backup-keys", str(tmp_path / "keys.t2"), "--split", "2/3", check=True)
    shares = [tmp_path / f"keys.t2.share-{i}" for i in (1, 2, 3)]
    assert all(s.exists() and oct(s.stat().st_mode & 0o777) == "0o600" for s in shares)
    assert "share for one convener" in done.stdout

    target = restored_copy(site, tmp_path, archive, passphrase_file)
    for one in shares:
        refused = target.run("restore-keys", str(tmp_path / "keys.t2"), "--share", str(one))
        assert refused.returncode != 0 and "too few shares" in refused.stderr
        assert len(refused.stderr.strip().splitlines()) == 1
        assert not (target.home / "keys").exists()
    for pair in itertools.combinations(shares, 2):
        shutil.rmtree(target.home / "keys", ignore_errors=True)
        args = [a for share in pair for a in ("--share", str(share))]
        done = target.run("restore-keys", str(tmp_path / "keys.t2"), *args)
        assert done.returncode == 0, done.stderr
        assert keys_on(target) == keys
        assert oct((target.home / "keys").stat().st_mode & 0o777) == "0o700"


def test_a_share_from_another_site_is_refused(keyed_site, tmp_path, passphrase_file, empty_site):
    site, _keys, archive = keyed_site
    site.run("backup-keys", str(tmp_path / "keys.t2"), "--split", "2/3", check=True)
    # Another site, with its own identity and keys, split the same way.
    other = Site(
        migrated_site(empty_site.home)
    )  # its identity is made on first use, not by migrate
    make_keys(other, [1])
    other.run("backup-keys", str(tmp_path / "other.t2"), "--split", "2/3", check=True)

    target = restored_copy(site, tmp_path, archive, passphrase_file)
    mixed = target.run(
        "restore-keys",
        str(tmp_path / "keys.t2"),
        "--share",
        str(tmp_path / "keys.t2.share-1"),
        "--share",
        str(tmp_path / "other.t2.share-2"),
    )
    assert mixed.returncode != 0 and "share of another site's keys" in mixed.stderr
    # The other site's whole keys file is refused too.
    foreign = target.run(
        "restore-keys",
        str(tmp_path / "other.t2"),
        "--share",
        str(tmp_path / "other.t2.share-1"),
        "--share",
        str(tmp_path / "other.t2.share-2"),
    )
    assert foreign.returncode != 0 and "keys of another site" in foreign.stderr
    assert not (target.home / "keys").exists()


def test_a_forged_share_header_does_not_open_the_keys(keyed_site, tmp_path, passphrase_file):
    """Rewriting another site's share to name this site still gives the wrong key."""
    site, _keys, archive = keyed_site
    site.run("backup-keys", str(tmp_path / "keys.t2"), "--split", "2/3", check=True)
    site.run("backup-keys", str(tmp_path / "again.t2"), "--split", "2/3", check=True)
    own = (tmp_path / "keys.t2.share-1").read_text().splitlines()
    other = (tmp_path / "again.t2.share-2").read_text().splitlines()
    forged = tmp_path / "forged"
    forged.write_text("\n".join(own[:3] + [other[3]]) + "\n")
    target = restored_copy(site, tmp_path, archive, passphrase_file)
    done = target.run(
        "restore-keys",
        str(tmp_path / "keys.t2"),
        "--share",
        str(tmp_path / "keys.t2.share-1"),
        "--share",
        str(forged),
    )
    assert done.returncode != 0
    assert "do not combine" in done.stderr or "key is wrong" in done.stderr
    assert not (target.home / "keys").exists()


def test_keys_with_a_passphrase_and_restore_keys_refuses_to_overwrite(
    keyed_site, tmp_path, passphrase_file
):
    site, keys, archive = keyed_site
    site.run(
        "backup-keys",
        str(tmp_path / "keys.t2"),
        "--passphrase-file",
        str(passphrase_file),
        check=True,
    )
    target = restored_copy(site, tmp_path, archive, passphrase_file)
    args = ["restore-keys", str(tmp_path / "keys.t2"), "--passphrase-file", str(passphrase_file)]
    target.run(*args, check=True)
    assert keys_on(target) == keys
    again = target.run(*args)
    assert again.returncode != 0 and "already holds keys" in again.stderr
    # A database backup is not a keys file, and the other way round.
    wrong = target.run("restore-keys", str(archive), "--passphrase-file", str(passphrase_file))
    assert wrong.returncode != 0 and "not a Track2 keys backup" in wrong.stderr


def test_the_database_backup_holds_no_key_material_and_no_plaintext(keyed_site):
    site, keys, archive = keyed_site
    canary = "CANARY-7f3a-no-plaintext"
    site.shell(
        "from track2.dialogues.models import Dialogue as D; d = D.objects.first(); "
        f"d.purpose = '{canary}'; d.save()"
    )
    sealed = archive.with_name("canary.backup")
    passphrase = archive.with_name("pp")
    passphrase.write_text(PASSPHRASE)
    site.run("backup", str(sealed), "--passphrase-file", str(passphrase), check=True)
    raw = sealed.read_bytes()
    assert canary.encode() not in raw and b"Varena" not in raw
    # Opened, it has the content (so the canary could be found) and still no key.
    with sealed.open("rb") as handle:
        plain = PouchReader(handle, passphrase=PASSPHRASE).read()
    assert canary.encode() in plain
    members = tarfile.open(fileobj=io.BytesIO(plain))
    assert not any("key" in name for name in members.getnames())
    for name, data in keys.items():
        assert data not in raw and data not in plain, name
        assert data.hex().encode() not in plain


def test_destroyed_keys_flag_older_keys_backups(keyed_site, tmp_path):
    site, _keys, _archive = keyed_site
    dialogue = dialogue_ids(site)[0]
    # keys no keys backup holds yet are named, so that the backup is made when they appear
    unsaved = site.run("housekeeping", check=True).stdout
    assert "in no keys backup" in unsaved and f"dialogue-{dialogue}.key" in unsaved
    site.run("backup-keys", str(tmp_path / "old.t2"), "--split", "2/3", check=True)
    conveners = two_conveners(site, dialogue)
    first = site.run("destroy-key", str(dialogue), "--by", conveners[0], check=True)
    assert "a second convener confirms" in first.stdout
    assert (site.home / "keys" / f"dialogue-{dialogue}.key").exists()
    same = site.run("destroy-key", str(dialogue), "--by", conveners[0])
    assert same.returncode != 0 and "a second convener" in same.stderr
    second = site.run("destroy-key", str(dialogue), "--by", conveners[1], check=True)
    assert "is destroyed" in second.stdout and str(tmp_path / "old.t2") in second.stdout
    assert not (site.home / "keys" / f"dialogue-{dialogue}.key").exists()
    assert (site.home / "keys" / f"dialogue-{dialogue}.destroyed").exists()
    housekeeping = site.run("housekeeping", check=True).stdout
    assert f"still holds the destroyed key of dialogue {dialogue}" in housekeeping
    assert "in no keys backup" not in housekeeping  # every key is in old.t2; a tombstone needs none
    trail = site.shell(
        "from track2.audit.models import AuditEntry as A; "
        "print(list(A.objects.filter(object_type='keydestruction').order_by('at').values_list('action', 'actor_name')))"
    )
    assert "'request'" in trail and "'destroy'" in trail


PUBLIC_KEY = "from track2.backchannel import log; print(log.log_signer().verifier.encode())"


def test_the_back_channel_signs_with_the_same_key_after_restore_keys(
    demo_site, tmp_path, passphrase_file
):
    """The log's signing key is one of the keys: backed up, wiped with the machine, restored."""
    public = demo_site.shell(PUBLIC_KEY)
    assert public.startswith(
        demo_site.shell("from track2.backchannel import log; print(log.origin())")
    )
    archive = tmp_path / "site.backup"
    demo_site.run("backup", str(archive), "--passphrase-file", str(passphrase_file), check=True)
    keys = tmp_path / "keys.t2"
    demo_site.run("backup-keys", str(keys), "--passphrase-file", str(passphrase_file), check=True)
    with keys.open("rb") as handle:
        plain = PouchReader(handle, passphrase=PASSPHRASE).read()
    assert "backchannel-log.key" in tarfile.open(fileobj=io.BytesIO(plain)).getnames()

    target = restored_copy(demo_site, tmp_path, archive, passphrase_file)
    done = target.run("restore-keys", str(keys), "--passphrase-file", str(passphrase_file))
    assert done.returncode == 0, done.stderr
    assert "Every restore check passed." in done.stdout
    assert target.shell(PUBLIC_KEY) == public
    # It signs the next checkpoint with that key, and the old checkpoints still verify with it.
    signed = target.shell(
        "import hashlib; from track2.backchannel import log, logentry; "
        "from track2.backchannel.checkpoint import NoteVerifier, open_checkpoint; "
        "log.append(logentry.POSTED, hashlib.sha256(b'after restore').digest()); "
        "c = log.signed_checkpoint(); "
        f"print(open_checkpoint(c.note, NoteVerifier.decode({public!r})).size == c.size)"
    )
    assert signed.split() == ["True"]


def test_restore_keys_without_the_log_key_names_it(demo_site, tmp_path, passphrase_file):
    archive = tmp_path / "site.backup"
    demo_site.run("backup", str(archive), "--passphrase-file", str(passphrase_file), check=True)
    (demo_site.home / "keys" / "backchannel-log.key").unlink()
    keys = tmp_path / "keys.t2"
    demo_site.run("backup-keys", str(keys), "--passphrase-file", str(passphrase_file), check=True)
    target = restored_copy(demo_site, tmp_path, archive, passphrase_file)
    done = target.run("restore-keys", str(keys), "--passphrase-file", str(passphrase_file))
    assert done.returncode != 0
    assert (
        "check back-channel log: the log has signed checkpoints but there is no log key"
        in done.stderr
    )
