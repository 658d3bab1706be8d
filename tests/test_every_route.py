"""Every route, swept: nobody outside a dialogue gets anything from it.

Each route has its own access matrix, written by hand beside it. This sweep walks EVERY route
Django resolves (pages, the admin, and each path of the API with the methods it declares), found
rather than listed, so that a route added without an access check fails here even if its author
wrote no test for it.

The world (tests/route_sweep_data.py) is the demo's dialogue D with its confidential words
replaced by canaries. Each route's path is filled with D's real ids (by parameter name) and sent:

- by each stranger (nobody signed in; an account with no role; a convener and a participant of
  another dialogue of D's institution; a convener in another institution; the site administrator,
  second factor passed): GET, and POST with no body and with a plausible one (a form D's own
  pages show its members; for the API, a body made from the operation's OpenAPI schema), and
  each other method an API path declares. Every answer must be a refusal (REFUSALS, or a
  redirect to the sign-in page), no server error, with no canary in its body, headers or cookies;
  and the database must be as it was (every row of every table, but SNAPSHOT_SKIPS).
- by each member of D: GET every route (each `format` of an API export; the PDFs as the convener
  only, PDF_READER); no server error (the per-route matrices decide who may).

A stranger's answer is searched as text, and inside: a zip's members (a zip in it too) and a
PDF's text (data.readable_text), so that a download is no place for a canary to hide.

The query sweep: while members (and the strangers a route is open to) GET every route, the query
parameters each route reads are recorded (tests/query_sweep_data.py: a middleware wraps
`request.GET`; the page's own links and GET forms; the API's OpenAPI document). Each
(route, parameter) then gets hostile values, as the first principal that read it: control
characters with markup, invalid UTF-8, a lone surrogate, 100,000 characters, 2^63, -1, 0, NaN,
1e400, "²", an empty value, the parameter twice; and each route an unknown parameter. Parameters
named like `next` also get off-site addresses. No answer may be a server error, show a traceback,
echo the markup unescaped, redirect off the site, or (the API) refuse without naming the
parameter; and no row may change.

Pages are sent with a session signed in through the sign-in form, the API with a personal token.

Some routes are open by design (OPEN_ROUTES: signing in, one's own account, the site
administrator's back office, a capability link). To those they are open to, the sweep sends GET
and an empty POST (or each declared method, empty): no server error, and no canary beyond what
the route is for.

A new route is swept the day it is added. The sweep refuses to guess: a route whose parameter
has no filler, or that names none of D's objects and is not in OPEN_ROUTES, fails
test_every_route_is_classified_and_every_parameter_has_a_filler with what to do.
"""

from __future__ import annotations

import io
import json
import time
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.test.utils import override_settings
from django.urls import resolve

from tests import query_sweep_data as query
from tests import route_sweep_data as data
from tests.helpers import check_foreign_keys_now
from tests.route_sweep_data import API_PREFIX, Route, module_values

# Who may reach a route is decided in Python, whatever the database: the SQLite pass only (the
# form sweep, whose input a vendor may refuse differently, runs in both).
pytestmark = pytest.mark.any_database

# --- who is swept ----------------------------------------------------------------------------

NOBODY = "nobody"
STRANGERS = [
    NOBODY,
    "outsider",
    "institution convener",
    "institution participant",
    "other institution convener",
    "site administrator",
]
INSIDERS = [
    "convener",
    "facilitator",
    "rapporteur",
    "participant",
    "participant_ostrava",
    "observer",
    "liaison",
]
EVERYONE = frozenset(STRANGERS)
SIGNED_IN = EVERYONE - {NOBODY}
SITE_ADMIN = frozenset({"site administrator"})
NO_ONE: frozenset[str] = frozenset()
# Members of another dialogue of D's institution know the institution's name (their home page
# shows it): its name, and nothing of D.
IN_INSTITUTION = frozenset({"institution convener", "institution participant"})

# --- what is open to whom --------------------------------------------------------------------


@dataclass(frozen=True)
class Open:
    """A route open by design to `who`; to them it may show the canaries `may_show` names (by
    category, model or field: data.Canary.is_among), and no other."""

    who: frozenset[str]
    why: str
    may_show: frozenset[str] = frozenset()


OWN = "the signed-in person's own account"
SIGN_IN = "signing in"
THE_LOG = "the back channel's transparency log: hashes and proofs anyone may audit"

OPEN_ROUTES: dict[str, Open] = {
    "": Open(EVERYONE, "the home page: one's own dialogues, or the way to sign in"),
    "healthz": Open(EVERYONE, "the health check a proxy polls"),
    "robots.txt": Open(EVERYONE, "for crawlers"),
    "favicon.ico": Open(EVERYONE, "the icon"),
    "accounts/login/": Open(EVERYONE, SIGN_IN),
    "accounts/login/code/": Open(EVERYONE, SIGN_IN + ": the second factor"),
    "accounts/login/passkey/options/": Open(EVERYONE, SIGN_IN + " with a passkey"),
    "accounts/login/passkey/": Open(EVERYONE, SIGN_IN + " with a passkey"),
    "accounts/login/code/passkey/options/": Open(EVERYONE, SIGN_IN + ": a passkey second"),
    "accounts/login/code/passkey/": Open(EVERYONE, SIGN_IN + ": a passkey second"),
    "accounts/logout/": Open(EVERYONE, "signing out"),
    "accounts/passkeys/new/options/": Open(SIGNED_IN, OWN),
    "accounts/passkeys/new/": Open(SIGNED_IN, OWN),
    "accounts/settings/": Open(SIGNED_IN, OWN),
    "accounts/two-factor/enable/": Open(SIGNED_IN, OWN),
    "accounts/two-factor/disable/": Open(SIGNED_IN, OWN),
    "accounts/two-factor/new-app/": Open(SIGNED_IN, OWN),
    "accounts/two-factor/recovery-codes/": Open(SIGNED_IN, OWN),
    "accounts/tokens/": Open(SIGNED_IN, OWN),
    "accounts/password/": Open(SIGNED_IN, OWN),
    "accounts/sign-out-everywhere/": Open(SIGNED_IN, OWN),
    "accounts/reset/": Open(EVERYONE, "asking for a password-reset link"),
    "accounts/reset/sent/": Open(EVERYONE, "asking for a password-reset link"),
    "accounts/reset/done/": Open(EVERYONE, "a password reset, done"),
    "accounts/reset/<uidb64>/<token>/": Open(
        EVERYONE, "the reset link mailed to D's convener: whoever holds it chooses the password"
    ),
    "dialogues/new/": Open(SIGNED_IN, "convening a new dialogue (in one's own institutions)"),
    "dialogues/calendar/": Open(SIGNED_IN, OWN + ": its calendar feed"),
    "dialogues/role-invitation/<str:secret>/": Open(
        EVERYONE,
        "the link mailed with an offered role: whoever holds it sees the offer",
        frozenset(
            {
                "institutions.Institution.name",
                "dialogues.Dialogue.title",
                "dialogues.RoleInvitation.sent_to",
            }
        ),
    ),  # fmt: skip
    "invitations/<str:secret>/": Open(
        EVERYONE,
        "the link mailed to a candidate: whoever holds it sees whom it invites, to what",
        frozenset(
            {
                "institutions.Institution.name",
                "dialogues.Dialogue.title",
                "dialogues.Dialogue.purpose",
                "people.Person.full_name",
                "people.Invitation.sent_to",
            }
        ),
    ),  # fmt: skip
    "calendar/<str:token>.ics": Open(
        EVERYONE,
        "the feed address D's participant made: whoever holds it reads their meetings",
        frozenset({"dialogues.Dialogue.title", "meetings.Meeting.title", "dialogues.Venue"}),
    ),
    "public/dialogues/<int:dialogue_id>/": Open(
        EVERYONE,
        "the public page the convener published: the institution and theme they chose to show",
        frozenset({data.INSTITUTION, data.PUBLIC_THEME}),
    ),
    "institutions/<int:institution_id>/programme/": Open(
        frozenset({"institution convener"}),
        "the programme of an institution one may convene in: one's own dialogues only",
        frozenset({data.INSTITUTION}),
    ),
    "admin/login/": Open(EVERYONE, "the admin's sign-in, which sends to the site's"),
    "admin/logout/": Open(
        EVERYONE,
        "Django's admin sign-out: sends whoever is not an administrator to the admin's index "
        "(which sends them to sign in)",
    ),
    "admin/password_change/": Open(EVERYONE, "a redirect to the site's password change"),
    "^admin/r/": Open(NO_ONE, "answers 404 to everything ('view on site' would tell ids)"),
    API_PREFIX: Open(EVERYONE, "the API's root"),
    API_PREFIX + "openapi.json": Open(EVERYONE, "the API's description"),
    API_PREFIX + "docs": Open(EVERYONE, "the API's reference page"),
    API_PREFIX + "me": Open(SIGNED_IN, OWN),
    API_PREFIX + "dialogues": Open(SIGNED_IN, "one's own dialogues; convening a new one"),
    API_PREFIX + "role-invitations/accept": Open(
        SIGNED_IN, "accepting an offered role (the secret travels in the body)"
    ),
    API_PREFIX + "role-invitations/decline": Open(
        SIGNED_IN, "declining an offered role (the secret travels in the body)"
    ),
    API_PREFIX + "backchannel/log/checkpoint": Open(EVERYONE, THE_LOG),
    API_PREFIX + "backchannel/log/inclusion": Open(EVERYONE, THE_LOG),
    API_PREFIX + "backchannel/log/consistency": Open(EVERYONE, THE_LOG),
    API_PREFIX + "institutions/<institution_id>/programme": Open(
        frozenset({"institution convener"}),
        "the programme of an institution one may convene in",
        frozenset({data.INSTITUTION}),
    ),
}
# The admin, every ModelAdmin's pages whatever is registered: the site administrator's back
# office. It administers accounts and institutions, so it may show D's members' accounts and
# D's institution to them (tests/dialogues/test_admin_canaries.py checks each confidential field).
OPEN_PREFIXES = {
    "admin/": Open(
        SITE_ADMIN,
        "the site administrator's back office",
        frozenset({data.ACCOUNT, data.INSTITUTION}),
    ),
}


def openness(route: Route) -> Open | None:
    if route.pattern in OPEN_ROUTES:
        return OPEN_ROUTES[route.pattern]
    for prefix, rule in OPEN_PREFIXES.items():
        if route.pattern.startswith(prefix):
            return rule
    return None


# --- filling paths with D's ids --------------------------------------------------------------

# A path parameter by one of these names names one of D's objects (or secrets): a route with one
# is D's route, and refuses every stranger unless OPEN_ROUTES says otherwise.
NAMES_OF_D = set(
    "dialogue_id meeting_id party_id membership_id invitation_id delegation_id seat_id venue_id "
    "item_id participant_id statement_id document_id amendment_id person_id recommendation_id "
    "survey_id passkey_id token_id entry_id mailbox_id envelope_id note_id poll_id "
    "paragraph_key secret token uidb64".split()
)


def _by_place(**choices: str) -> data.Filler:
    """The id named `choices[place]` for the first place found in the route's pattern ("*"
    anywhere): `note_id` under caucus/ is a caucus note, under record/ a record note."""

    def values(world: data.SweepWorld, route: Route) -> list[object]:
        for place, key in choices.items():
            if place == "*" or f"{place.replace('_', '-')}/" in route.pattern:
                return [world.ids[key]]
        raise LookupError(route.pattern)

    return values


# The admin's object pages, by model: an object tied to D.
ADMIN_OBJECTS = {
    "admin/r/<": lambda w: w.dialogue.pk,  # "view on site" of D itself
    "accounts/user/": lambda w: w.insiders["convener"].pk,
    "accounts/apitoken/": lambda w: w.ids["token_id"],
    "institutions/institution/": lambda w: w.dialogue.institution_id,
    "institutions/conveningright/": lambda w: w.ids["convening_right_id"],
}


def _admin_object(world: data.SweepWorld, route: Route) -> list[object]:
    for model, pick in ADMIN_OBJECTS.items():
        if model in route.pattern:
            return [pick(world)]
    raise LookupError(route.pattern)


FILLERS: dict[str, data.Filler] = {
    **{name: _by_place(**{"*": name}) for name in NAMES_OF_D},
    "statement_id": _by_place(caucus="caucus_statement_id", **{"*": "statement_id"}),
    "note_id": _by_place(caucus="caucus_note_id", record="record_note_id"),
    "secret": _by_place(role_invitation="role_secret", invitations="candidate_secret"),
    "token": _by_place(reset="reset_token", calendar="calendar_token"),
    "institution_id": _by_place(**{"*": "institution_id"}),
    "object_id": _admin_object,
    "content_type_id": _by_place(**{"*": "dialogue_content_type_id"}),
    "app_label": lambda _w, _r: ["accounts"],
    "url": lambda _w, _r: ["no-such-page/"],
}
# `what` and `fmt` take every value the view knows, so that each act and each format is swept.
VALUES_BY_VIEW: dict[tuple[str, str], data.Filler] = {
    ("what", "track2.facilitation.views.act"): module_values("track2.facilitation.views", "ACTS"),
    ("what", "track2.facilitation.views.caucus_act"): module_values(
        "track2.facilitation.views", "CAUCUS_ACTS"
    ),
    ("what", "track2.facilitation.views.record_act"): module_values(
        "track2.facilitation.views", "RECORD_ACTS"
    ),
    ("fmt", "track2.deliberation.convener_views.download"): module_values(
        "track2.deliberation.exports", "FORMATS"
    ),
    ("fmt", "track2.facilitation.views.record_download"): module_values(
        "track2.facilitation.export", "FORMATS"
    ),
    ("fmt", "track2.outcomes.views.export"): module_values("track2.outcomes.actions", "EXTENSIONS"),
    ("fmt", "track2.impact.views.export"): module_values("track2.impact.report", "CONTENT_TYPES"),
}


# Routes the sweep cannot send a request to, and why (none today): the classification test fails
# when one of them no longer exists.
UNFILLABLE: dict[str, str] = {}
# Routes that never answer: an earlier pattern takes every path they would.
SHADOWED = {
    "admin/r/<path:content_type_id>/<path:object_id>/": (
        "the admin's 'view on site', taken by ^admin/r/ (track2/urls.py), which answers 404"
    ),
}


def filler_of(name: str, route: Route) -> data.Filler | None:
    return VALUES_BY_VIEW.get((name, route.view)) or FILLERS.get(name)


def paths(world: data.SweepWorld, route: Route) -> list[str]:
    return data.fill(world, route, filler_of)


# --- what a refused request may change --------------------------------------------------------

# Tables (None: the whole table) and columns a refused request may change, and why. Nothing else.
SNAPSHOT_SKIPS: dict[str, set[str] | None] = {
    # A stranger's API requests carry their own token, which records that it was used.
    "accounts_apitoken": {"last_used_at"},
}

# --- the world, once per module (and per xdist worker) ---------------------------------------


@pytest.fixture(scope="module")
def swept_world(django_db_setup, django_db_blocker):
    """Built once for the module's tests (the demo in it is a copy, under a second:
    template_db.demo_in_database), inside a transaction rolled back after them, as
    tests/conftest.py's built_demo: each test is a savepoint in it."""
    from django.core import mail

    # What tests/conftest.py's `_fast_and_plain` gives each test, for the pages the fixture
    # opens before any test runs.
    plain = override_settings(
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
    )
    with django_db_blocker.unblock(), transaction.atomic(), plain:
        mail.outbox = []
        world = data.build()
        routes = [r for r in data.every_route() if r.pattern not in UNFILLABLE]
        forms = _forms_of_d(world, routes)
        check_foreign_keys_now()
        yield Swept(world, routes, forms, data.field_examples(forms))
        transaction.set_rollback(True)


@dataclass
class Swept:
    world: data.SweepWorld
    routes: list[Route]
    forms: dict[str, dict[str, str]]  # path -> a form D's pages post there
    field_examples: dict[str, str]


def _forms_of_d(world: data.SweepWorld, routes: list[Route]) -> dict[str, dict[str, str]]:
    """The POST forms D's convener and a participant are shown, by the path they post to: the
    plausible bodies strangers send there."""
    forms: dict[str, dict[str, str]] = {}
    for role in ("convener", "participant"):
        client = signed_in(world, world.insiders[role])
        for route in routes:
            if route.is_api or openness(route) or not set(route.params) & NAMES_OF_D:
                continue
            if {"fmt", "what"} & set(route.params):
                continue  # files, and acts that answer POST only
            for path in paths(world, route):
                response = client.get(path)
                if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                    continue
                parser = data.Forms(path)
                parser.feed(response.content.decode())
                for action, body in parser.found:
                    forms.setdefault(action, data.without_canaries(body))
    return forms


def new_client() -> Client:
    # A view's exception is a 500 answer to record with the others, not the end of the sweep.
    return Client(raise_request_exception=False)


def signed_in(world: data.SweepWorld, user) -> Client:
    """A client signed in through the real sign-in form, and the second factor when asked."""
    from track2.accounts import totp

    client = new_client()
    response = client.post(
        "/accounts/login/", {"email": user.email, "password": world.passwords[user.email]}
    )
    assert response.status_code == 302, response.content[:300]
    if response["Location"] == "/accounts/login/code/":
        code = totp.code_at(user.totp_secret, totp.current_step())
        response = client.post("/accounts/login/code/", {"code": code})
        assert (response.status_code, response["Location"]) == (302, "/"), response
    return client


# --- a pass --------------------------------------------------------------------------------

REFUSALS = {400, 401, 403, 404, 405, 422}
SIGN_IN_PAGES = ("/accounts/login/", "/admin/login/")
# What a form D's pages did not show gets: a word for each field name the site's forms use.
GENERIC_FORM = {
    "text": "Sweep text",
    "title": "Sweep title",
    "name": "Sweep name",
    "email": "sweep@example.org",
    "reason": "Sweep reason",
    "role": "observer",
    "vote": "agree",
    "choice": "0",
    "decision": "accept",
    "status": "accepted",
    "password": data.PASSWORD,
    "confirm": "on",
}
SLOW = 0.5  # seconds: an answer slower than this is named in the pass's summary


@dataclass
class Sweep:
    swept: Swept
    principal: str
    client: Client
    user: object = None
    api_headers: dict = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    requests: int = 0
    slow: list[tuple[float, str]] = field(default_factory=list)

    def send(self, route: Route, path: str, method: str, body) -> object:
        """`body` None sends none."""
        started = time.monotonic()
        if route.is_api:
            payload = "" if body is None else json.dumps(body)
            response = self.client.generic(
                method, path, payload, content_type="application/json", **self.api_headers
            )
        elif method == "GET":
            response = self.client.get(path)
        else:
            response = self.client.post(path, body or {})
        self.requests += 1
        if (spent := time.monotonic() - started) > SLOW:
            self.slow.append((round(spent, 2), f"{method} {path[:120]}"))
        if response.streaming:
            # A live-update stream never ends: that it opened is the answer. (Under this WSGI
            # client the event routes answer 204 after their access check: only an ASGI server
            # streams, and tests/live opens the streams.)
            response.close()
        if "sessionid" in response.cookies and self.user is not None:
            # The route ended or replaced the session (signing out): sign in again without the
            # form, as a second factor's code cannot be used twice in one 30-second step.
            self.client.force_login(self.user)
        return response

    def canaries_in(self, response, allowed: frozenset[str]) -> list[data.Canary]:
        text = "" if response.streaming else data.readable_text(response.content)
        text += "".join(f"\n{k}: {v}" for k, v in response.items()) + response.cookies.output()
        if self.principal in IN_INSTITUTION:
            allowed |= {data.INSTITUTION}
        return [c for c in self.swept.world.canaries.found_in(text) if not c.is_among(allowed)]

    def note(self, route: Route, path: str, method: str, response, problem: str) -> None:
        self.problems.append(
            f"{self.principal}: {method} {path} ({route.pattern}) -> {response.status_code}: "
            f"{problem}"
        )

    def check(self, route: Route, path: str, method: str, response, *, refused: bool,
              allowed: frozenset[str] = frozenset()) -> None:  # fmt: skip
        if response.status_code >= 500:
            self.note(route, path, method, response, "server error")
        elif refused and not is_refusal(route, response):
            self.note(route, path, method, response, "not refused")
        if leaks := self.canaries_in(response, allowed):
            shown = ", ".join(f"{c.word} ({c.where})" for c in leaks[:6])
            more = f" and {len(leaks) - 6} more" if len(leaks) > 6 else ""
            self.note(route, path, method, response, f"shows {shown}{more}")

    def summary(self) -> str:
        return f"{self.principal}: {self.requests} requests; slowest: {sorted(self.slow)[::-1]}"


def is_sent_to_sign_in(response) -> bool:
    return response.status_code in (301, 302) and (
        urlsplit(response["Location"]).path in SIGN_IN_PAGES
    )


def is_refusal(route: Route, response) -> bool:
    if response.status_code in REFUSALS:
        return True
    return not route.is_api and is_sent_to_sign_in(response)


def as_stranger(swept: Swept, kind: str) -> Sweep:
    stranger = swept.world.strangers[kind]
    if stranger.user is None:
        return Sweep(swept, kind, new_client())
    return Sweep(
        swept,
        kind,
        signed_in(swept.world, stranger.user),
        user=stranger.user,
        api_headers={"HTTP_AUTHORIZATION": f"Bearer {stranger.api_token}"},
    )


def refused_requests(swept: Swept, route: Route, path: str) -> list[tuple[str, object]]:
    """(method, body) of what a stranger sends: GET, and POST with no body and with a plausible
    one; on the API also each other method the path declares, with no body and with one from
    its schema (django-ninja answers 405 to an undeclared method before any view runs; GET and
    POST stand for them)."""
    if not route.is_api:
        return [("GET", None), ("POST", None), ("POST", swept.forms.get(path, GENERIC_FORM))]
    sent: list[tuple[str, object]] = []
    for method in sorted({"GET", "POST", *route.api_methods}):
        sent.append((method, None))
        if method != "GET" and method in route.api_methods:
            body = data.api_body(swept.world, route, method, swept.field_examples)
            sent.append((method, {} if body is None else body))
    return sent


def sweep_refused(sweep: Sweep, routes: list[Route]) -> None:
    for route in routes:
        for path in paths(sweep.swept.world, route):
            for method, body in refused_requests(sweep.swept, route, path):
                response = sweep.send(route, path, method, body)
                sweep.check(route, path, method, response, refused=True)


# Routes whose empty POST ends every session of the principal and revokes its API tokens: swept
# after every other route open to them, which would otherwise be swept signed out.
ENDS_EVERY_SESSION = {"accounts/sign-out-everywhere/"}


def sweep_open(sweep: Sweep, routes: list[tuple[Route, Open]], targets: QueryTargets) -> None:
    """What is open to the principal, without plausible bodies: those would do what the route
    is for (change the stranger's password, accept the offered role) to no purpose. Each GET's
    query parameters go to `targets` when the principal is the first of those the route is open
    to (STRANGERS' order): the query sweep sends them hostile values as that principal."""
    for route, rule in routes:
        methods = route.api_methods if route.is_api else ("GET", "POST")
        for path in paths(sweep.swept.world, route):
            for method in methods:
                response = sweep.send(route, path, method, None)
                sweep.check(route, path, method, response, refused=False, allowed=rule.may_show)
                if method == "GET" and NOBODY not in rule.who and is_sent_to_sign_in(response):
                    sweep.note(route, path, method, response, "answered as to nobody signed in: "
                               "the sweep's session ended before (ENDS_EVERY_SESSION)")  # fmt: skip
                first = next(kind for kind in STRANGERS if kind in rule.who)
                if method == "GET" and sweep.principal == first:
                    targets.note(sweep.principal, route, path, response)


# --- the tests -------------------------------------------------------------------------------


def test_every_route_is_classified_and_every_parameter_has_a_filler():
    problems = []
    routes = data.every_route()
    for route in routes:
        if route.pattern in UNFILLABLE:
            continue
        if unknown := [n for n in route.params if filler_of(n, route) is None]:
            problems.append(
                f"{route.pattern} ({route.view}): no filler for {unknown}; add one to FILLERS "
                "(or VALUES_BY_VIEW) that takes D's real object from tests/route_sweep_data.py."
            )
        if not set(route.params) & NAMES_OF_D and openness(route) is None:
            problems.append(
                f"{route.pattern} ({route.view}) names none of D's objects and is not in "
                "OPEN_ROUTES: if it is open by design, list it there with who may open it and "
                "why; if it shows a dialogue's content, its path must name the dialogue (or its "
                "object), so that the sweep can check who may see it."
            )
    patterns = {r.pattern for r in routes}
    for listed, name in ((OPEN_ROUTES, "OPEN_ROUTES"), (UNFILLABLE, "UNFILLABLE"), (SHADOWED, "SHADOWED")):  # fmt: skip
        problems += [f"{name} lists {p!r}, which is no route" for p in listed if p not in patterns]
    assert not problems, "\n".join(problems)


def test_the_api_the_resolver_shows_is_all_of_the_api():
    # The sweep takes the API's paths from Django's resolver: each operation of the API object
    # (path and method) must be among them.
    seen = {(r.pattern, m) for r in data.every_route() if r.is_api for m in r.api_methods}
    operations = data.api_operations()
    assert operations <= seen, sorted(operations - seen)
    assert len(operations) > 100  # the whole API, not a part of it


@pytest.mark.django_db
def test_every_filled_path_resolves_to_its_own_route(swept_world):
    wrong = []
    for route in swept_world.routes:
        if route.pattern in SHADOWED:
            continue
        for path in paths(swept_world.world, route):
            # Django drops an included regex's "^" from the route it reports.
            if (found := resolve(path).route).replace("^", "") != route.pattern.replace("^", ""):
                wrong.append(f"{path}: {found} instead of {route.pattern}")
    assert not wrong, wrong


@pytest.mark.django_db
@pytest.mark.parametrize("kind", STRANGERS)
def test_strangers_get_nothing_from_any_route_of_the_dialogue(swept_world, kind):
    refusing, opened = [], []
    for route in swept_world.routes:
        rule = openness(route)
        if rule is not None and kind in rule.who:
            opened.append((route, rule))
        else:
            refusing.append(route)
    ending = [pair for pair in opened if pair[0].pattern in ENDS_EVERY_SESSION]
    opened = [pair for pair in opened if pair not in ending]
    targets = QueryTargets()
    with override_settings(MIDDLEWARE=[query.RECORDER, *settings.MIDDLEWARE]):
        sweep = as_stranger(swept_world, kind)
        before = data.snapshot(SNAPSHOT_SKIPS)
        sweep_refused(sweep, refusing)
        if tables := data.changed(before, data.snapshot(SNAPSHOT_SKIPS)):
            sweep.problems.append(f"{kind}: the refused requests changed the tables {tables}")
        sweep_open(sweep, opened, targets)
        outcomes = sweep_queries({kind: sweep}, targets)
        sweep_open(sweep, ending, targets)  # last: what follows would be sent signed out
    print(sweep.summary())
    print(query_summary(outcomes))
    assert sweep.requests > 500
    assert not sweep.problems, f"{len(sweep.problems)} problems:\n" + "\n".join(sweep.problems)


@pytest.mark.django_db
def test_signing_in_never_sends_anyone_off_the_site(swept_world):
    """The query sweep sends `next` its off-site values on the sign-in pages, which only show
    them; they take effect once the password (and second factor) is accepted: sent here, in the
    query and in the body, for an account without a second factor and, once (a code serves once
    in its 30 seconds), for the site administrator, who has one."""
    from track2.accounts import totp

    world, wrong = swept_world.world, []
    outsider = world.strangers["outsider"].user
    credentials = {"email": outsider.email, "password": world.passwords[outsider.email]}
    for label, target in query.OFF_SITE.items():
        for path, body in (
            (f"/accounts/login/?next={target}", credentials),
            ("/accounts/login/", {**credentials, "next": unquote(target)}),
        ):
            response = new_client().post(path, body)
            if response.status_code != 302 or query.off_site(response["Location"]):
                wrong.append(
                    f"{label}: POST {path} -> {response.status_code} {response.get('Location')}"
                )
    admin = world.strangers["site administrator"].user
    client = new_client()
    response = client.post(
        f"/accounts/login/?next={query.OFF_SITE['protocol-relative']}",
        {"email": admin.email, "password": world.passwords[admin.email]},
    )
    assert response["Location"] == "/accounts/login/code/"
    code = totp.code_at(admin.totp_secret, totp.current_step())
    response = client.post("/accounts/login/code/", {"code": code})
    if response.status_code != 302 or query.off_site(response["Location"]):
        wrong.append(f"second factor -> {response.status_code} {response.get('Location')}")
    assert not wrong, wrong


def test_a_canary_inside_a_pdf_or_a_zip_is_found():
    """What the sweep reads of a download (data.readable_text): a PDF's text and a zip's
    members, a zip inside a zip too, where the bytes themselves hide the word."""
    from weasyprint import HTML

    canaries = data.Canaries()
    in_pdf, in_csv = canaries.word("test #1"), canaries.word("test #2")
    pdf = HTML(string=f"<h1>Record</h1><p>Said by {in_pdf}.</p>").write_pdf()

    def zipped(members: dict[str, bytes]) -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name, content in members.items():
                archive.writestr(name, content)
        return out.getvalue()

    inner = zipped({"votes.csv": f"statement,text\n1,{in_csv} {'agrees ' * 40}\n".encode()})
    bodies = {
        "a PDF": (pdf, {in_pdf}),
        "a PDF in a zip": (zipped({"record.pdf": pdf}), {in_pdf}),
        "a zip in a zip": (zipped({"export.zip": inner}), {in_csv}),
    }
    for what, (body, words) in bodies.items():
        assert not canaries.found_in(body.decode("latin-1")), f"{what}: the bytes show it"
        found = {c.word for c in canaries.found_in(data.readable_text(body))}
        assert found == words, what


def test_the_query_sweep_records_reads_and_catches_what_it_looks_for():
    from django.http import HttpResponse, HttpResponseRedirect, JsonResponse

    got = query.RecordingQueryDict("page=2&q=x&o=1")
    query.Reads.keys = set()
    got.get("page"), "q" in got, got.getlist("view"), got.copy().items()
    assert query.Reads.keys == {"page", "q", "view"}  # a copy's reads are not the view's
    dict(got.items())
    assert query.ANY_KEY in query.Reads.keys

    def problems(response, name="q", is_api=False):
        return query.answer_problems(response, is_api=is_api, name=name)

    echoed = '<input value="a&quot;&gt;&lt;sweepq&gt;">'
    assert problems(HttpResponse(echoed)) == []
    assert problems(HttpResponse('<p>a"><sweepq></p>'))
    assert problems(HttpResponse('<input value="a"&gt;&lt;sweepq&gt;">'))  # `"` left as it was
    assert problems(HttpResponse('File "/srv/track2/views.py", line 12'))
    assert problems(HttpResponse(status=502)) == ["server error"]
    for target in ("//evil.example", "https://evil.example/", "/\\evil.example", "javascript:x"):
        assert query.off_site(target), target
    assert not query.off_site("/dialogues/1/?next=//evil.example")
    assert problems(HttpResponseRedirect("https://evil.example/"))
    other = JsonResponse({"errors": [{"loc": ["query", "page"]}]}, status=422)
    assert problems(other, name="limit", is_api=True)
    assert not problems(other, name="page", is_api=True)


# A PDF is a page's HTML printed by WeasyPrint (1 to 3 s each): every role gets each document in
# every other format, built by the same code; the convener, who may read them all, gets the PDFs.
PDF_READER = "convener"


def is_pdf(path: str) -> bool:
    return path.endswith(("/pdf/", "format=pdf"))


# The members' sweep runs by route group, every role in each: the query sweep sends each
# parameter's hostile values once, as the first role (INSIDERS' order) that read it.
ROUTE_GROUPS = {
    "pages": lambda route: not route.is_api,
    "api": lambda route: route.is_api,
}


@pytest.mark.django_db
@pytest.mark.parametrize("group", ROUTE_GROUPS)
def test_every_member_opens_every_route_and_no_query_breaks_it(swept_world, group):
    """Each member of D GETs every route of the group (each `format` of an API export; the PDFs
    as the convener only): no server error (the per-route matrices decide who may). Then the
    query sweep: each query parameter a route read, hostile values, as the role that read it."""
    from track2.accounts.actions import do_create_api_token

    routes = [r for r in swept_world.routes if ROUTE_GROUPS[group](r)]
    targets = QueryTargets()
    with override_settings(MIDDLEWARE=[query.RECORDER, *settings.MIDDLEWARE]):
        sweeps = {}
        for role in INSIDERS:
            user = swept_world.world.insiders[role]
            token = do_create_api_token(user, "route sweep")[0]
            sweeps[role] = sweep = Sweep(
                swept_world,
                role,
                signed_in(swept_world.world, user),
                user=user,
                api_headers={"HTTP_AUTHORIZATION": f"Bearer {token}"},
            )
            for route in routes:
                queries = data.query_variants(route) if route.is_api else [""]
                for path in paths(swept_world.world, route):
                    for variant in queries:
                        if is_pdf(path + variant) and role != PDF_READER:
                            continue
                        response = sweep.send(route, path + variant, "GET", None)
                        if response.status_code >= 500:
                            sweep.note(route, path + variant, "GET", response, "server error")
                        if openness(route) is None:  # the strangers' test sweeps the open ones
                            targets.note(role, route, path, response)
        outcomes = sweep_queries(sweeps, targets)
    for sweep in sweeps.values():
        print(sweep.summary())
    print(query_summary(outcomes))
    problems = [p for sweep in sweeps.values() for p in sweep.problems]
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)


# --- the query sweep -------------------------------------------------------------------------


@dataclass
class QueryTargets:
    """The query parameters each path read (tests/query_sweep_data.py records them), each with
    the principal who first read it there: the hostile values go to it as that principal."""

    routes: dict[str, Route] = field(default_factory=dict)  # path -> its route
    owners: dict[tuple[str, str], str] = field(default_factory=dict)  # (path, name) -> who

    def note(self, principal: str, route: Route, path: str, response) -> None:
        """`path` without its query. A route that refused the principal read nothing for them
        (an API that answered 422 lacked a required parameter: it was open)."""
        if response.status_code >= 400 and not (route.is_api and response.status_code == 422):
            return
        if is_pdf(path):
            return  # the view of the other formats: their parameters are swept there
        names = query.Reads.keys - {query.ANY_KEY}
        if route.is_api:
            names |= set(query.api_parameters(route))
        elif response.status_code == 200 and "html" in response.get("Content-Type", ""):
            names |= query.linked_parameters(path, response.content.decode("utf-8", "replace"))
        if names or query.ANY_KEY in query.Reads.keys:
            self.routes.setdefault(path, route)
            self.owners.setdefault((path, query.UNKNOWN), principal)
        for name in names:
            self.owners.setdefault((path, name), principal)


def sweep_queries(sweeps: dict[str, Sweep], targets: QueryTargets) -> dict[tuple, Counter]:
    """Send each (path, parameter) its hostile values as the principal who read it: the whole
    set the first time a kind of parameter is met (a page view's parameter by name; an API
    parameter by its declared schema, which decides how django-ninja parses it), a smaller set
    after. Every answer is checked (query.answer_problems) and nothing may be written. Returns
    how each (route, parameter) took its values."""
    outcomes: dict[tuple, Counter] = {}
    kinds_met: set = set()
    if not targets.owners:
        return outcomes
    started = time.process_time()
    before = data.snapshot(SNAPSHOT_SKIPS)
    for (path, name), principal in sorted(targets.owners.items()):
        route, sweep = targets.routes[path], sweeps[principal]
        is_declared = route.is_api and name in query.api_parameters(route)
        base = query.api_base(route, name) if route.is_api else ""
        if name == query.UNKNOWN:
            sent = [("unknown", query.unknown_query(base))]
        else:
            kind = query.api_kind(route, name) if is_declared else (route.view, name)
            sent = query.hostile_queries(name, base, full=kind not in kinds_met)
            kinds_met.add(kind)
        for label, query_string in sent:
            response = sweep.send(route, f"{path}?{query_string}", "GET", None)
            for problem in query.answer_problems(response, is_api=is_declared, name=name):
                sweep.note(route, f"{path}?{name}=<{label}>", "GET", response, problem)
            outcomes.setdefault((route.pattern, name), Counter())[query.outcome(response)] += 1
    if tables := data.changed(before, data.snapshot(SNAPSHOT_SKIPS)):
        first = next(iter(sweeps.values()))
        first.problems.append(f"hostile query parameters changed the tables {tables}")
    sent_in_all = sum(sum(seen.values()) for seen in outcomes.values())
    print(f"query sweep: {sent_in_all} requests in {time.process_time() - started:.1f} s of CPU")
    return outcomes


def query_summary(outcomes: dict[tuple, Counter]) -> str:
    lines = [f"{len(outcomes)} (route, parameter) pairs swept (an unknown parameter among them):"]
    for (pattern, name), seen in sorted(outcomes.items()):
        lines.append(
            f"  {pattern} {name}: " + ", ".join(f"{k} {n}" for k, n in sorted(seen.items()))
        )
    return "\n".join(lines)
