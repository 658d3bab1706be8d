"""`track2 backup PATH`: the database, uploaded files and non-secret settings, sealed."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from track2.operations import archive, passphrases
from track2.operations.databases import DatabaseCopyError
from track2.operations.pouch import PouchError
from track2.output_file import is_regular_or_new


class Command(BaseCommand):
    help = "Back up the database, uploaded files and non-secret settings into one encrypted file (keys: track2 backup-keys)."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("path", metavar="PATH", help="the archive to write")
        passphrases.add_argument(parser)

    def handle(self, *args, path: str, passphrase_file: str | None, **options):
        target = Path(path).expanduser()
        if target.is_dir():
            raise CommandError(
                f"{target} is a folder; give a file name, e.g. {target}/track2.backup"
            )
        if not target.parent.is_dir():
            raise CommandError(f"the folder {target.parent} does not exist; create it first.")
        if not is_regular_or_new(target):  # a backup is read back: never a pipe or a device
            raise CommandError(
                f"cannot write {target}: not a regular file (a device or a pipe); give a file name."
            )
        secret = passphrases.passphrase(passphrase_file, new=True)
        try:
            result = archive.make_backup(target, secret)
        except (DatabaseCopyError, PouchError, archive.RestoreRefused) as err:
            raise CommandError(f"the backup failed and was not kept: {err}") from None
        except OSError as err:
            raise CommandError(f"cannot write {target}: {err.strerror}") from None
        self.stdout.write(
            f"Wrote {result.path} (backup {result.backup_id}): {result.tables} tables, "
            f"{result.rows} rows, {result.files} files; read back and verified."
        )
        self.stdout.write("Keys are not in it: back them up apart with `track2 backup-keys`.")
