"""`track2 export-polis --dialogue ID --meeting ID --as EMAIL --output FILE.zip`."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from track2.deliberation import exports
from track2.deliberation.commands import add_meeting_arguments, run_as
from track2.disclosure.status import STATUS_LINE
from track2.output_file import write_output_file


class Command(BaseCommand):
    help = (
        "Export a meeting's statements and votes as a zip in the Pol.is export layout "
        "(comments.csv, votes.csv, participants-votes.csv): no identities, no pseudonyms, "
        "no exact times, no insertion order."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_meeting_arguments(parser)
        parser.add_argument("--output", required=True, metavar="FILE", help="the zip to write")

    def handle(self, *args, dialogue: int, meeting: int, acting: str, output: str, **options):
        document = run_as(
            acting,
            dialogue,
            meeting,
            lambda user: exports.check_export(user, dialogue, meeting, "polis"),
        )
        target = Path(output)
        try:  # private as before; never a device, pipe or link replaced (output_file.py)
            write_output_file(target, lambda out: out.write(document.content), private=True)
        except OSError as err:
            raise CommandError(
                f"{target}: cannot write ({err.strerror}); choose another --output"
            ) from None
        self.stdout.write(STATUS_LINE)
        self.stdout.write(self.style.SUCCESS(f"Wrote {target}."))
