"""How the API refuses, in one place: the JSON body parser that admits only what
`track2.validation` admits, the JSON shape of every refusal, and their declaration in the
OpenAPI document (so that clients and schemathesis know every status an operation answers).
"""

from __future__ import annotations

import json

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.parser import Parser


class InadmissibleBody(Exception):
    """The body is JSON but carries what no field admits; `errors` lists each place."""

    def __init__(self, errors: list[dict]):
        super().__init__("inadmissible request body")
        self.errors = errors


def _no_constant(name: str):
    # NaN and Infinity are not JSON (RFC 8259) and no field of ours means them.
    raise ValueError(f"{name} is not a JSON number")


class NotJson(Exception):
    """The body is declared as something other than JSON (a form, text/plain)."""


def _declared_json(request: HttpRequest) -> bool:
    # No header at all is a client that says nothing (the vote lane admits it too); a browser
    # always names what a form sends, and text/plain is how a cross-site form smuggles JSON.
    declared = request.META.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
    return declared in ("", "application/json") or declared.endswith("+json")


class AdmissibleJson(Parser):
    def parse_body(self, request: HttpRequest):
        if not _declared_json(request):
            raise NotJson(request.META.get("CONTENT_TYPE", ""))
        data = json.loads(request.body, parse_constant=_no_constant)
        # Each field's text, number and date rules are its schema type's (track2.api.fields), so
        # that every field's problem is reported at once; here only the body's shape.
        if not isinstance(data, dict):
            raise InadmissibleBody(
                [
                    {
                        "loc": ["body"],
                        "type": "object_expected",
                        "msg": _(
                            'The body must be a JSON object such as {"notes": "…"}, '
                            "not a bare number, string or list."
                        ),
                    }
                ]
            )
        return data


def _explained(error: dict) -> str:
    """Pydantic says what was wrong; add what to do for the problems people meet most."""
    kind = error.get("type")
    ctx = error.get("ctx") or {}
    message = str(error.get("msg", "")).removeprefix("Value error, ")
    if kind == "string_unicode":
        return _(
            "The text is not valid Unicode (it contains a lone UTF-16 surrogate such as \\ud800); "
            "send text encoded as valid UTF-8."
        )
    if kind == "missing":
        return _("This field is required; send it.")
    if kind == "string_too_long":
        return _("Too long: at most %(max)s characters; shorten it.") % {
            "max": ctx.get("max_length")
        }
    if kind in ("less_than_equal", "greater_than_equal"):
        return _("Out of range: %(rule)s; send a number within it.") % {
            "rule": message.removeprefix("Input should be ")
        }
    if kind in ("datetime_parsing", "datetime_from_date_parsing", "datetime_type"):
        return _(
            "Not a date and time: write it as ISO 8601, e.g. 2030-05-01T10:00 (in the meeting's zone) or "
            "2030-05-01T08:00:00Z."
        )
    return message


def field_errors(errors) -> list[dict]:
    """Pydantic's errors as plain JSON: where, what and which limit — never the input echoed back
    (it may be megabytes, or the very characters that were refused)."""
    result = []
    for error in errors:
        loc = [str(part) for part in error.get("loc", ())]
        if loc[:1] == ["body"] and len(loc) > 2:
            del loc[1]  # the handler's parameter name ("payload"), which no client sends
        message = _explained(error)
        item: dict[str, object] = {"loc": loc, "msg": message, "type": str(error.get("type", ""))}
        ctx = {
            key: value
            for key, value in (error.get("ctx") or {}).items()
            if isinstance(value, (int, float, str, bool)) and key != "error"
        }
        if ctx:
            item["ctx"] = ctx
        result.append(item)
    return result


# --- the OpenAPI declaration -----------------------------------------------------------------

DETAIL = {"type": "string", "description": "What was wrong and what to do."}
FIELD_ERROR = {
    "type": "object",
    "properties": {
        "loc": {
            "type": "array",
            "items": {"type": "string"},
            "description": "Where: 'body', 'path' or 'query', then the field.",
        },
        "msg": {"type": "string"},
        "type": {"type": "string"},
        "ctx": {"type": "object", "description": "The rule's limits, e.g. max_length."},
    },
    "required": ["loc", "msg", "type"],
}
SCHEMAS = {
    "Detail": {"type": "object", "properties": {"detail": DETAIL}, "required": ["detail"]},
    "ActionRefusal": {
        "type": "object",
        "properties": {
            "detail": DETAIL,
            "field": {"type": ["string", "null"], "description": "The input at fault, or null."},
            "errors": {
                "type": ["array", "null"],
                "items": {"type": "object"},
                "description": "Per-row problems (roster files).",
            },
        },
        "required": ["detail"],
    },
    "InvalidRequest": {
        "type": "object",
        "properties": {"detail": DETAIL, "errors": {"type": "array", "items": FIELD_ERROR}},
        "required": ["detail", "errors"],
    },
}
REFUSALS = {
    "400": ("ActionRefusal", "Refused: an action's rule, or a body that is not JSON."),
    "401": ("Detail", "No token, a malformed token, or an unknown or revoked one."),
    "404": ("Detail", "The object does not exist or you may not see it."),
    "422": (
        "InvalidRequest",
        "A field breaks the schema: type, length, range, or a character not allowed.",
    ),
}
WRITE_REFUSALS = {
    "403": ("Detail", "A signed-in browser session sent no valid CSRF token (tokens need none)."),
    "413": ("Detail", "The request body is larger than the limit."),
}


def _response(schema: str, description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
    }


def declare_refusals(document: dict) -> dict:
    """Add every refusal the API can answer to every operation of an OpenAPI document."""
    document.setdefault("components", {}).setdefault("schemas", {}).update(SCHEMAS)
    for operations in document.get("paths", {}).values():
        for method, operation in operations.items():
            # ninja keys its own responses by int; one key per status, or JSON gets duplicates.
            responses = {
                str(status): answer for status, answer in operation.get("responses", {}).items()
            }
            operation["responses"] = responses
            refusals = dict(REFUSALS)
            if method in ("post", "put", "patch", "delete"):
                refusals.update(WRITE_REFUSALS)
            for status, (schema, description) in refusals.items():
                responses.setdefault(status, _response(schema, description))
    return document


def not_permitted(description: str) -> dict:
    """`openapi_extra` for a read that a member may be refused whatever they send (403): an
    observer asking for the moderation queue, results the facilitators keep to themselves."""
    return {"responses": {"403": _response("ActionRefusal", description)}}


def files(*content_types: str, description: str) -> dict:
    """`openapi_extra` for an operation that answers a file rather than JSON."""
    return {
        "responses": {
            "200": {
                "description": description,
                "content": {
                    kind: {
                        "schema": {"type": "object"}
                        if kind == "application/json"
                        else {"type": "string", "format": "binary"}
                    }
                    for kind in content_types
                },
            }
        }
    }
