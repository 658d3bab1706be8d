"""Importing a Pol.is conversation into a meeting as a Track 3 consultation.

The files are read by `track2.commonground.formats` (the formats `track2 analyze` reads), so a
malformed file is refused with its `file:line:` message before anything is written; the import
itself is one transaction, so nothing is ever half-imported. The conversation's voters have no
accounts: each gets a pseudonym drawn at random, unrelated to their Pol.is participant id, so
the imported rows cannot be joined back to the original export's participants by id.
"""

from __future__ import annotations

import lzma
import os
import secrets
import tempfile
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from django.db import connection, transaction
from django.utils.translation import gettext as _

from track2 import validation as admissible
from track2.access.room import RoomAccess, access_room
from track2.audit import record as audit
from track2.commonground import (
    Conversation,
    EmptyConversationError,
    InputFormatError,
    load_conversation,
)
from track2.commonground.csv_rows import INT, header_index, open_csv
from track2.commonground.formats import COMMENT_ALIASES
from track2.deliberation.models import STATEMENT_COLUMN, Room, Statement, Vote, random_id
from track2.errors import ActionRefused

POLIS_FILES = (
    "comments.csv",
    "comments.json",
    "votes.csv",
    "votes.json",
    "participants-votes.csv",
    "summary.csv",
)
BATCH = 5000
# The compression methods Python's zipfile reads (stored, deflate, bzip2, lzma).
READABLE_COMPRESSION = (
    zipfile.ZIP_STORED,
    zipfile.ZIP_DEFLATED,
    zipfile.ZIP_BZIP2,
    zipfile.ZIP_LZMA,
)


@dataclass(frozen=True, eq=False)
class ImportPlan:
    ctx: RoomAccess
    conversation: Conversation
    texts: dict[int, str]


def check_import(
    user, dialogue_id, meeting_id, path: str | Path, *, shown_from: Path | None = None
) -> ImportPlan:
    """A Pol.is export folder (or its votes file) ready to import into an empty meeting.
    `shown_from`: a folder the messages name files relative to (an unpacked upload's temporary
    folder means nothing to the person who uploaded the zip)."""
    ctx = access_room(user, dialogue_id, meeting_id, need="convener")
    if Statement.objects.filter(meeting=ctx.meeting).exists():
        raise ActionRefused(
            _(
                "This meeting already has statements: import a Pol.is conversation into a new, "
                "empty meeting."
            ),
            field="file",
        )
    try:
        conversation = load_conversation(path)
    except (InputFormatError, EmptyConversationError) as err:  # the readers' refusals
        raise ActionRefused(_shown(str(err), shown_from), field="file") from None
    if not conversation.statements:
        raise ActionRefused(
            _(
                "No comments.csv (or comments.json) beside the votes: the statements' texts are needed."
            ),
            field="file",
        )
    texts: dict[int, str] = {}
    bad: dict[Any, str] = {}  # every comment that cannot be a statement, and why
    for sid, statement in conversation.statements.items():
        text = " ".join(statement.text.split())
        if not text and statement.moderated == -1:
            continue  # an empty comment Pol.is moderated out: nothing to show, out of the maths
        problem = admissible.text_problem(text, multiline=False)
        if not text:
            problem = _("the comment is empty; leave it out of the export")
        elif len(text) > STATEMENT_COLUMN:
            problem = _(
                "the comment is longer than %(max)d characters (it has %(n)d); shorten it or "
                "leave it out of the export"
            ) % {"max": STATEMENT_COLUMN, "n": len(text)}
        if problem:
            bad[sid] = problem.rstrip(".")
        texts[int(sid)] = text
    if bad:
        where = Path(conversation.files[0])
        lines = _comment_lines(where) if where.suffix == ".csv" else {}
        problems: list[tuple[str | None, str]] = [
            (
                "file",
                _shown(
                    (f"{where}:{lines[sid]}: " if sid in lines else f"{where}: ")
                    + _("comment %(id)s: %(problem)s") % {"id": sid, "problem": problem},
                    shown_from,
                ),
            )
            for sid, problem in bad.items()
        ]
        raise ActionRefused(problems[0][1], field="file", problems=problems)
    return ImportPlan(ctx, conversation, texts)


def _shown(message: str, folder: Path | None) -> str:
    """A reader's message on one line, its paths relative to `folder` when given."""
    if folder is not None:
        message = message.replace(f"{folder}{os.sep}", "")
    return " ".join(message.split())


def _comment_lines(path: Path) -> dict[int, int]:
    """The line where each comment's row starts in a comments.csv the reader accepted (only to
    name a refused comment's line: the reader keeps none). A row whose text holds line breaks
    ends further down; the csv reader counts the line it ended on."""
    rows = open_csv(path)
    first = next(rows, None)
    if first is None:
        return {}
    id_column = header_index(first[1], path, ("id",), COMMENT_ALIASES)["id"]
    lines: dict[int, int] = {}
    previous_end = first[0]
    for end, row in rows:
        if len(row) > id_column and INT.match(row[id_column].strip()):
            lines.setdefault(int(row[id_column].strip()), previous_end + 1)
        previous_end = end
    return lines


@transaction.atomic
def do_import(by, plan: ImportPlan) -> tuple[int, int, int]:
    """Write the statements and votes; returns (statements, voters, votes)."""
    meeting = plan.ctx.meeting
    room = Room.objects.select_for_update().get(pk=plan.ctx.room.pk)
    room.is_consultation = True
    room.moderation = Room.Moderation.POST
    room.save()
    new_id: dict[int, Statement] = {}
    for sid, text in plan.texts.items():
        source = plan.conversation.statements[sid]
        status = Statement.Status.REJECTED if source.moderated == -1 else Statement.Status.ACCEPTED
        new_id[sid] = Statement(meeting=meeting, text=text, status=status)
    # The Pol.is order of comments is their order of arrival: stored in random order instead.
    shuffled = list(new_id.values())
    secrets.SystemRandom().shuffle(shuffled)
    Statement.objects.bulk_create(shuffled)
    matrix = plan.conversation.matrix
    pseudonyms = [secrets.token_hex(32) for _ in range(matrix.n_participants)]
    column_statement = [new_id.get(int(sid)) for sid in matrix.statement_ids.tolist()]
    rows: list[tuple[int, int, int, str, int]] = []
    for i in range(matrix.n_participants):
        lo, hi = int(matrix.indptr[i]), int(matrix.indptr[i + 1])
        for j, value in zip(
            matrix.indices[lo:hi].tolist(), matrix.values[lo:hi].tolist(), strict=True
        ):
            statement = column_statement[j]
            if statement is not None:
                rows.append((random_id(), meeting.pk, statement.pk, pseudonyms[i], int(value)))
    _insert_votes(rows)
    n_votes = len(rows)
    voters = int((matrix.indptr[1:] > matrix.indptr[:-1]).sum())
    audit.record(
        by, "import_polis", room, fields=["statements", "votes"], dialogue=plan.ctx.dialogue
    )
    return len(new_id), voters, n_votes


def _insert_votes(rows: list[tuple[int, int, int, str, int]]) -> None:
    """Many votes in few statements: a Track 3 conversation holds tens of thousands, and
    building a model object for each costs more than writing it."""
    table = connection.ops.quote_name(Vote._meta.db_table)
    column_of = {f.name: f.column for f in Vote._meta.concrete_fields}
    columns = ", ".join(
        connection.ops.quote_name(column_of[name])
        for name in ("id", "meeting", "statement", "pseudonym", "value")
    )
    sql = f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s, %s)"  # noqa: S608  (names from the model)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            cursor.executemany(sql, rows[start : start + BATCH])


def unpack_polis_zip(upload, folder: Path, max_bytes: int) -> Path:
    """Extract the Pol.is files of an uploaded zip into `folder` (any sub-folder inside the zip
    is ignored: only the known file names, never a path the archive chose)."""
    try:
        archive = zipfile.ZipFile(upload)
    except (zipfile.BadZipFile, EOFError, UnicodeDecodeError, ValueError, NotImplementedError):
        # zipfile's refusals of a damaged directory: besides BadZipFile, a member name flagged
        # as UTF-8 that is not (UnicodeDecodeError), an offset before the file's start
        # (ValueError: negative seek), a version number past what it reads (NotImplementedError)
        raise ActionRefused(
            _(
                "The file is not a zip archive, or a damaged one: upload the Pol.is export folder "
                "as a .zip."
            ),
            field="file",
        ) from None
    found: dict[str, str] = {}
    total = 0
    with archive:
        for info in archive.infolist():
            name = PurePosixPath(info.filename).name
            if info.is_dir() or name not in POLIS_FILES:
                continue
            if name in found:
                raise ActionRefused(
                    _(
                        "The zip holds %(name)s twice (%(first)s and %(second)s): zip one Pol.is "
                        "export at a time."
                    )
                    % {"name": name, "first": found[name], "second": info.filename},
                    field="file",
                )
            found[name] = info.filename
            total += info.file_size
            if total > max_bytes:
                raise ActionRefused(
                    _(
                        "The archive unpacks to more than %(mb)d MB: import it with `track2 import-polis` instead."
                    )
                    % {"mb": max_bytes // 2**20},
                    field="file",
                )
            (folder / name).write_bytes(_member(archive, info))
    if not found:
        raise ActionRefused(
            _("The zip holds no Pol.is files (comments.csv, votes.csv, participants-votes.csv)."),
            field="file",
        )
    return folder


def _member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """One member's bytes, or a refusal saying why the zip cannot be read."""
    if info.flag_bits & 0x1:  # APPNOTE 4.4.4: bit 0, the member is encrypted
        raise ActionRefused(
            _(
                "%(name)s in the zip is protected by a password: zip the Pol.is export folder "
                "again without a password."
            )
            % {"name": info.filename},
            field="file",
        )
    if info.compress_type not in READABLE_COMPRESSION:
        raise ActionRefused(
            _(
                "%(name)s in the zip is compressed with a method this site cannot read (number "
                "%(method)d): zip the Pol.is export folder again with ordinary (deflate) compression."
            )
            % {"name": info.filename, "method": info.compress_type},
            field="file",
        )
    try:
        return archive.read(info)
    except (
        zipfile.BadZipFile,
        zlib.error,
        lzma.LZMAError,
        OSError,
        EOFError,
        ValueError,
        NotImplementedError,
        RuntimeError,
    ):
        # zipfile's refusals of a member: a bad CRC or header (BadZipFile), damaged compressed
        # data (zlib.error, lzma.LZMAError, OSError from bz2, EOFError), an offset before the
        # file's start (ValueError), a method, version or encryption it does not support
        # (NotImplementedError, RuntimeError), whatever the headers claimed. The upload is in
        # memory or a local temporary file: an OSError here is the data, not the disk.
        raise ActionRefused(
            _(
                "%(name)s in the zip is damaged, encrypted or compressed in a way this site cannot "
                "read: export the Pol.is folder again and zip it without a password."
            )
            % {"name": info.filename},
            field="file",
        ) from None


def check_import_upload(user, dialogue_id, meeting_id, upload, max_bytes: int):
    """The same import from a zip uploaded on the convener's page; the plan and the folder
    (the caller imports, then lets the folder go)."""
    tmp = tempfile.TemporaryDirectory()
    try:
        folder = unpack_polis_zip(upload, Path(tmp.name), max_bytes)
        return check_import(user, dialogue_id, meeting_id, folder, shown_from=folder), tmp
    except BaseException:
        tmp.cleanup()
        raise
