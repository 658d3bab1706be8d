"""`track2 backup-keys PATH`: the keys folder in its own encrypted file, or split among conveners."""

from __future__ import annotations

import re
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from track2.operations import keychest, passphrases

SPLIT = re.compile(r"^(\d{1,2})/(\d{1,2})$")


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
        if not target.parent.is_dir() or target.is_dir():
            raise CommandError(f"cannot write {target}: give a file name in an existing folder.")
        try:
            if split:
                match = SPLIT.match(split.strip())
                if not match:
                    raise CommandError(f"--split {split!r} is not T/N; use e.g. --split 2/3.")
                record, shares = keychest.backup_keys(
                    target, threshold=int(match[1]), shares=int(match[2])
                )
            else:
                secret = passphrases.passphrase(passphrase_file, new=True)
                record, shares = keychest.backup_keys(target, passphrase=secret)
        except keychest.KeysRefused as err:
            raise CommandError(str(err)) from None
        self.stdout.write(f"Wrote {target}: {len(record.key_files)} key files.")
        for share in shares:
            self.stdout.write(f"  share for one convener: {share}")
        if shares:
            self.stdout.write(
                "Give each share to a different convener and delete it from this machine."
            )
        self.stdout.write("Keep this file apart from the database backups.")
