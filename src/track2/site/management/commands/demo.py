"""`track2 demo`: build (or reuse, or reset) the demo site in its own data folder and serve it."""

from __future__ import annotations

import sys
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from track2.backchannel import demo as backchannel
from track2.site import demo
from track2.site.management.commands.serve import prepare_site, run_server


def track2_command() -> str:
    """The exact command to run: the README's install puts `track2` in .venv/bin, not on PATH."""
    beside = Path(sys.executable).absolute().with_name("track2")
    return str(beside) if beside.exists() else f"{Path(sys.executable).absolute()} -m track2"


class Command(BaseCommand):
    help = (
        "Create the demo site (a fictional Track 2 dialogue) in its own data folder "
        "(TRACK2_DEMO_HOME, default ~/.track2-demo), print the logins and serve it."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--port", type=int, default=8000, help="port to serve on (default 8000)"
        )
        parser.add_argument(
            "--host", default="127.0.0.1", help="address to serve on (default 127.0.0.1)"
        )
        parser.add_argument(
            "--reset", action="store_true", help="delete the existing demo site and build a new one"
        )
        parser.add_argument(
            "--no-serve",
            action="store_true",
            help="build the demo site and print the logins, but do not serve",
        )

    def handle(self, *args, port: int, host: str, reset: bool, no_serve: bool, **options):
        home: Path = settings.CONFIG.home
        database = Path(str(settings.DATABASES["default"]["NAME"]))
        if not 1 <= port <= 65535:
            raise CommandError(f"--port {port} is not a port number; use 1 to 65535.")
        exists = database.exists() and bool(demo.load_logins(home))
        if exists and not reset and sys.stdin.isatty():
            answer = (
                input(f"A demo site exists in {home}. Reset it to a fresh demo? [y/N] ")
                .strip()
                .lower()
            )
            reset = answer in ("y", "yes")
        if exists and not reset:
            self.stdout.write(
                f"Using the existing demo site in {home} (use --reset for a fresh one)."
            )
            prepare_site(self.stdout)
            # only what still signs in: recovery codes used since, or a secret replaced, are not
            # printed again
            logins = demo.as_they_work_now(demo.load_logins(home))
        else:
            connections.close_all()
            for suffix in ("", "-wal", "-shm"):
                Path(str(database) + suffix).unlink(missing_ok=True)
            prepare_site(self.stdout)
            logins = demo.build()
            demo.save_logins(home, logins)
            call_command("clearsessions", verbosity=0)
            self.stdout.write(f"Built a fresh demo site in {home}.")
        self.stdout.write("")
        self.stdout.write(f"Demo: http://{host}:{port}/   (everything in it is fictional)")
        self.stdout.write(
            "Sign in as any of these (one login per role, a second convener, and a participant "
            "of each side):"
        )
        for line in demo.login_lines(logins):
            self.stdout.write(line)
        self.stdout.write(f"(The logins are also in {home / demo.LOGINS_FILE}.)")
        self.stdout.write(
            "The dialogue room: sign in as a participant of each side (two browsers) and open "
            "Varena Sea Dialogue → Meetings → “Working session …” → Open the dialogue room; "
            "the facilitator moderates and watches the map under Common ground."
        )
        self.stdout.write(
            "The common-ground engine on a real Pol.is conversation, from the project folder: "
            f"{track2_command()} analyze tests/data/polis/brexit-consensus --format html --output report.html"
        )
        for line in backchannel.replay_lines(home, f"http://{host}:{port}", track2_command()):
            self.stdout.write(line)
        self.stdout.write("")
        if not no_serve:
            run_server(self.stdout, host, port, workers=1)
