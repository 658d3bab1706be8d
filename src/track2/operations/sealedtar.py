"""A tar stream inside a sealed pouch: how backups and keys backups are written and opened."""

from __future__ import annotations

import os
import tarfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, BinaryIO, cast

from track2.operations.pouch import PouchError, PouchReader, PouchWriter


class SealedTarError(Exception):
    """The file cannot be read, is not of the expected kind, or fails authentication."""


def write_private(path: Path, write: Callable[[BinaryIO], object]) -> None:
    """Write under a temporary name (mode 0600), fsync, then rename: never a half file."""
    partial = path.with_name(f".{path.name}.partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            write(out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def write_sealed_tar(
    path: Path, label: dict, add_members: Callable[[tarfile.TarFile], None], **sealing
) -> None:
    def write(out: BinaryIO) -> None:
        pouch = PouchWriter(out, label, **sealing)
        with tarfile.open(fileobj=cast(IO[bytes], pouch), mode="w|") as tar:
            add_members(tar)
        pouch.close()

    write_private(path, write)


def extract_sealed_tar(path: Path, staging: Path, *, kind: str, wrong_kind: str, **opener) -> dict:
    """Authenticate every chunk while extracting into `staging`; return the label."""
    try:
        handle = path.open("rb")
    except OSError as err:
        raise SealedTarError(f"cannot read {path}: {err.strerror}") from None
    with handle:
        try:
            reader = PouchReader(handle, **opener)
            if reader.label.get("kind") != kind:
                raise SealedTarError(f"{path} {wrong_kind}")
            with tarfile.open(fileobj=cast(IO[bytes], reader), mode="r|") as tar:
                tar.extractall(staging, filter="data")
            reader.read_to_end()
        except PouchError as err:
            raise SealedTarError(f"{path}: {err}") from None
        except tarfile.TarError as err:
            raise SealedTarError(f"{path}: the archive inside is damaged ({err})") from None
    return reader.label
