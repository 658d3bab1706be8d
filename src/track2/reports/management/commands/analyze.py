"""`track2 analyze PATH`: opinion groups and common ground of a Pol.is-format conversation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from track2.commonground import CommonGroundError, GroupCountError, InputFormatError
from track2.disclosure.site import k_floor
from track2.disclosure.status import STATUS_LINE
from track2.disclosure.threshold import k_problem
from track2.output_file import write_output_file
from track2.reports.analysis import FORMATS, MAX_GROUPS_ASKED, MODES, render, run_analysis
from track2.reports.progress import Progress


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


class Command(BaseCommand):
    help = (
        "Find opinion groups, representative statements and common ground in a Pol.is "
        "export folder (votes.csv or participants-votes.csv, comments.csv) or a Pol.is "
        "math folder (votes.json, comments.json). See docs/analyze.md."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="conversation folder, or its votes file")
        parser.add_argument(
            "--mode",
            choices=MODES,
            default="track2",
            help="track2 (default): Track 2 opinion groups, bridging scores "
            "and, with --sides, common ground across sides; polis: the "
            "Pol.is maths exactly",
        )
        parser.add_argument(
            "--polis-state",
            metavar="FILE",
            help="continue from Pol.is's math-pca2.json (keeps its groups in "
            "polis mode; in track2 mode it only warm-starts the map)",
        )
        parser.add_argument(
            "--sides",
            metavar="FILE",
            help="CSV with header participant,side: each participant's "
            "declared side (delegation); adds common ground across sides",
        )
        parser.add_argument(
            "--k-anonymity",
            type=int,
            default=None,
            metavar="N",
            help="text and HTML reports show a side's figures on a statement "
            "only when at least N of its members voted and each answer "
            "counts N or none (default and minimum: the site's "
            "TRACK2_K_ANONYMITY, at least 3)",
        )
        parser.add_argument(
            "--groups",
            type=int,
            metavar="K",
            help=f"force K opinion groups (1 to {MAX_GROUPS_ASKED}) instead of choosing the "
            "number (by silhouette in polis mode, by held-out log-likelihood in track2 mode)",
        )
        parser.add_argument(
            "--raw-counts",
            action="store_true",
            help="JSON only: keep every per-group count, even those the small-cell rule "
            "hides (for public Pol.is data; text and HTML always apply the rule)",
        )
        parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
        parser.add_argument(
            "--workers",
            type=int,
            metavar="N",
            help="track2 mode: threads to use, 1 or 2 (more count as 2). Default: 2 on a "
            "conversation of 500,000 votes or more when the process may use two cores; the "
            "result is the same either way",
        )
        parser.add_argument("--format", choices=FORMATS, default="text")
        parser.add_argument("--output", metavar="FILE", help="write here instead of stdout")

    def handle(self, *args: Any, **options: Any) -> None:
        floor = k_floor()
        k = floor if options["k_anonymity"] is None else options["k_anonymity"]
        problems = _option_problems(options, k_problem(k, floor))
        if problems:  # every wrong option at once, not one per run
            raise CommandError(" ".join(problems) + " Nothing was analysed.")
        # A bar on stderr for any step past 2 s, only on a terminal (nothing on a pipe).
        progress = Progress(self.stderr._out)
        try:
            run = run_analysis(
                options["path"],
                mode=options["mode"],
                polis_state=options["polis_state"],
                groups=options["groups"],
                seed=options["seed"],
                sides=options["sides"],
                k_anonymity=k,
                progress=progress,
                raw_counts=options["raw_counts"],
                workers=options["workers"],
            )
        except (GroupCountError, InputFormatError) as err:
            # the message already says what to do: what to ask for, or how to fix the line
            raise CommandError(_one_line(str(err))) from err
        except CommonGroundError as err:
            raise CommandError(_one_line(f"{err}; check the file and run again")) from err
        with progress.step(f"writing the {options['format']} report"):
            document = render(run, options["format"])
        if options["output"]:
            _write_report(Path(options["output"]), document)
            # The terminal shows the status too, not only the file (STYLE.md §14).
            self.stdout.write(f"{STATUS_LINE}\nReport written to {options['output']}.")
        else:
            self.stdout.write(document, ending="")


def _option_problems(options: dict[str, Any], k_anonymity_problem: str | None) -> list[str]:
    """What is wrong with the numeric options, each as a sentence that says what to give."""
    problems = []
    groups = options["groups"]
    if groups is not None and not 1 <= groups <= MAX_GROUPS_ASKED:
        # More groups than a dialogue can read, and each one more costs the search of all
        # before it (a fixed k is searched as the scan searches it).
        problems.append(f"--groups must be from 1 to {MAX_GROUPS_ASKED}, not {groups}.")
    if options["workers"] is not None and options["workers"] < 1:
        problems.append(f"--workers must be at least 1, not {options['workers']}.")
    if options["seed"] < 0:
        problems.append(f"--seed must be 0 or more, not {options['seed']}.")
    if k_anonymity_problem:
        problems.append(f"--k-anonymity: {k_anonymity_problem}")
    if options["raw_counts"] and options["format"] != "json":
        # text and HTML always apply the small-cell rule: the flag would be ignored unseen
        problems.append(
            f"--raw-counts is for --format json only, not {options['format']}; "
            "drop it or add --format json."
        )
    return problems


def _write_report(path: Path, text: str) -> None:
    """Never a half-written report, never a device, pipe or link replaced (output_file.py)."""
    try:
        write_output_file(path, lambda out: out.write(text.encode("utf-8")))
    except OSError as err:
        raise CommandError(
            _one_line(f"{path}: cannot write ({err.strerror}); choose another --output")
        ) from err
