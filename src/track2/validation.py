"""What input Track2 admits anywhere: the same rules for page forms, API schemas, the roster
importer and commands, so that one entry point cannot let in what another refuses.

- Text: no lone surrogates (they cannot be stored or encoded as UTF-8) and no control
  characters (NUL, ESC, vertical tab, DEL, the C1 range, …). Tab, newline and carriage return
  are allowed only in multi-line text (notes, descriptions, addresses). One-line text (names,
  titles, statements) also refuses the bidirectional embeddings, overrides and isolates, which
  can make a name read as something else on the page (right-to-left text needs none of them).
- Whole numbers: ids are 1 … 2^63 − 1 (a signed 64-bit column); any other number an input
  carries fits in the same range, so no database ever sees one it cannot hold.
- Dates: years 1900 … 2200; outside that, a date is a typing slip and would break every page
  that shows it (time-zone arithmetic overflows near year 9999).

Each check returns a message that says what was wrong and what to do, or raises ActionRefused.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime

from django.utils.translation import gettext as _

from track2.errors import ActionRefused, Problems

MAX_ID = 2**63 - 1
MIN_INTEGER = -(2**63)
MAX_INTEGER = 2**63 - 1
EARLIEST_YEAR = 1900
LATEST_YEAR = 2200
LINE_BREAKS = frozenset("\t\n\r")
# U+202A–U+202E (embeddings, overrides) and U+2066–U+2069 (isolates); the marks U+200E/U+200F,
# which some keyboards type in mixed-direction text, only set the direction of neutral characters.
BIDI_CONTROLS = frozenset(map(chr, [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]))


def _describe(char: str) -> str:
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X}" + (f" {name}" if name else "")


def control_characters_message() -> str:
    """The one wording for control characters in typed text, wherever they are refused: page
    forms, the API's schemas, actions (and the room's plain-text forms). A writer cannot see them,
    so naming them by code point ("U+0007 BELL") told them nothing they could act on (audit,
    docs/dialogue-room.md); what they need is that there are some and what to do."""
    return _("The text contains invisible control characters; remove them and send again.")


def field_label(field) -> str:
    """A model field named in a message by a short label: its name in words ("max_gender_share"
    → "Max gender share"), the name the API's errors carry. Its verbose name is a form's label
    and may read as a sentence ("warn when one gender makes up more than this % of a side")."""
    return field.name.replace("_", " ").capitalize()


# The first character a text may not hold, found by one regular-expression scan (in C) instead
# of a Python loop over every character: a 100,000-character field was 1.8 ms a check, and the
# forms, the API and the importer check every text they take.
_ONE_LINE_REFUSED = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_MULTILINE_REFUSED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def text_problem(value: str, *, multiline: bool) -> str | None:
    """Why `value` is not admissible text, or None when it is (the first refused character
    decides the message)."""
    found = (_MULTILINE_REFUSED if multiline else _ONE_LINE_REFUSED).search(value)
    if found is None:
        return None
    char = found.group()
    code = ord(char)
    if 0xD800 <= code <= 0xDFFF:
        return _(
            "The text contains an invalid character (a lone UTF-16 surrogate, %(code)s); "
            "send text encoded as valid UTF-8."
        ) % {"code": f"U+{code:04X}"}
    if char in LINE_BREAKS:
        return _("Write this on one line: tabs and line breaks are not allowed here.")
    if char in BIDI_CONTROLS:
        return _(
            "The text contains a direction control (%(char)s) that can make it read differently "
            "from what it says; remove it (right-to-left text needs none)."
        ) % {"char": _describe(char)}
    return control_characters_message()


# Control characters an output never carries (tab and line breaks are kept; a format that cannot
# hold them escapes them), and lone surrogates, which UTF-8 cannot encode at all.
_UNPRINTABLE = {
    code: None for code in [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0)]
}
_SURROGATES = {code: 0xFFFD for code in range(0xD800, 0xE000)}


def printable(value: str) -> str:
    """`value` without control characters (tab and line breaks kept) and with each lone surrogate
    replaced by U+FFFD: for outputs (calendar files, CSV), in case text was stored before these
    checks or by a path that skipped them."""
    return value.translate(_UNPRINTABLE).translate(_SURROGATES)


def check_text(value: str, field: str, *, multiline: bool = False) -> str:
    problem = text_problem(value, multiline=multiline)
    if problem:
        raise ActionRefused(problem, field=field)
    return value


def integer_problem(value: int, *, is_id: bool = False) -> str | None:
    if is_id and not 1 <= value <= MAX_ID:
        return _("An id is a whole number from 1 to %(max)d; %(value)s is not one.") % {
            "max": MAX_ID,
            "value": _shorten(value),
        }
    if not MIN_INTEGER <= value <= MAX_INTEGER:
        return _("This number is out of range: use a whole number between %(min)d and %(max)d.") % {
            "min": MIN_INTEGER,
            "max": MAX_INTEGER,
        }
    return None


def _shorten(value: int) -> str:
    digits = str(value)
    return digits if len(digits) <= 24 else digits[:20] + "…"


def moment_problem(value: date | datetime) -> str | None:
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        return _(
            "The year %(year)d is out of range: give a date between %(first)d and %(last)d."
        ) % {"year": value.year, "first": EARLIEST_YEAR, "last": LATEST_YEAR}
    return None


def check_moment(value: date | datetime | None, field: str) -> None:
    problem = moment_problem(value) if value is not None else None
    if problem:
        raise ActionRefused(problem, field=field)


def check_model_text(instance) -> None:
    """The text rules and length limits for every text field of a model instance: a CharField
    is one line, a TextField may span lines. For writes that do not go through a form or a
    schema (commands, the demo) and as the last word before the database. Refuses with every
    field's problem at once."""
    from django.db import models  # here, so that this module stays importable without apps

    problems = Problems()
    for field in instance._meta.concrete_fields:
        if not isinstance(field, (models.CharField, models.TextField)) or field.choices:
            continue
        value = getattr(instance, field.attname)
        if not isinstance(value, str):
            continue
        problem = text_problem(value, multiline=isinstance(field, models.TextField))
        if problem:
            problems.add(problem, field.name)
        if field.max_length and len(value) > field.max_length:
            problems.add(
                _("%(label)s is too long: at most %(limit)d characters (it has %(length)d).")
                % {"label": field_label(field), "limit": field.max_length, "length": len(value)},
                field.name,
            )
    problems.raise_any()
