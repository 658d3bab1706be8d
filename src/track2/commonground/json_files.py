"""Reading a JSON file someone hands in (a Pol.is export's votes.json or comments.json, a
math-pca2.json): every way it can fail — missing, a folder, not UTF-8, not JSON, nested past
Python's limit, a number too long to convert — is one :class:`InputFormatError` naming the file
and, where there is one, the line, and ending with what to do."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from track2.commonground.csv_rows import first_bad_utf8_line
from track2.commonground.errors import InputFormatError

# JSON is read whole, and its objects take some eight times the file's size in memory: past this,
# the CSV export (read as a stream) is the way. Pol.is's votes.json reaches it at some four
# million votes; math-pca2.json is kilobytes.
MAX_JSON_BYTES = 256 * 2**20


def read_json(p: Path, remedy: str, *, option: str = "") -> tuple[str, Any]:
    """The file's text and its value. `remedy` ends the message of a file that is not what it
    should be; `option` names the command-line option that gave the path, if one did."""
    check = f"check the {option} path" if option else "check the path"
    try:
        with p.open("rb") as handle:
            # a file's size is asked first; a pipe or device has none, and is read up to the cap
            too_big = p.is_file() and p.stat().st_size > MAX_JSON_BYTES
            raw = b"" if too_big else handle.read(MAX_JSON_BYTES + 1)
    except FileNotFoundError as err:
        raise InputFormatError(str(p), None, f"file not found; {check}") from err
    except OSError as err:  # a folder, no permission
        raise InputFormatError(str(p), None, f"cannot read ({err.strerror}); {check}") from err
    if too_big or len(raw) > MAX_JSON_BYTES:
        raise InputFormatError(
            str(p),
            None,
            f"over {MAX_JSON_BYTES // 2**20} MB, more than a JSON file is read (whole, in "
            "memory); give the export's CSV files (votes.csv, comments.csv), read as a stream",
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise InputFormatError(str(p), first_bad_utf8_line(p), f"not UTF-8 text; {remedy}") from err
    try:
        return text, json.loads(text)
    except json.JSONDecodeError as err:
        raise InputFormatError(str(p), err.lineno, f"not valid JSON ({err.msg})") from err
    except RecursionError as err:
        raise InputFormatError(str(p), None, f"JSON nested too deeply; {remedy}") from err
    except ValueError as err:  # a number of 4,300 digits or more
        raise InputFormatError(
            str(p), None, f"a number too long to read ({err}); {remedy}"
        ) from err
