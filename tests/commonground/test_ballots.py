"""Parsing ranked ballots from CSV: the happy path and one test per error."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest

from track2.commonground.ballots import (
    BallotFileError,
    BallotHeaderError,
    BallotRankError,
    BallotRowError,
    EmptyBallotError,
    EmptyBallotFileError,
    RepeatedCandidateError,
    UnknownCandidateError,
    parse_ballots,
    rank_ballots,
)
from track2.commonground.errors import CommonGroundError, InputFormatError


def parse(text: str, **kwargs: object) -> object:
    return parse_ballots(io.StringIO(text), source="ballots.csv", **kwargs)  # type: ignore[arg-type]  # kwargs are the optional keyword arguments


def test_parses_ties_and_incomplete_ballots() -> None:
    ballots = parse_ballots(
        io.StringIO(
            "ballot,candidate,rank\n"
            "v1,Text A,1\n"
            "v1,Text B,2\n"
            "v1,Text C,2\n"
            "\n"
            "v2,Text C,1\n"
            '"v3","Text B, revised",5\n'
        )
    )
    assert ballots.ballot_ids == ("v1", "v2", "v3")
    assert ballots.candidates == ("Text A", "Text B", "Text C", "Text B, revised")
    expected = np.array(
        [
            [1, 2, 2, np.nan],
            [np.nan, np.nan, 1, np.nan],
            [np.nan, np.nan, np.nan, 5],
        ]
    )
    np.testing.assert_array_equal(ballots.ranks, expected)


def test_header_is_trimmed_and_case_insensitive_and_bom_is_dropped() -> None:
    ballots = parse_ballots(["\ufeffBallot , Candidate,RANK\n", "1,a,1\n"])
    assert ballots.candidates == ("a",)


def test_given_candidates_all_take_part_in_given_order() -> None:
    ballots = parse_ballots(io.StringIO("ballot,candidate,rank\nv,b,1\n"), candidates=["a", "b"])
    assert ballots.candidates == ("a", "b")
    result = rank_ballots(ballots)
    assert result.order == ((1,), (0,))


def test_rank_ballots_counts_by_schulze() -> None:
    rows = ["ballot,candidate,rank"]
    # 3 ballots A > B > C, 2 ballots C > B (A left out, so A ranks last on those).
    for v in range(3):
        rows += [f"x{v},A,1", f"x{v},B,2", f"x{v},C,3"]
    for v in range(2):
        rows += [f"y{v},C,1", f"y{v},B,2"]
    result = rank_ballots(parse_ballots(rows))
    np.testing.assert_array_equal(result.pairwise, [[0, 3, 3], [2, 0, 3], [2, 2, 0]])
    assert result.order == ((0,), (1,), (2,))


@pytest.mark.parametrize(
    ("text", "error", "line", "words"),
    [
        ("", EmptyBallotFileError, 1, "empty"),
        ("ballot,candidate,rank\n", EmptyBallotFileError, 1, "no ballots"),
        ("ballot,candidate,rank\n\n\n", EmptyBallotFileError, 3, "no ballots"),
        ("voter,option,rank\nv,a,1\n", BallotHeaderError, 1, "unknown header"),
        ("ballot,candidate\nv,a\n", BallotHeaderError, 1, "ballot,candidate,rank"),
        ("ballot,candidate,rank\nv,a,1\nv,b\n", BallotRowError, 3, "expected 3 fields"),
        ("ballot,candidate,rank\nv,a,1,2\n", BallotRowError, 2, "found 4"),
        ("ballot,candidate,rank\n,a,1\n", BallotRowError, 2, "ballot id is empty"),
        ("ballot,candidate,rank\nv,a,first\n", BallotRankError, 2, "not an integer"),
        ("ballot,candidate,rank\nv,a,1.5\n", BallotRankError, 2, "'1.5'"),
        ("ballot,candidate,rank\nv,a,\n", BallotRankError, 2, "not an integer"),
        ("ballot,candidate,rank\nv,a,1" + "0" * 20 + "\n", BallotRankError, 2, "out of range"),
        ("ballot,candidate,rank\nv,,\n", EmptyBallotError, 2, "no candidate"),
        ("ballot,candidate,rank\nv,a,1\nw,b,1\nv,a,2\n", RepeatedCandidateError, 4, "line 2"),
    ],
)
def test_bad_input_raises_typed_error_with_line(
    text: str, error: type[BallotFileError], line: int, words: str
) -> None:
    with pytest.raises(error) as raised:
        parse(text)
    assert raised.value.line == line
    assert words in str(raised.value)
    message = str(raised.value)
    assert message.startswith(f"ballots.csv:{line}: ")
    assert "\n" not in message
    assert "; " in message  # what was wrong; what to do
    assert isinstance(raised.value, InputFormatError)
    assert isinstance(raised.value, CommonGroundError)


def test_unknown_candidate_is_refused_when_candidates_are_given() -> None:
    with pytest.raises(UnknownCandidateError) as raised:
        parse("ballot,candidate,rank\nv,a,1\nv,z,2\n", candidates=["a", "b"])
    assert raised.value.line == 3
    assert "use one of: a, b" in str(raised.value)


def test_every_bad_row_is_named_at_once() -> None:
    text = (
        "ballot,candidate,rank\n"
        "v,a,1\n"
        "v,b,first\n"  # 3
        "w,\x07b,1\n"  # 4: a control character
        "w,a,1.5\n"  # 5
        "x,a,1\n"
        "x,a,2\n"  # 7: repeated
        "y,b\n"  # 8
    )
    with pytest.raises(BallotRankError) as raised:
        parse(text)
    error = raised.value
    assert error.line == 3  # the first problem's type and line, as before
    assert [p.line for p in error.more] == [4, 5, 7, 8]
    assert [type(p) for p in error.more] == [
        BallotRowError,
        BallotRankError,
        RepeatedCandidateError,
        BallotRowError,
    ]
    message = str(error)
    assert message.startswith("ballots.csv:3: rank 'first' is not an integer")
    for part in (
        "line 4: the candidate '\\x07b' holds a control character (U+0007)",
        "line 5:",
        "line 7:",
        "line 8: expected 3 fields",
    ):
        assert part in message
    assert "\n" not in message


def test_reading_stops_after_the_most_problems_it_names() -> None:
    from track2.commonground.ballots import MAX_PROBLEMS

    rows = "".join(f"v{i},a,bad\n" for i in range(MAX_PROBLEMS + 5))
    with pytest.raises(BallotRankError) as raised:
        parse("ballot,candidate,rank\n" + rows)
    assert len(raised.value.more) == MAX_PROBLEMS - 1
    assert f"Reading stopped at line {MAX_PROBLEMS + 2}, after {MAX_PROBLEMS} problems" in str(
        raised.value
    )


def test_a_field_over_the_csv_limit_is_named_with_the_rows_before() -> None:
    # a traceback: _csv.Error: field larger than field limit (131072)
    with pytest.raises(BallotRankError) as raised:
        parse("ballot,candidate,rank\nv,a,x\n1," + "A" * 200_000 + ",1\n2,B,1\n")
    assert raised.value.line == 2
    assert [(type(p), p.line) for p in raised.value.more] == [(BallotRowError, 3)]
    assert "Also line 3: a field is longer than 128 KB (a stray quote?)" in str(raised.value)
    with pytest.raises(BallotHeaderError) as header:
        parse("ballot,candidate," + "r" * 200_000 + "\n")
    assert header.value.line == 1 and "longer than 128 KB" in str(header.value)


def test_a_ballot_file_with_no_line_break_is_refused_after_16_mb(tmp_path: Path) -> None:
    from track2.commonground.csv_rows import bounded_lines

    path = tmp_path / "ballots.csv"
    with path.open("wb") as sparse:
        sparse.truncate(300 * 2**20)
    with path.open(encoding="utf-8", newline="") as f, pytest.raises(BallotHeaderError) as raised:
        parse_ballots(bounded_lines(f), source="ballots.csv")
    assert raised.value.line == 1
    assert "no line break in 16 MB: this is not a ballot,candidate,rank CSV file" in str(
        raised.value
    )
