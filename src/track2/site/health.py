"""Health checks shared by `track2 check`, `track2 serve` and the `/healthz` page."""

from __future__ import annotations

from django.conf import settings
from django.db import DatabaseError, connection


class DatabaseUnreachable(Exception):
    """The configured database cannot be reached or used."""


def check_database() -> str:
    """Run one query; return the server's version or raise DatabaseUnreachable with advice."""
    shown = settings.CONFIG.database_url_display
    try:
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute("select sqlite_version()")
                version = f"SQLite {cursor.fetchone()[0]}"
                cursor.execute("pragma journal_mode")
                version += f" (journal {cursor.fetchone()[0]})"
            else:
                cursor.execute("show server_version")
                version = f"PostgreSQL {cursor.fetchone()[0]}"
    except DatabaseError as err:
        first_line = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise DatabaseUnreachable(
            f"cannot use the database at {shown}: {first_line}. "
            "Check TRACK2_DATABASE_URL and that the database server is running."
        ) from None
    return version
