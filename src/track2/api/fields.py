"""Input types of the API schemas, built on `track2.validation` (the rules pages share).

A value these types refuse answers 422 naming the field and the rule (limit, range, character),
before any action runs; the schema in the OpenAPI document carries the same limits. A text rule's
message is track2.validation's, word for word what the pages say (never a wording of our own).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, Field

from track2 import validation
from track2.backchannel.actions import MAX_BUNDLE_BYTES, MAX_ENVELOPE_BYTES
from track2.facilitation.actions import turn_limit_range
from track2.facilitation.caucus import MAX_BREAK_MINUTES, break_range
from track2.facilitation.models import MAX_TURN_LIMIT
from track2.impact.instruments import LIKERT
from track2.operations.actions import MAX_RETENTION_DAYS, retention_days_range


def _one_line(value: str) -> str:
    problem = validation.text_problem(value, multiline=False)
    if problem:
        raise ValueError(problem)
    return value


def _many_lines(value: str) -> str:
    problem = validation.text_problem(value, multiline=True)
    if problem:
        raise ValueError(problem)
    return value


def _in_range(value: datetime) -> datetime:
    problem = validation.moment_problem(value)
    if problem:
        raise ValueError(problem)
    return value


def limit_of(model, field: str) -> int:
    """The model's own length limit, so the API and the database never disagree."""
    return model._meta.get_field(field).max_length


def Line(max_length: int):  # noqa: N802  (a type, named like one)
    return Annotated[str, Field(max_length=max_length), AfterValidator(_one_line)]


def Text(max_length: int = 20_000):  # noqa: N802
    return Annotated[str, Field(max_length=max_length), AfterValidator(_many_lines)]


def _whole_number(low: int, high: int, said: Callable[[], str] | None):
    def refuse_with_one_message(value: object) -> object:
        # A JSON true, 30.0, "30", 2^70 and -1 alike: one message with the range, the action's
        # own words where it has them (the page says the same), not pydantic's one per mistake.
        if type(value) is not int or not low <= value <= high:
            raise ValueError(said() if said else f"Enter a whole number from {low} to {high}.")
        return value

    return refuse_with_one_message


def WholeNumber(low: int, high: int, said: Callable[[], str] | None = None):  # noqa: N802
    """A JSON integer from `low` to `high`, the range the action itself holds every caller to,
    so that the API lists it with the body's other problems in one 422 (`said`: the action's
    words for the range)."""
    return Annotated[int, BeforeValidator(_whole_number(low, high, said)), Field(ge=low, le=high)]


Id = Annotated[int, Field(ge=1, le=validation.MAX_ID)]
Count = Annotated[int, Field(ge=0, le=2_147_483_647)]
Small = Annotated[int, Field(ge=0, le=32_767)]
Moment = Annotated[datetime, AfterValidator(_in_range)]
# A short code from a fixed list (status, kind, direction…): the action names the valid ones.
Code = Annotated[str, Field(max_length=40), AfterValidator(_one_line)]
Tag = Annotated[str, Field(max_length=80), AfterValidator(_one_line)]

# The limits of the model fields they fill (dialogues and people models: 200 / 100 / 64).
Title = Line(200)
Place = Line(100)
ZoneName = Line(64)
Notes = Text()
Email = Line(254)
Pronouns = Line(40)
Phone = Line(50)
# A one-time link's secret (token_urlsafe(32): 43 characters); longer input is refused as malformed.
LinkSecret = Line(100)


def _base64(value: object) -> bytes:
    if not isinstance(value, str):
        raise ValueError("Send the bytes as a base64 string.")  # noqa: TRY004  (pydantic wants ValueError)
    try:
        return base64.b64decode(value.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        raise ValueError(
            "Not base64 (RFC 4648 §4, with padding): send the bytes encoded as base64."
        ) from None


def Base64(max_bytes: int):  # noqa: N802  (a type, named like one)
    """Bytes sent as standard base64, at most `max_bytes` once decoded."""
    return Annotated[
        bytes,
        BeforeValidator(_base64),
        Field(max_length=max_bytes, json_schema_extra={"format": "byte", "type": "string"}),
    ]


# The back channel's inputs: a hash or token digest in hex, a label, and the relay's byte limits.
Hex64 = Line(64)
Label = Line(100)
BundleData = Base64(MAX_BUNDLE_BYTES)
EnvelopeData = Base64(MAX_ENVELOPE_BYTES)
# The dialogue room: a statement (the column's limit; the action's own limit, 300, gives the clearer
# message) and a moderator's reason.
StatementText = Line(2000)
Reason = Line(500)
# Outcome documents (issue 12): a paragraph's text, a paragraph's key, a SHA-256 in hex.
ParagraphText = Text(5000)
ParagraphKey = Line(16)
Sha256 = Line(64)
# Policy impact (issue 14): evidence of a reaction, a link, a note, survey free text and keys.
EvidenceText = Text(5000)
Link = Line(500)
Note = Line(500)
SurveyText = Text(2000)
AnswerKey = Line(40)
# Ranged whole numbers outside model fields, each the range its action holds every caller to:
# a turn limit in seconds, a caucus break in minutes, retention in days, survey answers.
TurnSeconds = WholeNumber(10, MAX_TURN_LIMIT, turn_limit_range)
BreakMinutes = WholeNumber(0, MAX_BREAK_MINUTES, break_range)
RetentionDays = WholeNumber(0, MAX_RETENTION_DAYS, retention_days_range)
Percent = WholeNumber(0, 100)
Likert = WholeNumber(min(LIKERT), max(LIKERT))
