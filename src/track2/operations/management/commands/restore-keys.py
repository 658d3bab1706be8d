"""`track2 restore-keys PATH`: put the keys back under TRACK2_HOME/keys/ (after `track2 restore`)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from track2.operations import keychest, passphrases, verification


class Command(BaseCommand):
    help = "Restore a `track2 backup-keys` file into TRACK2_HOME/keys/, with its passphrase or enough shares."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("path", metavar="PATH", help="the keys file")
        passphrases.add_argument(parser)
        parser.add_argument(
            "--share",
            action="append",
            default=[],
            metavar="FILE",
            help="a convener's share (repeat for each, as many as the threshold)",
        )
        parser.add_argument(
            "--force", action="store_true", help="replace keys that are already in place"
        )

    def handle(self, *args, path, passphrase_file, share, force, **options):
        source = Path(path).expanduser()
        if not source.is_file():
            raise CommandError(f"{source} is not a file; give the path of a keys backup.")
        opener = {}
        if not share:
            opener["passphrase"] = passphrases.passphrase(passphrase_file, new=False)
        try:
            names = keychest.restore_keys(
                source, share_paths=[Path(s).expanduser() for s in share], force=force, **opener
            )
        except keychest.KeysRefused as err:
            raise CommandError(f"no key was restored: {err}") from None
        self.stdout.write(f"Restored {len(names)} key files.")
        failed = False
        for name, problems in verification.run_checks(verification.Context()):
            for problem in problems:
                failed = True
                self.stderr.write(f"check {name}: {problem}")
        if failed:
            raise CommandError("the restored keys do not pass every check (above).")
        self.stdout.write("Every restore check passed.")
