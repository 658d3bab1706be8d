"""Roster CSV: import (validate every row first, then save all or nothing) and export.

The import format is documented in docs/convening-people.md. Nothing is written until a file
has no errors and the convener confirms it; then every row is added in one transaction.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from track2 import spreadsheet
from track2.dialogues.models import Delegation, Dialogue
from track2.disclosure.site import is_shown_in_personal_capacity
from track2.disclosure.status import STATUS_LINE
from track2.errors import ActionRefused
from track2.people import actions
from track2.people.eligibility import check_eligible
from track2.people.models import Candidacy, Person
from track2.people.queries import candidacies_of, current_affiliation

REQUIRED_COLUMNS = ("full_name", "email", "sector", "country", "nominated_by")
OPTIONAL_COLUMNS = (
    "pronouns",
    "languages",
    "expertise",
    "organisation",
    "position",
    "gender",
    "delegation",
    "role",
    "phone",
    "risk_notes",
)
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
# The columns that are the Add person form's fields, checked by its rules.
PERSON_COLUMNS = tuple(c for c in COLUMNS if c not in ("delegation", "role"))
EXPORT_COLUMNS = (
    "full_name",
    "email",
    "sector",
    "country",
    "pronouns",
    "languages",
    "expertise",
    "organisation",
    "position",
    "gender",
    "nominated_by",
    "delegation",
    "role",
    "phone",
    "risk_notes",
    "status",
    "personal_capacity",
)
# Columns the export writes that an import does not take: a re-imported person starts as
# nominated, and whether they count in a personal capacity follows from their sector. The
# importer passes over them, so that the site's own export imports as it stands.
EXPORT_ONLY_COLUMNS = tuple(c for c in EXPORT_COLUMNS if c not in COLUMNS)
MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 2000


@dataclass(frozen=True)
class RowError:
    row: int  # the spreadsheet row: the header is row 1
    column: str  # "" when the problem is the whole row or file
    message: str


@dataclass
class RosterCheck:
    rows: list[dict] = field(default_factory=list)  # cleaned values, with "row" numbers
    errors: list[RowError] = field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        return not self.errors and bool(self.rows)


def decode(data: bytes) -> str:
    """The file's text; ActionRefused when it is not UTF-8 (with or without a byte-order mark)."""
    if not data or not data.strip():
        raise ActionRefused(
            _(
                "The file is empty. Export the roster from your spreadsheet as CSV and upload it again."
            ),
            field="file",
        )
    refusal = _not_csv(data)
    if refusal:
        raise ActionRefused(refusal, field="file")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ActionRefused(
            _(
                "The file is saved as UTF-16 (“Unicode text”). Save it as “CSV UTF-8 (comma delimited)” and upload again."
            ),
            field="file",
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise ActionRefused(
            _(
                "The file is not UTF-8 text (the byte at position %(pos)d cannot be read), so names with accents "
                "would be garbled. In Excel choose “Save as → CSV UTF-8”; in LibreOffice tick “Edit filter settings” "
                "and choose the character set “Unicode (UTF-8)”. Then upload again."
            )
            % {"pos": err.start},
            field="file",
        ) from None
    if "\x00" in text:
        raise ActionRefused(
            _(
                "The file contains NUL characters, so it is not a CSV text file. "
                "Save the roster as “CSV UTF-8” and upload again."
            ),
            field="file",
        )
    return text


# The first bytes of files people upload by mistake: read before the encoding, so that a workbook
# is not diagnosed as badly encoded text. Nothing is unzipped or parsed: only the start is looked at.
_WORKBOOK_SIGNATURES = (
    b"PK\x03\x04",  # a zip: .xlsx, .xlsm and .ods workbooks are zip files
    b"\xd0\xcf\x11\xe0",  # an OLE compound file: the old .xls
)
_MARKUP_STARTS = ("<?xml", "<html", "<!doctype", "{", "[")


def _save_as_csv() -> str:
    return _(
        "In Excel: File → Save as → “CSV UTF-8 (comma delimited)”; in LibreOffice: File → "
        "Save as → “Text CSV”, character set “Unicode (UTF-8)”. Then upload the .csv file."
    )


def _not_csv(data: bytes) -> str:
    """Why a file is plainly not CSV text, or "" when it may be."""
    if data.startswith(_WORKBOOK_SIGNATURES[0]):
        return (
            _("This is a spreadsheet workbook (.xlsx or .ods), not a CSV file.")
            + " "
            + _save_as_csv()
        )
    if data.startswith(_WORKBOOK_SIGNATURES[1]):
        return _("This is an old Excel workbook (.xls), not a CSV file.") + " " + _save_as_csv()
    start = data[:16].lstrip(b"\xef\xbb\xbf \t\r\n").decode("ascii", "replace").lower()
    if start.startswith(_MARKUP_STARTS):
        return (
            _(
                "This is not a CSV file (it looks like XML, HTML or JSON). Export the roster from your spreadsheet as CSV."
            )
            + " "
            + _save_as_csv()
        )
    return ""


def _header_name(cell: str) -> str:
    return cell.strip().lower().replace(" ", "_").replace("-", "_")


def check_roster(dialogue: Dialogue, text: str) -> RosterCheck:
    """Validate every row of a roster; collect all the errors instead of stopping at the first."""
    result = RosterCheck()
    reader = csv.reader(io.StringIO(text, newline=""))
    header_row = 1
    try:
        header = next(reader, None)
        # Our own export starts with the status line as a "#" row; a re-imported export skips it.
        while header and header[0].lstrip().startswith("#"):
            header_row += 1
            header = next(reader, None)
    except csv.Error as err:
        result.errors.append(
            RowError(
                header_row, "", _("The header row cannot be read as CSV (%(err)s).") % {"err": err}
            )
        )
        return result
    if header is None or not any(cell.strip() for cell in header):
        result.errors.append(
            RowError(header_row, "", _("The first row must name the columns; it is empty."))
        )
        return result
    if len(header) == 1 and (";" in header[0] or "\t" in header[0]):
        result.errors.append(
            RowError(
                header_row,
                "",
                _(
                    "The columns are separated by semicolons or tabs; Track2 reads commas. Save the file as "
                    "“CSV UTF-8 (comma delimited)” and upload again."
                ),
            )
        )
        return result
    names = [_header_name(cell) for cell in header]
    # A header the rows cannot be read by (a column twice, a required one missing) stops here;
    # an unknown column does not: the rows are checked too, so that one upload names it all.
    problems = False
    for name in names:
        if name not in COLUMNS and name not in EXPORT_ONLY_COLUMNS:
            result.errors.append(
                RowError(
                    header_row,
                    name,
                    _("Unknown column “%(name)s”. Use only these columns: %(columns)s.")
                    % {"name": name, "columns": ", ".join(COLUMNS)},
                )
            )
    for name in sorted({n for n in names if names.count(n) > 1}):
        result.errors.append(
            RowError(
                header_row,
                name,
                _("The column “%(name)s” appears twice; keep one.") % {"name": name},
            )
        )
        problems = True
    for name in REQUIRED_COLUMNS:
        if name not in names:
            result.errors.append(
                RowError(
                    header_row,
                    name,
                    _("The required column “%(name)s” is missing. Required columns: %(columns)s.")
                    % {"name": name, "columns": ", ".join(REQUIRED_COLUMNS)},
                )
            )
            problems = True
    if problems:
        return result

    delegations = {d.name.strip().lower(): d for d in Delegation.objects.filter(dialogue=dialogue)}
    seen: dict[str, int] = {}
    row_number = header_row
    try:
        for cells in reader:
            row_number += 1
            if not any(cell.strip() for cell in cells):
                continue
            if len(result.rows) + 1 > MAX_ROWS:
                result.errors.append(
                    RowError(
                        row_number,
                        "",
                        _("A roster may have at most %(max)d people; split the file.")
                        % {"max": MAX_ROWS},
                    )
                )
                break
            if len(cells) > len(names):
                result.errors.append(
                    RowError(
                        row_number,
                        "",
                        _(
                            "This row has %(got)d values but the header names %(want)d columns. A value probably contains "
                            "a comma: put such values in double quotes."
                        )
                        % {"got": len(cells), "want": len(names)},
                    )
                )
                continue
            # Our own export's apostrophes (before a formula's first character) are read back off.
            raw = dict(
                zip(names, [spreadsheet.plain(cell.strip()) for cell in cells], strict=False)
            )
            cleaned = _check_row(dialogue, raw, row_number, delegations, seen, result.errors)
            if cleaned is not None:
                result.rows.append(cleaned)
    except csv.Error as err:
        # The reader failed on the row after the last one counted.
        result.errors.append(RowError(row_number + 1, "", _unreadable_row(err)))
    if not result.rows and not result.errors:
        result.errors.append(
            RowError(
                header_row + 1,
                "",
                _("The file names the columns but lists nobody; add one row per person."),
            )
        )
    return result


def _unreadable_row(err: csv.Error) -> str:
    if str(err).startswith("field larger than field limit"):
        return _(
            "A value on this row is longer than %(kb)d KB, so the row cannot be read; it is "
            "often a stray double quote that opens a value and never closes it. Check the row."
        ) % {"kb": csv.field_size_limit() // 1024}
    return _("This row cannot be read as CSV (%(err)s). Check for a stray double quote.") % {
        "err": err
    }


def _check_row(
    dialogue, raw: dict, row: int, delegations: dict, seen: dict, errors: list
) -> dict | None:
    """One row, checked by the very rules the Add person form and the API follow
    (`actions.check_add_person`, every problem at once), plus what only a file can get wrong:
    a delegation named that does not exist, the same address on two rows."""
    count = len(errors)
    delegation = None
    delegation_name = raw.get("delegation", "")
    if delegation_name:
        delegation = delegations.get(delegation_name.lower())
        if delegation is None:
            known = ", ".join(d.name for d in delegations.values()) or _("none yet")
            errors.append(
                RowError(
                    row,
                    "delegation",
                    _(
                        "Unknown delegation “%(name)s”. This dialogue's delegations: %(known)s. Create it on the dialogue "
                        "page first, correct the name, or leave the cell empty."
                    )
                    % {"name": delegation_name, "known": known},
                )
            )
    key = raw.get("email", "").lower()
    if key and key in seen:
        errors.append(
            RowError(
                row,
                "email",
                _(
                    "The same e-mail address is already on row %(first)d of this file; list each person once."
                )
                % {"first": seen[key]},
            )
        )
    elif key:
        seen[key] = row
    try:
        values = actions.check_add_person(
            dialogue,
            delegation=delegation,
            role=raw.get("role") or "participant",
            **{column: raw.get(column, "") for column in PERSON_COLUMNS},
        )
    except ActionRefused as refusal:
        for column, message in refusal.problems:
            errors.append(RowError(row, column or "", message))
        return None
    if len(errors) > count:
        return None
    # Checked above: eligible, so this only says whether the row is flagged.
    values["personal_capacity"] = check_eligible(
        Person(full_name=values["full_name"], sector=values["sector"]), dialogue
    )
    return {"row": row, **values}


@transaction.atomic
def do_import_roster(by, dialogue: Dialogue, text: str) -> list[Candidacy]:
    """Add every person of a valid roster to `dialogue` as nominated — all or nothing."""
    checked = check_roster(dialogue, text)
    if not checked.is_valid:
        first = checked.errors[0] if checked.errors else None
        raise ActionRefused(
            _("The roster has %(n)d errors (first: row %(row)d, %(message)s); nothing was saved.")
            % {
                "n": len(checked.errors),
                "row": first.row if first else 0,
                "message": first.message if first else "",
            }
        )
    added = []
    for values in checked.rows:
        values = dict(values)
        values.pop("row")
        values.pop("personal_capacity")
        added.append(actions.do_add_person(by, dialogue, **values))
    return added


def export_rows(dialogue: Dialogue) -> list[list[str]]:
    rows = [list(EXPORT_COLUMNS)]
    for candidacy in candidacies_of(dialogue):
        person = candidacy.person
        affiliation = current_affiliation(person)
        values = {
            "full_name": person.full_name,
            "email": person.email,
            "sector": person.sector,
            "country": person.country,
            "pronouns": person.pronouns,
            "languages": "; ".join(person.languages),
            "expertise": "; ".join(person.expertise),
            "organisation": affiliation.organisation if affiliation else "",
            "position": affiliation.position if affiliation else "",
            "gender": person.gender,
            "nominated_by": candidacy.nominated_by,
            "delegation": candidacy.delegation.name if candidacy.delegation else "",
            "role": candidacy.role,
            "phone": person.phone,
            # This dialogue's notes only: a person's candidacies in other dialogues have their own.
            "risk_notes": candidacy.risk_notes,
            "status": candidacy.status,
            "personal_capacity": "yes" if is_shown_in_personal_capacity(person, dialogue) else "",
        }
        # A formula's first character gets an apostrophe; control characters never reach the
        # file (stored before input was checked): the same rule as every spreadsheet export.
        rows.append([spreadsheet.cell(str(values[column])) for column in EXPORT_COLUMNS])
    return rows


def export_csv(dialogue: Dialogue) -> str:
    """The dialogue's roster as CSV text, starting with a byte-order mark so Excel reads UTF-8, then
    the status line as a "#" row (which the roster import skips), then the header."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([f"# {STATUS_LINE}"])
    writer.writerows(export_rows(dialogue))
    return "\ufeff" + out.getvalue()
