"""Collected static files, collected again only when what would be collected has changed.

Collecting pre-compresses every file (gzip and Brotli) and takes 15–30 s on a small machine; a
site that restarts, and every site of one installed version sharing one `TRACK2_STATIC_ROOT`,
need not pay it again. The fingerprint covers every source file's name, size and modification
time and the versions and settings that shape the output; it is kept beside the static folder,
not in it, so it is never served.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
from importlib import metadata
from pathlib import Path

import django
from django.apps import apps
from django.conf import settings
from django.contrib.staticfiles.finders import get_finders
from django.core.management import call_command

import track2


def static_root() -> Path:
    return Path(str(settings.STATIC_ROOT))


def fingerprint() -> str:
    """A digest of everything `collectstatic` would read and of how it would write."""
    digest = hashlib.sha256()
    for part in (
        track2.__version__,
        django.__version__,
        metadata.version("whitenoise"),
        settings.STORAGES["staticfiles"]["BACKEND"],
        ",".join(getattr(settings, "WHITENOISE_SKIP_COMPRESS_EXTENSIONS", ())),
    ):
        digest.update(f"{part}\0".encode())
    ignore = apps.get_app_config("staticfiles").ignore_patterns  # type: ignore[attr-defined]  # set by StaticFilesConfig, not on AppConfig
    found = []
    for finder in get_finders():
        for path, storage in finder.list(ignore):
            prefix = getattr(storage, "prefix", None) or ""
            stat = os.stat(storage.path(path))
            found.append(f"{prefix}/{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n")
    for line in sorted(found):
        digest.update(line.encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def _marker(root: Path) -> Path:
    return root.with_name(root.name + ".sources")


def collect() -> bool:
    """Run `collectstatic` unless the collected files are current; True when it ran.

    A lock beside the folder lets several servers start at once on a shared folder: the first
    collects, the others find the files current."""
    root = static_root()
    root.parent.mkdir(parents=True, exist_ok=True)
    marker = _marker(root)
    with open(root.with_name(root.name + ".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        wanted = fingerprint()
        current = (root / "staticfiles.json").is_file() and (
            marker.is_file() and marker.read_text().strip() == wanted
        )
        if current:
            return False
        marker.unlink(missing_ok=True)  # an interrupted collection must not look complete
        call_command("collectstatic", interactive=False, verbosity=0)
        marker.write_text(wanted + "\n")
        return True
