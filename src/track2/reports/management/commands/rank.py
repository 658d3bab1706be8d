"""`track2 rank FILE`: rank alternative texts from ballots by the Schulze method.

Thin entry point: read the file, parse it with :mod:`track2.commonground.ballots`, count with
:mod:`track2.commonground.schulze`, render. Every input problem becomes one ``CommandError`` line
``FILE:LINE: what was wrong; what to do``.
"""

from __future__ import annotations

import json
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from track2.commonground.ballots import (
    MAX_CANDIDATES,
    BallotFileError,
    BallotSet,
    parse_ballots,
    rank_ballots,
)
from track2.commonground.csv_rows import bounded_lines, first_bad_utf8_line
from track2.commonground.schulze import SchulzeResult


def _table(names: tuple[str, ...], values: Any) -> dict[str, dict[str, int]]:
    return {
        a: {b: int(values[i, j]) for j, b in enumerate(names) if j != i}
        for i, a in enumerate(names)
    }


def result_as_json(ballots: BallotSet, result: SchulzeResult) -> dict[str, Any]:
    """The JSON document: ``order`` winner first, a tied position as a list of names."""
    names = ballots.candidates
    order: list[str | list[str]] = [
        names[position[0]] if len(position) == 1 else [names[i] for i in position]
        for position in result.order
    ]
    return {
        "method": "schulze (winning votes); left-out candidates rank below named ones",
        "ballots": result.n_ballots,
        "candidates": list(names),
        "order": order,
        "pairwise": _table(names, result.pairwise),
        "strongest_paths": _table(names, result.strongest_paths),
    }


def result_as_text(ballots: BallotSet, result: SchulzeResult) -> str:
    names = ballots.candidates
    lines = [
        f"Schulze ranking of {len(names)} candidates from {result.n_ballots} ballots",
        "",
    ]
    for place, position in enumerate(result.order, start=1):
        tied = " (tied)" if len(position) > 1 else ""
        lines.append(f"{place:>3}. {' = '.join(names[i] for i in position)}{tied}")
    width = max(len(name) for name in names)
    for title, table in (
        ("Pairwise preferences: ballots ranking ROW above COLUMN", result.pairwise),
        ("Strongest paths from ROW to COLUMN", result.strongest_paths),
    ):
        lines += ["", title]
        lines.append(" " * width + "".join(f" {name:>{width}}" for name in names))
        for i, name in enumerate(names):
            cells = "".join(
                f" {'-' if i == j else int(table[i, j]):>{width}}" for j in range(len(names))
            )
            lines.append(f"{name:>{width}}{cells}")
    return "\n".join(lines)


class Command(BaseCommand):
    help = (
        "Rank alternative texts by the Schulze method from a CSV of ballots with header "
        "ballot,candidate,rank (lower rank preferred, equal ranks tie, a candidate a ballot "
        "leaves out ranks below all it names)."
    )
    requires_system_checks: list[str] = []  # pure computation on a file; no database needed

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", help="CSV file with header ballot,candidate,rank")
        parser.add_argument("--format", choices=("text", "json"), default="text")
        parser.add_argument(
            "--candidates",
            help="comma-separated list of valid candidates; a ballot naming another is an error",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        candidates = None
        if options.get("candidates") is not None:
            candidates = [name.strip() for name in options["candidates"].split(",") if name.strip()]
            if not candidates:
                raise CommandError(
                    f"--candidates {options['candidates']!r} names no candidate; give a "
                    "comma-separated list such as A,B,C"
                )
            if len(set(candidates)) > MAX_CANDIDATES:
                raise CommandError(
                    f"--candidates names {len(set(candidates))} candidates; one count takes at "
                    f"most {MAX_CANDIDATES}: rank the alternatives of one paragraph or decision "
                    "at a time"
                )
        try:
            with path.open(encoding="utf-8-sig", newline="") as handle:
                ballots = parse_ballots(bounded_lines(handle), candidates, source=str(path))
        except FileNotFoundError:
            raise CommandError(f"{path}: no such file; check the path") from None
        except IsADirectoryError:
            raise CommandError(f"{path}: is a folder; give the CSV file of ballots") from None
        except OSError as error:  # no permission, a device that cannot be read
            raise CommandError(f"{path}: cannot read ({error.strerror}); check the path") from None
        except UnicodeDecodeError as error:
            raise CommandError(
                f"{path}:{first_bad_utf8_line(path)}: not UTF-8 text ({error.reason}); "
                "save the CSV as UTF-8"
            ) from None
        except BallotFileError as error:
            raise CommandError(str(error)) from None
        result = rank_ballots(ballots)
        if options["format"] == "json":
            self.stdout.write(json.dumps(result_as_json(ballots, result), indent=2))
        else:
            self.stdout.write(result_as_text(ballots, result))
