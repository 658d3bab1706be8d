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


def read_json(p: Path, remedy: str, *, option: str = "") -> tuple[str, Any]:
    """The file's text and its value. `remedy` ends the message of a file that is not what it
    should be; `option` names the command-line option that gave the path, if one did."""
    check = f"check the {option} path" if option else "check the path"
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError as err:
        raise InputFormatError(str(p), None, f"file not found; {check}") from err
    except OSError as err:  # a folder, no permission
        raise InputFormatError(str(p), None, f"cannot read ({err.strerror}); {check}") from err
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
