"""`track2 rank FILE`: Schulze ranking from the command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

WIKIPEDIA = [
    (5, "ACBED"), (5, "ADECB"), (8, "BEDAC"), (3, "CABED"),
    (7, "CAEBD"), (2, "CBADE"), (7, "DCEBA"), (8, "EBADC"),
]  # fmt: skip


def _write_wikipedia(path: Path) -> Path:
    rows = ["ballot,candidate,rank"]
    voter = 0
    for count, order in WIKIPEDIA:
        for _ in range(count):
            voter += 1
            rows += [f"voter-{voter},{c},{i + 1}" for i, c in enumerate(order)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def _run(*args: str) -> str:
    from io import StringIO

    out = StringIO()
    call_command("rank", *args, stdout=out)
    return out.getvalue()


def test_json_output_of_the_wikipedia_example(tmp_path: Path) -> None:
    data = json.loads(_run(str(_write_wikipedia(tmp_path / "b.csv")), "--format", "json"))
    assert data["order"] == ["E", "A", "C", "B", "D"]
    assert data["ballots"] == 45
    assert data["pairwise"]["A"] == {"B": 20, "C": 26, "D": 30, "E": 22}
    assert data["pairwise"]["E"]["D"] == 31
    assert data["strongest_paths"]["A"] == {"B": 28, "C": 28, "D": 30, "E": 24}
    assert data["strongest_paths"]["E"] == {"A": 25, "B": 28, "C": 28, "D": 31}


def test_tied_candidates_share_a_position_as_a_list(tmp_path: Path) -> None:
    path = tmp_path / "tie.csv"
    path.write_text("ballot,candidate,rank\n1,x,1\n1,y,2\n2,y,1\n2,x,2\n3,z,1\n3,x,2\n3,y,2\n")
    data = json.loads(_run(str(path), "--format", "json"))
    # x and y split 1:1 head to head with z ranked by one ballot above both and two below.
    assert data["order"] == [["x", "y"], "z"]


def test_text_output_lists_the_order_and_tables(tmp_path: Path) -> None:
    text = _run(str(_write_wikipedia(tmp_path / "b.csv")))
    assert "Schulze ranking of 5 candidates from 45 ballots" in text
    assert "  1. E" in text and "  5. D" in text
    assert "Strongest paths" in text


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("", "b.csv:1: the file is empty; write the header ballot,candidate,rank"),
        ("who,what,rank\n", "b.csv:1: unknown header"),
        ("ballot,candidate,rank\nv,a,one\n", "b.csv:2: rank 'one' is not an integer"),
        ("ballot,candidate,rank\nv,a,1\nv,a,2\n", "b.csv:3: ballot 'v' names 'a' twice"),
        ("ballot,candidate,rank\nv,,\n", "b.csv:2: ballot 'v' has a row with no candidate"),
        ("ballot,candidate,rank\n", "b.csv:1: the file has no ballots"),
    ],
)
def test_bad_input_is_one_line_command_error(tmp_path: Path, content: str, expected: str) -> None:
    path = tmp_path / "b.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError) as raised:
        _run(str(path))
    message = str(raised.value)
    assert message.startswith(str(tmp_path / expected.split(":")[0]) + ":")
    assert expected.split("b.csv")[1] in message
    assert "\n" not in message


def test_unknown_candidate_with_candidates_option(tmp_path: Path) -> None:
    path = tmp_path / "b.csv"
    path.write_text("ballot,candidate,rank\nv,a,1\nv,q,2\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"b\.csv:3: ballot 'v' names unknown candidate 'q'"):
        _run(str(path), "--candidates", "a,b")


@pytest.mark.parametrize("value", [",,,", " ", ""])
def test_candidates_option_naming_no_candidate_is_refused(tmp_path: Path, value: str) -> None:
    # ",,," gave an empty list of valid candidates: every ballot was refused with "use one of: "
    path = tmp_path / "b.csv"
    path.write_text("ballot,candidate,rank\nv,a,1\n", encoding="utf-8")
    with pytest.raises(CommandError, match="names no candidate; give a comma-separated list"):
        _run(str(path), "--candidates", value)


def test_more_candidates_than_one_count_takes_is_refused_with_the_other_problems(
    tmp_path: Path,
) -> None:
    # 3,000 candidates ran 81 s and wrote 108 MB: the count takes candidates³ steps
    from track2.commonground import MAX_CANDIDATES

    rows = [f"v,c{i},{i}" for i in range(MAX_CANDIDATES + 40)] + ["w,c1,x"]
    path = tmp_path / "b.csv"
    path.write_text("ballot,candidate,rank\n" + "\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(CommandError) as raised:
        _run(str(path))
    message = str(raised.value)
    assert message.startswith(f"{path}:{MAX_CANDIDATES + 2}: candidate 'c{MAX_CANDIDATES}' is one")
    assert f"rank at most {MAX_CANDIDATES} alternatives at a time" in message
    assert message.count("one more than") == 1 and "rank 'x' is not an integer" in message
    names = ",".join(f"c{i}" for i in range(MAX_CANDIDATES + 1))
    with pytest.raises(CommandError, match=f"names {MAX_CANDIDATES + 1} candidates; one count"):
        _run(str(path), "--candidates", names)
    exactly = tmp_path / "max.csv"
    exactly.write_text(
        "ballot,candidate,rank\n" + "\n".join(rows[:MAX_CANDIDATES]) + "\n", encoding="utf-8"
    )
    assert json.loads(_run(str(exactly), "--format", "json"))["order"][0] == "c0"


def test_every_bad_row_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "b.csv"
    path.write_text("ballot,candidate,rank\nv,a,x\nv,b,1.5\nw,a\n", encoding="utf-8")
    with pytest.raises(CommandError) as raised:
        _run(str(path))
    message = str(raised.value)
    assert "b.csv:2: rank 'x' is not an integer" in message and "\n" not in message
    assert "Also line 3: rank '1.5' is not an integer; line 4: expected 3 fields" in message


def test_missing_file_and_non_utf8(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="no such file"):
        _run(str(tmp_path / "absent.csv"))
    path = tmp_path / "latin1.csv"
    path.write_bytes("ballot,candidate,rank\nv,caf\xe9,1\n".encode("latin-1"))
    with pytest.raises(CommandError, match="not UTF-8"):
        _run(str(path))


def test_bad_bytes_a_huge_field_and_no_line_break_are_one_line(tmp_path: Path) -> None:
    path = tmp_path / "b.csv"
    path.write_bytes(b"ballot,candidate,rank\nv,a,1\nv,caf\xe9,2\n")
    with pytest.raises(CommandError, match=r"b\.csv:3: not UTF-8 text \(invalid"):
        _run(str(path))  # the line was missing
    path.write_text("ballot,candidate,rank\n1," + "A" * 200_000 + ",1\n2,B,1\n")
    with pytest.raises(CommandError) as raised:  # a traceback: _csv.Error
        _run(str(path))
    assert str(raised.value) == (
        f"{path}:2: a field is longer than 128 KB (a stray quote?); fix this row"
    )
    with path.open("wb") as sparse:
        sparse.truncate(300 * 2**20)  # read whole before: 1 GB took 2.3 GB
    with pytest.raises(CommandError, match=r"b\.csv:1: no line break in 16 MB"):
        _run(str(path))


def test_cli_exits_non_zero_with_one_line(tmp_path: Path) -> None:
    path = tmp_path / "b.csv"
    path.write_text("ballot,candidate,rank\nv,a,x\n", encoding="utf-8")
    env = {**os.environ, "TRACK2_HOME": str(tmp_path / "home")}
    done = subprocess.run(
        [sys.executable, "-m", "track2", "rank", str(path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode != 0
    error_lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert error_lines == [
        f"CommandError: {path}:2: rank 'x' is not an integer; "
        "use whole numbers, lower for preferred, equal for ties"
    ]
