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
import threading
from importlib import metadata
from pathlib import Path
from typing import ClassVar

import django
from django.apps import apps
from django.conf import settings
from django.contrib.staticfiles.finders import get_finders
from django.core.management import call_command
from whitenoise.middleware import WhiteNoiseMiddleware

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


class StaticFilesMiddleware(WhiteNoiseMiddleware):
    """WhiteNoise, with its index of the collected files built once per process, not once per
    request handler. A served process builds one handler, but Django's test client builds one per
    client, and indexing some 900 collected files (a stat and a header set each) took 27 ms on a
    quiet machine and up to 0.2 s in a loaded test worker every time: a quarter of the CPU of the
    suite's page tests. The index is kept per folder with what it depends on (the collection, by
    the manifest's time, and the settings that shape a file's headers) and built again when that
    changes."""

    _indexes: ClassVar[dict[tuple, tuple[tuple, dict]]] = {}
    _lock = threading.Lock()

    def update_files_dictionary(self, root, prefix):
        depends_on = (_collected_at(root), *self._header_settings())
        with self._lock:
            kept = self._indexes.get((root, prefix))
        if kept is None or kept[0] != depends_on:
            before, self.files = self.files, {}
            super().update_files_dictionary(root, prefix)
            kept, self.files = (depends_on, self.files), before
            with self._lock:
                self._indexes[(root, prefix)] = kept
        self.files.update(kept[1])

    def _header_settings(self) -> tuple:
        return (
            self.autorefresh,
            self.max_age,
            self.allow_all_origins,
            self.charset,
            self.index_file,
            self.add_headers_function,
            repr(getattr(settings, "WHITENOISE_MIMETYPES", None)),
            repr(getattr(settings, "WHITENOISE_IMMUTABLE_FILE_TEST", None)),
            # whether a name is a hashed (immutable) one is asked of the static storage
            repr(settings.STORAGES["staticfiles"]),
        )


def _collected_at(root: str) -> int:
    """When the folder was last collected: collectstatic writes the manifest last (a folder
    without one, by its own time)."""
    manifest = os.path.join(root, "staticfiles.json")
    return os.stat(manifest if os.path.isfile(manifest) else root).st_mtime_ns
