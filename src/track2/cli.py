"""The `track2` command: Django's management commands, with Track2's own in front.

`track2 demo` runs with its own data folder so a demo never touches a real site: the
folder is chosen here, before Django reads its settings.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from track2.config import ConfigError
from track2.site.health import DatabaseUnreachable

TRACK2_COMMANDS = {
    "serve": "serve the site with a production server (migrates and collects static files first)",
    "demo": "create or reset the demo site with a fictional dialogue and serve it",
    "createadmin": "create a site administrator (Django admin access)",
    "grant-convener": "give (or --revoke) an account the right to convene in an institution",
    "check": "check the configuration, the data folder and the database",
    "analyze": "find opinion groups and common ground in a Pol.is-format conversation",
    "rank": "rank alternative texts from ballots by the Schulze method",
    "backchannel": "the back channel's client: keys, send, inbox, read, convey, ack, verify-log",
    "backup": "back up the database, uploaded files and settings into one encrypted file",
    "restore": "restore a backup onto an empty site and verify it",
    "backup-keys": "back up the keys (apart from the database), optionally split among conveners",
    "restore-keys": "restore the keys from their backup, with the passphrase or enough shares",
    "housekeeping": "apply retention and prune expired sessions, throttle rows and invitations",
    "retention": "show or set what happens to a dialogue's content when it closes",
    "destroy-key": "destroy a dialogue's pseudonym key (two conveners: one asks, one confirms)",
    "delete-dialogue": "delete a whole dialogue and all it holds (two conveners: one asks, one confirms)",
    "migrate-to": "move this site's database from SQLite to PostgreSQL, every row",
    "import-polis": "import a Pol.is conversation into a meeting as a Track 3 consultation",
    "export-polis": "export a meeting's statements and votes in the Pol.is layout (zip)",
    "impact": "recommendations, relays, reactions, surveys, comments and the evaluation",
}


def demo_home() -> Path:
    return Path(os.environ.get("TRACK2_DEMO_HOME") or "~/.track2-demo").expanduser()


def _usage() -> str:
    lines = [
        "usage: track2 COMMAND [options]   (track2 COMMAND --help for details)",
        "",
        "Track2 commands:",
    ]
    lines += [f"  {name:<13} {text}" for name, text in TRACK2_COMMANDS.items()]
    lines += [
        "",
        "Django's commands (migrate, shell, dbshell, changepassword, …) work too: track2 help --all",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv if argv is None else argv)
    argv[0] = "track2"
    command = argv[1] if len(argv) > 1 else ""
    if command in ("", "-h", "--help") or (command == "help" and len(argv) == 2):
        print(_usage())
        return 0
    if command == "help" and argv[2:] == ["--all"]:
        argv = argv[:2]
    if command == "demo":
        os.environ["TRACK2_HOME"] = str(demo_home())
        os.environ.pop("TRACK2_DATABASE_URL", None)
        # The demo's people are fictional: its mail is printed, to follow the invitation links.
        os.environ["TRACK2_EMAIL_URL"] = "console://"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "track2.settings")
    try:
        import django
        from django.core.management import execute_from_command_line

        django.setup()
        execute_from_command_line(argv)
    except ConfigError as err:
        print(f"track2: configuration error: {err}", file=sys.stderr)
        return 2
    except DatabaseUnreachable as err:
        print(f"track2: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader stopped reading (`track2 check | head -1`): nothing is wrong to report.
        # Python would print a traceback at exit when it flushes stdout again, so stdout is
        # pointed at /dev/null first; the status is that of a command killed by SIGPIPE.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    return 0


if __name__ == "__main__":
    sys.exit(main())
