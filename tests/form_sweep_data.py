"""What tests/test_every_form.py needs besides its tests: the forms of a page as a browser would
send them, the hostile values, the routes that have no form (each with its reason), the objects
the demo lacks, and the look at what a request stored."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from django.apps import apps
from django.db import connection, models
from django.db.models import Q, TextField
from django.db.models.functions import Cast
from django.utils import timezone

# --- a page's forms, as a browser sends them -----------------------------------------------------

TEXT_TYPES = {"text", "search", "email", "url", "tel", "password"}
NUMBER_TYPES = {"number", "range"}
DATE_TYPES = {"date", "datetime-local", "time", "month", "week"}
BUTTON_TYPES = {"submit", "image"}


@dataclass
class Control:
    tag: str  # input, textarea, select
    kind: str  # the input's type; "textarea"; "select"
    name: str
    value: str = ""
    checked: bool = False
    options: list[str] = field(default_factory=list)
    selected: list[str] = field(default_factory=list)
    attrs: dict[str, str] = field(default_factory=dict)

    @property
    def is_invalid(self) -> bool:
        return self.attrs.get("aria-invalid") == "true"

    @property
    def maxlength(self) -> int | None:
        raw = self.attrs.get("maxlength", "")
        return int(raw) if raw.isdigit() else None

    @property
    def is_text(self) -> bool:
        return self.kind == "textarea" or (self.tag == "input" and self.kind in TEXT_TYPES)

    @property
    def is_number(self) -> bool:
        """A number a person types or picks: a number input, a date, or a choice of ids."""
        if self.tag == "input" and self.kind in NUMBER_TYPES | DATE_TYPES:
            return True
        if self.tag == "select" or self.kind in ("checkbox", "radio"):
            values = [v for v in (self.options if self.tag == "select" else [self.value]) if v]
            return bool(values) and all(v.isdigit() for v in values)
        return False


@dataclass
class Button:
    """A submit button (its name and value are sent with the form). No template of ours uses
    `formaction`: a button posting elsewhere would leave its route without a form found, and
    the sweep would say so."""

    name: str
    value: str


@dataclass
class Form:
    page: str  # the page it was found on
    action: str  # an absolute path (with its query, if any)
    method: str  # "get" or "post"
    enctype: str
    controls: list[Control] = field(default_factory=list)
    buttons: list[Button] = field(default_factory=list)
    form_id: str = ""
    attrs: dict[str, str] = field(default_factory=dict)

    @property
    def is_multipart(self) -> bool:
        return self.enctype == "multipart/form-data"

    @property
    def is_submittable(self) -> bool:
        """A person can send it: it has a submit button, or a text field (Enter sends it)."""
        return bool(self.buttons) or any(c.is_text for c in self.controls)

    @property
    def is_scripted(self) -> bool:
        """Sent as JSON by a script (passkeys.js), not by the browser: its endpoints are swept
        as JSON endpoints (JSON_ENDPOINTS)."""
        return "data-passkey" in self.attrs

    def shape(self) -> tuple:
        """What tells one form from another of the same kind (a remove button per row is one)."""
        return (
            self.method,
            tuple(sorted((c.name, c.kind) for c in self.controls)),
            tuple(sorted(b.name for b in self.buttons)),
        )


class _FormParser(HTMLParser):
    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.forms: list[Form] = []
        self.by_id: dict[str, Form] = {}
        self.current: Form | None = None
        self.orphans: list[tuple[str, Control | Button]] = []  # controls with form="id"
        self.select: Control | None = None
        self.option: dict[str, str] | None = None
        self.option_text = ""
        self.textarea: Control | None = None

    def _attach(self, attrs: dict[str, str], item: Control | Button) -> None:
        if attrs.get("form"):
            self.orphans.append((attrs["form"], item))
        elif self.current is not None:
            if isinstance(item, Button):
                self.current.buttons.append(item)
            else:
                self.current.controls.append(item)

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            action = a.get("action", "")
            self.current = Form(
                page=self.page,
                action=absolute(self.page, action),
                method=(a.get("method") or "get").lower(),
                enctype=(a.get("enctype") or "application/x-www-form-urlencoded").lower(),
                form_id=a.get("id", ""),
                attrs=a,
            )
            self.forms.append(self.current)
            if a.get("id"):
                self.by_id[a["id"]] = self.current
        elif tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in BUTTON_TYPES:
                self._attach(a, Button(a.get("name", ""), a.get("value", "")))
                return
            if kind in ("reset", "button"):
                return
            if not a.get("name") or "disabled" in a:
                return
            self._attach(
                a,
                Control(
                    "input",
                    kind,
                    a["name"],
                    value=a.get("value", "on" if kind in ("checkbox", "radio") else ""),
                    checked="checked" in a,
                    attrs=a,
                ),
            )
        elif tag == "textarea":
            if a.get("name") and "disabled" not in a:
                self.textarea = Control("textarea", "textarea", a["name"], attrs=a)
                self._attach(a, self.textarea)
        elif tag == "select":
            if a.get("name") and "disabled" not in a:
                self.select = Control("select", "select", a["name"], attrs=a)
                self._attach(a, self.select)
        elif tag == "option" and self.select is not None:
            self.option = a
            self.option_text = ""
        elif tag == "button" and (a.get("type") or "submit").lower() == "submit":
            self._attach(a, Button(a.get("name", ""), a.get("value", "")))

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea.value += data
        if self.option is not None:
            self.option_text += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None
        elif tag == "textarea" and self.textarea is not None:
            # A browser drops the one line break that follows <textarea>.
            value = self.textarea.value
            self.textarea.value = value[1:] if value.startswith("\n") else value
            self.textarea = None
        elif tag == "option" and self.option is not None and self.select is not None:
            value = self.option.get("value", self.option_text.strip())
            if "disabled" not in self.option:
                self.select.options.append(value)
                if "selected" in self.option:
                    self.select.selected.append(value)
            self.option = None
        elif tag == "select":
            self.select = None

    def close(self):
        super().close()
        for form_id, item in self.orphans:
            owner = self.by_id.get(form_id)
            if owner is None:
                continue
            if isinstance(item, Button):
                owner.buttons.append(item)
            else:
                owner.controls.append(item)


def absolute(page: str, action: str) -> str:
    """A form's action as an absolute path: an empty action is the page itself."""
    target = urljoin(page, action) if action else page
    parts = urlsplit(target)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def forms_of(page: str, html: str) -> list[Form]:
    parser = _FormParser(page)
    parser.feed(html)
    parser.close()
    return parser.forms


class _Links(HTMLParser):
    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href") or ""
            parts = urlsplit(href)
            if not parts.scheme and not parts.netloc and href and not href.startswith("#"):
                self.links.append(absolute(self.page, href.split("#")[0]))


def links_of(page: str, html: str) -> list[str]:
    parser = _Links(page)
    parser.feed(html)
    parser.close()
    return parser.links


# --- the hostile values ---------------------------------------------------------------------------

# Each with characters HTML escapes, so that a value shown again proves it was escaped.
CONTROL_TEXTS = {
    "nul": '<i>"a\x00b"</i>',
    "bell": "a\x07b&amp;'",
    "escape": "\x1b[31m<script>x</script>",
}
LONG_TEXT = "x" * 100_000
# Invalid UTF-8 in a form body: an encoded lone surrogate (ED A0 80) and a byte no UTF-8 has (FF).
BAD_BYTES = "%ED%A0%80b%FF"
NUMBERS = {
    "past-2^63": "9223372036854775808",
    "minus-one": "-1",
    "nan": "NaN",
    "1e400": "1e400",
}
# A year no date of ours may have (track2.validation admits 1900 to 2200).
DATES_PAST_RANGE = {
    "date": "9999-12-31",
    "datetime-local": "9999-12-31T23:59",
    "month": "9999-12",
    "week": "9999-W52",
    "time": "25:61",
}
# What a field that is not under attack holds, when the page left it empty.
PLAIN = {
    "email": "sweep@example.org",
    "url": "https://example.org/",
    "tel": "+41 22 000 00 00",
    "number": "1",
    "range": "1",
    "date": "2030-05-01",
    "datetime-local": "2030-05-01T10:00",
    "time": "10:00",
    "month": "2030-05",
    "week": "2030-W18",
}
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffd]")
TRACEBACK = re.compile(rb"Traceback \(most recent call last\)|File \"/[^\"]+\.py\", line \d+")


def without_controls(text: str) -> str:
    return CONTROL_CHARACTERS.sub("", text).replace("\r\n", "\n")


# --- who signs in ---------------------------------------------------------------------------------

# Tried in this order until one is shown a form that posts to the route: the demo's roles, the
# site administrator, an account with two-factor sign-in (its settings show the forms that turn it
# off), the invited person of a one-time link, nobody signed in, and a sign-in half done (password
# given, second factor asked).
ROLES = [
    "convener",
    "facilitator",
    "rapporteur",
    "participant",
    "participant.ostrava",
    "observer",
    "liaison",
    "admin",
    "two-factor",
    "invitee",
    None,
    "signing-in",
]
SWEEP_PASSWORD = "sweep: a password of the sweep's own accounts"

# --- routes with no form of their own -------------------------------------------------------------

# Every route either has a form that a page shows (found by the sweep, which tries every role on
# the route's own page and the pages above it) or is listed here with why it has none. A route
# added later that is neither fails tests/test_every_form.py until it is one or the other.
READ_PAGE = "a page that only shows: no form of any role posts to it"
DOWNLOAD = "a download (a file answered to a GET): no form"
NO_TOKEN_FORMS = (
    "the administrator may not add, change or delete API tokens (ApiTokenAdmin), only revoke "
    "them, an action of the list page"
)
NO_FORM: dict[str, str] = {
    "": READ_PAGE + " (the home page)",
    "healthz": "the health check for the proxy: GET only",
    "robots.txt": DOWNLOAD,
    "favicon.ico": DOWNLOAD,
    "accounts/reset/sent/": READ_PAGE + " (after a reset was asked)",
    "accounts/reset/done/": READ_PAGE + " (after a new password was set)",
    "dialogues/<int:dialogue_id>/": READ_PAGE + " (the dialogue's overview)",
    "dialogues/<int:dialogue_id>/balance/": READ_PAGE,
    "dialogues/<int:dialogue_id>/meetings/": READ_PAGE + " (its new-meeting form is its own route)",
    "dialogues/<int:dialogue_id>/meetings/<int:meeting_id>/": READ_PAGE
    + " (its forms post to the meeting's sub-routes)",
    "dialogues/<int:dialogue_id>/meetings/<int:meeting_id>/calendar.ics": DOWNLOAD,
    "dialogues/<int:dialogue_id>/meetings/<int:meeting_id>/room/": READ_PAGE
    + " (its forms post to the room's sub-routes)",
    "dialogues/<int:dialogue_id>/meetings/<int:meeting_id>/room/mine/": READ_PAGE,
    "dialogues/<int:dialogue_id>/meetings/<int:meeting_id>/room/moderation/": READ_PAGE
    + " (its forms post to moderation/<id>/ and order/)",
    "dialogues/<int:dialogue_id>/meetings/<int:meeting_id>/room/map/": READ_PAGE,
    "dialogues/<int:dialogue_id>/meetings/<int:meeting_id>/room/exports/<str:fmt>/": DOWNLOAD,
    "dialogues/<int:dialogue_id>/outcomes/<int:document_id>/": READ_PAGE
    + " (its forms post to the document's sub-routes)",
    "dialogues/<int:dialogue_id>/meetings/<int:meeting_id>/floor/": READ_PAGE
    + " (its forms post to floor/<what>/)",
    "dialogues/<int:dialogue_id>/meetings/<int:meeting_id>/floor/room/": READ_PAGE
    + " (the floor's live panel of the room)",
    "dialogues/<int:dialogue_id>/meetings/<int:meeting_id>/floor/caucus/<int:delegation_id>/": READ_PAGE
    + " (its forms post to caucus/<id>/<what>/)",
    "dialogues/<int:dialogue_id>/meetings/<int:meeting_id>/floor/record/": READ_PAGE
    + " (its forms post to record/<what>/)",
    "dialogues/<int:dialogue_id>/meetings/<int:meeting_id>/floor/record/export/<str:fmt>/": DOWNLOAD,
    "dialogues/<int:dialogue_id>/people/export.csv": DOWNLOAD,
    "dialogues/<int:dialogue_id>/people/<int:person_id>/": READ_PAGE
    + " (its forms post to the person's sub-routes)",
    "dialogues/<int:dialogue_id>/backchannel/": READ_PAGE
    + " (the key directory; its writes are the API's and the CLI's)",
    "dialogues/<int:dialogue_id>/impact/recommendations/<int:recommendation_id>/": READ_PAGE
    + " (its forms post to relays/, reactions/ and correct/)",
    "dialogues/<int:dialogue_id>/impact/evaluation/": READ_PAGE,
    "dialogues/<int:dialogue_id>/impact/evaluation/export/<str:fmt>/": DOWNLOAD,
    "public/dialogues/<int:dialogue_id>/": READ_PAGE + " (the public page)",
    "institutions/<int:institution_id>/programme/": READ_PAGE,
    "calendar/<str:token>.ics": DOWNLOAD + " (the calendar feed)",
    "admin/login/": "redirects to the site's own sign-in (accounts/login/, swept there)",
    "admin/password_change/": "redirects to accounts/password/ (swept there)",
    "^admin/r/": "answers 404 to everything (the admin's view-on-site shortcut, turned off)",
    "admin/": READ_PAGE + " (the admin's index)",
    "admin/password_change/done/": READ_PAGE,
    "admin/autocomplete/": "the admin's JSON search for its select boxes: GET only",
    "admin/jsi18n/": DOWNLOAD + " (the admin's JavaScript translations)",
    "admin/r/<path:content_type_id>/<path:object_id>/": "shadowed by ^admin/r/ (answers 404)",
    "admin/accounts/user/<path:object_id>/history/": READ_PAGE,
    "admin/accounts/user/<path:object_id>/": "redirects to the change page (swept there)",
    "admin/accounts/apitoken/<path:object_id>/history/": READ_PAGE,
    "admin/accounts/apitoken/add/": NO_TOKEN_FORMS,
    "admin/accounts/apitoken/<path:object_id>/delete/": NO_TOKEN_FORMS,
    "admin/accounts/apitoken/<path:object_id>/change/": NO_TOKEN_FORMS + " (a read-only page)",
    "admin/accounts/apitoken/<path:object_id>/": "redirects to the change page (swept there)",
    "admin/institutions/institution/<path:object_id>/history/": READ_PAGE,
    "admin/institutions/institution/<path:object_id>/": "redirects to the change page",
    "admin/institutions/conveningright/<path:object_id>/history/": READ_PAGE,
    "admin/institutions/conveningright/<path:object_id>/": "redirects to the change page",
    "admin/^(?P<app_label>accounts|institutions)/$": READ_PAGE + " (an app's index)",
    "admin/(?P<url>.*)$": "the admin's catch-all: a 404 for any other address",
    "dialogues/<int:dialogue_id>/retention/deletion/withdraw/": "a button with no field, shown only"
    " while a deletion is asked (which would hide the ask form swept here); its refusals, bad ids"
    " and oversized bodies are tests/operations/test_dialogue_deletion.py's",
}

# Endpoints a page's script sends JSON to (static/track2/passkeys.js), with who sends, the keys
# they read, and the request that comes first (a finish needs its options' challenge in the
# session): swept with JSON bodies as the API is, answered {"errors": [...]}. Sent to localhost:
# passkeys work only there or over HTTPS, and refuse anything else before reading a field.
_NEW_KEY = {"password": SWEEP_PASSWORD, "name": "The sweep's key"}


def shaped(key: str, value):
    """A key's hostile value in the shape the endpoint reads: a passkey's answer is an object
    (WebAuthn's PublicKeyCredential as JSON), each of its texts the value."""
    texts = ["clientDataJSON", "authenticatorData", "signature", "attestationObject", "userHandle"]
    if key == "response":
        return dict.fromkeys(texts, value)
    if key == "credential":
        return {name: shaped(name, value) for name in CREDENTIAL}
    return value


CREDENTIAL = ("id", "rawId", "type", "response")


JSON_ENDPOINTS: dict[str, tuple[str | None, tuple[str, ...], tuple[str, dict] | None]] = {
    "accounts/login/passkey/options/": (None, (), None),
    "accounts/login/passkey/": (
        None,
        ("credential", "next"),
        ("accounts/login/passkey/options/", {}),
    ),
    "accounts/login/code/passkey/options/": ("signing-in", (), None),
    "accounts/login/code/passkey/": (
        "signing-in",
        ("credential",),
        ("accounts/login/code/passkey/options/", {}),
    ),
    "accounts/passkeys/new/options/": ("two-factor", ("password", "name"), None),
    # the body is the credential itself
    "accounts/passkeys/new/": (
        "two-factor",
        CREDENTIAL,
        ("accounts/passkeys/new/options/", _NEW_KEY),
    ),
}


# API operations the sweep does not send hostile input to, each with its reason.
API_NOT_SWEPT = {
    "/api/v1/dialogues/{dialogue_id}/meetings/{meeting_id}/events": (
        "a server-sent event stream: under the test client it never ends; tests/live covers its "
        "refusals through the ASGI client"
    ),
    "/api/v1/dialogues/{dialogue_id}/meetings/{meeting_id}/caucus/{delegation_id}/events": (
        "a server-sent event stream (as above)"
    ),
}


def extra_hosts(route: str) -> list[str]:
    """Pages besides those above a route where its forms are shown: the account pages' forms
    are on the settings page, and every page's header has the sign-out form."""
    hosts = ["accounts/settings/"] if route.startswith("accounts/") else []
    return [*hosts, ""]


# --- what a request stored ----------------------------------------------------------------------

WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE)\s+"?(\w+)"?', re.IGNORECASE)


class Writes:
    """The tables a request wrote to, seen in the SQL it sent (Django's execute_wrapper)."""

    def __init__(self) -> None:
        self.tables: set[str] = set()

    def __call__(self, execute, sql, params, many, context):
        match = WRITE.match(sql)
        if match:
            self.tables.add(match.group(1))
        return execute(sql, params, many, context)


# Control characters the sweep sends, as a regular expression (SQLite's runs in Python, so NUL
# too; PostgreSQL refuses NUL in text, so there it can only be a server error, caught as one).
def _needles() -> str:
    return "[\x00\x07\x1b]" if connection.vendor == "sqlite" else "[\x07\x1b]"


# A JSON column holds them escaped, and a lone surrogate too (JSON can carry one, UTF-8 cannot).
JSON_ESCAPES = ["\\u0000", "\\u0007", "\\u001b"] + [f"\\ud{c}" for c in "89abcdef"]


def stored_problems(tables: set[str]) -> list[str]:
    """The columns of these tables where a row's text holds a control character or a lone
    surrogate ("app.Model.field")."""
    found = []
    for model in apps.get_models(include_auto_created=True):
        if model._meta.db_table not in tables:
            continue
        texts = [
            f
            for f in model._meta.concrete_fields
            if isinstance(f, (models.CharField, models.TextField))
        ]
        jsons = [f for f in model._meta.concrete_fields if isinstance(f, models.JSONField)]
        condition = Q()
        for f in texts:
            condition |= Q(**{f"{f.attname}__regex": _needles()})
        rows = model._base_manager.all()
        for f in jsons:
            rows = rows.annotate(**{f"sweep_{f.attname}": Cast(f.attname, TextField())})
            for escape in JSON_ESCAPES:
                condition |= Q(**{f"sweep_{f.attname}__icontains": escape})
        if not condition:
            continue
        bad: set[str] = set()
        for row in rows.filter(condition)[:20]:
            bad |= {
                f.attname for f in texts if re.search(_needles(), getattr(row, f.attname) or "")
            }
            bad |= {
                f.attname
                for f in jsons
                if any(e in getattr(row, f"sweep_{f.attname}").lower() for e in JSON_ESCAPES)
            }
        found += [f"{model._meta.label}.{name}" for name in sorted(bad)]
    return found


def every_table() -> set[str]:
    return {m._meta.db_table for m in apps.get_models(include_auto_created=True)}


# --- what the demo lacks -------------------------------------------------------------------------


@dataclass
class Extras:
    fills: dict[str, list]
    users: dict[str, object]


def build_extras(users: dict) -> Extras:
    """Objects whose forms the demo does not show: an open role invitation and a one-time
    invitation link (their pages), a vetted person not yet invited (the "invite every vetted
    person" form), a venue no meeting uses (its delete form), a meeting nobody is asked to yet
    (the add-participants form), an API token (its revoke form), an account with two-factor
    sign-in and a passkey, and a password-reset link. Made through the actions, as a person would."""
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from track2.accounts import actions as account_actions
    from track2.accounts import totp
    from track2.accounts.models import Passkey, User
    from track2.dialogues import role_actions, venue_actions
    from track2.dialogues.models import Dialogue
    from track2.institutions.models import Institution
    from track2.meetings import actions as meeting_actions
    from track2.meetings.models import Meeting
    from track2.people import actions as people_actions

    convener = users["convener"]
    dialogue = Dialogue.objects.get(title="Varena Sea Dialogue")
    base = "http://testserver"
    invitee = User.objects.create_user(
        email="invitee@sweep.track2.invalid", password=SWEEP_PASSWORD, display_name="Invitee"
    )
    _invitation, link = role_actions.do_invite_to_role(
        convener, dialogue, email=invitee.email, role="observer", base_url=base
    )
    role_secret = link.rstrip("/").rsplit("/", 1)[-1]
    # Two more people (the demo's one nominated person keeps its vet form): one vetted and not
    # invited, one invited (its link's page).
    added = [
        people_actions.do_add_person(
            convener,
            dialogue,
            full_name=name,
            email=f"{name.split()[0].lower()}@sweep.track2.invalid",
            sector="academia",
            country="Norland",
            nominated_by="The sweep",
        )
        for name in ("Vetted Person", "Invited Person")
    ]
    for candidacy in added:
        people_actions.do_vet(convener, candidacy, vouched_by="The sweep")
    _invitation, link = people_actions.do_invite(convener, added[1], base_url=base)
    person_secret = link.rstrip("/").rsplit("/", 1)[-1]
    venue_actions.do_create_venue(
        convener, dialogue, name="A venue no meeting uses", kind="university", country="Norland"
    )
    start = timezone.now() + timedelta(days=90)
    empty = meeting_actions.do_create_meeting(
        convener,
        dialogue,
        title="A meeting nobody is asked to yet",
        starts_at=start.replace(tzinfo=None),
        ends_at=(start + timedelta(hours=2)).replace(tzinfo=None),
        time_zone="UTC",
    )
    account_actions.do_create_api_token(convener, "The sweep's token")
    # an institution with nothing in it: the admin's delete page shows its form
    Institution.objects.create(name="An institution with no dialogue yet")
    two_factor = User.objects.create_user(
        email="two-factor@sweep.track2.invalid", password=SWEEP_PASSWORD, display_name="Two"
    )
    secret = totp.new_secret()
    account_actions.do_enable_two_factor(
        two_factor, secret, totp.code_at(secret, totp.current_step()), SWEEP_PASSWORD, "127.0.0.1"
    )
    # A registered passkey (its row as registration leaves it): the settings page shows its
    # remove form. No browser here to register one through WebAuthn.
    Passkey.objects.create(
        user=two_factor,
        name="The sweep's key",
        credential_id="c3dlZXAtY3JlZGVudGlhbA",
        public_key=b"\xa5\x01\x02",
        user_handle="c3dlZXAtaGFuZGxl",
    )
    # an open poll in the participant's own caucus (its answer form and API operation)
    from track2.dialogues.models import DelegationMember
    from track2.facilitation import caucus

    seat = DelegationMember.objects.filter(
        dialogue=dialogue, person__user=users["participant"]
    ).first()
    session = Meeting.objects.get(dialogue=dialogue, title__startswith="Working session")
    caucus.do_poll(
        *caucus.check_poll(
            users["participant"],
            dialogue.pk,
            session.pk,
            seat.delegation_id,
            "Sweep?",
            ["Yes", "No"],
        )
    )
    # who asked for a reset link (an account nobody signs in to here: signing in changes the
    # link's hash)
    forgetful = User.objects.create_user(
        email="forgetful@sweep.track2.invalid", password=SWEEP_PASSWORD, display_name="Forgetful"
    )
    session = Meeting.objects.get(dialogue=dialogue, title__startswith="Working session")
    meetings = [session.pk] + list(
        Meeting.objects.filter(dialogue=dialogue)
        .exclude(pk__in=[session.pk, empty.pk])
        .order_by("-starts_at")
        .values_list("pk", flat=True)
    )
    fills: dict[str, list] = {
        "dialogue_id": [dialogue.pk],
        "meeting_id": [*meetings, empty.pk],
        "institution_id": [dialogue.institution_id],
        "uidb64": [urlsafe_base64_encode(force_bytes(forgetful.pk))],
        "token": [default_token_generator.make_token(forgetful)],
        "secret": [role_secret, person_secret],
    }
    return Extras(fills=fills, users={"two-factor": two_factor, "invitee": invitee})


# --- the API's path parameters --------------------------------------------------------------------

API_ROLES = [
    "convener",
    "facilitator",
    "rapporteur",
    "participant",
    "participant.ostrava",
    "observer",
    "liaison",
    "invitee",
]


def api_ids(users: dict) -> dict[str, object]:
    """A real object of the demo for each path parameter the API names (the participant's own
    delegation for a caucus, the room's working session, a pending amendment)."""
    from track2.backchannel.models import DirectoryEntry, Envelope, Mailbox
    from track2.deliberation.models import Statement
    from track2.dialogues.models import (
        Delegation,
        DelegationMember,
        Dialogue,
        Membership,
        Party,
        RoleInvitation,
        Venue,
    )
    from track2.facilitation.models import CaucusNote, CaucusPoll, CaucusStatement, RecordNote
    from track2.impact.models import Recommendation, Survey
    from track2.meetings.models import AgendaItem, Meeting, MeetingParticipant
    from track2.outcomes.models import Amendment, OutcomeDocument
    from track2.people.models import Person

    dialogue = Dialogue.objects.get(title="Varena Sea Dialogue")
    session = Meeting.objects.get(dialogue=dialogue, title__startswith="Working session")
    own = DelegationMember.objects.filter(
        dialogue=dialogue, person__user=users["participant"]
    ).first()
    delegation = own.delegation if own else Delegation.objects.filter(dialogue=dialogue).first()

    def first(rows, attribute: str = "pk"):
        row = rows.order_by("pk").first()
        return getattr(row, attribute) if row is not None else 1

    return {
        "dialogue_id": dialogue.pk,
        "meeting_id": session.pk,
        "institution_id": dialogue.institution_id,
        "person_id": first(Person.objects.filter(candidacies__dialogue=dialogue)),
        "party_id": first(Party.objects.filter(dialogue=dialogue)),
        "invitation_id": first(RoleInvitation.objects.filter(dialogue=dialogue)),
        "membership_id": first(Membership.objects.filter(dialogue=dialogue)),
        "delegation_id": delegation.pk,
        "seat_id": first(DelegationMember.objects.filter(delegation=delegation)),
        "venue_id": first(Venue.objects.filter(dialogue=dialogue)),
        "item_id": first(AgendaItem.objects.filter(meeting=session)),
        "participant_id": first(MeetingParticipant.objects.filter(meeting=session)),
        "entry_id": first(DirectoryEntry.objects.filter(dialogue=dialogue)),
        "mailbox_id": first(Mailbox.objects.filter(dialogue=dialogue), "mailbox_id"),
        "envelope_id": first(Envelope.objects.filter(mailbox__dialogue=dialogue), "envelope_id"),
        "statement_id": first(Statement.objects.filter(meeting=session, status="accepted")),
        "caucus statement_id": first(
            CaucusStatement.objects.filter(caucus__meeting=session, caucus__delegation=delegation)
        ),
        "note_id": first(RecordNote.objects.filter(version__meeting=session)),
        "caucus note_id": first(
            CaucusNote.objects.filter(caucus__meeting=session, caucus__delegation=delegation)
        ),
        "poll_id": first(
            CaucusPoll.objects.filter(caucus__meeting=session, caucus__delegation=delegation)
        ),
        "document_id": first(OutcomeDocument.objects.filter(dialogue=dialogue)),
        "amendment_id": first(
            Amendment.objects.filter(document__dialogue=dialogue, status="pending")
        ),
        "paragraph_key": "hotline",
        "recommendation_id": first(Recommendation.objects.filter(dialogue=dialogue)),
        "survey_id": first(Survey.objects.filter(dialogue=dialogue, is_open=True)),
    }
