"""`track2 import-polis PATH --dialogue ID --meeting ID --as EMAIL`."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from track2.deliberation import interop
from track2.deliberation.commands import add_meeting_arguments, run_as
from track2.disclosure.status import STATUS_LINE


class Command(BaseCommand):
    help = (
        "Import a Pol.is conversation export (the formats `track2 analyze` reads) into an empty "
        "meeting as a Track 3 consultation: voters without accounts, pseudonyms only."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="the Pol.is export folder, or its votes file")
        add_meeting_arguments(parser)

    def handle(self, *args, path: str, dialogue: int, meeting: int, acting: str, **options):
        statements, voters, votes = run_as(
            acting,
            dialogue,
            meeting,
            lambda user: interop.do_import(
                user, interop.check_import(user, dialogue, meeting, path)
            ),
        )
        self.stdout.write(STATUS_LINE)
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {statements} statements and {votes} votes of {voters} voters."
            )
        )
