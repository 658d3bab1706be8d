"""Where a backup passphrase comes from: a file, the environment (scripts), or a prompt."""

from __future__ import annotations

import getpass
import os
import sys
import unicodedata
from pathlib import Path

from django.core.management.base import CommandError

ENV = "TRACK2_BACKUP_PASSPHRASE"
MIN_LENGTH = 12
MAX_FILE_BYTES = 4096  # a passphrase file's first line, at most


def add_argument(parser) -> None:
    parser.add_argument(
        "--passphrase-file",
        metavar="FILE",
        help=f"read the passphrase from the first line of FILE (else {ENV}, else a prompt)",
    )


def from_file(name: str) -> str:
    """The first line of the file `name`: read at most MAX_FILE_BYTES (a passphrase file is a
    line, and a wrong --passphrase-file once read 1 GB of NULs whole and sealed a backup with
    them), UTF-8, no control character but the tab (a passphrase typed at the prompt or set in
    the environment may hold one, and its backups must open from a file too)."""
    try:
        with Path(name).open("rb") as f:
            head = f.read(MAX_FILE_BYTES + 1)
    except OSError as err:
        raise CommandError(
            f"cannot read the passphrase file {name} ({err.strerror or err}); check the path."
        ) from None
    first, newline, _rest = head.partition(b"\n")
    if not newline and len(head) > MAX_FILE_BYTES:
        raise CommandError(
            f"the passphrase file {name} has no line break in its first {MAX_FILE_BYTES} bytes, "
            "so it is not a passphrase file; put the passphrase alone on its first line."
        )
    try:
        line = first.decode("utf-8").removesuffix("\r")  # a file saved with CRLF line ends
    except UnicodeDecodeError:
        raise CommandError(
            f"cannot read the passphrase file {name}: it is not UTF-8 text; save it as UTF-8."
        ) from None
    if any(unicodedata.category(char) == "Cc" and char != "\t" for char in line):
        raise CommandError(
            f"the passphrase file {name} holds control characters (NUL, escape…) on its first line; "
            "put the passphrase alone on its first line, in plain characters."
        )
    return line


def passphrase(passphrase_file: str | None, *, new: bool) -> str:
    if passphrase_file:
        given = from_file(passphrase_file)
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
