"""The attribution modes of a meeting: what each reader may see of who said what.

Statements and votes are stored under pseudonyms (ARCHITECTURE.md); this module decides, per
mode and per reader, whether names may be put beside what was said, whether anything but
aggregates survives the meeting, and who may read it at all. Outputs of the dialogue room
ask here instead of deciding for themselves.
"""

from __future__ import annotations

from dataclasses import dataclass

ON_RECORD = "on_record"
CHATHAM_HOUSE = "chatham_house"
OFF_RECORD = "off_record"
CLOSED = "closed"
MODES = (ON_RECORD, CHATHAM_HOUSE, OFF_RECORD, CLOSED)
DEFAULT_MODE = CHATHAM_HOUSE

# Readers, from inside the meeting outwards.
MEMBER = "member"  # took part in the meeting (participant, facilitator, rapporteur)
DIALOGUE = "dialogue"  # another member of the dialogue (observer, liaison, absent member)
OUTSIDE = "outside"  # anyone an output is carried to (officials, the public)
READERS = (MEMBER, DIALOGUE, OUTSIDE)


@dataclass(frozen=True)
class Attribution:
    """What one reader gets from a meeting held in one mode."""

    sees_content: bool  # what was said (statements, the record)
    sees_authors: bool  # who said it
    sees_aggregates: bool  # counts and common ground, under the small-cell rule


HELP = {
    ON_RECORD: "On the record: what is said may be quoted with the speaker's name.",
    CHATHAM_HOUSE: (
        "Chatham House Rule (the default): what is said may be used, but nobody may "
        "say who said it."
    ),
    OFF_RECORD: (
        "Off the record: nothing said is kept after the meeting except aggregates "
        "(counts and common ground under the small-cell rule)."
    ),
    CLOSED: (
        "Closed: only the meeting's members read it; among them it is on the record, and "
        "nothing leaves the meeting."
    ),
}

_RULES: dict[str, dict[str, Attribution]] = {
    ON_RECORD: {r: Attribution(True, True, True) for r in READERS},
    CHATHAM_HOUSE: {r: Attribution(True, False, True) for r in READERS},
    OFF_RECORD: {r: Attribution(r == MEMBER, False, True) for r in READERS},
    CLOSED: {
        MEMBER: Attribution(True, True, True),
        DIALOGUE: Attribution(False, False, False),
        OUTSIDE: Attribution(False, False, False),
    },
}


def attribution_of(mode: str, reader: str) -> Attribution:
    """What ``reader`` may see of a meeting held in ``mode``; ValueError for an unknown one."""
    if mode not in _RULES:
        raise ValueError(f"unknown attribution mode {mode!r}; one of {', '.join(MODES)}")
    if reader not in READERS:
        raise ValueError(f"unknown reader {reader!r}; one of {', '.join(READERS)}")
    return _RULES[mode][reader]


def mode_help(mode: str) -> str:
    return HELP[mode]


def modes_help() -> str:
    """All modes in one paragraph, for a form's help text."""
    return " ".join(HELP[m] for m in MODES)
