"""`track2 serve`: migrate, collect static files, serve with uvicorn (never runserver)."""

from __future__ import annotations

import ipaddress

import uvicorn
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from track2.config import LOOPBACK_HOSTS, describe_email
from track2.site import static_files
from track2.site.health import DatabaseUnreachable, check_database
from track2.site.http import NoDelayHttpProtocol

GRACEFUL_STOP_SECONDS = 5


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def prepare_site(stdout) -> None:
    """Everything a start needs: a reachable database, the schema, the static files."""
    try:
        version = check_database()
    except DatabaseUnreachable as err:
        raise CommandError(str(err)) from None
    stdout.write(f"Database: {settings.CONFIG.database_url_display} ({version})")
    refuse_newer_schema()
    call_command("migrate", interactive=False, verbosity=0)
    static_files.collect()


def refuse_newer_schema() -> None:
    """A newer release migrated this database: this code would misread it, so do not start."""
    from track2.operations.manifest import unknown_applied

    newer = unknown_applied()
    if newer:
        raise CommandError(
            f"the database was upgraded by a newer Track2 ({len(newer)} migrations this version "
            f"does not know, e.g. {newer[0]}); install that version or newer, or restore a backup "
            "made by this one."
        )


def run_server(stdout, host: str, port: int, workers: int) -> None:
    if not is_loopback(host):
        stdout.write(
            f"WARNING: serving on {host}, reachable from other machines. Put Track2 behind an HTTPS "
            "proxy and set TRACK2_HTTPS=1 and TRACK2_ALLOWED_HOSTS; plain HTTP exposes passwords and content."
        )
    if (
        host not in settings.ALLOWED_HOSTS
        and "*" not in settings.ALLOWED_HOSTS
        and not is_loopback(host)
    ):
        stdout.write(
            f"Note: add {host} to TRACK2_ALLOWED_HOSTS, or requests by that name are refused."
        )
    stdout.write(
        f"Track2 is at http://{'[' + host + ']' if ':' in host else host}:{port}/  (Ctrl+C stops it)"
    )
    uvicorn.run(
        "track2.asgi:application",
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        # Access logs would record who fetched which page and when; keep them off by default.
        access_log=False,
        # Believe X-Forwarded-For only from configured proxies: the sign-in limits per address
        # count the address the server sees, and a header anyone can send must not choose it.
        proxy_headers=bool(settings.CONFIG.trusted_proxies),
        forwarded_allow_ips=",".join(settings.CONFIG.trusted_proxies) or None,
        server_header=False,
        http=NoDelayHttpProtocol,
        # Open event streams (live updates) never finish by themselves: on a stop, give requests
        # this long, then end the streams; browsers reconnect to the next server with Last-Event-ID.
        timeout_graceful_shutdown=GRACEFUL_STOP_SECONDS,
    )


class Command(BaseCommand):
    help = "Serve Track2 with a production server (uvicorn + whitenoise), after migrating and collecting static files."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--host",
            default="127.0.0.1",
            help="address to listen on (default 127.0.0.1: this machine only)",
        )
        parser.add_argument(
            "--port", type=int, default=8000, help="port to listen on (default 8000)"
        )
        parser.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")

    def handle(self, *args, host: str, port: int, workers: int, **options):
        if not 1 <= port <= 65535:
            raise CommandError(f"--port {port} is not a port number; use 1 to 65535.")
        if workers < 1:
            raise CommandError(f"--workers {workers} must be 1 or more.")
        prepare_site(self.stdout)
        where, warning = describe_email(settings.CONFIG.email)
        self.stdout.write(f"E-mail: {where}" + (f". Note: {warning}." if warning else ""))
        if workers > 1 and connection.vendor == "sqlite":
            self.stdout.write(
                "Note: on SQLite, live updates (a room's map) reach only browsers connected to the "
                "worker that made the change; serve with --workers 1, or use PostgreSQL."
            )
        run_server(self.stdout, host, port, workers)
