"""`track2 backup` and `track2 restore`: the database, uploaded files and non-secret settings in
one sealed pouch (track2.operations.pouch), with a manifest of checksums and versions.

Restoring decrypts the whole archive into a staging folder first: nothing on the site is touched
until every chunk has been authenticated and every checksum matched.
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import tarfile
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connections
from django.utils import timezone

from track2.operations import databases, manifest, verification
from track2.operations.identity import site_id
from track2.operations.models import BackupRecord
from track2.operations.pouch import Cost
from track2.operations.sealedtar import SealedTarError, extract_sealed_tar, write_sealed_tar

KIND = "track2-backup"


class RestoreRefused(Exception):
    """The archive cannot be restored here; nothing was changed."""


@dataclass(frozen=True)
class BackupResult:
    backup_id: str
    path: Path
    tables: int
    rows: int
    files: int


def backup_cost() -> Cost:
    return Cost(settings.BACKUP_KDF_OPSLIMIT, settings.BACKUP_KDF_MEMLIMIT)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def non_secret_settings() -> dict[str, object]:
    """The configuration worth knowing on a new machine, without a secret in it."""
    config = settings.CONFIG
    return {
        "database": "sqlite" if databases.vendor() == "sqlite" else "postgresql",
        "allowed_hosts": list(config.allowed_hosts),
        "email_from": config.email_from,
        "https": config.https,
        "k_anonymity": config.k_anonymity,
        "invitation_days": config.invitation_days,
        "trusted_proxies": list(config.trusted_proxies),
    }


def _media_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def make_backup(path: Path, passphrase: str) -> BackupResult:
    """Write the sealed archive to `path` (through a temporary name: never a half file)."""
    backup_id = str(uuid.uuid4())
    made_at = timezone.now()
    site = site_id()
    with tempfile.TemporaryDirectory(prefix="track2-backup-") as staging_name:
        staging = Path(staging_name)
        database_name, tables = databases.snapshot(staging)
        files = {f"database/{database_name}": _sha256(staging / database_name)}
        media_root = Path(settings.MEDIA_ROOT)
        for media in _media_files():
            files[f"media/{media.relative_to(media_root).as_posix()}"] = _sha256(media)
        settings_json = json.dumps(non_secret_settings(), indent=2, sort_keys=True).encode()
        files["settings.json"] = hashlib.sha256(settings_json).hexdigest()
        contents = {
            "format": manifest.FORMAT,
            "kind": KIND,
            "backup_id": backup_id,
            "site_id": site,
            "made_at": made_at.isoformat(),
            "code_version": manifest.code_version(),
            "database": databases.vendor(),
            "migrations": manifest.applied_migrations(),
            "tables": tables,
            "files": files,
        }
        label = {"kind": KIND, "backup_id": backup_id, "site_id": site}

        def add_members(tar: tarfile.TarFile) -> None:
            tar.add(staging / database_name, arcname=f"database/{database_name}")
            for media in _media_files():
                tar.add(media, arcname=f"media/{media.relative_to(media_root).as_posix()}")
            _add_bytes(tar, "settings.json", settings_json)
            _add_bytes(tar, "manifest.json", json.dumps(contents, indent=1).encode())

        write_sealed_tar(path, label, add_members, passphrase=passphrase, cost=backup_cost())
    record = BackupRecord.objects.create(
        backup_id=backup_id, kind=BackupRecord.Kind.DATABASE, path=str(path), made_at=made_at
    )
    # Read it back whole: a backup is counted as verified only once it has been opened.
    with tempfile.TemporaryDirectory(prefix="track2-verify-") as check_dir:
        unpack(path, passphrase, Path(check_dir))
    record.verified_at = timezone.now()
    record.save(update_fields=["verified_at"])
    return BackupResult(
        backup_id,
        path,
        tables=len(tables),
        rows=sum(int(t["rows"]) for t in tables.values()),
        files=len(files),
    )


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o600
    tar.addfile(info, io.BytesIO(data))


def unpack(path: Path, passphrase: str, staging: Path) -> dict:
    """Decrypt and extract into `staging`; return the manifest once every checksum matches."""
    try:
        extract_sealed_tar(
            path,
            staging,
            kind=KIND,
            wrong_kind="is not a Track2 database backup (is it a keys file?)",
            passphrase=passphrase,
        )
    except SealedTarError as err:
        raise RestoreRefused(str(err)) from None
    try:
        contents = json.loads((staging / "manifest.json").read_text())
    except (OSError, ValueError):
        raise RestoreRefused(f"{path}: the archive has no readable manifest") from None
    if contents.get("format") != manifest.FORMAT or contents.get("kind") != KIND:
        raise RestoreRefused(f"{path}: this archive's format is not one this version reads")
    for name, want in contents["files"].items():
        member = staging / name
        if not member.is_file() or _sha256(member) != want:
            raise RestoreRefused(f"{path}: {name} does not match its checksum in the manifest")
    return contents


def refuse_unless_empty(force: bool) -> None:
    if force:
        return
    problems = []
    if not databases.is_empty():
        problems.append("the database already has tables")
    if _media_files():
        problems.append(f"{settings.MEDIA_ROOT} already holds files")
    if problems:
        raise RestoreRefused(
            f"refusing to restore over a site that is in use ({'; '.join(problems)}); "
            "restore onto an empty data folder and database, or add --force to replace it."
        )


def restore(path: Path, passphrase: str, *, force: bool) -> dict:
    """Restore onto this (empty) site and verify it; return the manifest."""
    home = Path(settings.TRACK2_HOME)
    with tempfile.TemporaryDirectory(prefix=".restore-", dir=home) as staging_name:
        staging = Path(staging_name)
        contents = unpack(path, passphrase, staging)
        if contents["database"] != databases.vendor():
            raise RestoreRefused(
                f"this backup is of a {contents['database']} database and this site uses "
                f"{databases.vendor()}: restore onto {contents['database']}, then use `track2 migrate-to`."
            )
        newer = sorted(set(contents["migrations"]) - manifest.known_migrations())
        if newer:
            raise RestoreRefused(
                f"this backup was made by a newer Track2 ({contents['code_version']}: "
                f"{len(newer)} migrations this version does not know, e.g. {newer[0]}); "
                "install that version or newer to restore it."
            )
        refuse_unless_empty(force)
        if force:
            databases.empty()
            shutil.rmtree(settings.MEDIA_ROOT, ignore_errors=True)
        database = next((staging / "database").iterdir())
        databases.install(database)
        media = staging / "media"
        if media.exists():
            shutil.copytree(media, settings.MEDIA_ROOT, dirs_exist_ok=True)
        shutil.copyfile(staging / "settings.json", home / "restored-settings.json")
    problems = verify(contents)
    if problems:
        databases.empty()
        raise RestoreRefused(
            "the restored site fails verification, so it was removed again: " + "; ".join(problems)
        )
    # Nobody stays signed in across a restore: a session was signed with the old machine's
    # secret (undecodable here, so housekeeping would warn of each as corrupted), and a site
    # rebuilt after a loss should begin with every browser signing in again.
    Session.objects.all().delete()
    BackupRecord.objects.update_or_create(
        backup_id=contents["backup_id"],
        defaults={
            "kind": BackupRecord.Kind.DATABASE,
            "path": str(path),
            "made_at": contents["made_at"],
            "verified_at": timezone.now(),
        },
    )
    return contents


def verify(contents: dict) -> list[str]:
    """Migrations, row counts and checksums against the manifest, then every registered check."""
    connections["default"].close()
    problems = []
    applied = manifest.applied_migrations()
    if applied != sorted(contents["migrations"]):
        problems.append("the applied migrations differ from the manifest's")
    problems += manifest.compare(contents["tables"], manifest.table_summary())
    for name, found in verification.run_checks(verification.Context(contents=contents)):
        problems += [f"{name}: {problem}" for problem in found]
    return problems
