"""`track2 import-polis PATH --dialogue ID --meeting ID --as EMAIL`."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from track2.access import NotFound
from track2.deliberation import interop
from track2.deliberation.commands import acting_user, add_meeting_arguments, one_line
from track2.disclosure.status import STATUS_LINE
from track2.errors import ActionRefused


class Command(BaseCommand):
    help = (
        "Import a Pol.is conversation export (the formats `track2 analyze` reads) into an empty "
        "meeting as a Track 3 consultation: voters without accounts, pseudonyms only."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="the Pol.is export folder, or its votes file")
        add_meeting_arguments(parser)

    def handle(self, *args, path: str, dialogue: int, meeting: int, acting: str, **options):
        user = acting_user(acting)
        try:
            plan = interop.check_import(user, dialogue, meeting, path)
            statements, voters, votes = interop.do_import(user, plan)
        except NotFound:
            raise CommandError(
                f"No meeting {meeting} in dialogue {dialogue} that {acting.strip()} convenes."
            ) from None
        except ActionRefused as refusal:
            raise CommandError(one_line(refusal.message)) from None
        self.stdout.write(STATUS_LINE)
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {statements} statements and {votes} votes of {voters} voters."
            )
        )
