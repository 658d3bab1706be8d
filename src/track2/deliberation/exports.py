"""A meeting's exports for its conveners: CSV and JSON of statements and aggregates, and the
Pol.is export layout as a zip.

Nothing here carries an identity or a pseudonym. CSV and JSON hold the map's figures, already
through the small-cell rule. The Pol.is zip holds what `track2 analyze` needs — one row of
votes per voter — under voter numbers that follow from the answers alone, with one coarse time
(the meeting's start) for every row and rows in a random order, so that neither a time nor
an insertion order survives. Each file carries the status line; in the Pol.is CSV files, whose
layout has no place for it, it is in summary.csv, README.txt and the zip's comment.
"""

from __future__ import annotations

import csv
import io
import json
import secrets
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from django.utils.text import slugify
from django.utils.translation import gettext as _

from track2 import spreadsheet
from track2.access.room import RoomAccess, access_room
from track2.commonground import Statement as PolisStatement
from track2.commonground.formats import (
    COMMENTS_HEADER,
    polis_datetime,
    write_comments_csv,
    write_participants_votes_csv,
    write_votes_csv,
)
from track2.deliberation import map_data
from track2.deliberation.models import Statement
from track2.disclosure.status import STATUS_LINE
from track2.errors import ActionRefused

FORMATS = ("csv", "json", "polis")


@dataclass(frozen=True)
class Document:
    content: bytes
    content_type: str
    filename: str


def check_export(user, dialogue_id, meeting_id, fmt: str) -> Document:
    """The meeting's export in `fmt`, for the dialogue's conveners."""
    ctx = access_room(user, dialogue_id, meeting_id, need="convener")
    if fmt not in FORMATS:
        raise ActionRefused(_("Choose a format: csv, json or polis."), field="format")
    name = f"{slugify(ctx.meeting.title) or 'meeting'}-{ctx.meeting.pk}"
    if fmt == "csv":
        return Document(
            statements_csv(ctx).encode("utf-8"), "text/csv; charset=utf-8", name + ".csv"
        )
    if fmt == "json":
        body = json.dumps(statements_json(ctx), ensure_ascii=False, indent=2)
        return Document(body.encode("utf-8"), "application/json", name + ".json")
    return Document(polis_zip(ctx), "application/zip", name + "-polis.zip")


def _header(ctx: RoomAccess, shown: dict) -> list[str]:
    return [
        STATUS_LINE,
        _("Meeting: %(title)s; attribution: %(mode)s.")
        % {"title": ctx.meeting.title, "mode": ctx.meeting.get_attribution_mode_display()},
        _(
            "Figures by delegation or opinion group appear only when those who gave an answer "
            "and those who did not each number at least %(k)d people, or none, with "
            "complementary suppression; a group's figures are hidden wherever a delegation's "
            "are; blank = hidden or too few votes yet."
        )
        % {"k": shown["k"]},
    ]


def statements_csv(ctx: RoomAccess) -> str:
    shown = map_data.room_map(ctx.meeting)
    out = io.StringIO()
    for line in _header(ctx, shown):
        out.write(f"# {line}\r\n")
    writer = spreadsheet.writer(out)
    sides = shown["sides"]
    groups = [g["id"] for g in shown["groups"]]
    # A column names its group by the letter the pages show and by the engine's id, which the
    # JSON and the API give beside the letter: a spreadsheet's reader matches it to the page,
    # a script to the JSON.
    named = {g["id"]: {"label": g["label"], "id": g["id"]} for g in shown["groups"]}
    writer.writerow(
        ["statement", "text", "votes", "agree", "disagree", "pass", "label"]
        + [f"{side}: agree share" for side in sides]
        + [f"{side}: votes" for side in sides]
        + [_("group %(label)s (id %(id)s): agree share") % named[g] for g in groups]
        + [_("group %(label)s (id %(id)s): votes") % named[g] for g in groups]
    )
    for row in shown["statements"]:
        by_side = {s["side"]: s for s in row["by_side"]}
        by_group = {s["group"]: s for s in row["by_group"] if s["shown"]}

        def cell(value):
            return "" if value is None else value

        writer.writerow(
            [
                row["id"],
                row["text"],
                *(cell(row[c]) for c in ("votes", "agree", "disagree", "pass")),
            ]
            + [row["label"]]
            + [cell(by_side.get(side, {}).get("agree_share")) for side in sides]
            + [cell(by_side.get(side, {}).get("votes")) for side in sides]
            + [cell(by_group.get(g, {}).get("agree_share")) for g in groups]
            + [cell(by_group.get(g, {}).get("votes")) for g in groups]
        )
    return out.getvalue()


def statements_json(ctx: RoomAccess) -> dict:
    shown = map_data.room_map(ctx.meeting)
    return {
        "status_line": STATUS_LINE,
        "meeting": {
            "id": ctx.meeting.pk,
            "title": ctx.meeting.title,
            "attribution_mode": ctx.meeting.attribution_mode,
        },
        "k": shown["k"],
        "sides": shown["sides"],
        "groups": shown["groups"],
        "groups_by_delegation": shown.get("groups_by_delegation"),
        "statements": shown["statements"],
        "common_ground": shown["common_ground"],
        "divisive": shown["divisive"],
        "bridging": shown["bridging"],
    }


# --- the Pol.is layout ------------------------------------------------------------------------


def polis_files(ctx: RoomAccess, folder: Path) -> None:
    """Write comments.csv, votes.csv, participants-votes.csv, summary.csv and README.txt."""
    meeting = ctx.meeting
    when = int(meeting.starts_at.timestamp()) * 1000  # the meeting, not the moment
    statements = list(
        Statement.objects.filter(
            meeting=meeting, status=Statement.Status.ACCEPTED, is_for_facilitator=False
        ).order_by("id")
    )
    ids = [s.pk for s in statements]
    votes = [row for row in map_data.accepted_votes(meeting)]
    # Voters are numbered by their answers alone (map_data.voter_order), never by pseudonym or
    # arrival, and the rows are shuffled: the file keeps no order of arrival.
    matrix, voters = map_data.numbered_matrix(votes, ids)
    number = {p: i for i, p in enumerate(voters)}
    rows = [(number[p], s, v) for p, s, v in votes]
    secrets.SystemRandom().shuffle(rows)
    polis_statements = [PolisStatement(s.pk, s.text, 1, False, None, when) for s in statements]
    if rows or not any(s.kept_agrees is not None for s in statements):
        write_comments_csv(folder / "comments.csv", polis_statements, matrix)
    else:  # off the record and closed: only the counts survive, not the voters' rows
        _write_kept_counts(folder / "comments.csv", statements, when)
    write_votes_csv(folder / "votes.csv", ((when, s, p, v) for p, s, v in rows))
    write_participants_votes_csv(folder / "participants-votes.csv", matrix)
    with (folder / "summary.csv").open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["status", STATUS_LINE])
        writer.writerow(["topic", meeting.title])
        writer.writerow(["attribution", meeting.attribution_mode])
        writer.writerow(["voters", len(voters)])
        writer.writerow(["votes", len(rows)])
        writer.writerow(["comments", len(statements)])
    (folder / "README.txt").write_text(
        f"{STATUS_LINE}\n\n"
        "A Track2 meeting in the Pol.is export layout (read it with `track2 analyze FOLDER`).\n"
        "Voters are numbered by their answers alone; every time is the meeting's start.\n"
        "The statements are as written, for Pol.is tools: a spreadsheet may take one that starts\n"
        "with = + - or @ for a formula, so open these files as text (the room's CSV export is\n"
        "made for spreadsheets).\n",
        encoding="utf-8",
    )


def _write_kept_counts(path: Path, statements: list[Statement], when: int) -> None:
    """comments.csv with the counts kept when an off-the-record room closed."""
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(COMMENTS_HEADER)
        for s in statements:
            writer.writerow(
                (
                    when,
                    polis_datetime(when),
                    s.pk,
                    "",
                    s.kept_agrees or 0,
                    s.kept_disagrees or 0,
                    1,
                    s.text,
                )
            )


def polis_zip(ctx: RoomAccess) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        polis_files(ctx, folder)
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.comment = STATUS_LINE.encode("utf-8")
            for name in (
                "README.txt",
                "summary.csv",
                "comments.csv",
                "votes.csv",
                "participants-votes.csv",
            ):
                # A fixed date inside the zip too: the file times would tell when it was made.
                info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, (folder / name).read_bytes())
        return out.getvalue()
