"""`track2 migrate-to URL`: move this site from SQLite to an empty PostgreSQL database."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from track2.operations import transfer


class Command(BaseCommand):
    help = "Copy every row of this site's database into an empty PostgreSQL database, then compare them table by table."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "url", metavar="URL", help="postgresql://user:pass@host:5432/name of an empty database"
        )

    def handle(self, *args, url: str, **options):
        try:
            done = transfer.migrate_to(url)
        except transfer.TransferRefused as err:
            raise CommandError(f"nothing was moved: {err}") from None
        self.stdout.write(
            f"Copied {done.rows} rows of {done.tables} tables into {done.display}; every table matches."
        )
        self.stdout.write(
            "Stop the site, set TRACK2_DATABASE_URL to that URL, and start it again (keys stay in TRACK2_HOME/keys/)."
        )
