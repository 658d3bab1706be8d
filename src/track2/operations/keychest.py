"""`track2 backup-keys` / `restore-keys`: every file under TRACK2_HOME/keys/ in its own sealed
pouch, apart from the database backup, sealed with a passphrase or split among conveners.

Split backups: a random 32-byte master secret is shared with SLIP-39 (Shamir over GF(256), the
`shamir-mnemonic` library), T of N. The pouch key is BLAKE2b keyed with the master secret over
the site id and the backup id, so shares only open the keys of the site and backup they name; a
share file also states both, so a share from elsewhere is refused by name before any maths.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import shutil
import tarfile
import tempfile
import uuid
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import BinaryIO

import shamir_mnemonic
from django.conf import settings
from django.utils import timezone
from shamir_mnemonic import MnemonicError

from track2.operations.archive import backup_cost
from track2.operations.identity import site_id
from track2.operations.models import BackupRecord
from track2.operations.pouch import KEY_BYTES, PouchError, read_label
from track2.operations.sealedtar import (
    SealedTarError,
    extract_sealed_tar,
    write_private,
    write_sealed_tar,
)

KIND = "track2-keys"
SHARE_TITLE = "Track2 key share"
MAX_SHARES = 16
_SHARE_LINE = re.compile(r"^(site|backup|share): *(.*)$")
_SPLIT = re.compile(r"^([0-9]+)/([0-9]+)$")


class KeysRefused(Exception):
    """The keys cannot be backed up or restored as asked; nothing was changed."""


@dataclass(frozen=True)
class Share:
    site: str
    backup: str
    words: str


def bound_key(master: bytes, site: str, backup: str) -> bytes:
    return hashlib.blake2b(
        f"{site}\n{backup}".encode(), key=master, digest_size=KEY_BYTES, person=b"track2-keys"
    ).digest()


def key_files() -> list[Path]:
    keys = Path(settings.TRACK2_HOME) / "keys"
    return sorted(p for p in keys.rglob("*") if p.is_file()) if keys.exists() else []


def key_names() -> list[str]:
    """The key files as a keys backup names them: paths relative to TRACK2_HOME/keys."""
    keys = Path(settings.TRACK2_HOME) / "keys"
    return [p.relative_to(keys).as_posix() for p in key_files()]


def _split_refused(shown: str) -> KeysRefused:
    return KeysRefused(
        f"--split {shown} is not a threshold: use T/N with 2 ≤ T ≤ N ≤ {MAX_SHARES}, e.g. 2/3."
    )


def parse_split(text: str) -> tuple[int, int]:
    """`--split T/N` as (T, N), or the refusal that says what is wrong with it."""
    shown = text.strip()
    match = _SPLIT.match(shown)
    if not match:
        raise KeysRefused(f"--split {shown!r} is not T/N; use e.g. --split 2/3.")
    if any(len(digits) > 2 for digits in match.groups()):  # 300, or 40 digits: out of range
        raise _split_refused(shown)
    threshold, shares = int(match[1]), int(match[2])
    if not 2 <= threshold <= shares <= MAX_SHARES:
        raise _split_refused(shown)
    return threshold, shares


def backup_keys(
    path: Path,
    *,
    passphrase: str | None = None,
    threshold: int | None = None,
    shares: int | None = None,
) -> tuple[BackupRecord, list[Path]]:
    """Seal the keys with `passphrase`, or split them T of N (`threshold`, `shares`)."""
    split = threshold is not None or shares is not None
    # 0/0 once fell through to the passphrase branch with no passphrase: a traceback.
    if split and not (
        threshold is not None and shares is not None and 2 <= threshold <= shares <= MAX_SHARES
    ):
        raise _split_refused(f"{threshold}/{shares}")
    if split and passphrase is not None:
        raise KeysRefused("seal the keys with a passphrase or split them with --split, not both.")
    if not split and not passphrase:
        raise KeysRefused("give a passphrase to seal the keys with, or split them with --split.")
    files = key_files()
    if not files:
        raise KeysRefused(f"there are no keys in {Path(settings.TRACK2_HOME) / 'keys'} to back up.")
    site, backup = site_id(), str(uuid.uuid4())
    label = {"kind": KIND, "site_id": site, "backup_id": backup, "threshold": threshold or 0}
    share_paths: list[Path] = []
    mnemonics: list[str] = []
    if threshold is not None and shares is not None:
        master = secrets.token_bytes(32)
        mnemonics = shamir_mnemonic.generate_mnemonics(1, [(threshold, shares)], master)[0]
        writer_key: dict = {"key": bound_key(master, site, backup)}
        share_paths = [path.with_name(f"{path.name}.share-{i}") for i in range(1, shares + 1)]
    else:
        writer_key = {"passphrase": passphrase, "cost": backup_cost()}
    keys_dir = Path(settings.TRACK2_HOME) / "keys"
    names = [p.relative_to(keys_dir).as_posix() for p in files]  # what goes in, not a new look

    def add_members(tar: tarfile.TarFile) -> None:
        for file in files:
            tar.add(file, arcname=file.relative_to(keys_dir).as_posix())

    write_sealed_tar(path, label, add_members, **writer_key)
    for number, (share_path, words) in enumerate(zip(share_paths, mnemonics, strict=True), 1):
        text = (
            f"{SHARE_TITLE} {number} of {shares} (any {threshold} restore the keys)\n"
            f"site: {site}\nbackup: {backup}\nshare: {words}\n"
        )
        write_private(share_path, partial(_write_text, text))
    record = BackupRecord.objects.create(
        backup_id=backup, kind=BackupRecord.Kind.KEYS, path=str(path), key_files=names
    )
    return record, share_paths


def _write_text(text: str, out: BinaryIO) -> None:
    out.write(text.encode())


def read_share(path: Path) -> Share:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise KeysRefused(f"cannot read the share {path}: {err}") from None
    fields = {}
    for line in text.splitlines():
        match = _SHARE_LINE.match(line.strip())
        if match:
            fields[match[1]] = match[2].strip()
    if not text.startswith(SHARE_TITLE) or set(fields) != {"site", "backup", "share"}:
        raise KeysRefused(f"{path} is not a Track2 key share")
    return Share(fields["site"], fields["backup"], fields["share"])


def _open_key(path: Path, label: dict, share_paths: list[Path]) -> bytes:
    site = site_id()
    shares = [read_share(p) for p in share_paths]
    for share_path, share in zip(share_paths, shares, strict=True):
        if share.site != site or share.site != label.get("site_id"):
            raise KeysRefused(f"{share_path} is a share of another site's keys; it is refused.")
        if share.backup != label.get("backup_id"):
            raise KeysRefused(f"{share_path} belongs to another keys backup than {path}.")
    needed = int(label.get("threshold") or 0)
    if len({s.words for s in shares}) < needed:
        raise KeysRefused(
            f"too few shares: {path} needs {needed} different shares, {len(set(s.words for s in shares))} given."
        )
    try:
        master = shamir_mnemonic.combine_mnemonics([s.words for s in shares])
    except MnemonicError as err:
        raise KeysRefused(f"the shares do not combine: {err}") from None
    return bound_key(master, site, label["backup_id"])


def restore_keys(
    path: Path, *, passphrase: str | None = None, share_paths: list[Path] | None = None, force: bool
) -> list[str]:
    """Restore the key files into TRACK2_HOME/keys/ (empty unless force); return their names."""
    try:
        with path.open("rb") as handle:
            label = read_label(handle)[0]
    except OSError as err:
        raise KeysRefused(f"cannot read {path}: {err.strerror}") from None
    except PouchError as err:
        raise KeysRefused(f"{path}: {err}") from None
    if label.get("kind") != KIND:
        raise KeysRefused(f"{path} is not a Track2 keys backup (is it a database backup?)")
    if label.get("site_id") != site_id():
        raise KeysRefused(
            f"{path} holds the keys of another site; restore this site's database backup first."
        )
    split = bool(label.get("threshold"))
    if split and not share_paths:
        raise KeysRefused(f"{path} is split among conveners: give their shares with --share FILE.")
    if not split and share_paths:
        raise KeysRefused(f"{path} is sealed with a passphrase, not shares.")
    opener: dict = (
        {"key": _open_key(path, label, share_paths or [])} if split else {"passphrase": passphrase}
    )
    keys_dir = Path(settings.TRACK2_HOME) / "keys"
    if key_files() and not force:
        raise KeysRefused(
            f"{keys_dir} already holds keys; restore onto an empty one, or add --force to replace them."
        )
    keys_dir.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".keys-restore-", dir=keys_dir.parent) as staging_name:
        staging = Path(staging_name) / "keys"
        staging.mkdir(mode=0o700)
        try:
            extract_sealed_tar(
                path,
                staging,
                kind=KIND,
                wrong_kind="is not a Track2 keys backup (is it a database backup?)",
                **opener,
            )
        except SealedTarError as err:
            raise KeysRefused(str(err)) from None
        names = []
        for file in sorted(p for p in staging.rglob("*") if p.is_file()):
            os.chmod(file, 0o600)
            names.append(file.relative_to(staging).as_posix())
        if keys_dir.exists():
            shutil.rmtree(keys_dir)
        os.replace(staging, keys_dir)
        os.chmod(keys_dir, 0o700)
    BackupRecord.objects.filter(backup_id=label["backup_id"]).update(verified_at=timezone.now())
    return names
