"""`track2 restore PATH`: restore a backup onto an empty site, then verify it."""

from __future__ import annotations

from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from track2.operations import archive, passphrases
from track2.operations.databases import DatabaseCopyError


class Command(BaseCommand):
    help = (
        "Restore a `track2 backup` archive onto an empty site and verify it against its manifest."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("path", metavar="PATH", help="the archive to restore")
        passphrases.add_argument(parser)
        parser.add_argument(
            "--force",
            action="store_true",
            help="replace the database and uploaded files of a site that is not empty",
        )

    def handle(self, *args, path: str, passphrase_file: str | None, force: bool, **options):
        source = Path(path).expanduser()
        if not source.is_file():
            raise CommandError(f"{source} is not a file; give the path of a backup archive.")
        secret = passphrases.passphrase(passphrase_file, new=False)
        try:
            contents = archive.restore(source, secret, force=force)
        except (archive.RestoreRefused, DatabaseCopyError) as err:
            raise CommandError(f"nothing was restored: {err}") from None
        tables = contents["tables"]
        self.stdout.write(
            f"Restored backup {contents['backup_id']} of {contents['made_at']}: "
            f"{len(tables)} tables, {sum(t['rows'] for t in tables.values())} rows, "
            "migrations, counts, checksums and every restore check verified."
        )
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("Migrated to this version. Now restore the keys: `track2 restore-keys`.")
