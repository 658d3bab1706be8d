"""Pol.is interoperability: import a real conversation, export it, analyse the export."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from track2 import spreadsheet
from track2.commonground import analyze_track2, load_conversation
from track2.deliberation import exports, interop, map_data
from track2.deliberation.models import Room, Statement, Vote
from track2.disclosure.status import STATUS_LINE
from track2.meetings.models import Meeting
from track2.reports.analysis import run_analysis

DATA = Path(__file__).resolve().parents[1] / "data" / "polis"
SEATTLE = DATA / "15-per-hour-seattle"


@pytest.fixture
def consultation(room):
    start = timezone.now()
    meeting = Meeting.objects.create(
        dialogue=room.dialogue,
        title="Track 3 consultation",
        starts_at=start,
        ends_at=start + timedelta(days=7),
    )
    return room, meeting


def test_import_then_export_then_analyze_gives_the_rooms_groups(consultation, tmp_path):
    room, meeting = consultation
    convener = room.users["convener"]
    call_command(
        "import-polis",
        str(SEATTLE),
        dialogue=room.dialogue.pk,
        meeting=meeting.pk,
        acting=convener.email,
        stdout=io.StringIO(),
    )
    source = load_conversation(SEATTLE)
    assert Vote.objects.filter(meeting=meeting).count() == source.matrix.n_votes
    assert Statement.objects.filter(meeting=meeting).count() == len(source.statements)
    assert Room.objects.get(meeting=meeting).is_consultation
    # Imported voters have random pseudonyms: no Pol.is id survives.
    stored = set(Vote.objects.filter(meeting=meeting).values_list("pseudonym", flat=True))
    assert not stored & {str(p) for p in source.matrix.participant_ids.tolist()}
    out = tmp_path / "export.zip"
    call_command(
        "export-polis",
        dialogue=room.dialogue.pk,
        meeting=meeting.pk,
        acting=convener.email,
        output=str(out),
        stdout=io.StringIO(),
    )
    folder = tmp_path / "export"
    with zipfile.ZipFile(out) as archive:
        assert archive.comment.decode() == STATUS_LINE
        archive.extractall(folder)
    assert STATUS_LINE in (folder / "summary.csv").read_text()
    # No exact time, no order: one timestamp for every row.
    stamps = {line.split(",")[0] for line in (folder / "votes.csv").read_text().splitlines()[1:]}
    assert len(stamps) == 1
    exported = run_analysis(
        folder, mode="track2", polis_state=None, groups=None, seed=0, sides=None, k_anonymity=3
    )
    assert exported.track2 is not None
    # The room's own map, from the database.
    rooms = analyze_track2(map_data.engine_input(meeting).matrix, random_state=0)
    assert exported.track2.groups.n_groups == rooms.groups.n_groups
    # The export numbers voters as the room's map does: the very same matrix, the same groups.
    assert exported.track2.participant_ids.tolist() == rooms.participant_ids.tolist()
    assert exported.track2.group_labels.tolist() == rooms.group_labels.tolist()


def _import_as_convener(room, meeting, folder) -> None:
    call_command(
        "import-polis",
        str(folder),
        dialogue=room.dialogue.pk,
        meeting=meeting.pk,
        acting=room.users["convener"].email,
        stdout=io.StringIO(),
    )


def test_malformed_import_names_file_and_line_and_keeps_nothing(consultation, tmp_path):
    room, meeting = consultation
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "comments.csv").write_text((SEATTLE / "comments.csv").read_text())
    lines = (SEATTLE / "votes.csv").read_text().splitlines()
    lines[5] = "1,2,3"
    (bad / "votes.csv").write_text("\n".join(lines) + "\n")
    with pytest.raises(CommandError, match=r"votes\.csv:6: "):
        _import_as_convener(room, meeting, bad)
    assert not Statement.objects.filter(meeting=meeting).exists()
    assert not Vote.objects.filter(meeting=meeting).exists()


def test_import_refuses_non_conveners_and_full_meetings(consultation):
    room, meeting = consultation
    from track2.access import NotFound
    from track2.errors import ActionRefused

    for role in ("facilitator", "participant", "outsider"):
        with pytest.raises(NotFound):
            interop.check_import(room.users[role], room.dialogue.pk, meeting.pk, SEATTLE)
    plan = interop.check_import(room.users["convener"], room.dialogue.pk, meeting.pk, SEATTLE)
    interop.do_import(room.users["convener"], plan)
    with pytest.raises(ActionRefused, match="already has statements"):
        interop.check_import(room.users["convener"], room.dialogue.pk, meeting.pk, SEATTLE)


def test_csv_and_json_exports_carry_the_status_line_and_no_pseudonym(consultation):
    room, meeting = consultation
    plan = interop.check_import(room.users["convener"], room.dialogue.pk, meeting.pk, SEATTLE)
    interop.do_import(room.users["convener"], plan)
    pseudonyms = set(Vote.objects.filter(meeting=meeting).values_list("pseudonym", flat=True))
    for fmt in ("csv", "json", "polis"):
        document = exports.check_export(room.users["convener"], room.dialogue.pk, meeting.pk, fmt)
        if fmt == "polis":
            with zipfile.ZipFile(io.BytesIO(document.content)) as archive:
                text = "".join(archive.read(n).decode() for n in archive.namelist())
        else:
            text = document.content.decode()
        assert STATUS_LINE in text
        assert not any(p in text for p in pseudonyms)


def test_commands_refuse_in_one_line(consultation, tmp_path):
    room, meeting = consultation
    for acting, words in (
        ("participant", "No meeting"),
        ("nobody@example.org", "no active account"),
    ):
        email = room.users[acting].email if acting in room.users else acting
        with pytest.raises(CommandError, match=words):
            call_command(
                "export-polis",
                dialogue=room.dialogue.pk,
                meeting=meeting.pk,
                acting=email,
                output=str(tmp_path / "x.zip"),
                stdout=io.StringIO(),
            )
    assert not (tmp_path / "x.zip").exists()


@pytest.mark.parametrize("command", ["import-polis", "export-polis"])
def test_every_wrong_option_is_named_at_once(consultation, tmp_path, command):
    # A negative meeting and an unknown account: only the account was named before, and a
    # dialogue id beyond a 64-bit column reached the database.
    arguments = ["--dialogue", str(2**63), "--meeting", "-5", "--as", "nobody@example.org"]
    if command == "import-polis":
        arguments.insert(0, str(tmp_path))
    else:
        arguments += ["--output", str(tmp_path / "x.zip")]
    with pytest.raises(CommandError) as err:
        call_command(command, *arguments, stdout=io.StringIO())
    message = str(err.value)
    assert f"--dialogue must be an id from 1 to {2**63 - 1}, not {2**63}." in message
    assert "--meeting must be an id from 1 to" in message and "not -5." in message
    assert "--as nobody@example.org: no active account" in message and "\n" not in message


def test_import_names_every_comment_it_cannot_take_at_once(consultation, tmp_path):
    room, meeting = consultation
    bad = tmp_path / "bad"
    bad.mkdir()
    lines = (SEATTLE / "comments.csv").read_text().splitlines()
    header, rows = lines[0], lines[1:]
    columns = header.split(",")
    body = columns.index("comment-body")
    broken = []
    for n, row in enumerate(rows):
        cells = next(csv.reader([row]))
        if n in (0, 4):
            cells[body] = "Escape \x1b[2J here"
        if n == 7:
            cells[body] = "x" * 5000
        broken.append(cells)
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([columns, *broken])
    (bad / "comments.csv").write_text(out.getvalue())
    (bad / "votes.csv").write_text((SEATTLE / "votes.csv").read_text())
    with pytest.raises(CommandError) as refused:
        _import_as_convener(room, meeting, bad)
    message = str(refused.value)
    # The folder's path and each comment's line, one sentence per comment (no ".;").
    for line, comment in ((2, rows[0]), (6, rows[4]), (9, rows[7])):
        comment_id = next(csv.reader([comment]))[columns.index("comment-id")]
        assert f"{bad / 'comments.csv'}:{line}: comment {comment_id}: " in message, message
    assert "longer than 2000 characters (it has 5000); shorten it or leave it out" in message
    assert message.count("invisible control characters") == 2 and ".;" not in message
    assert not Statement.objects.filter(meeting=meeting).exists()


def test_the_csv_export_keeps_formulas_as_text_and_the_polis_files_keep_the_words(room):
    """A participant's statement or a delegation's name that starts like a formula must not run
    in the convener's spreadsheet; the Pol.is files, read by tools, keep the text as written."""
    from tests.deliberation.test_map import accepted_statement, vote

    room.north.name = "=SUM(1) North"
    room.north.save(update_fields=["name"])
    formula = '=HYPERLINK("http://x.invalid","click") quotas'
    statement = accepted_statement(room, formula)
    for i, user in enumerate(room.participants):
        vote(room, user, statement, "agree" if i % 2 else "disagree")
    convener = room.users["convener"]
    document = exports.check_export(convener, room.dialogue.pk, room.meeting.pk, "csv")
    lines = [line for line in document.content.decode().splitlines() if not line.startswith("#")]
    header, *rows = list(csv.reader(io.StringIO("\n".join(lines))))
    assert "'=SUM(1) North: agree share" in header
    assert not any(c.startswith(spreadsheet.FORMULA_STARTS) for c in header)
    texts = [dict(zip(header, row, strict=True))["text"] for row in rows]
    assert texts == ["'" + formula]
    zipped = exports.check_export(convener, room.dialogue.pk, room.meeting.pk, "polis")
    with zipfile.ZipFile(io.BytesIO(zipped.content)) as archive:
        comments = list(csv.DictReader(io.StringIO(archive.read("comments.csv").decode())))
        assert "open these files as text" in archive.read("README.txt").decode()
    assert [c["comment-body"] for c in comments] == [formula]


def _zip_of(folder: Path, names=("comments.csv", "votes.csv")) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name in names:
            archive.write(folder / name, name)
    return buffer.getvalue()


def _every_header(data: bytes, change) -> bytes:
    """`change(bytearray, offset)` applied to every local (PK\\3\\4) and central (PK\\1\\2)
    header of a zip: the flag bits sit 6 and 8 bytes in, the method 8 and 10."""
    out = bytearray(data)
    for signature, flags_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = out.find(signature)
        while start != -1:
            change(out, start + flags_at)
            start = out.find(signature, start + 4)
    return bytes(out)


def _bad_crc(data: bytes) -> bytes:
    out = bytearray(data)
    out[out.find(b"timestamp,datetime,comment-id") + 50] ^= 0xFF  # a byte of a stored member
    return bytes(out)


def _encrypted(data: bytes) -> bytes:
    def set_bit_0(out, flags):
        out[flags] |= 0x01

    return _every_header(data, set_bit_0)


def _method_99(data: bytes) -> bytes:
    def method(out, flags):
        out[flags + 2 : flags + 4] = (99).to_bytes(2, "little")

    return _every_header(data, method)


@pytest.mark.parametrize(
    ("damage", "words"),
    [
        (_bad_crc, "comments.csv in the zip is damaged"),
        (_encrypted, "protected by a password"),
        (_method_99, "compressed with a method this site cannot read (number 99)"),
    ],
)
def test_import_page_refuses_a_damaged_zip_at_its_field(consultation, client, damage, words):
    # A member zipfile cannot read (bad CRC, encrypted, unknown compression) was a 500.
    room, meeting = consultation
    client.force_login(room.users["convener"])
    upload = io.BytesIO(damage(_zip_of(SEATTLE)))
    upload.name = "polis.zip"
    page = f"/dialogues/{room.dialogue.pk}/meetings/{meeting.pk}/room/exports/"
    response = client.post(page, {"file": upload})
    # The page again with the error at the file field. It answers 200 for every refused import
    # (convener_views renders without a status); 400 once it does.
    assert response.status_code == 400
    assert words in str(response.context["form"].errors["file"])
    assert words in response.content.decode()
    assert not Statement.objects.filter(meeting=meeting).exists()
    assert not Vote.objects.filter(meeting=meeting).exists()


@pytest.mark.parametrize(
    ("votes_json", "words"),
    [
        (bytes(range(0x80, 0x100)) * 2, "votes.json:1: not UTF-8 text"),
        (
            b'[{"pid": 0, "tid": 0, "vote": 1}, {"pid": 99999999999999999999999, "tid": 0, '
            b'"vote": 1}]',
            "votes.json:1: ",
        ),  # an id past 64 bits
    ],
)
def test_import_page_refuses_a_bad_votes_json_at_its_field(
    consultation, client, tmp_path, votes_json, words
):
    # The JSON reader's refusals reach the page as the field's error, named by the file's name in
    # the zip (not the folder it was unpacked to). They were a 500.
    room, meeting = consultation
    (tmp_path / "votes.json").write_bytes(votes_json)
    (tmp_path / "comments.csv").write_text((SEATTLE / "comments.csv").read_text())
    client.force_login(room.users["convener"])
    upload = io.BytesIO(_zip_of(tmp_path, ("comments.csv", "votes.json")))
    upload.name = "polis.zip"
    page = f"/dialogues/{room.dialogue.pk}/meetings/{meeting.pk}/room/exports/"
    response = client.post(page, {"file": upload})
    assert response.status_code == 400
    errors = " ".join(response.context["form"].errors["file"])
    assert errors.startswith(words) and str(tmp_path) not in errors, errors
    assert not Statement.objects.filter(meeting=meeting).exists()


def test_import_of_a_votes_file_without_votes_is_refused_in_one_line(consultation, tmp_path):
    # The reader's "no votes" refusal (not an InputFormatError) was a traceback.
    room, meeting = consultation
    (tmp_path / "comments.csv").write_text((SEATTLE / "comments.csv").read_text())
    header = (SEATTLE / "votes.csv").read_text().splitlines()[0]
    (tmp_path / "votes.csv").write_text(header + "\n")
    with pytest.raises(CommandError, match=r"votes\.csv: no votes in the file"):
        _import_as_convener(room, meeting, tmp_path)
    assert not Statement.objects.filter(meeting=meeting).exists()


def test_no_damage_to_a_zip_gets_past_its_refusal(tmp_path):
    # Bytes changed at random in every kind of zip this site reads: each is unpacked or
    # refused in words (zipfile raises a dozen other exceptions on the way).
    import random

    from track2.errors import ActionRefused

    archives = []
    for method in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", method) as archive:
            archive.write(SEATTLE / "comments.csv", "comments.csv")
            archive.write(SEATTLE / "votes.csv", "export/votes.csv")
        archives.append(buffer.getvalue())
    chance = random.Random(1)
    for n in range(600):
        data = bytearray(chance.choice(archives))
        for _ in range(chance.randint(1, 4)):
            if chance.random() < 0.8:
                data[chance.randrange(len(data))] = chance.randrange(256)
            else:
                data = data[: chance.randrange(len(data))]
        folder = tmp_path / str(n)
        folder.mkdir()
        try:
            interop.unpack_polis_zip(io.BytesIO(bytes(data)), folder, 30 * 2**20)
        except ActionRefused as refusal:
            assert refusal.field == "file" and refusal.message.endswith(".")


def test_export_polis_output_keeps_a_link_and_a_failed_write_leaves_nothing(
    consultation, tmp_path, monkeypatch
):
    # `--output` renamed a temporary file over whatever the path was (a device, a pipe, the
    # /dev/stdout link), and a failed write left the temporary file behind.
    room, meeting = consultation
    kept = tmp_path / "exports" / "meeting.zip"
    kept.parent.mkdir()
    kept.write_bytes(b"last week's export")
    link = tmp_path / "latest.zip"
    link.symlink_to(kept)
    export = {
        "dialogue": room.dialogue.pk,
        "meeting": meeting.pk,
        "acting": room.users["convener"].email,
        "stdout": io.StringIO(),
    }
    call_command("export-polis", output=str(link), **export)
    assert link.is_symlink() and zipfile.is_zipfile(kept)

    def disk_full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("track2.output_file.os.fsync", disk_full)
    with pytest.raises(CommandError) as refused:
        call_command("export-polis", output=str(kept), **export)
    assert str(refused.value) == (
        f"{kept}: cannot write (No space left on device); choose another --output"
    )
    assert zipfile.is_zipfile(kept)  # the last good export is kept
    assert sorted(p.name for p in kept.parent.iterdir()) == ["meeting.zip"]
