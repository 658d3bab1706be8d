"""`track2 check`: Django's system checks, plus configuration and database health."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import CommandError
from django.core.management.commands.check import Command as DjangoCheck
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from track2.config import describe_email
from track2.operations.queries import keys_in_no_backup, keys_warning, last_verified_backup
from track2.site.health import DatabaseUnreachable, check_database


class Command(DjangoCheck):
    help = "Check Track2's configuration, data folder and database (then Django's system checks)."

    def handle(self, *app_labels, **options):
        config = settings.CONFIG
        self.stdout.write(f"Data folder:   {config.home}")
        self.stdout.write(f"Database:      {config.database_url_display}")
        try:
            version = check_database()
        except DatabaseUnreachable as err:
            raise CommandError(str(err)) from None
        self.stdout.write(f"               reachable: {version}")
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if pending:
            self.stdout.write(
                self.style.WARNING(
                    f"               {len(pending)} migrations not applied: run `track2 migrate` (serve does it)"
                )
            )
        else:
            self.stdout.write("               schema up to date")
        if not pending:
            self.stdout.write(f"Backups:       {last_verified_backup()}")
            unsaved = keys_in_no_backup()
            if unsaved:
                self.stdout.write(self.style.WARNING(f"               {keys_warning(unsaved)}"))
        where, warning = describe_email(config.email)
        self.stdout.write(f"E-mail:        {where}")
        if warning:
            self.stdout.write(self.style.WARNING(f"               {warning}"))
        self.stdout.write(f"Allowed hosts: {', '.join(config.allowed_hosts)}")
        self.stdout.write(
            f"HTTPS mode:    {'on' if config.https else 'off'}    debug: {'ON' if config.debug else 'off'}"
        )
        keys = config.home / "keys"
        if keys.exists() and keys.stat().st_mode & 0o077:
            raise CommandError(f"{keys} is readable by other users; run: chmod 700 {keys}")
        super().handle(*app_labels, **options)
