"""Pol.is file formats: real exports, both comment layouts, round trips, bad input."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tests.commonground.polis_fixtures import DATA, MATH_FIXTURES, REAL_CONVERSATIONS
from track2.commonground import (
    EmptyConversationError,
    InputFormatError,
    Statement,
    load_conversation,
    read_comments_csv,
    read_participants_votes_csv,
    read_votes_csv,
    write_comments_csv,
    write_participants_votes_csv,
    write_votes_csv,
)

VOTES_HEAD = "timestamp,datetime,comment-id,voter-id,vote\n"


@pytest.mark.parametrize("name", REAL_CONVERSATIONS)
def test_real_exports_read_and_agree_with_participants_votes(name):
    folder = DATA / "polis" / name
    conv = load_conversation(folder)
    assert conv.matrix.n_votes > 0 and conv.statements
    pv, groups = read_participants_votes_csv(folder / "participants-votes.csv")
    assert groups  # Pol.is's export groups are kept for comparison
    # votes.csv reduced to the latest vote equals the participants-votes.csv snapshot
    # wherever both have the participant and the statement.
    common_p = np.intersect1d(conv.matrix.participant_ids, pv.participant_ids)
    a = conv.matrix.select(np.searchsorted(conv.matrix.participant_ids, common_p))
    b = pv.select(np.searchsorted(pv.participant_ids, common_p))
    common_s = np.intersect1d(a.statement_ids, b.statement_ids)
    da = a.select(None, np.searchsorted(a.statement_ids, common_s)).to_dense(missing=9)
    db = b.select(None, np.searchsorted(b.statement_ids, common_s)).to_dense(missing=9)
    assert np.mean(da == db) > 0.99


@pytest.mark.parametrize("name", REAL_CONVERSATIONS)
def test_real_exports_read_the_same_by_the_fast_reader(name, monkeypatch):
    # Real Pol.is exports (time order, revised votes, a datetime column with spaces): the
    # fast reader, cut into many blocks, builds the matrix the validating reader does.
    from track2.commonground import votes_blocks

    votes = DATA / "polis" / name / "votes.csv"
    slow = read_votes_csv(votes)
    monkeypatch.setattr(votes_blocks, "FAST_READ_BYTES", 0)
    monkeypatch.setattr(votes_blocks, "BLOCK_BYTES", 64 * 1024)
    assert votes_blocks.read_columns(votes) is not None
    fast = read_votes_csv(votes)
    for name_ in ("participant_ids", "statement_ids", "indptr", "indices", "values"):
        np.testing.assert_array_equal(getattr(fast, name_), getattr(slow, name_), err_msg=name_)


@pytest.mark.parametrize("name", MATH_FIXTURES)
def test_math_fixture_folders(name):
    conv = load_conversation(DATA / "polis-math" / name)
    counts = conv.matrix.statement_counts
    raw = json.loads((DATA / "polis-math" / name / "comments.json").read_text())
    for c in raw:  # the API's own agree/disagree counts match our reading of votes.json
        sid = c.get("tid", c.get("statement_id"))
        j = conv.matrix.statement_index[sid]
        assert (counts["agree"][j], counts["disagree"][j]) == (
            c["agree_count"],
            c["disagree_count"],
        )


def test_vote_revisions_keep_latest(tmp_path):
    f = tmp_path / "votes.csv"
    f.write_text(VOTES_HEAD + "200,x,1,7,1\n100,x,1,7,-1\n300,x,2,7,0\n50,x,1,8,1\n")
    m = read_votes_csv(f)
    assert m.vote(7, 1) == 1 and m.vote(7, 2) == 0 and m.vote(8, 1) == 1


def test_comments_both_layouts(tmp_path):
    export = DATA / "polis" / "brexit-consensus" / "comments.csv"
    old = read_comments_csv(export)
    assert old[36].moderated == 1 and "Brexit" in old[36].text
    db = tmp_path / "comments.csv"
    db.write_text('tid,txt,mod,is_meta\n1,"Hello, ""world""",-1,false\n2,Meta one,0,true\n')
    new = read_comments_csv(db)
    assert new[1].text == 'Hello, "world"' and new[1].moderated == -1
    assert new[2].is_meta and not new[1].is_meta


def test_round_trip_csv_layouts(tmp_path):
    conv = load_conversation(DATA / "polis" / "london.youth.policing")
    m = conv.matrix
    rows = [
        (1000 * (k + 1), int(m.statement_ids[j]), int(m.participant_ids[i]), int(v))
        for k, (i, j, v) in enumerate(
            zip(m.vote_rows.tolist(), m.indices.tolist(), m.values.tolist(), strict=True)
        )
    ]
    write_votes_csv(tmp_path / "votes.csv", rows)
    write_comments_csv(tmp_path / "comments.csv", conv.statements.values(), m)
    again = load_conversation(tmp_path)
    np.testing.assert_array_equal(again.matrix.to_dense(9), m.to_dense(9))
    assert {k: s.text for k, s in again.statements.items()} == {
        k: s.text for k, s in conv.statements.items()
    }
    write_participants_votes_csv(tmp_path / "pv.csv", m, group_ids={1: 0})
    pv, groups = read_participants_votes_csv(tmp_path / "pv.csv")
    np.testing.assert_array_equal(pv.to_dense(9), m.to_dense(9))
    assert groups == {1: 0}


def _err(tmp_path, files, name):
    for fname, text in files.items():
        (tmp_path / fname).write_text(text)
    with pytest.raises(InputFormatError) as err:
        load_conversation(tmp_path)
    assert err.value.path.endswith(name)
    return err.value


def test_malformed_row(tmp_path):
    e = _err(tmp_path, {"votes.csv": VOTES_HEAD + "1,x,1,2,1\n2,x,1\n"}, "votes.csv")
    assert e.line == 3 and "expected 5 fields" in e.message


def test_unknown_vote_value(tmp_path):
    e = _err(tmp_path, {"votes.csv": VOTES_HEAD + "1,x,1,2,1\n2,x,1,3,yes\n"}, "votes.csv")
    assert e.line == 3 and "unknown vote value 'yes'" in e.message


def test_non_integer_id(tmp_path):
    e = _err(tmp_path, {"votes.csv": VOTES_HEAD + "1,x,abc,2,1\n"}, "votes.csv")
    assert e.line == 2 and "comment-id" in e.message


def test_conflicting_duplicate_vote(tmp_path):
    e = _err(
        tmp_path, {"votes.csv": VOTES_HEAD + "5,x,1,2,1\n6,x,1,3,1\n5,x,1,2,-1\n"}, "votes.csv"
    )
    assert e.line == 4 and "line 2" in e.message


def test_duplicate_participant_row(tmp_path):
    head = "participant,group-id,n-comments,n-votes,n-agree,n-disagree,0,1\n"
    e = _err(
        tmp_path,
        {"participants-votes.csv": head + "1,0,0,2,1,1,1,-1\n1,0,0,1,1,0,1,\n"},
        "participants-votes.csv",
    )
    assert e.line == 3 and "duplicate row" in e.message


def test_mismatched_files(tmp_path):
    comments = "comment-id,comment-body\n1,One\n"
    e = _err(
        tmp_path,
        {"votes.csv": VOTES_HEAD + "1,x,1,2,1\n1,x,9,2,1\n", "comments.csv": comments},
        "votes.csv",
    )
    assert "statement 9" in e.message and "comments.csv" in e.message


def test_missing_header_column(tmp_path):
    e = _err(tmp_path, {"votes.csv": "timestamp,voter,vote\n1,2,1\n"}, "votes.csv")
    assert e.line == 1 and "comment-id" in e.message


def test_bad_json_record_names_its_line(tmp_path):
    votes = [
        {"pid": 1, "tid": 1, "vote": 1, "modified": 1},
        {"pid": 2, "tid": 1, "vote": 5, "modified": 1},
    ]
    e = _err(tmp_path, {"votes.json": json.dumps(votes, indent=2)}, "votes.json")
    assert e.line == 8 and "unknown vote value 5" in e.message


def test_invalid_json(tmp_path):
    e = _err(tmp_path, {"votes.json": '[\n{"pid": 1,,}\n]'}, "votes.json")
    assert e.line == 2


def test_empty_and_missing(tmp_path):
    (tmp_path / "votes.csv").write_text("")
    with pytest.raises(EmptyConversationError):
        load_conversation(tmp_path)
    (tmp_path / "votes.csv").write_text(VOTES_HEAD)
    with pytest.raises(EmptyConversationError):
        load_conversation(tmp_path)
    with pytest.raises(InputFormatError, match="no such file"):
        load_conversation(tmp_path / "nope")
    (tmp_path / "votes.csv").unlink()
    with pytest.raises(InputFormatError, match="no votes.csv"):
        load_conversation(tmp_path)


def test_statement_type_roundtrip_fields():
    s = Statement(3, "text", -1, True)
    assert (s.statement_id, s.moderated, s.is_meta) == (3, -1, True)


def test_fast_block_reader_matches_validating_reader(tmp_path, monkeypatch):
    from track2.commonground import votes_blocks
    from track2.simulate import SimulationParams, write_polis_folder

    write_polis_folder(
        tmp_path, SimulationParams(n_participants=300, n_statements=30, revision_rate=0.1), seed=2
    )
    slow = read_votes_csv(tmp_path / "votes.csv")
    monkeypatch.setattr(votes_blocks, "FAST_READ_BYTES", 0)
    monkeypatch.setattr(votes_blocks, "BLOCK_BYTES", 4096)  # many blocks, rows cut across
    assert votes_blocks.read_columns(tmp_path / "votes.csv") is not None
    fast = read_votes_csv(tmp_path / "votes.csv")
    np.testing.assert_array_equal(fast.to_dense(9), slow.to_dense(9))
    # a bad row sends the fast path back to the validating reader and its exact message
    text = (tmp_path / "votes.csv").read_text().splitlines()
    text[40] = text[40].rsplit(",", 1)[0] + ",7"
    (tmp_path / "votes.csv").write_text("\n".join(text) + "\n")
    with pytest.raises(InputFormatError) as err:
        read_votes_csv(tmp_path / "votes.csv")
    assert err.value.line == 41 and "unknown vote value '7'" in err.value.message


@pytest.mark.parametrize(
    ("bad_row", "message"),
    [
        ("1,x,3,abc,1", "voter-id"),
        ("1,x,3,99999999999999999999999,1", "voter-id"),
        ("1,x,3,4,1,extra", "expected 5 fields"),
        ("1,x,\x00,4,1", "comment-id"),
        ("1,x,3,4,7", "unknown vote value '7'"),
        ("1,x,3,,1", "voter-id"),
    ],
)
@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_fast_reader_names_a_bad_row_itself_like_the_validating_reader(
    tmp_path, monkeypatch, bad_row, message, newline
):
    # A big file with one bad row deep inside: the block pyarrow refuses is checked row by
    # row and its first bad row named by its line in the file (blank lines counted), the
    # same error as the validating reader's, without reading every row in Python.
    from track2.commonground import formats, votes_blocks

    rows = [VOTES_HEAD.strip()] + [f"{t},x,{t % 5},{t % 7},1" for t in range(1, 3000)]
    rows[300] = rows[1700] = ""
    rows[2400] = bad_row
    (tmp_path / "votes.csv").write_bytes(newline.join(rows).encode() + newline.encode())
    with pytest.raises(InputFormatError) as slow:
        read_votes_csv(tmp_path / "votes.csv")  # small: the validating reader
    monkeypatch.setattr(votes_blocks, "FAST_READ_BYTES", 0)
    monkeypatch.setattr(votes_blocks, "BLOCK_BYTES", 4096)

    def no_slow_reader(path):
        raise AssertionError("the validating reader ran over the whole file")

    monkeypatch.setattr(formats, "open_csv", no_slow_reader)
    with pytest.raises(InputFormatError) as fast:
        read_votes_csv(tmp_path / "votes.csv")
    assert (fast.value.line, fast.value.message) == (slow.value.line, slow.value.message)
    assert fast.value.line == 2401 and message in fast.value.message


def test_fast_reader_names_the_line_of_bytes_that_are_not_utf8(tmp_path, monkeypatch):
    from track2.commonground import votes_blocks

    rows = [VOTES_HEAD.strip().encode()] + [
        f"{t},x,{t % 5},{t % 7},1".encode() for t in range(1, 3000)
    ]
    rows[2222] = b"2222,x,3,4\xff\xfe,1"  # in a column that is read
    (tmp_path / "votes.csv").write_bytes(b"\n".join(rows) + b"\n")
    monkeypatch.setattr(votes_blocks, "FAST_READ_BYTES", 0)
    monkeypatch.setattr(votes_blocks, "BLOCK_BYTES", 4096)
    with pytest.raises(InputFormatError) as err:
        read_votes_csv(tmp_path / "votes.csv")
    assert err.value.line == 2223 and "not UTF-8" in err.value.message


def test_fast_reader_leaves_a_block_it_refuses_but_the_validating_reader_takes(
    tmp_path, monkeypatch
):
    # A timestamp written as a decimal: pyarrow's int64 refuses it, the validating reader
    # takes it; the whole file then goes through the validating reader.
    from track2.commonground import votes_blocks

    rows = [VOTES_HEAD.strip()] + [f"{t},x,{t % 5},{t % 7},1" for t in range(1, 3000)]
    rows[2000] = "2000.5,x,2,3,-1"
    (tmp_path / "votes.csv").write_text("\n".join(rows) + "\n")
    slow = read_votes_csv(tmp_path / "votes.csv")
    monkeypatch.setattr(votes_blocks, "FAST_READ_BYTES", 0)
    monkeypatch.setattr(votes_blocks, "BLOCK_BYTES", 4096)
    assert votes_blocks.read_columns(tmp_path / "votes.csv") is None
    np.testing.assert_array_equal(
        read_votes_csv(tmp_path / "votes.csv").to_dense(), slow.to_dense()
    )


@pytest.mark.parametrize(
    "layout",
    [
        '"timestamp","datetime","comment-id","voter-id","vote"',  # quoted (pandas, pyarrow)
        "\ufeffvote,voter-id,comment-id",  # reordered, no timestamp, with a byte-order mark
        "voter-id, comment-id ,vote,note",  # spaces around names, a column not read
    ],
)
def test_fast_reader_takes_any_plain_layout_of_the_needed_columns(tmp_path, monkeypatch, layout):
    from track2.commonground import votes_blocks

    names = [n.strip().strip('"').lstrip("\ufeff").strip() for n in layout.split(",")]
    value = {"timestamp": "{t}", "datetime": "x", "comment-id": "{c}", "voter-id": "{p}"}
    value |= {"vote": "{v}", "note": "n"}
    pattern = ",".join(value[n] for n in names)
    lines = [layout] + [pattern.format(t=t, c=t % 5, p=t % 7, v=(t % 3) - 1) for t in range(1, 300)]
    (tmp_path / "votes.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    slow = read_votes_csv(tmp_path / "votes.csv")  # small: the validating reader
    monkeypatch.setattr(votes_blocks, "FAST_READ_BYTES", 0)
    assert votes_blocks.read_columns(tmp_path / "votes.csv") is not None
    fast = read_votes_csv(tmp_path / "votes.csv")
    np.testing.assert_array_equal(fast.participant_ids, slow.participant_ids)
    np.testing.assert_array_equal(fast.to_dense(9), slow.to_dense(9))


def _votes_file(path, rows, header="timestamp,datetime,comment-id,voter-id,vote"):
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def test_a_big_votes_file_reports_its_share_read(tmp_path, monkeypatch):
    from track2.commonground import votes_blocks

    rows = [f"{t},x,{t % 11},{t % 13},{(t % 3) - 1}" for t in range(1, 2000)]
    path = _votes_file(tmp_path / "votes.csv", rows)
    monkeypatch.setattr(votes_blocks, "FAST_READ_BYTES", 0)
    monkeypatch.setattr(votes_blocks, "BLOCK_BYTES", 4096)
    shares: list[float] = []
    read_votes_csv(path, progress=shares.append)
    assert len(shares) > 5 and shares == sorted(shares) and shares[-1] == 1.0
    assert shares[-2] == pytest.approx(votes_blocks.PARSE_SHARE)  # parsed; then the matrix
    assert load_conversation(path, progress=shares.append).matrix.n_votes > 0


def test_fast_reader_keeps_ids_in_32_bits_until_one_needs_64(tmp_path, monkeypatch):
    from track2.commonground import votes_blocks

    rows = [f"{t},x,{t % 11},{t % 13},{(t % 3) - 1}" for t in range(1, 2000)]
    small = _votes_file(tmp_path / "votes.csv", rows)
    monkeypatch.setattr(votes_blocks, "FAST_READ_BYTES", 0)
    monkeypatch.setattr(votes_blocks, "BLOCK_BYTES", 4096)
    columns = votes_blocks.read_columns(small)
    assert (
        columns["statements"].dtype == columns["participants"].dtype == np.int32
    )  # half the memory of int64 on a big file
    # an id past 2**31 in a later block: the column turns int64 and keeps what came before
    rows[1500] = f"1501,x,4,{2**40},1"
    big = _votes_file(tmp_path / "votes.csv", rows)
    columns = votes_blocks.read_columns(big)
    pids = columns["participants"]
    assert pids.dtype == np.int64 and pids[1500] == 2**40 and pids[10] == 11 % 13
    assert {name: len(a) for name, a in columns.items()} == dict.fromkeys(
        ("timestamps", "statements", "participants", "votes"), 1999
    )
    monkeypatch.setattr(votes_blocks, "FAST_READ_BYTES", 10**12)
    slow = read_votes_csv(big)
    monkeypatch.setattr(votes_blocks, "FAST_READ_BYTES", 0)
    fast = read_votes_csv(big)
    np.testing.assert_array_equal(fast.participant_ids, slow.participant_ids)
    np.testing.assert_array_equal(fast.to_dense(99), slow.to_dense(99))


def test_fast_reader_reads_a_quoted_body_as_one_stream(tmp_path, monkeypatch):
    # Quotes below the header (a quoted datetime holding a comma): the file is not cut at
    # newlines (a quoted field may hold one) but read by pyarrow's stream; same matrix.
    from track2.commonground import votes_blocks

    rows = [f'{t},"Mon, {t}",{t % 11},{t % 13},{(t % 3) - 1}' for t in range(1, 2000)]
    rows[700] = '700,"two\nlines",3,9,1'
    path = _votes_file(tmp_path / "votes.csv", rows)
    slow = read_votes_csv(path)
    monkeypatch.setattr(votes_blocks, "FAST_READ_BYTES", 0)
    monkeypatch.setattr(votes_blocks, "BLOCK_BYTES", 4096)
    assert votes_blocks.read_columns(path) is not None
    fast = read_votes_csv(path)
    np.testing.assert_array_equal(fast.to_dense(99), slow.to_dense(99))
    assert fast.n_votes == slow.n_votes == len({(t % 13, t % 11) for t in range(1, 2000)})


def test_fast_reader_hands_a_line_longer_than_a_block_to_the_validating_reader(
    tmp_path, monkeypatch
):
    from track2.commonground import votes_blocks

    rows = [f"{t},x,{t % 11},{t % 13},{(t % 3) - 1}" for t in range(1, 2000)]
    rows[900] = f"900,{'y' * 9000},5,6,1"
    path = _votes_file(tmp_path / "votes.csv", rows)
    slow = read_votes_csv(path)
    monkeypatch.setattr(votes_blocks, "FAST_READ_BYTES", 0)
    monkeypatch.setattr(votes_blocks, "BLOCK_BYTES", 4096)
    assert votes_blocks.read_columns(path) is None  # and it returns: no endless loop
    np.testing.assert_array_equal(read_votes_csv(path).to_dense(99), slow.to_dense(99))


def test_fast_reader_leaves_a_header_it_cannot_map_to_the_validating_reader(tmp_path, monkeypatch):
    from track2.commonground import votes_blocks

    monkeypatch.setattr(votes_blocks, "FAST_READ_BYTES", 0)
    for header in ("comment-id,voter-id,vote,vote", "comment-id,voter,vote"):
        (tmp_path / "votes.csv").write_text(header + "\n1,2,1,1\n", encoding="utf-8")
        assert votes_blocks.read_columns(tmp_path / "votes.csv") is None
    with pytest.raises(InputFormatError, match="missing column 'voter-id'"):
        read_votes_csv(tmp_path / "votes.csv")


@pytest.mark.parametrize("chunk_bytes", [1 << 20, 7])
def test_validating_reader_names_the_line_of_bytes_that_are_not_utf8(tmp_path, chunk_bytes):
    # The text reader decodes a small file whole before the CSV reader reads its first row:
    # the error named line 1 for bytes on line 3.
    from track2.commonground.csv_rows import first_bad_utf8_line

    path = tmp_path / "votes.csv"
    path.write_bytes(VOTES_HEAD.encode() + b"1,x,1,2,1\n2,x,1,\xc3\xa9\xff\xfe,-1\n3,x,2,2,1\n")
    with pytest.raises(InputFormatError) as err:
        read_votes_csv(path)
    assert err.value.line == 3 and "not UTF-8" in err.value.message
    # a character split across two reads is not an error; the bad bytes after it still are
    assert first_bad_utf8_line(path, chunk_bytes) == 3
    path.write_bytes(VOTES_HEAD.encode() + "1,x,1,é,1\n".encode())
    assert first_bad_utf8_line(path, chunk_bytes) == 3  # no bad bytes: the line after the last


def test_every_bad_row_of_votes_csv_is_named_at_once(tmp_path):
    path = tmp_path / "votes.csv"
    path.write_text(
        VOTES_HEAD + "1,x,1,2,1\n2,x,1,3,maybe\n3,x,2,abc,1\n4,x,2,3,1\n5,x,3,4\n6,x,3,\x07,1\n"
    )
    with pytest.raises(InputFormatError) as err:
        read_votes_csv(path)
    assert err.value.line == 3 and err.value.message.startswith("unknown vote value 'maybe'")
    for part in (
        "Also line 4: voter-id 'abc' is not an integer id",
        "line 6: expected 5 fields like the header, found 4",
        "line 7: voter-id '\\x07' is not an integer id",
    ):
        assert part in err.value.message
    assert "\n" not in str(err.value)


def test_reading_votes_csv_stops_after_the_most_problems_it_names(tmp_path):
    from track2.commonground.csv_rows import MAX_PROBLEMS

    rows = "".join(f"{t},x,1,{t},bad\n" for t in range(MAX_PROBLEMS + 10))
    (tmp_path / "votes.csv").write_text(VOTES_HEAD + rows)
    with pytest.raises(InputFormatError) as err:
        read_votes_csv(tmp_path / "votes.csv")
    assert err.value.line == 2
    assert err.value.message.count("unknown vote value") == MAX_PROBLEMS
    assert f"Reading stopped at line {MAX_PROBLEMS + 1}, after {MAX_PROBLEMS} problems" in str(
        err.value
    )


@pytest.mark.parametrize(
    ("name", "text", "first_line", "others"),
    [
        (
            "comments.csv",
            "comment-id,comment-body,moderated\n1,One,0\nx,Two,0\n1,Again,0\n3,Three,7\n",
            3,
            ["line 4: duplicate comment id 1", "line 5: moderated must be -1, 0 or 1, not 7"],
        ),
        (
            "participants-votes.csv",
            "participant,group-id,1,2\n1,0,1,-1\n2,0,maybe,1\n1,0,1,1\n3,x,1,1\n",
            3,
            ["line 4: duplicate row for participant 1", "line 5: group-id 'x'"],
        ),
        (
            "votes.json",
            '[{"pid": 1, "tid": 1, "vote": 1},\n {"pid": "a", "tid": 1, "vote": 1},\n'
            ' {"pid": 2, "tid": 1, "vote": 5},\n 7]\n',
            2,
            ["line 3: unknown vote value 5", "line 4: expected a vote object"],
        ),
        (
            "comments.json",
            '[{"tid": 1, "txt": "One"},\n {"tid": 1, "txt": "Again"},\n {"tid": 2, "mod": 9}]\n',
            2,
            ["line 3: moderation must be -1, 0 or 1, not 9"],
        ),
    ],
)
def test_every_importer_names_every_bad_row_at_once(tmp_path, name, text, first_line, others):
    from track2.commonground import read_comments_json, read_votes_json

    readers = {
        "comments.csv": read_comments_csv,
        "participants-votes.csv": read_participants_votes_csv,
        "votes.json": read_votes_json,
        "comments.json": read_comments_json,
    }
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(InputFormatError) as err:
        readers[name](path)
    assert err.value.line == first_line
    for part in others:
        assert part in err.value.message
    assert "\n" not in str(err.value)


# ------------------------------------------------------------- bad input (audit: bad input)
DEEP = "[" * 200_000 + "]" * 200_000


@pytest.mark.parametrize(
    ("name", "content", "line", "words"),
    [
        ("votes.json", b'[{"pid": 1, "tid": 1, "vote": 1},\n\x84\xff]', 2, "not UTF-8 text"),
        ("comments.json", b'[{"tid": 1, "txt": "\xff"}]', 1, "not UTF-8 text"),
        ("votes.json", DEEP.encode(), None, "JSON nested too deeply"),
        ("comments.json", DEEP.encode(), None, "JSON nested too deeply"),
        ("votes.json", b"[" + b"9" * 5000 + b"]", None, "a number too long to read"),
        (
            "votes.json",
            b'[{"pid": 0, "tid": 0, "vote": 1},\n{"pid": 99999999999999999999999, "tid": 0, '
            b'"vote": 1},\n{"pid": -3, "tid": 1, "vote": 1}]',
            2,
            "participant id 99999999999999999999999 is too large for an id (at most 19 digits)",
        ),
        ("comments.json", b'[{"tid": 18446744073709551616, "txt": "x"}]', 1, "too large"),
        ("votes.json", b'[{"pid": 1, "tid": 1, "vote": 1, "modified": 1e999}]', 1, "modified"),
    ],
)
def test_json_files_that_cannot_be_read_get_a_typed_error(tmp_path, name, content, line, words):
    # each was a traceback: UnicodeDecodeError, RecursionError, OverflowError, ValueError
    from track2.commonground import read_comments_json, read_votes_json

    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputFormatError) as err:
        (read_votes_json if name == "votes.json" else read_comments_json)(path)
    assert err.value.line == line and words in err.value.message
    assert "\n" not in str(err.value)


@pytest.mark.parametrize("name", ["votes.json", "comments.json"])
def test_a_json_file_too_large_to_read_whole_is_refused_before_reading(tmp_path, name):
    # a 1 GB votes.json was read whole: gigabytes of objects before the first vote was counted
    from track2.commonground import read_comments_json, read_votes_json
    from track2.commonground.json_files import MAX_JSON_BYTES

    path = tmp_path / name
    with path.open("wb") as sparse:
        sparse.truncate(MAX_JSON_BYTES + 1)  # no disk used
    with pytest.raises(InputFormatError) as err:
        (read_votes_json if name == "votes.json" else read_comments_json)(path)
    assert "over 256 MB" in err.value.message and "votes.csv, comments.csv" in err.value.message


def test_a_negative_json_participant_id_is_named_with_the_others(tmp_path):
    path = tmp_path / "votes.json"
    path.write_text(
        '[{"pid": 0, "tid": 0, "vote": 1},\n{"pid": 99999999999999999999999, "tid": 0, '
        '"vote": 1},\n{"pid": -3, "tid": 1, "vote": 1}]'
    )
    with pytest.raises(InputFormatError) as err:
        load_conversation(tmp_path)
    assert "Also line 3: participant id -3 is negative (Pol.is ids are 0 or more)" in str(err.value)


def test_a_json_file_that_is_a_folder_is_named(tmp_path):
    from track2.commonground import read_votes_json

    (tmp_path / "votes.json").mkdir()
    with pytest.raises(InputFormatError, match="cannot read"):
        read_votes_json(tmp_path / "votes.json")


@pytest.mark.parametrize("fast", [False, True])
def test_a_field_over_the_csv_limit_names_its_line_and_the_rows_before(tmp_path, monkeypatch, fast):
    from track2.commonground import votes_blocks

    if fast:
        monkeypatch.setattr(votes_blocks, "FAST_READ_BYTES", 0)
    path = tmp_path / "votes.csv"
    path.write_text(VOTES_HEAD + "1,x,1,2,maybe\n2," + "A" * 200_000 + ",1,3,1\n3,x,1,4,1\n")
    with pytest.raises(InputFormatError) as err:
        read_votes_csv(path)
    assert err.value.line == 2 and err.value.message.startswith("unknown vote value 'maybe'")
    assert "Also line 3: a field is longer than 128 KB (a stray quote?); fix this row" in str(
        err.value
    )


def test_a_file_with_no_line_break_is_refused_without_being_read_whole(tmp_path):
    # 1 GB of NULs was read into memory whole (2.3 GB) before a vague "field larger than field
    # limit"; a sparse file of 300 MB takes no disk, and reading stops after 16 MB.
    from track2.commonground.csv_rows import MAX_LINE_CHARS

    with (tmp_path / "votes.csv").open("wb") as sparse:
        sparse.truncate(300 * 2**20)
    assert MAX_LINE_CHARS < 300 * 2**20
    for read in (
        lambda: load_conversation(tmp_path),
        lambda: read_votes_csv(tmp_path / "votes.csv"),
    ):
        with pytest.raises(InputFormatError) as err:
            read()
        assert err.value.line == 1
        assert err.value.message.startswith("no line break in 16 MB: this is not a Pol.is CSV")


def test_a_line_with_no_end_below_the_header_is_refused_by_the_fast_reader_too(
    tmp_path, monkeypatch
):
    from track2.commonground import votes_blocks

    monkeypatch.setattr(votes_blocks, "BLOCK_BYTES", 4096)
    monkeypatch.setattr(votes_blocks, "FAST_READ_BYTES", 0)
    monkeypatch.setattr("track2.commonground.csv_rows.MAX_LINE_CHARS", 10_000)
    path = tmp_path / "votes.csv"
    path.write_text(VOTES_HEAD + "1,x,1,2,1\n" + "\0" * 50_000)
    assert votes_blocks.read_columns(path) is None
    with pytest.raises(InputFormatError, match="no line break") as err:
        read_votes_csv(path)
    assert err.value.line == 3


@pytest.mark.parametrize("fast", [False, True])
def test_a_duplicated_header_column_is_refused(tmp_path, monkeypatch, fast):
    # the first 'vote' column was used and the second ignored without a word
    from track2.commonground import votes_blocks

    if fast:
        monkeypatch.setattr(votes_blocks, "FAST_READ_BYTES", 0)
    (tmp_path / "votes.csv").write_text(
        "timestamp,datetime,comment-id,voter-id,vote,vote\n1,x,1,2,1,banana\n2,x,2,3,-1,banana\n"
    )
    with pytest.raises(InputFormatError) as err:
        load_conversation(tmp_path)
    assert err.value.line == 1
    assert err.value.message == "column 'vote' appears twice in the header; keep one"


def test_every_header_problem_is_named_at_once(tmp_path):
    (tmp_path / "votes.csv").write_text("comment-id,comment-id,vote\n1,1,1\n")
    with pytest.raises(InputFormatError) as err:
        read_votes_csv(tmp_path / "votes.csv")
    assert "column 'comment-id' appears twice" in err.value.message
    assert "missing column 'voter-id'" in err.value.message


@pytest.mark.parametrize("fast", [False, True])
def test_negative_and_oversized_ids_are_refused(tmp_path, monkeypatch, fast):
    from track2.commonground import votes_blocks

    if fast:
        monkeypatch.setattr(votes_blocks, "FAST_READ_BYTES", 0)
    (tmp_path / "votes.csv").write_text(
        VOTES_HEAD + "1,x,0,1,1\n2,x,0,-3,1\n3,x,-1,2,1\n4,x,1," + "9" * 5000 + ",1\n"
    )
    with pytest.raises(InputFormatError) as err:
        read_votes_csv(tmp_path / "votes.csv")
    assert err.value.line == 3
    message = str(err.value)
    assert message.startswith(f"{tmp_path / 'votes.csv'}:3: voter-id -3 is negative")
    assert "line 4: comment-id -1 is negative (Pol.is ids are 0 or more); fix this row" in message
    assert "line 5: voter-id 99999999999999999999… is too large for an id" in message


def test_a_vote_on_an_unlisted_statement_names_its_line(tmp_path):
    comments = "comment-id,comment-body\n1,One\n"
    (tmp_path / "comments.csv").write_text(comments)
    (tmp_path / "votes.csv").write_text(VOTES_HEAD + "1,x,1,2,1\n2,x,9,2,1\n")
    with pytest.raises(InputFormatError) as err:
        load_conversation(tmp_path)
    assert err.value.line == 3
    assert err.value.message.startswith("a vote on statement 9, which comments.csv does not list;")
    (tmp_path / "votes.csv").write_text(VOTES_HEAD + "1,x,1,2,1\n2,x,9,2,1\n3,x,8,2,1\n")
    with pytest.raises(InputFormatError, match=r"does not list \(and 1 other statement\);"):
        load_conversation(tmp_path)


def test_a_folder_named_like_a_pol_is_file_is_named(tmp_path):
    # a folder named comments.csv was read as "no comments" without a word
    (tmp_path / "votes.csv").write_text(VOTES_HEAD + "1,x,1,2,1\n2,x,2,3,-1\n")
    (tmp_path / "comments.csv").mkdir()
    with pytest.raises(InputFormatError) as err:
        load_conversation(tmp_path)
    assert err.value.path == str(tmp_path / "comments.csv")
    assert err.value.message == f"is a folder, not a file; move it out of {tmp_path}"
