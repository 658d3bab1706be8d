"""Where a backup passphrase comes from: a file, the environment (scripts), or a prompt."""

from __future__ import annotations

import getpass
import os
import sys
from pathlib import Path

from django.core.management.base import CommandError

ENV = "TRACK2_BACKUP_PASSPHRASE"
MIN_LENGTH = 12


def add_argument(parser) -> None:
    parser.add_argument(
        "--passphrase-file",
        metavar="FILE",
        help=f"read the passphrase from the first line of FILE (else {ENV}, else a prompt)",
    )


def passphrase(passphrase_file: str | None, *, new: bool) -> str:
    if passphrase_file:
        try:
            lines = Path(passphrase_file).read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as err:
            raise CommandError(
                f"cannot read the passphrase file {passphrase_file}: {err}"
            ) from None
        given = lines[0] if lines else ""
    elif os.environ.get(ENV):
        given = os.environ[ENV]
    elif sys.stdin.isatty():
        given = getpass.getpass("Backup passphrase: ")
        if new and getpass.getpass("Again, to be sure: ") != given:
            raise CommandError("the two passphrases differ; nothing was written.")
    else:
        raise CommandError(
            f"no passphrase: give --passphrase-file FILE, set {ENV}, or run in a terminal."
        )
    if new and len(given) < MIN_LENGTH:
        raise CommandError(
            f"the passphrase is shorter than {MIN_LENGTH} characters; choose a longer one."
        )
    if not given:
        raise CommandError("the passphrase is empty.")
    return given
