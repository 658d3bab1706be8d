"""Every form a page shows, and every API operation, sent hostile input: control characters,
invalid UTF-8, 100,000-character texts, numbers past 2^63 − 1, NaN and 1e400, years out of range,
bodies past the site's limit (tests/form_sweep_data.py has the values).

The rule (docs/decisions.md, "Bad input"): never a server error; a refusal marks every field at
fault at once and shows the form again with what was typed, escaped; an API refusal lists every
bad field in the project's refusal shape; nothing with a control character or a lone surrogate is
stored. The routes come from Django's resolver and the API's operations from the API object, so
a route or a field added later is swept without anyone listing it; a route with no form must be
listed in form_sweep_data.NO_FORM with the reason, or this fails.

Each route finds its forms itself: as each role in turn, on the route's own page and the pages
above it (and the links on them), the forms whose action is the route. Each hostile submission
runs in a savepoint rolled back after it, so one cannot change what the next one meets.
"""

from __future__ import annotations

import copy
import json
import re
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import quote_plus

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.messages import constants as message_levels
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client
from django.urls import Resolver404, URLResolver, get_resolver, resolve

from tests import form_sweep_data as data
from tests.form_sweep_data import Form
from tests.helpers import check_foreign_keys_now
from track2.accounts import actions as account_actions
from track2.accounts.models import User
from track2.api.urls import api

pytestmark = pytest.mark.django_db

PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")


def _walk(patterns, prefix: str = "") -> Iterator[str]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern)


ROUTES = list(dict.fromkeys(_walk(get_resolver().url_patterns)))
PAGE_ROUTES = [r for r in ROUTES if not r.startswith("api/")]
# Every page route but those listed as having no form: a route added later is here until listed.
FORM_ROUTES = [r for r in PAGE_ROUTES if r not in data.NO_FORM and r not in data.JSON_ENDPOINTS]
ROUTE_SET = set(ROUTES)


def route_of(path: str) -> str | None:
    try:
        return resolve(path.split("?")[0]).route
    except Resolver404:
        return None


def kind_of(path: str) -> str:
    return re.sub(r"\d+", "N", path.split("?")[0])


# --- signing in, finding forms --------------------------------------------------------------------


class Site:
    """The demo with its extras, a signed-in client per role and the pages each was shown (a
    page read once per worker: the database is as the module left it at the start of each test)."""

    def __init__(self, logins: dict[str, User], extras: data.Extras) -> None:
        self.users = {**logins, **extras.users}
        self.fills = extras.fills
        self.clients: dict[str | None, Client] = {}
        self.pages: dict[tuple[str | None, str], tuple[int, str, str]] = {}
        self.known: dict[tuple[str, str | None], list[str]] = {}
        self.tokens: dict[str, str] = {}
        self.api_ids: dict[str, object] = {}
        # One client for every API call: a client loads the middleware on its first request
        # (WhiteNoise's index of the static folder is shared since StaticFilesMiddleware).
        self.api_client = Client(raise_request_exception=False)

    def client(self, role: str | None) -> Client:
        if role not in self.clients:
            client = Client(raise_request_exception=False)
            if role == "signing-in":
                # the password given, the second factor not yet: the code page's state
                answer = client.post(
                    "/accounts/login/",
                    {"email": self.users["two-factor"].email, "password": data.SWEEP_PASSWORD},
                )
                assert answer.status_code == 302 and "/code/" in answer["Location"], answer
            elif role is not None:
                client.force_login(self.users[role])
            self.clients[role] = client
        return self.clients[role]

    def get(self, role: str | None, path: str) -> tuple[int, str, str]:
        """(status, the path it ended on, its HTML or "")."""
        key = (role, path)
        if key not in self.pages:
            response = self.client(role).get(path, follow=True)
            html = ""
            if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
                html = response.content.decode()
            self.pages[key] = (response.status_code, response.request["PATH_INFO"], html)
        return self.pages[key]

    def filled(self, route: str) -> list[str]:
        """The route with its parameters filled from the demo's objects, or [] when a parameter
        has no value of its own (it is then found in the links of the pages above)."""
        if "(?P" in route or route.startswith("^"):
            return []
        paths = [route]
        for _converter, name in PARAM.findall(route):
            values = self._values(route, name)
            if not values:
                return []
            paths = [
                PARAM.sub(
                    lambda m, v=v, n=name: str(v) if m.group(2) == n else m.group(0), p, count=1
                )
                for p in paths
                for v in values
            ]
        return ["/" + p for p in paths]

    def _values(self, route: str, name: str) -> list:
        if name == "object_id":
            admin = re.match(r"admin/(\w+)/(\w+)/", route)
            if admin:
                model = apps.get_model(admin.group(1), admin.group(2))
                # the newest: the sweep's own (an institution with nothing in it can be deleted)
                last = model._base_manager.order_by("pk").last()
                return [last.pk] if last else []
        return self.fills.get(name, [])

    def hosts(self, route: str) -> list[str]:
        """The routes whose pages may show this route's forms: the routes above it (its address
        cut at each slash, nearest first), its siblings (the same address up to its last
        parameter: a venue's edit page for its delete form), then data.extra_hosts."""
        above = [
            route[: i + 1]
            for i in range(len(route) - 2, -1, -1)
            if route[i] == "/" and route[: i + 1] in ROUTE_SET
        ]
        last = route.rfind(">/")
        siblings = [
            r
            for r in PAGE_ROUTES
            if last != -1 and r.startswith(route[: last + 2]) and r.count("/") == route.count("/")
        ]
        hosts = dict.fromkeys([*above, *siblings, *data.extra_hosts(route)])
        return [h for h in hosts if h != route]

    def instances(self, route: str, role: str | None, depth: int = 0) -> list[str]:
        """Addresses of this route: filled, or the first links to it on a page above."""
        key = (route, role)
        if key not in self.known:
            self.known[key] = self.filled(route) or (
                self._linked(route, role, depth) if depth <= 3 else []
            )
        return self.known[key]

    def _linked(self, route: str, role: str | None, depth: int) -> list[str]:
        for host in self.hosts(route):
            found = []
            for page in self.instances(host, role, depth + 1)[:6]:
                _status, final, html = self.get(role, page)
                for link in data.links_of(final, html) if html else ():
                    if route_of(link) == route and link not in found:
                        found.append(link)
            if found:
                return found
        return []

    def pages_to_search(self, route: str, role: str | None) -> Iterator[str]:
        seen = set()
        for candidate in (route, *self.hosts(route)):
            for page in self.instances(candidate, role)[:40]:
                if page not in seen:
                    seen.add(page)
                    yield page

    def forms_on(self, role: str | None, page: str, route: str) -> list[Form]:
        _status, final, html = self.get(role, page)
        if not html:
            return []
        return [
            form
            for form in data.forms_of(final, html)
            if not form.is_scripted and form.is_submittable and route_of(form.action) == route
        ]

    def forms_for(self, route: str) -> list[tuple[str | None, Form]]:
        """Every kind of form that posts to the route, each with the first role shown it. The
        first role shown any is found by searching (its nearest page with one); every later
        role looks on that page too, for the forms only it is shown (a participant's hand)."""
        kinds: dict[tuple, tuple[str | None, Form]] = {}
        found_on: list[str] = []
        for role in data.ROLES:
            for page in found_on or self.pages_to_search(route, role):
                forms = self.forms_on(role, page, route)
                for form in forms:
                    kinds.setdefault((kind_of(form.action), form.shape()), (role, form))
                if forms:
                    found_on = found_on or [page]
                    break
        return list(kinds.values())


# --- one hostile submission -----------------------------------------------------------------------


@dataclass
class Sent:
    label: str  # which pass
    attacked: dict[str, str] = field(default_factory=dict)  # field name -> value sent
    must_refuse: set[str] = field(default_factory=set)  # fields no rule may accept this in


def _plain(control: data.Control) -> str:
    if control.kind in data.PLAIN and not control.value:
        return data.PLAIN[control.kind]
    if control.is_text and not control.value:
        return "Sweep" if control.kind != "password" else data.SWEEP_PASSWORD
    return control.value


def baseline(form: Form, button: data.Button | None) -> list[tuple[str, str]]:
    """What a browser sends for the form as the page left it (empty texts filled plainly)."""
    pairs: list[tuple[str, str]] = []
    radios_done: set[str] = set()
    for control in form.controls:
        if control.kind == "file":
            continue
        if control.tag == "select":
            chosen = control.selected or [next((o for o in control.options if o), "")]
            pairs += [(control.name, v) for v in chosen[:1] or [""]]
        elif control.kind == "checkbox":
            if control.checked:
                pairs.append((control.name, control.value))
        elif control.kind == "radio":
            if control.name in radios_done:
                continue
            group = [c for c in form.controls if c.kind == "radio" and c.name == control.name]
            chosen = next((c for c in group if c.checked), group[0])
            pairs.append((control.name, chosen.value))
            radios_done.add(control.name)
        else:
            pairs.append((control.name, _plain(control)))
    if button is not None and button.name:
        pairs.append((button.name, button.value))
    return pairs


def replaced(pairs: list[tuple[str, str]], values: dict[str, str]) -> list[tuple[str, str]]:
    """The pairs with each named field given its value once (a group of boxes: one value)."""
    out, done = [], set()
    for name, value in pairs:
        if name in values:
            if name not in done:
                out.append((name, values[name]))
                done.add(name)
        else:
            out.append((name, value))
    out += [(n, v) for n, v in values.items() if n not in done]
    return out


def _typed(control: data.Control) -> bool:
    """A field a person types in (a text, a number, a date), whose refusal must be shown on it
    with what was typed. A choice (a select, boxes, buttons) is swept too, but a browser can only
    send its options: a forged one may be ignored when the chosen path does not use it (the
    timer's item with "pause"), so long as it is never stored and never a server error."""
    return control.kind in TYPED and control.kind != "password"


def hostile_sets(form: Form) -> Iterator[Sent]:
    texts = [c for c in form.controls if c.is_text]
    choices = [c for c in form.controls if c.tag == "select"]
    numbers = {c.name: c for c in form.controls if c.is_number}
    for label, value in data.CONTROL_TEXTS.items():
        sent = Sent(f"control character ({label})")
        for c in texts + choices:
            sent.attacked[c.name] = value
        sent.must_refuse = {c.name for c in texts if _typed(c)}
        if sent.attacked:
            yield sent
    # The long texts, as many fields a request as the body limit takes.
    per_request = max(1, (settings.DATA_UPLOAD_MAX_MEMORY_SIZE - 4096) // 100_100)
    for start in range(0, len(texts), per_request):
        group = texts[start : start + per_request]
        sent = Sent("100,000 characters")
        sent.attacked = {c.name: data.LONG_TEXT for c in group}
        sent.must_refuse = {
            c.name for c in group if _typed(c) and c.maxlength is not None and c.maxlength < 100_000
        }
        yield sent
    for label, value in data.NUMBERS.items():
        if not numbers:
            break
        sent = Sent(f"number ({label})", attacked={name: value for name in numbers})
        # -1 is a number some fields take (an offset, a default); the others none may take
        if label != "minus-one":
            sent.must_refuse = {name for name, c in numbers.items() if _typed(c)}
        yield sent
    dates = {
        c.name: data.DATES_PAST_RANGE[c.kind] for c in form.controls if c.kind in data.DATE_TYPES
    }
    if dates:
        yield Sent("a year past 2200", attacked=dates, must_refuse=set(dates))


def urlencoded(pairs: list[tuple[str, str]], raw: dict[str, str] | None = None) -> bytes:
    """A form body as a browser encodes it; `raw` values go in as they are (already encoded)."""
    parts = []
    for name, value in pairs:
        encoded = raw[name] if raw and name in raw else quote_plus(value)
        parts.append(f"{quote_plus(name)}={encoded}")
    return "&".join(parts).encode("ascii")


@dataclass
class Answer:
    status: int
    body: bytes
    location: str
    content_type: str
    stored: list[str]
    refusals: list[str]  # the warnings and errors it left for the next page
    error: str  # the exception behind a server error


def _refusals(response) -> list[str]:
    storage = getattr(getattr(response, "wsgi_request", None), "_messages", None)
    queued = getattr(storage, "_queued_messages", [])
    return [str(m.message) for m in queued if m.level >= message_levels.WARNING]


def _error(response) -> str:
    info = getattr(response, "exc_info", None)
    if not info:
        return ""
    kind, value, tb = info
    frames = traceback.extract_tb(tb)
    ours = [f for f in frames if "/track2/" in f.filename] or frames
    where = f" at {ours[-1].filename.split('/src/')[-1]}:{ours[-1].lineno}" if ours else ""
    return f"{kind.__name__}: {str(value)[:160]}{where}"


class Submitter:
    def __init__(self, site: Site, role: str | None, form: Form) -> None:
        self.site, self.role, self.form = site, role, form
        self.client = site.client(role)

    def send(self, pairs, *, raw: dict[str, str] | None = None, body: bytes | None = None):
        """One submission in a savepoint, rolled back after a look at what it stored."""
        cookies = copy.deepcopy(self.client.cookies)
        writes = data.Writes()
        try:
            with transaction.atomic():
                with connection.execute_wrapper(writes):
                    response = self._request(pairs, raw=raw, body=body)
                stored = data.stored_problems(writes.tables)
                transaction.set_rollback(True)
        finally:
            self.client.cookies = SimpleCookie()
            self.client.cookies.update(cookies)
        return Answer(
            response.status_code,
            b"" if getattr(response, "streaming", False) else response.content,
            response.get("Location", ""),
            response.get("Content-Type", ""),
            stored,
            _refusals(response),
            _error(response),
        )

    def _request(self, pairs, *, raw, body):
        form = self.form
        if body is not None:
            return self.client.post(
                form.action, data=body, content_type="application/x-www-form-urlencoded"
            )
        if form.method == "get":
            query = urlencoded(pairs, raw).decode("ascii")
            return self.client.get(f"{form.action.split('?')[0]}?{query}")
        if form.is_multipart:
            values: dict[str, list[str]] = {}
            for name, value in pairs:
                values.setdefault(name, []).append(value)
            payload: dict[str, object] = dict(values)
            for control in form.controls:
                if control.kind == "file":
                    # a roster with control characters and invalid UTF-8 in its cells
                    payload[control.name] = SimpleUploadedFile(
                        "sweep.csv",
                        b"full_name,email\na\x00b,a\x07b@example.org\n\xed\xa0\x80\xff,x\n",
                        content_type="text/csv",
                    )
            return self.client.post(form.action, data=payload)
        return self.client.post(
            form.action,
            data=urlencoded(pairs, raw),
            content_type="application/x-www-form-urlencoded",
        )


# --- what an answer must be -------------------------------------------------------------------

ERROR_SHOWN = re.compile(rb'aria-invalid="true"|role="alert"|class="errorlist')
UNESCAPED = [b"<script>x</script>", b'<i>"a']
TYPED = {"text", "search", "email", "url", "tel", "textarea", *data.NUMBER_TYPES, *data.DATE_TYPES}


def problems_of(sent: Sent, form: Form, answer: Answer) -> list[str]:
    found = []
    if answer.status >= 500:
        found.append(f"server error {answer.status} ({answer.error or 'no exception recorded'})")
    if data.TRACEBACK.search(answer.body):
        found.append("a traceback in the answer")
    if answer.stored:
        found.append(f"stored it: {'; '.join(answer.stored)}")
    if answer.status in (403, 404, 405):
        found.append(f"answered {answer.status}: {_gist(answer.body)}")
    if answer.status >= 500 or answer.status in (403, 404, 405, 413) or not sent.must_refuse:
        return found
    typed = sorted(sent.must_refuse)
    if answer.status in (301, 302, 303):
        # docs/decisions.md, "Pages audit (issue 9)": a page's button refuses through
        # act_and_tell, every problem a message on the next page. Nothing was typed in a
        # button's form, so nothing is lost; a form with typed fields loses what was typed.
        if answer.refusals:
            if typed:
                found.append(
                    f"refused on the next page ({answer.refusals[0][:80]!r}): what was typed in "
                    f"{typed} is lost"
                )
        else:
            found.append(
                f"accepted it in {sorted(sent.must_refuse)} (redirect to {answer.location})"
            )
        return found
    html = answer.body.decode("utf-8", "replace")
    shown_all = data.forms_of(form.action, html)
    shown = [f for f in shown_all if f.action.split("?")[0] == form.action.split("?")[0]]
    controls: dict[str, list[data.Control]] = {}
    for f in shown or shown_all:
        for c in f.controls:
            controls.setdefault(c.name, []).append(c)
    present = sorted(n for n in sent.must_refuse if n in controls)
    if not present:
        if not ERROR_SHOWN.search(answer.body):
            found.append(f"answered {answer.status} with no error shown")
        elif typed:
            found.append(
                f"refused, but the form is not shown again: what was typed in {typed} is lost"
            )
        return found
    unmarked = [n for n in present if not any(c.is_invalid for c in controls[n])]
    if unmarked:
        found.append(f"not marked as refused: {unmarked}")
    for name, value in sent.attacked.items():
        if name not in typed or not any(c.is_text for c in form.controls if c.name == name):
            continue
        kept = [c.value for c in controls.get(name, []) if c.is_text]
        if kept and not any(data.without_controls(v) == data.without_controls(value) for v in kept):
            found.append(f"what was typed in {name!r} is not shown again (shown: {kept[0][:30]!r})")
    for raw in UNESCAPED:
        if raw in answer.body:
            found.append(f"shown unescaped: {raw.decode()}")
    return found


def _gist(body: bytes) -> str:
    html = body.decode("utf-8", "replace")
    title = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S)
    text = title.group(1) if title else re.sub(r"<[^>]+>", " ", html)
    return re.sub(r"\s+", " ", text).strip()[:120]


class Findings:
    """Problems grouped by where and what, with the passes each happened in."""

    def __init__(self) -> None:
        self.seen: dict[tuple[str, str], list[str]] = {}

    def add(self, where: str, label: str, problems: list[str]) -> None:
        for problem in problems:
            self.seen.setdefault((where, problem), []).append(label)

    def lines(self) -> list[str]:
        return [
            f"{where} · {problem} · in: {', '.join(labels)}"
            for (where, problem), labels in self.seen.items()
        ]


def sweep_form(site: Site, role: str | None, form: Form, findings: Findings) -> None:
    named = {b.name for b in form.buttons}
    # Buttons of one name choose a path (vote agree/disagree, accept 1/0): each is swept.
    # Buttons of different names only say where to go after (the admin's save buttons).
    buttons = form.buttons if len(named) == 1 and len(form.buttons) > 1 else form.buttons[:1]
    for button in list({(b.name, b.value): b for b in buttons}.values())[:4] or [None]:
        submitter = Submitter(site, role, form)
        pairs = baseline(form, button)
        where = f"{form.method.upper()} {form.action} as {role or 'nobody'}" + (
            f" [{button.name}={button.value}]" if button and button.name else ""
        )
        for sent in hostile_sets(form):
            answer = submitter.send(replaced(pairs, sent.attacked))
            findings.add(where, sent.label, problems_of(sent, form, answer))
        # Invalid UTF-8 (a lone surrogate's bytes, and FF) in every text, or in a field of its own.
        texts = [c.name for c in form.controls if c.is_text]
        raw = {name: data.BAD_BYTES for name in texts} or {"sweep": data.BAD_BYTES}
        answer = submitter.send(replaced(pairs, dict.fromkeys(raw, "")), raw=raw)
        findings.add(where, "invalid UTF-8", problems_of(Sent("invalid UTF-8"), form, answer))


def oversized(site: Site, role: str | None, path: str, findings: Findings) -> None:
    body = b"sweep=" + b"a" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    form = Form(page=path, action=path, method="post", enctype="")
    answer = Submitter(site, role, form).send([], body=body)
    if answer.status != 413:
        findings.add(
            f"POST {path} as {role or 'nobody'}",
            "a body past the limit",
            [f"answered {answer.status}, not 413"],
        )


# --- the tests ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def site(built_demo, django_db_blocker) -> Site:
    """The demo with what it lacks, and its clients, inside the module's transaction
    (built_demo): every test's own writes are undone before the next."""
    with django_db_blocker.unblock():
        logins = {
            login.email.split("@")[0]: User.objects.get(email=login.email) for login in built_demo
        }
        extras = data.build_extras(logins)
        site = Site(logins, extras)
        for role in data.ROLES:
            site.client(role)  # each session made here, so that it outlives every test
        site.tokens = {
            role: account_actions.do_create_api_token(site.users[role], "The sweep")[0]
            for role in data.API_ROLES
        }
        site.api_ids = data.api_ids(site.users)
        check_foreign_keys_now()
        return site


@pytest.mark.parametrize("route", FORM_ROUTES)
def test_every_form_refuses_hostile_input_field_by_field(site, route):
    kinds = site.forms_for(route)
    assert kinds, (
        f"No page shows a form that posts to {route!r}, for any role "
        f"({', '.join(str(r) for r in data.ROLES)}), on the route's own page or the pages above it. "
        "Add the route to NO_FORM in tests/form_sweep_data.py with the reason it has none, or "
        "give it a page where its form is shown (extra_hosts), or an object the demo lacks "
        "(build_extras)."
    )
    findings = Findings()
    for role, form in kinds:
        sweep_form(site, role, form, findings)
    posting = [(role, form) for role, form in kinds if form.method == "post"]
    if posting:
        oversized(site, posting[0][0], posting[0][1].action, findings)
    if findings.seen:
        pytest.fail("\n".join(findings.lines()), pytrace=False)


# --- the API --------------------------------------------------------------------------------------

OPENAPI = copy.deepcopy(api.get_openapi_schema())
SCHEMAS = OPENAPI.get("components", {}).get("schemas", {})
OPERATIONS = [
    (method.upper(), path)
    for path, operations in OPENAPI["paths"].items()
    for method in operations
    if method in ("get", "post", "put", "patch", "delete")
]
NUMBER_TOKEN = "__sweep_number__"


def _schema(schema: dict) -> dict:
    """A schema with its reference followed and, of its alternatives, the first not null."""
    while True:
        if "$ref" in schema:
            schema = {
                **SCHEMAS[schema["$ref"].rsplit("/", 1)[-1]],
                **{k: v for k, v in schema.items() if k != "$ref"},
            }
        elif "allOf" in schema and len(schema["allOf"]) == 1:
            schema = {**schema["allOf"][0], **{k: v for k, v in schema.items() if k != "allOf"}}
        elif "anyOf" in schema or "oneOf" in schema:
            options = schema.get("anyOf") or schema.get("oneOf")
            chosen = next(o for o in options if o.get("type") != "null")
            schema = {**chosen, **{k: v for k, v in schema.items() if k not in ("anyOf", "oneOf")}}
        else:
            return schema


def _plain_leaf(schema: dict):
    kind = schema.get("type")
    if "enum" in schema:
        return schema["enum"][0]
    if kind == "string":
        return {
            "date-time": "2030-05-01T10:00:00Z",
            "date": "2030-05-01",
            "byte": "c3dlZXA=",
            "binary": "c3dlZXA=",
        }.get(schema.get("format", ""), "Sweep")
    if kind == "integer":
        return max(1, schema.get("minimum", 1))
    if kind == "number":
        return 1
    if kind == "boolean":
        return False
    return None


def body_of(schema: dict, leaf, path: tuple[str, ...] = ()):
    """A JSON value for the schema: every property present, lists of one item, each leaf
    from `leaf(schema, path)` (which says what to put there)."""
    schema = _schema(schema)
    if schema.get("type") == "object" or "properties" in schema:
        return {
            name: body_of(sub, leaf, (*path, name))
            for name, sub in schema.get("properties", {}).items()
        }
    if schema.get("type") == "array":
        return [body_of(schema.get("items", {}), leaf, (*path, "0"))]
    return leaf(schema, path)


@dataclass
class ApiSent:
    label: str
    body: bytes | None = None
    content_type: str = "application/json"
    query: str = ""
    path: str = ""
    must_refuse: set[tuple[str, ...]] = field(default_factory=set)
    statuses: set[int] = field(default_factory=set)  # the only statuses it may answer


def api_attacks(method: str, path: str, operation: dict) -> Iterator[ApiSent]:
    content = operation.get("requestBody", {}).get("content", {})
    schema = content.get("application/json", {}).get("schema")
    if schema is not None:
        attacks = [
            *(
                _body_attack(schema, f"control character ({label})", str, value)
                for label, value in data.CONTROL_TEXTS.items()
            ),
            _body_attack(schema, "a lone surrogate (\\ud800)", str, "a\ud800b"),
        ]
        long = _body_attack(schema, "100,000 characters", str, data.LONG_TEXT)
        if long is not None and len(long.body) < settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            attacks.append(long)
        elif long is not None:  # one field at a time, so that the body stays under the limit
            leaves: list = []
            body_of(schema, lambda s, p: leaves.append(p) if s.get("type") == "string" else None)
            attacks += [
                _body_attack(schema, "100,000 characters", str, data.LONG_TEXT, only=leaf)
                for leaf in leaves
            ]
        attacks += [
            _body_attack(schema, "number (past-2^63)", int, 2**63),
            _body_attack(schema, "number (minus-one)", int, -1, refuse=False),
            _body_attack(schema, "number (1e400)", int, "1e400"),
            # NaN is not JSON (RFC 8259): the whole body is refused as JSON that is not valid
            _body_attack(schema, "number (NaN)", int, "NaN", refuse=False, statuses={400}),
        ]
        yield from (attack for attack in attacks if attack is not None)
        plain = json.dumps(body_of(schema, lambda s, p: _plain_leaf(s))).encode()
        yield ApiSent(
            "invalid UTF-8", body=plain[:-1] + b', "sweep": "\xed\xa0\x80\xff"}', statuses={400}
        )
        yield ApiSent("invalid JSON", body=plain[: len(plain) // 2], statuses={400})
        yield ApiSent("a JSON list, not an object", body=b"[]", statuses={422})
        yield ApiSent("a JSON string, not an object", body=b'"sweep"', statuses={422})
        yield ApiSent(
            "a form body, not JSON",
            body=b"title=Sweep",
            content_type="application/x-www-form-urlencoded",
            statuses={400},
        )
    for parameter in operation.get("parameters", []):
        if parameter["in"] == "query":
            yield from _query_attacks(parameter)
        elif parameter["in"] == "path":
            kind = _schema(parameter["schema"]).get("type")
            name = parameter["name"]
            if kind == "integer":
                yield ApiSent(
                    f"path {name} past 2^63", path=f"{name}={2**63}", statuses={400, 404, 422}
                )
            else:
                yield ApiSent(
                    f"path {name} with a control character",
                    path=f"{name}={quote_plus(chr(7))}",
                    statuses={400, 404, 422},
                )
                yield ApiSent(
                    f"path {name} of 100,000 characters",
                    path=f"{name}={data.LONG_TEXT}",
                    statuses={400, 404, 422},
                )
    if method != "GET":
        yield ApiSent(
            "a body past the limit",
            body=b'{"sweep": "' + b"a" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE + b'"}',
            statuses={413},
        )


def _body_attack(schema, label, kind, value, *, only=None, refuse=True, statuses=None):
    """The body with `value` in every string leaf (kind str) or number leaf (kind int) — or in
    the one leaf `only` — and the leaves no rule may accept it in. None when it has no such leaf."""
    attacked: set[tuple[str, ...]] = set()
    hits = []
    numbers = kind is int

    def leaf(s, path):
        type_ = s.get("type")
        hit = type_ in ("integer", "number") if numbers else type_ == "string"
        if not hit or (only is not None and path != only) or s.get("format") == "binary":
            return _plain_leaf(s)
        hits.append(path)
        too_long = value == data.LONG_TEXT and s.get("maxLength", 10**9) < len(value)
        if refuse and (numbers or value != data.LONG_TEXT or too_long):
            attacked.add(path)
        return NUMBER_TOKEN if numbers and isinstance(value, str) else value

    text = json.dumps(body_of(schema, leaf))
    if not hits:
        return None
    if numbers and isinstance(value, str):
        text = text.replace(f'"{NUMBER_TOKEN}"', value)
    return ApiSent(label, body=text.encode(), must_refuse=attacked, statuses=statuses or set())


def _query_attacks(parameter: dict) -> Iterator[ApiSent]:
    name, schema = parameter["name"], _schema(parameter["schema"])
    if schema.get("type") == "string":
        for label, value in data.CONTROL_TEXTS.items():
            yield ApiSent(
                f"query {name}: control character ({label})",
                query=f"{name}={quote_plus(value)}",
                must_refuse={("query", name)},
            )
        yield ApiSent(f"query {name}: invalid UTF-8", query=f"{name}={data.BAD_BYTES}")
        if schema.get("maxLength", 10**9) < 100_000:
            yield ApiSent(
                f"query {name}: 100,000 characters",
                query=f"{name}={data.LONG_TEXT}",
                must_refuse={("query", name)},
            )
    elif schema.get("type") in ("integer", "number"):
        for label, value in (("past-2^63", str(2**63)), ("NaN", "NaN"), ("1e400", "1e400")):
            yield ApiSent(
                f"query {name}: number ({label})",
                query=f"{name}={value}",
                must_refuse={("query", name)},
            )


@dataclass
class ApiAnswer:
    status: int
    body: bytes
    content_type: str
    stored: list[str]
    error: str


class ApiCaller:
    def __init__(self, site: Site, method: str, path: str, operation: dict) -> None:
        self.site, self.method, self.path, self.operation = site, method, path, operation
        self.ids = site.api_ids

    def url(self, override: str = "") -> str:
        values = {}
        for parameter in self.operation.get("parameters", []):
            if parameter["in"] == "path":
                name = parameter["name"]
                scoped = f"caucus {name}" if "/caucus/" in self.path else name
                values[name] = self.ids.get(scoped, self.ids.get(name))
                assert values[name] is not None, (
                    f"no value for the API's path parameter {name!r} of {self.path}: add one to "
                    "api_ids in tests/form_sweep_data.py"
                )
        if override:
            name, value = override.split("=", 1)
            values[name] = value
        return re.sub(r"\{(\w+)\}", lambda m: str(values[m.group(1)]), self.path)

    def headers(self, role: str) -> dict[str, str]:
        extra = {"HTTP_AUTHORIZATION": f"Bearer {self.site.tokens[role]}"}
        for parameter in self.operation.get("parameters", []):
            if parameter["in"] == "header":
                extra["HTTP_" + parameter["name"].upper().replace("-", "_")] = "sweep"
        return extra

    def plain_body(self) -> bytes | None:
        content = self.operation.get("requestBody", {}).get("content", {})
        schema = content.get("application/json", {}).get("schema")
        return (
            None
            if schema is None
            else json.dumps(body_of(schema, lambda s, p: _plain_leaf(s))).encode()
        )

    def send(self, role: str, sent: ApiSent) -> ApiAnswer:
        client = self.site.api_client
        client.cookies = SimpleCookie()  # a token's caller has no session
        url = self.url(sent.path) + (f"?{sent.query}" if sent.query else "")
        content = self.operation.get("requestBody", {}).get("content", {})
        writes = data.Writes()
        with transaction.atomic():
            with connection.execute_wrapper(writes):
                if (
                    "multipart/form-data" in content
                    and sent.body is None
                    and not sent.path
                    and not sent.query
                ):
                    response = client.post(url, data={"file": _roster_file()}, **self.headers(role))
                else:
                    body = sent.body if sent.body is not None else (self.plain_body() or b"")
                    response = client.generic(
                        self.method,
                        url,
                        data=body,
                        content_type=sent.content_type,
                        **self.headers(role),
                    )
            stored = data.stored_problems(writes.tables)
            transaction.set_rollback(True)
        return ApiAnswer(
            response.status_code,
            b"" if getattr(response, "streaming", False) else response.content,
            response.get("Content-Type", ""),
            stored,
            _error(response),
        )

    def role(self) -> str:
        """The first role the operation serves (its plain request is not refused as unknown or
        forbidden): the hostile requests then reach what that role's request reaches."""
        for role in data.API_ROLES:
            answer = self.send(role, ApiSent("plain"))
            if answer.status not in (401, 403, 404):
                return role
        return data.API_ROLES[0]


def _roster_file() -> SimpleUploadedFile:
    return SimpleUploadedFile(
        "sweep.csv",
        b"full_name,email,sector,country,nominated_by\na\x00b,a\x07b@example.org,academia,\x1b[31m,x\n\xed\xa0\x80\xff,y,z,w,v\n",
        content_type="text/csv",
    )


def _error_paths(body: dict) -> list[tuple[str, ...]]:
    paths = []
    for error in body.get("errors") or []:
        if not isinstance(error, dict):
            continue
        if "loc" in error:
            loc = tuple(str(part) for part in error["loc"])
            paths.append(loc[1:] if loc[:1] == ("body",) else loc)
        elif error.get("field"):
            paths.append(tuple(re.sub(r"\[(\d+)\]", r".\1", error["field"]).split(".")))
    return paths


def answer_problems(sent: ApiSent, answer: ApiAnswer) -> list[str]:
    """What every JSON answer is checked for: a server error (then nothing else), a traceback,
    the input stored, a status other than those expected (when some are)."""
    if answer.status >= 500:
        return [f"server error {answer.status} ({answer.error or 'no exception recorded'})"]
    found = []
    if data.TRACEBACK.search(answer.body):
        found.append("a traceback in the answer")
    if answer.stored:
        found.append(f"stored it: {'; '.join(answer.stored)}")
    if sent.statuses and answer.status not in sent.statuses:
        found.append(
            f"answered {answer.status}, not {' or '.join(map(str, sorted(sent.statuses)))}: {answer.body[:160]!r}"
        )
    return found


def api_problems(sent: ApiSent, answer: ApiAnswer) -> list[str]:
    found = answer_problems(sent, answer)
    if answer.status >= 500:
        return found
    if answer.status < 400:
        if sent.must_refuse:
            found.append(
                f"accepted it ({answer.status}) in {sorted('.'.join(p) for p in sent.must_refuse)}"
            )
        return found
    if not answer.content_type.startswith("application/json"):
        return [
            *found,
            f"answered {answer.status} as {answer.content_type!r}, not the JSON refusal",
        ]
    try:
        body = json.loads(answer.body)
    except ValueError:
        return [*found, f"answered {answer.status} with a body that is not JSON"]
    if not isinstance(body, dict) or not isinstance(body.get("detail"), str) or not body["detail"]:
        return [
            *found,
            f"answered {answer.status} without the refusal's 'detail': {answer.body[:160]!r}",
        ]
    if answer.status in (400, 422) and not body.get("errors"):
        found.append(f"answered {answer.status} without 'errors' listing the problems")
    if sent.must_refuse and answer.status in (400, 422):
        listed = _error_paths(body)
        missing = sorted(
            ".".join(p)
            for p in sent.must_refuse
            if not any(p == q or (q and p[: len(q)] == q and len(q) >= len(p) - 1) for q in listed)
        )
        if missing:
            found.append(
                f"the refusal does not list {missing} (it lists {sorted('.'.join(q) for q in listed)})"
            )
    elif sent.must_refuse and answer.status not in (413,):
        found.append(
            f"answered {answer.status} ({body['detail'][:100]}), not a refusal of {sorted('.'.join(p) for p in sent.must_refuse)}"
        )
    return found


SWEPT_OPERATIONS = [(m, p) for m, p in OPERATIONS if p not in data.API_NOT_SWEPT]


@pytest.mark.parametrize(
    ("method", "path"), SWEPT_OPERATIONS, ids=[f"{m} {p}" for m, p in SWEPT_OPERATIONS]
)
def test_every_api_operation_refuses_hostile_input_field_by_field(site, method, path):
    operation = OPENAPI["paths"][path][method.lower()]
    caller = ApiCaller(site, method, path, operation)
    role = caller.role()
    findings = Findings()
    for sent in api_attacks(method, path, operation):
        answer = caller.send(role, sent)
        findings.add(f"{method} {path} as {role}", sent.label, api_problems(sent, answer))
    if "multipart/form-data" in operation.get("requestBody", {}).get("content", {}):
        answer = caller.send(role, ApiSent("a roster with control characters and invalid UTF-8"))
        findings.add(
            f"{method} {path} as {role}",
            "a hostile roster file",
            api_problems(ApiSent("file"), answer),
        )
    if findings.seen:
        pytest.fail("\n".join(findings.lines()), pytrace=False)


# --- the pages' JSON endpoints (passkeys.js) --------------------------------------------------


def json_attacks(keys: tuple[str, ...]) -> Iterator[ApiSent]:
    def body(value) -> bytes:
        return json.dumps({key: data.shaped(key, value) for key in keys}).encode()

    if keys:
        for label, value in data.CONTROL_TEXTS.items():
            yield ApiSent(
                f"control character ({label})", body=body(value), statuses={400, 403, 422}
            )
        yield ApiSent("a lone surrogate (\\ud800)", body=body("a\ud800b"), statuses={400})
        yield ApiSent("100,000 characters", body=body(data.LONG_TEXT), statuses={400, 413, 422})
        for label, token in (("past-2^63", str(2**63)), ("1e400", "1e400"), ("NaN", "NaN")):
            text = body(NUMBER_TOKEN).decode().replace(f'"{NUMBER_TOKEN}"', token)
            yield ApiSent(f"number ({label})", body=text.encode(), statuses={400, 403, 422})
    yield ApiSent("invalid UTF-8", body=b'{"sweep": "\xed\xa0\x80\xff"}', statuses={400})
    yield ApiSent("invalid JSON", body=b'{"sweep": ', statuses={400})
    yield ApiSent("a JSON list, not an object", body=b"[]", statuses={422})
    yield ApiSent(
        "a body past the limit",
        body=b'{"sweep": "' + b"a" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE + b'"}',
        statuses={413},
    )


def json_endpoint_problems(sent: ApiSent, answer: ApiAnswer) -> list[str]:
    """The passkey endpoints answer {"errors": [message, …]} with a 4xx (accounts/passkey_views)."""
    found = answer_problems(sent, answer)
    if answer.status >= 500:
        return found
    try:
        body = json.loads(answer.body)
    except ValueError:
        return [*found, f"answered {answer.status} with a body that is not JSON"]
    errors = body.get("errors") if isinstance(body, dict) else None
    if answer.status >= 400 and not (errors and all(isinstance(e, str) and e for e in errors)):
        found.append(
            f"answered {answer.status} without its 'errors' messages: {answer.body[:160]!r}"
        )
    return found


@pytest.mark.parametrize("route", sorted(data.JSON_ENDPOINTS))
def test_every_json_endpoint_of_the_pages_refuses_hostile_input(site, route):
    role, keys, first = data.JSON_ENDPOINTS[route]
    client = site.client(role)

    def post(path: str, body: bytes):
        # as passkeys.js sends it: JSON, with the CSRF token, to localhost
        token = client.cookies["csrftoken"].value if "csrftoken" in client.cookies else ""
        return client.post(
            "/" + path,
            data=body,
            content_type="application/json",
            HTTP_X_CSRFTOKEN=token,
            HTTP_HOST="localhost",
        )

    findings = Findings()
    for sent in json_attacks(keys):
        cookies = copy.deepcopy(client.cookies)
        writes = data.Writes()
        with transaction.atomic():
            if first is not None:
                opened = post(first[0], json.dumps(first[1]).encode())
                assert opened.status_code == 200, (first, opened.content[:300])
            with connection.execute_wrapper(writes):
                response = post(route, sent.body)
            stored = data.stored_problems(writes.tables)
            transaction.set_rollback(True)
        client.cookies = SimpleCookie()
        client.cookies.update(cookies)
        answer = ApiAnswer(
            response.status_code,
            response.content,
            response.get("Content-Type", ""),
            stored,
            _error(response),
        )
        findings.add(
            f"POST /{route} as {role or 'nobody'}", sent.label, json_endpoint_problems(sent, answer)
        )
    if findings.seen:
        pytest.fail("\n".join(findings.lines()), pytrace=False)


# --- routes without a form, the classification itself, the world before the sweep -----------


# A body nobody reads is refused before any query (413) or ignored: the SQLite pass only.
@pytest.mark.any_database
@pytest.mark.parametrize("route", sorted(data.NO_FORM))
def test_a_route_without_a_form_refuses_bodies_it_cannot_read(site, route):
    """What any route is sent in a body it does not expect: past the limit (413, before anything
    reads it) and invalid UTF-8 (never a server error, nothing stored)."""
    role = "admin" if route.startswith("admin/") else "convener"
    paths = site.instances(route, role)
    if not paths:
        pytest.skip("no address to send to: a pattern of the admin's, or a page no link names")
    findings = Findings()
    oversized(site, role, paths[0], findings)
    form = Form(page=paths[0], action=paths[0], method="post", enctype="")
    answer = Submitter(site, role, form).send([("sweep", "")], raw={"sweep": data.BAD_BYTES})
    # a route that takes no POST may say so (403, 404, 405): only no server error, no trace
    unreadable = [
        *([f"server error {answer.status} ({answer.error})"] if answer.status >= 500 else []),
        *(["a traceback in the answer"] if data.TRACEBACK.search(answer.body) else []),
        *([f"stored it: {'; '.join(answer.stored)}"] if answer.stored else []),
    ]
    findings.add(f"POST {paths[0]} as {role}", "invalid UTF-8", unreadable)
    if findings.seen:
        pytest.fail("\n".join(findings.lines()), pytrace=False)


def test_every_route_the_sweep_lists_exists():
    """A route removed or renamed leaves no stale entry behind (its reason would mislead)."""
    listed = {*data.NO_FORM, *data.JSON_ENDPOINTS}
    assert listed <= set(PAGE_ROUTES), sorted(listed - set(PAGE_ROUTES))
    assert set(data.API_NOT_SWEPT) <= set(OPENAPI["paths"]), sorted(
        set(data.API_NOT_SWEPT) - set(OPENAPI["paths"])
    )


def test_every_api_route_of_the_resolver_is_an_operation_the_sweep_sends_to():
    """The API's addresses in Django's resolver are those of the OpenAPI document, which the
    sweep enumerates, plus the document and its reference page."""
    resolved = {
        "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", r) for r in ROUTES if r.startswith("api/")
    }
    documented = set(OPENAPI["paths"])
    assert resolved - documented == {"/api/v1/openapi.json", "/api/v1/docs", "/api/v1/"}
    assert documented <= resolved


def test_the_demo_holds_no_control_character_before_the_sweep(site):
    """The sweep's look at what a request stored would be meaningless if the world held one."""
    assert data.stored_problems(data.every_table()) == []
