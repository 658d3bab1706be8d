"""Read ranked ballots from CSV for a Schulze count.

The format is one row per ranked candidate under the header ``ballot,candidate,rank``:
``ballot`` names the ballot (any text), ``candidate`` the alternative, ``rank`` an integer where
lower is preferred and equal ranks are ties. A candidate a ballot does not name ranks below every
candidate it names (see :mod:`track2.commonground.schulze`). Candidates are the ones named on any
ballot, in order of first appearance, unless the caller passes the list of valid candidates.

Every problem raises a :class:`BallotFileError` subclass that carries the line number, what was
wrong and what to do, so a command can print one line and exit. Problems of rows do not stop the
reading: the error raised is the first one's, and its message (and ``more``) names the others too,
up to ``MAX_PROBLEMS``, so one run shows everything to fix.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from track2.commonground.csv_rows import UnreadableRow, control_character, csv_records
from track2.commonground.errors import InputFormatError
from track2.commonground.schulze import SchulzeResult, schulze

__all__ = [
    "BallotFileError",
    "BallotHeaderError",
    "BallotRankError",
    "BallotRowError",
    "BallotSet",
    "EmptyBallotError",
    "EmptyBallotFileError",
    "RepeatedCandidateError",
    "UnknownCandidateError",
    "parse_ballots",
    "rank_ballots",
]

HEADER = ("ballot", "candidate", "rank")
BALLOTS_CSV = "a ballot,candidate,rank CSV file"
# Ranks are compared as float64; beyond 2**53 distinct integers would collide.
_MAX_RANK = 10**15
MAX_PROBLEMS = 20  # rows with a problem named in one error; reading stops at the next
# Alternative texts for one paragraph or decision: tens in practice. The count's strongest paths
# take candidates³ steps and the text report candidates² cells (3,000 took 81 s and 108 MB).
MAX_CANDIDATES = 500


class BallotFileError(InputFormatError):
    """A ballot file problem at a given line (1-based, counting the header as line 1).

    ``str(error)`` is ``"SOURCE:LINE: what was wrong; what to do"``.
    """

    def __init__(self, source: str, line: int, problem: str, hint: str) -> None:
        self.problem = problem
        self.hint = hint
        self.more: tuple[BallotFileError, ...] = ()  # the rows' other problems, in order
        super().__init__(source, line, f"{problem}; {hint}")


def _all_at_once(problems: list[BallotFileError], stopped_at: int | None) -> BallotFileError:
    """The first problem, its message naming every other one (and where reading stopped)."""
    first, rest = problems[0], problems[1:]
    hint = first.hint
    if rest:
        hint += ". Also " + "; ".join(f"line {p.line}: {p.problem}" for p in rest)
    if stopped_at is not None:
        hint += f". Reading stopped at line {stopped_at}, after {len(problems)} problems"
    combined = type(first)(first.path, first.line or 0, first.problem, hint)
    combined.more = tuple(rest)
    return combined


class EmptyBallotFileError(BallotFileError):
    """The file is empty or has a header but no ballots."""


class BallotHeaderError(BallotFileError):
    """The first line is not ``ballot,candidate,rank``."""


class BallotRowError(BallotFileError):
    """A row has the wrong number of fields or an empty ballot id."""


class BallotRankError(BallotFileError):
    """A rank is not an integer."""


class EmptyBallotError(BallotFileError):
    """A row names no candidate."""


class RepeatedCandidateError(BallotFileError):
    """A ballot names the same candidate twice."""


class TooManyCandidatesError(BallotFileError):
    """More candidates than one count takes."""


class UnknownCandidateError(BallotFileError):
    """A ballot names a candidate outside the list of valid candidates."""


@dataclass(frozen=True)
class BallotSet:
    """Ballots as a rank matrix: ``ranks[i, j]`` is ballot ``ballot_ids[i]``'s rank of
    ``candidates[j]``, NaN where the ballot leaves the candidate out."""

    ballot_ids: tuple[str, ...]
    candidates: tuple[str, ...]
    ranks: npt.NDArray[np.float64]


def parse_ballots(
    lines: Iterable[str], candidates: Sequence[str] | None = None, source: str = "<ballots>"
) -> BallotSet:
    """Parse ``ballot,candidate,rank`` CSV text (an open file or any iterable of lines; give
    a file through :func:`~track2.commonground.csv_rows.bounded_lines`, so that a file with no
    line break is refused without being read whole).

    ``candidates`` optionally lists the valid candidates (then they all take part, in that order,
    even if no ballot names one, at most ``MAX_CANDIDATES`` or ValueError); ``source`` names the
    input in error messages.
    """
    reader = csv_records(lines, source, BALLOTS_CSV)
    try:
        first = next(reader, None)
    except UnreadableRow as err:
        raise BallotHeaderError(source, 1, err.problem, err.hint) from None
    if first is None:
        raise EmptyBallotFileError(
            source, 1, "the file is empty", "write the header ballot,candidate,rank"
        )
    line, header = first
    if header and header[0].startswith("\ufeff"):  # a UTF-8 byte-order mark from spreadsheets
        header[0] = header[0][1:]
    if tuple(field.strip().lower() for field in header) != HEADER:
        raise BallotHeaderError(
            source,
            line,
            f"unknown header {','.join(header)!r}",
            "the first line must be exactly ballot,candidate,rank",
        )
    allowed = None if candidates is None else set(candidates)
    candidate_index: dict[str, int] = {}
    if candidates is not None:
        for name in candidates:
            candidate_index.setdefault(name, len(candidate_index))
        if len(candidate_index) > MAX_CANDIDATES:
            raise ValueError(f"{len(candidate_index)} candidates; at most {MAX_CANDIDATES}")
    ballot_index: dict[str, int] = {}
    entries: list[tuple[int, int, int]] = []
    seen: dict[tuple[int, int], int] = {}
    problems: list[BallotFileError] = []
    stopped_at = None
    try:
        for line, row in reader:
            if len(problems) == MAX_PROBLEMS:
                stopped_at = line
                break
            if not row or all(not field.strip() for field in row):
                continue  # blank lines carry nothing
            problem = _row_problem(row, source, line, allowed)
            if problem is not None:
                problems.append(problem)
                continue
            ballot, candidate, rank_text = (field.strip() for field in row)
            if candidate not in candidate_index and len(candidate_index) == MAX_CANDIDATES:
                # named once, where the file first goes over; its other rows are still checked
                if not any(isinstance(p, TooManyCandidatesError) for p in problems):
                    problems.append(
                        TooManyCandidatesError(
                            source,
                            line,
                            f"candidate {candidate!r} is one more than the {MAX_CANDIDATES} "
                            "candidates one count takes",
                            f"rank at most {MAX_CANDIDATES} alternatives at a time (one file per "
                            "paragraph or decision)",
                        )
                    )
                continue
            b = ballot_index.setdefault(ballot, len(ballot_index))
            c = candidate_index.setdefault(candidate, len(candidate_index))
            first_on = seen.setdefault((b, c), line)
            if first_on != line:
                problems.append(
                    RepeatedCandidateError(
                        source,
                        line,
                        f"ballot {ballot!r} names {candidate!r} twice (first on line {first_on})",
                        "give each candidate one rank per ballot",
                    )
                )
                continue
            entries.append((b, c, int(rank_text)))
    except UnreadableRow as err:  # csv cannot read on: named with the problems before it
        if len(problems) < MAX_PROBLEMS:
            problems.append(BallotRowError(source, err.line or line, err.problem, err.hint))
        else:
            stopped_at = err.line
    if problems:
        raise _all_at_once(problems, stopped_at)
    if not entries:
        raise EmptyBallotFileError(
            source, line, "the file has no ballots", "add one row per ranked candidate"
        )
    ranks = np.full((len(ballot_index), len(candidate_index)), np.nan)
    rows, cols, values = (np.array(column) for column in zip(*entries, strict=True))
    ranks[rows, cols] = values
    return BallotSet(tuple(ballot_index), tuple(candidate_index), ranks)


def _row_problem(
    row: list[str], source: str, line: int, allowed: set[str] | None
) -> BallotFileError | None:
    """What is wrong with one non-blank row on its own, or None."""
    if len(row) != 3:
        return BallotRowError(
            source,
            line,
            f"expected 3 fields (ballot,candidate,rank), found {len(row)}",
            "quote a name that contains a comma",
        )
    ballot, candidate, rank_text = (field.strip() for field in row)
    if not ballot:
        return BallotRowError(
            source, line, "the ballot id is empty", "give every row its ballot id"
        )
    if not candidate:
        return EmptyBallotError(
            source,
            line,
            f"ballot {ballot!r} has a row with no candidate",
            "name a candidate on every row or drop the row (an empty ballot counts for nothing)",
        )
    for what, text in (("ballot id", ballot), ("candidate", candidate)):
        control = control_character(text)
        if control:
            return BallotRowError(
                source,
                line,
                f"the {what} {text!r} holds a control character ({control})",
                "remove it",
            )
    try:
        rank = int(rank_text)
    except ValueError:
        return BallotRankError(
            source,
            line,
            f"rank {rank_text!r} is not an integer",
            "use whole numbers, lower for preferred, equal for ties",
        )
    if abs(rank) > _MAX_RANK:
        return BallotRankError(
            source,
            line,
            f"rank {rank_text!r} is out of range",
            f"use ranks between -{_MAX_RANK} and {_MAX_RANK}",
        )
    if allowed is not None and candidate not in allowed:
        return UnknownCandidateError(
            source,
            line,
            f"ballot {ballot!r} names unknown candidate {candidate!r}",
            f"use one of: {', '.join(sorted(allowed))}",
        )
    return None


def rank_ballots(ballots: BallotSet) -> SchulzeResult:
    """Schulze count of a parsed ballot set."""
    return schulze(ballots.ranks)
