"""What the query sweep (tests/test_every_route.py) works with: the query parameters each page
reads, found by recording them, the hostile values it sends them, and what an answer to them may
not be.

Parameters are found, not listed. While the route sweep's insiders (and the strangers a route is
open to) GET every route, a test-only middleware replaces `request.GET` with a QueryDict that
records every key the view, its forms and its templates read (`get`, `getlist`, `[key]`, `in`).
A view that reads every key (`items()`, `lists()`, `dict()`, iteration: the admin's filters)
is marked with ANY_KEY. The page's own links and GET forms back to the same path add the names
a view reads that way (the admin's `o`, its filter lookups). The API's query parameters are in
its OpenAPI document.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from html.parser import HTMLParser
from urllib.parse import parse_qsl, quote, urlsplit

from django.core.handlers.wsgi import get_bytes_from_wsgi
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils.datastructures import MultiValueDict

from tests import route_sweep_data

# --- recording what a view reads ----------------------------------------------------------------

ANY_KEY = "*"  # the view read every key (iterated the query): an unknown one reaches it too


class Reads:
    """The keys of `request.GET` read during the current request (one request at a time: the
    sweep's test client is synchronous)."""

    keys: set[str] = set()


class RecordingQueryDict(QueryDict):
    def __getitem__(self, key):
        Reads.keys.add(key)
        return super().__getitem__(key)

    def __contains__(self, key) -> bool:
        Reads.keys.add(key)
        return super().__contains__(key)

    def get(self, key, default=None):
        Reads.keys.add(key)
        return super().get(key, default)

    def getlist(self, key, default=None):
        Reads.keys.add(key)
        return super().getlist(key, default)

    def _every_key(self) -> None:
        Reads.keys.add(ANY_KEY)

    def items(self):
        self._every_key()
        return super().items()

    def lists(self):
        self._every_key()
        return super().lists()

    def values(self):
        self._every_key()
        return super().values()

    def dict(self):
        self._every_key()
        return super().dict()

    def keys(self):
        self._every_key()
        return super().keys()

    def __iter__(self):
        self._every_key()
        return super().__iter__()

    def __deepcopy__(self, memo):
        # A copy (to build the next page's link) is a plain QueryDict: what it is read for is
        # not what the view reads.
        result = QueryDict("", mutable=True, encoding=self.encoding)
        for key, values in MultiValueDict.lists(self):
            result.setlist(key, values)
        return result


def record_query_reads(get_response: Callable[[HttpRequest], HttpResponse]):
    """Middleware, first in the list: `request.GET` records its reads into Reads.keys."""

    def middleware(request: HttpRequest) -> HttpResponse:
        # As WSGIRequest makes its own (META is the WSGI environ).
        raw = get_bytes_from_wsgi(request.META, "QUERY_STRING", "")
        request.GET = RecordingQueryDict(raw, encoding=request.encoding)
        Reads.keys = set()  # after: filling the QueryDict asks `in` of each key it adds
        return get_response(request)

    return middleware


RECORDER = f"{__name__}.record_query_reads"


class SamePathQueries(HTMLParser):
    """The query parameter names of a page's links and GET forms back to its own path."""

    def __init__(self, path: str) -> None:
        super().__init__(convert_charrefs=True)
        self.path = path
        self.names: set[str] = set()
        self._in_get_form = False

    def handle_starttag(self, tag: str, attrs_list) -> None:
        attrs = {k: v or "" for k, v in attrs_list}
        if tag == "a" and "?" in attrs.get("href", ""):
            href = urlsplit(attrs["href"])
            if href.path in ("", self.path) and not href.netloc:
                self.names |= {k for k, _v in parse_qsl(href.query, keep_blank_values=True)}
        elif tag == "form":
            action = urlsplit(attrs.get("action", ""))
            self._in_get_form = attrs.get("method", "get").lower() == "get" and (
                action.path in ("", self.path) and not action.netloc
            )
        elif self._in_get_form and tag in ("input", "select", "textarea") and attrs.get("name"):
            if attrs.get("type", "").lower() not in ("submit", "button", "image", "reset"):
                self.names.add(attrs["name"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._in_get_form = False


def linked_parameters(path: str, html: str) -> set[str]:
    parser = SamePathQueries(path)
    parser.feed(html)
    parser.close()
    return parser.names


# --- the hostile values -------------------------------------------------------------------------

# Percent-encoded as sent. The texts carry `"><sweepq>`: a value echoed unescaped shows it whole.
MARKUP = "%22%3E%3Csweepq%3E"
HOSTILE = {
    "nul": "a%00" + MARKUP,
    "escape": "%1B%5B31m" + MARKUP,
    "right-to-left": "%E2%80%AE" + MARKUP,
    "invalid-utf8": "%FF%FE",
    "overlong-utf8": "%C0%AF",
    "lone-surrogate": "%ED%A0%80",
    "100000-characters": "x" * 100_000,
    "past-2^63": "9223372036854775808",
    "minus-one": "-1",
    "zero": "0",
    "nan": "NaN",
    "1e400": "1e400",
    "superscript-two": "%C2%B2",
    "empty": "",
}
REPEATED = "repeated"  # the parameter twice: name=1&name=2
# What every (route, parameter) gets when its kind already had the whole set.
SMALL = ("nul", "invalid-utf8", "past-2^63", REPEATED)
# Where a redirecting parameter could send someone off the site.
OFF_SITE = {
    "protocol-relative": "%2F%2Fevil.example",
    "absolute": "https%3A%2F%2Fevil.example",
    "backslash": "%2F%5Cevil.example",
    "javascript": "javascript%3Aalert(1)",
}
REDIRECTING = re.compile(r"(?:^|_)(?:next|return|redirect|back|continue|goto|url)(?:_|$)", re.I)
# A parameter no view reads: ignored, or refused, but never a failure.
UNKNOWN = "sweep_unknown"


def hostile_queries(name: str, base: str, *, full: bool) -> list[tuple[str, str]]:
    """(label, query string) for the parameter `name`; `base` (encoded, maybe empty) carries the
    plausible values of the other parameters the route requires."""
    labels = list(HOSTILE) + [REPEATED] if full else list(SMALL)
    queries = [
        (
            label,
            f"{quote(name)}=1&{quote(name)}=2"
            if label == REPEATED
            else f"{quote(name)}={HOSTILE[label]}",
        )
        for label in labels
    ]
    if REDIRECTING.search(name):
        queries += [(label, f"{quote(name)}={value}") for label, value in OFF_SITE.items()]
    return [(label, "&".join(p for p in (base, query) if p)) for label, query in queries]


def unknown_query(base: str) -> str:
    return "&".join(p for p in (base, f"{UNKNOWN}={HOSTILE['nul']}") if p)


# --- what an answer may not be ------------------------------------------------------------------

TRACEBACK = re.compile(rb"Traceback \(most recent call last\)|File \"/[^\"]+\.py\", line \d+")
# `"><sweepq>` with its `<`, or its `"` before an escaped `>`, left as it was.
UNESCAPED = re.compile(r'<sweepq|"(?:>|&gt;|&#62;)(?:<|&lt;|&#60;)sweepq')


def off_site(location: str) -> bool:
    """Whether a redirect's target leaves the site (or is no web address at all)."""
    target = urlsplit(location.strip())
    return (
        target.scheme not in ("", "http", "https")
        or target.netloc not in ("", "testserver")
        or location.strip().startswith(("//", "/\\", "\\"))
    )


def answer_problems(response, *, is_api: bool, name: str) -> list[str]:
    """What is wrong with an answer to a hostile query: a server error, a traceback, the markup
    echoed unescaped, a redirect off the site, an API refusal that does not name the parameter."""
    if response.status_code >= 500:
        return ["server error"]
    found = []
    body = b"" if response.streaming else response.content
    if TRACEBACK.search(body):
        found.append("a traceback in the body")
    if "html" in response.get("Content-Type", "") and UNESCAPED.search(
        body.decode("utf-8", "replace")
    ):
        found.append('the value shown with its "<" or "\\"" unescaped')
    if 300 <= response.status_code < 400 and off_site(response.get("Location", "")):
        found.append(f"a redirect off the site, to {response['Location'][:80]!r}")
    if is_api and response.status_code == 422:
        # Refused for its query, it names the parameter (the others carried plausible values);
        # a 422 about something else (a header the route needs) says nothing of it.
        errors = json.loads(response.content).get("errors", [])
        named = {str(e["loc"][1]) for e in errors if e.get("loc", [])[:1] == ["query"]}
        if named and name not in named:
            found.append(f"a 422 that does not name the parameter: {errors}"[:300])
    return found


# How a page marks a field it refused (the project's forms, the admin's search, Django's lists).
REFUSAL_MARKS = ('aria-invalid="true"', 'class="errorlist')


def outcome(response) -> str:
    """How the route took the value: `refused NNN`; `message`, a page that answered with a
    field marked refused (a filter form, the admin's search); or `ignored`: it answered as
    usual, or sent elsewhere on the site."""
    if response.status_code >= 400:
        return f"refused {response.status_code}"
    if response.status_code == 200 and "html" in response.get("Content-Type", ""):
        page = response.content.decode("utf-8", "replace")
        if any(mark in page for mark in REFUSAL_MARKS):
            return "message"
    return "ignored"


# --- the API's query parameters -----------------------------------------------------------------

# The format an export is asked for when its own format is not under attack: the cheapest to
# build (a PDF takes WeasyPrint one to three seconds, and the default of most exports is PDF).
CHEAP_FORMATS = ("json", "csv", "html")


def api_parameters(route) -> dict[str, dict]:
    """An API path's GET query parameters, by name, as its OpenAPI document declares them."""
    if "GET" not in route.api_methods:
        return {}
    declared = route_sweep_data._openapi_operation(route, "GET").get("parameters", [])
    return {p["name"]: p for p in declared if p.get("in") == "query"}


def api_base(route, besides: str) -> str:
    """The other query parameters a hostile value travels with: each required one with a
    plausible value, and an export's format the cheapest it offers."""
    base = []
    for name, parameter in api_parameters(route).items():
        if name == besides:
            continue
        schema = parameter.get("schema", {})
        if choices := schema.get("enum"):
            cheap = [c for c in CHEAP_FORMATS if c in choices]
            if cheap and name == "format":
                base.append(f"{name}={cheap[0]}")
        elif parameter.get("required"):
            plausible = "1" if schema.get("type") == "integer" else "0" * schema.get("maxLength", 1)
            base.append(f"{name}={plausible}")
    return "&".join(base)


def api_kind(route, name: str) -> str:
    """Parameters declared alike are parsed by the same code (django-ninja, from the schema)."""
    return json.dumps(api_parameters(route)[name].get("schema", {}), sort_keys=True)
