"""`track2 analyze PATH`: text, JSON (docs/analyze.md schema) and HTML; one-line errors."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import threading
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

DATA = Path(__file__).resolve().parents[1] / "data"
BREXIT = DATA / "polis" / "brexit-consensus"
MATH = DATA / "polis-math" / "above-100-ptpts"


def _run(*args: str) -> str:
    out = StringIO()
    call_command("analyze", *args, stdout=out)
    return out.getvalue()


def test_text_report_names_groups_statements_and_consensus():
    text = _run(str(BREXIT), "--mode", "polis")
    assert "2 opinion groups" in text
    assert "Labour should oppose the Brexit process." in text  # a representative statement
    assert "Consensus" in text and "Divisive" in text
    # a divisive statement's shares say first what they count, then each group's
    assert "(agree: group 0: " in text and "% agree)" not in text
    assert "Unofficial. Non-binding." in text


def test_json_schema_with_input_ids_and_agree_positive():
    doc = json.loads(
        _run(
            str(MATH),
            "--format",
            "json",
            "--mode",
            "polis",
            "--polis-state",
            str(MATH / "math-pca2.json"),
            "--raw-counts",  # every per-group figure, as Pol.is's own output has them
        )
    )
    for key in (
        "participants",
        "statements",
        "votes",
        "in_conv",
        "pca",
        "projections",
        "groups",
        "repness",
        "consensus",
        "group_informed_consensus",
        "method",
        "timings",
    ):
        assert key in doc
    assert "sides" not in doc and "bridging" not in doc  # track2 mode and --sides add them
    math = json.loads((MATH / "math-pca2.json").read_text())
    assert sorted(doc["in_conv"]) == sorted(math["in-conv"])
    assert set(doc["pca"]["center"]) == {str(t) for t in math["tids"]}
    for tid, c in zip(math["tids"], math["pca"]["center"], strict=True):
        assert doc["pca"]["center"][str(tid)] == pytest.approx(-c, abs=1e-9)  # agree = +1
    assert len(doc["pca"]["components"]) == 2
    assert [g["id"] for g in doc["groups"]] == [g["id"] for g in math["group-clusters"]]
    members = {p for g in doc["groups"] for p in g["members"]}
    assert members == set(doc["in_conv"])
    assert set(doc["projections"]) == {str(p) for p in doc["participants"]}
    for gid, reps in doc["repness"].items():
        assert [r["statement"] for r in reps] == [r["tid"] for r in math["repness"][gid]]
        assert set(reps[0]) >= {
            "statement",
            "repful_for",
            "n_success",
            "n_trials",
            "p_success",
            "p_test",
            "repness",
            "repness_test",
        }
    assert [c["statement"] for c in doc["consensus"]["agree"]] == [
        c["tid"] for c in math["consensus"]["agree"]
    ]
    gac = math["group-aware-consensus"]
    for tid, v in gac.items():
        assert doc["group_informed_consensus"][tid] == pytest.approx(v, abs=1e-9)
    assert doc["timings"]["total"] > 0 and doc["method"] == "polis"


def test_groups_seed_and_mode_options():
    doc = json.loads(
        _run(str(BREXIT), "--format", "json", "--groups", "3", "--seed", "4", "--mode", "track2")
    )
    assert len(doc["groups"]) == 3 and doc["seed"] == 4 and doc["mode"] == "track2"
    again = json.loads(_run(str(BREXIT), "--format", "json", "--groups", "3", "--seed", "4"))
    assert [g["members"] for g in again["groups"]] == [g["members"] for g in doc["groups"]]


def test_html_is_self_contained_and_escaped(tmp_path):
    folder = tmp_path / "conv"
    folder.mkdir()
    (folder / "votes.csv").write_text((BREXIT / "votes.csv").read_text())
    comments = (
        (BREXIT / "comments.csv")
        .read_text()
        .replace("I voted to Remain.", "<script>alert(1)</script> & Remain")
    )
    (folder / "comments.csv").write_text(comments)
    out = tmp_path / "report.html"
    _run(str(folder), "--format", "html", "--output", str(out))
    page = out.read_text()
    assert page.startswith("<!DOCTYPE html>") and "<svg" in page and "<circle" in page
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Remain" in page
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in page
    assert not list(tmp_path.glob(".report.html.*"))  # no temporary file left behind


def test_a_statement_with_line_breaks_stays_on_one_line_of_the_text_report(tmp_path):
    folder = tmp_path / "conv"
    folder.mkdir()
    (folder / "votes.csv").write_text((BREXIT / "votes.csv").read_text())
    broken = "Labour should oppose\nthe Brexit\tprocess."
    comments = (BREXIT / "comments.csv").read_text()
    assert "Labour should oppose the Brexit process." in comments
    comments = comments.replace(",Labour should oppose the Brexit process.", f',"{broken}"')
    (folder / "comments.csv").write_text(comments)
    text = _run(str(folder), "--mode", "polis")
    # a representative and a divisive statement: each still one line, words spaced as written
    assert text.count("Labour should oppose the Brexit process.") >= 2
    assert "oppose\n" not in text and "\t" not in text
    # the JSON keeps the statement as written
    doc = json.loads(_run(str(folder), "--format", "json", "--mode", "polis"))
    assert any(statement["text"] == broken for statement in doc["statements"])


@pytest.mark.parametrize(
    "files, where",
    [
        (
            {
                "votes.csv": "timestamp,datetime,comment-id,voter-id,vote\n1,x,1,2,1\n2,x,1,3,maybe\n"
            },
            "votes.csv:3:",
        ),
        ({"votes.csv": "timestamp,datetime,comment-id,voter-id,vote\n1,x,1,2\n"}, "votes.csv:2:"),
        (
            {"votes.csv": "timestamp,datetime,comment-id,voter-id,vote\n5,x,1,2,1\n5,x,1,2,-1\n"},
            "votes.csv:3:",
        ),
        ({"votes.csv": "timestamp,datetime,comment-id,voter-id,vote\n"}, "no votes"),
        (
            {"votes.csv": "timestamp,datetime,comment-id,voter-id,vote\n1,x,1,2,1\n2,x,2,2,-1\n"},
            "only 1 participant",
        ),
        (
            {"votes.csv": "timestamp,datetime,comment-id,voter-id,vote\n1,x,1,2,1\n2,x,1,3,-1\n"},
            "only 1 statement",
        ),
        (
            {
                "votes.csv": "timestamp,datetime,comment-id,voter-id,vote\n1,x,1,2,1\n1,x,5,2,1\n",
                "comments.csv": "comment-id,comment-body\n1,One\n",
            },
            "votes.csv:",
        ),
    ],
)
def test_bad_input_is_one_clear_line(tmp_path, files, where):
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    with pytest.raises(CommandError) as err:
        _run(str(tmp_path))
    message = str(err.value)
    assert where in message and "\n" not in message
    # a line of a file names its own fix; a generic "check the file" after it only repeats it
    assert ("check the file and run again" in message) is (".csv:" not in where)


def test_bad_polis_state(tmp_path):
    bad = tmp_path / "math-pca2.json"
    bad.write_text('{"pca": 1')
    with pytest.raises(CommandError, match="math-pca2.json:1:"):
        _run(str(MATH), "--polis-state", str(bad))


@pytest.mark.parametrize(
    ("content", "where", "words"),
    [
        (None, "", "cannot read (Is a directory); check the --polis-state path"),
        (b'{"pca":\n \xff}', ":2", "not UTF-8 text"),
        (b"[" * 200_000 + b"]" * 200_000, "", "JSON nested too deeply"),
    ],
)
def test_a_polis_state_that_cannot_be_read_is_one_line(tmp_path, content, where, words):
    # tracebacks: IsADirectoryError, UnicodeDecodeError, RecursionError
    state = tmp_path / "math-pca2.json"
    if content is None:
        state.mkdir()
    else:
        state.write_bytes(content)
    with pytest.raises(CommandError) as err:
        _run(str(MATH), "--polis-state", str(state))
    assert f"{state}{where}: {words}" in str(err.value) and "\n" not in str(err.value)


def test_raw_counts_without_json_is_refused():
    # it was ignored without a word: text and HTML always apply the small-cell rule
    for fmt in ("text", "html"):
        with pytest.raises(CommandError) as err:
            _run(str(BREXIT), "--raw-counts", "--format", fmt)
        assert f"--raw-counts is for --format json only, not {fmt}" in str(err.value)


def _untimed(report: str) -> str:
    return report[: report.index("Timings (s): ")]


def test_output_to_a_named_pipe_writes_into_it(tmp_path):
    # the pipe (and a device, and /dev/stdout's link) was replaced by a regular file
    fifo = tmp_path / "report-pipe"
    os.mkfifo(fifo)
    received = {}

    def read():
        with fifo.open("rb") as f:
            received["data"] = f.read()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    said = _run(str(BREXIT), "--output", str(fifo))
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    reader.join(timeout=60)
    assert _untimed(received["data"].decode()) == _untimed(_run(str(BREXIT)))
    assert f"Report written to {fifo}." in said


def test_output_through_a_link_replaces_the_file_and_keeps_the_link(tmp_path):
    target = tmp_path / "reports" / "brexit.txt"
    target.parent.mkdir()
    target.write_text("last week's report")
    link = tmp_path / "latest.txt"
    link.symlink_to(target)
    _run(str(BREXIT), "--output", str(link))
    assert link.is_symlink() and _untimed(target.read_text()) == _untimed(_run(str(BREXIT)))
    assert sorted(p.name for p in target.parent.iterdir()) == ["brexit.txt"]


def test_output_to_a_folder_says_what_to_do(tmp_path):
    with pytest.raises(CommandError) as err:
        _run(str(BREXIT), "--output", str(tmp_path))
    assert str(err.value) == f"{tmp_path}: cannot write (Is a directory); choose another --output"


def test_console_script_exits_non_zero_with_one_line(tmp_path):
    (tmp_path / "votes.csv").write_text("timestamp,datetime,comment-id,voter-id,vote\n1,x,1,2,9\n")
    env = {**os.environ, "OMP_NUM_THREADS": "1", "TRACK2_HOME": str(tmp_path / "home")}
    done = subprocess.run(
        [sys.executable, "-m", "track2", "analyze", str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode != 0
    lines = [ln for ln in done.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "votes.csv:2:" in lines[0] and "unknown vote value" in lines[0]


def test_polis_state_of_another_conversation():
    other = DATA / "polis-math" / "below-100-ptpts" / "math-pca2.json"
    with pytest.raises(CommandError) as err:
        _run(str(MATH), "--polis-state", str(other))
    message = str(err.value)
    assert "does not belong to these votes" in message and "\n" not in message
    assert str(other) in message


def test_workers_option_gives_the_same_report():
    one = json.loads(_run(str(BREXIT), "--format", "json", "--workers", "1"))
    two = json.loads(_run(str(BREXIT), "--format", "json", "--workers", "2"))
    many = json.loads(_run(str(BREXIT), "--format", "json", "--workers", str(10**30)))
    for doc in (one, two, many):
        doc.pop("timings")
    assert one == two == many


@pytest.mark.parametrize("value", ["0", "-3"])
def test_workers_below_one_is_refused(value):
    with pytest.raises(CommandError, match=f"--workers must be at least 1, not {value}"):
        _run(str(BREXIT), "--workers", value)


@pytest.mark.parametrize("value", ["0", "-1", "21", str(10**20)])
def test_groups_out_of_range_are_refused_before_any_work(value):
    # 10**20 went to the Pol.is part, which asked numpy for a seed table of 10**20 rows (a
    # traceback); 2**31 was killed for memory.
    with pytest.raises(CommandError) as err:
        _run(str(BREXIT), "--groups", value)
    assert f"--groups must be from 1 to 20, not {value}." in str(err.value)


def test_every_wrong_option_is_named_at_once():
    with pytest.raises(CommandError) as err:
        _run(str(BREXIT), "--groups", "0", "--workers", "0", "--seed", "-1", "--k-anonymity", "1")
    message = str(err.value)
    for part in ("--groups", "--workers", "--seed must be 0 or more, not -1", "--k-anonymity"):
        assert part in message
    assert "\n" not in message and message.endswith("Nothing was analysed.")


def test_more_groups_than_the_polis_map_can_form_is_a_clear_error(tmp_path):
    # 8 participants voting in 3 patterns: 3 distinct base clusters. Pol.is mode formed fewer
    # groups than asked and the report said "as asked".
    rows = ["timestamp,datetime,comment-id,voter-id,vote"]
    for voter in range(8):
        for comment in range(6):
            rows.append(
                f"{voter * 6 + comment},x,{comment},{voter},{1 if (voter + comment) % 3 else -1}"
            )
    (tmp_path / "votes.csv").write_text("\n".join(rows) + "\n")
    with pytest.raises(CommandError) as err:
        _run(str(tmp_path), "--mode", "polis", "--groups", "12")
    message = str(err.value)
    assert "12 opinion groups were asked for" in message and "at most 3 here" in message
    assert message.endswith("ask for 3 or fewer") and "\n" not in message


@pytest.mark.parametrize("mode", ["track2", "polis"])
def test_every_statement_moderated_out_is_a_clear_error(tmp_path, mode):
    # Track 2 mode said "bridging scores need votes on included statements"; Pol.is mode
    # drew one group of everyone "as asked".
    lines = (BREXIT / "comments.csv").read_text().splitlines()
    header = lines[0].split(",")
    moderated = header.index("moderated")
    rows = [header]
    for line in lines[1:]:
        fields = line.split(",", len(header) - 1)
        fields[moderated] = "-1"
        rows.append(fields)
    (tmp_path / "comments.csv").write_text("\n".join(",".join(r) for r in rows) + "\n")
    (tmp_path / "votes.csv").write_bytes((BREXIT / "votes.csv").read_bytes())
    with pytest.raises(CommandError) as err:
        _run(str(tmp_path), "--mode", mode)
    message = str(err.value)
    assert "50 of the 50 statements with votes are moderated out or meta" in message
    assert "opinion groups need at least 2 others" in message and "\n" not in message


def test_the_number_of_groups_is_as_asked_only_when_asked(tmp_path):
    # 10 participants: under 12 base clusters, so the Pol.is map tries 2 groups only.
    rows = ["timestamp,datetime,comment-id,voter-id,vote"]
    for voter in range(10):
        for comment in range(6):
            vote = 1 if (voter < 5) == (comment < 3) else -1
            rows.append(f"{voter * 6 + comment},x,{comment},{voter},{vote}")
    (tmp_path / "votes.csv").write_text("\n".join(rows) + "\n")
    text = _run(str(tmp_path), "--mode", "polis")
    assert "2 opinion groups (the only number tried here, seed 0)" in text
    assert "as asked" not in text
    assert "2 opinion groups (as asked)" in _run(str(tmp_path), "--mode", "polis", "--groups", "2")


def test_a_room_that_answers_alike_says_how_many_groups_were_tried(tmp_path):
    rows = ["timestamp,datetime,comment-id,voter-id,vote"]
    rows += [f"{v * 10 + c},x,{c},{v},1" for v in range(50) for c in range(10)]
    (tmp_path / "votes.csv").write_text("\n".join(rows) + "\n")
    text = _run(str(tmp_path), "--mode", "polis")
    assert "1 opinion group (2 tried, seed 0; the participants' places allowed only 1)" in text
    # Track 2 mode: one group, drawn at the centre; the axis was an empty group's evidence
    no_axis = "Everyone is in one group, drawn at the centre: there is no axis to draw."
    assert no_axis in _run(str(tmp_path))
    assert no_axis in _run(str(tmp_path), "--format", "html")


def test_json_of_a_large_conversation_is_compact_with_the_same_content(monkeypatch):
    from track2.reports import analysis

    indented = _run(str(BREXIT), "--format", "json")
    monkeypatch.setattr(analysis, "INDENTED_MAX_PARTICIPANTS", 10)  # brexit-consensus: 204
    compact = _run(str(BREXIT), "--format", "json")
    assert "\n " in indented and compact.count("\n") == 1
    first, second = json.loads(indented), json.loads(compact)
    first.pop("timings")
    second.pop("timings")
    assert first == second


def test_points_round_like_the_scalar_rule_and_leave_out_nan_rows():
    import numpy as np

    from track2.reports.analysis import _num, _points

    rng = np.random.default_rng(1)
    coordinates = rng.normal(size=(500, 2)) * 3
    coordinates[[3, 77]] = np.nan
    ids = list(range(1000, 1500))
    kept = _points(ids, coordinates, drop_nan=True)
    assert len(kept) == 498 and "1003" not in kept and "1077" not in kept
    for p, (x, y) in zip(ids, coordinates.tolist(), strict=True):
        if x == x:
            assert kept[str(p)] == pytest.approx([_num(x), _num(y)], abs=1e-12)
    assert len(_points(ids, coordinates, drop_nan=False)) == 500
