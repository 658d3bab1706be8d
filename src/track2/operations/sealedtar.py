"""A tar stream inside a sealed pouch: how backups and keys backups are written and opened."""

from __future__ import annotations

import tarfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, BinaryIO, cast

from track2.operations.pouch import PouchError, PouchReader, PouchWriter
from track2.output_file import write_output_file


class SealedTarError(Exception):
    """The file cannot be read, is not of the expected kind, or fails authentication."""


def write_private(path: Path, write: Callable[[BinaryIO], object]) -> None:
    """Write under a temporary name (mode 0600), fsync, then rename: never a half file. A link
    is followed and kept; a device or a pipe is refused (``NotARegularFile``, an ``OSError``):
    a backup is read back once written."""
    write_output_file(path, write, private=True, stream=False)


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
