"""`track2 backup-keys PATH`: the keys folder in its own encrypted file, or split among conveners."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from track2.operations import keychest, passphrases
from track2.output_file import is_regular_or_new


class Command(BaseCommand):
    help = "Back up every key under TRACK2_HOME/keys/ into its own encrypted file, apart from the database."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("path", metavar="PATH", help="the keys file to write")
        passphrases.add_argument(parser)
        parser.add_argument(
            "--split",
            metavar="T/N",
            help="instead of a passphrase, split the key into N shares of which any T open it (e.g. 2/3); "
            "the shares are written beside PATH as PATH.share-1 … PATH.share-N",
        )

    def handle(self, *args, path: str, passphrase_file: str | None, split: str | None, **options):
        target = Path(path).expanduser()
        # Every wrong option at once: the file, the split, a passphrase file beside a split.
        problems = []
        if not target.parent.is_dir() or target.is_dir():
            problems.append(f"cannot write {target}: give a file name in an existing folder.")
        elif not is_regular_or_new(target):  # the keys file is read back: never a pipe or device
            problems.append(
                f"cannot write {target}: not a regular file (a device or a pipe); give a file name."
            )
        split_into: tuple[int, int] | None = None
        if split is not None:
            if passphrase_file:
                problems.append(
                    "--split and --passphrase-file do not go together: split the keys among "
                    "conveners, or seal them with a passphrase."
                )
            try:
                split_into = keychest.parse_split(split)
            except keychest.KeysRefused as err:
                problems.append(str(err))
        if problems:
            raise CommandError(" ".join(problems))
        try:
            if split_into is not None:
                record, shares = keychest.backup_keys(
                    target, threshold=split_into[0], shares=split_into[1]
                )
            else:
                secret = passphrases.passphrase(passphrase_file, new=True)
                record, shares = keychest.backup_keys(target, passphrase=secret)
        except keychest.KeysRefused as err:
            raise CommandError(str(err)) from None
        except OSError as err:  # a pipe or a device (a keys file is read back), a full disk…
            raise CommandError(
                f"cannot write {target} ({err.strerror}): give a file name in an existing folder."
            ) from None
        self.stdout.write(f"Wrote {target}: {len(record.key_files)} key files.")
        for share in shares:
            self.stdout.write(f"  share for one convener: {share}")
        if shares:
            self.stdout.write(
                "Give each share to a different convener and delete it from this machine."
            )
        self.stdout.write("Keep this file apart from the database backups.")
