"""What the route sweep (tests/test_every_route.py) works with: the world it walks, every route
Django resolves, the requests it sends, and a fingerprint of the database.

The world: one dialogue D full of content, its confidential words replaced by canaries, and the
strangers who must get nothing from it. D is the demo's Track 2 dialogue
(`track2.site.demo.build()`, about 3 s: each capability adds its part there through the real
actions, so a new kind of object usually arrives by itself), plus what the demo leaves out: a
caucus poll and statement, a record comment, an open role offer and candidate invitation (their
secrets are only ever e-mailed, so they are made here), a calendar feed, an API token and a
passkey of D's convener, a back-channel envelope.

Every free-text column of every row that belongs to D (found by following foreign keys to the
dialogue, its institution or its members' accounts) is then overwritten with a canary, a short
unique word the sweep looks for in every answer. A canary has a category, because a few answers
may show a few of them by design (the site administrator administers accounts; the public page
shows what the convener chose to publish).
"""

from __future__ import annotations

import hashlib
import importlib
import inspect
import io
import itertools
import os
import re
import secrets
import zipfile
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from html.parser import HTMLParser
from urllib.parse import urlsplit

from django.apps import apps
from django.contrib.auth.tokens import default_token_generator
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from pypdf import PdfReader

from tests.helpers import PASSWORD
from tests.template_db import demo_in_database
from track2.accounts import actions as account_actions
from track2.accounts import totp
from track2.accounts.models import Passkey, User
from track2.api.urls import api
from track2.backchannel.models import DirectoryEntry, Envelope, Mailbox
from track2.deliberation.models import Statement
from track2.dialogues import role_actions
from track2.dialogues.models import (
    Delegation,
    DelegationMember,
    Dialogue,
    Membership,
    Party,
    Role,
    Venue,
)
from track2.facilitation import caucus, record
from track2.facilitation.models import CaucusNote, RecordNote
from track2.impact.models import Recommendation, Survey
from track2.institutions.models import ConveningRight, Institution
from track2.meetings import actions as meeting_actions
from track2.meetings.models import AgendaItem, Meeting, MeetingParticipant
from track2.outcomes.models import Alternative, Amendment
from track2.people import actions as people_actions
from track2.people.models import Candidacy

BASE_URL = "http://testserver"

# --- canaries --------------------------------------------------------------------------------

# What a canary belongs to. CONTENT is the dialogue's own business: no stranger may see it.
CONTENT = "content"
# The accounts of D's members (display name, e-mail, token and passkey names): the site
# administrator administers accounts (ARCHITECTURE.md), so the admin may show them to them.
ACCOUNT = "account"
# The convening institution's name: the site administrator creates institutions; members of the
# institution's other dialogues know it; the public page shows it if the convener chose to.
INSTITUTION = "institution"
# The theme the convener published on the public page.
PUBLIC_THEME = "public theme"

CANARY = re.compile(r"kanary\d{5}z")

# Text columns nobody writes words into: identifiers, digests, keys, pseudonyms, machine words.
# Overwriting them would break the site, not test it.
NOT_FREE_TEXT = set(
    "password first_name last_name time_zone totp_secret calendar_token session_epoch prefix "
    "digest key_digest credential_id user_handle author pseudonym action object_type "
    "parent_type identity_key fingerprint mailbox_id envelope_id key_id sha256 version_sha256 "
    "paragraph_key path verifier".split()
)
# Models that hold no dialogue's words: the transparency log's hashes and signed checkpoints,
# throttling, backups, the site's identity; and Django's own tables.
NOT_DIALOGUE_DATA = {
    "backchannel.LogLeaf",
    "backchannel.LogSubtree",
    "backchannel.Checkpoint",
    "backchannel.LogHead",
    "accounts.SignInAttempt",
    "accounts.AttemptLock",
    "accounts.RecoveryCode",
    "operations.BackupRecord",
    "operations.SiteIdentity",
}
DJANGO_APPS = {"auth", "contenttypes", "sessions", "admin"}
# Free-text columns this short or shorter hold codes (a role name, a two-letter code).
SHORTEST_FREE_TEXT = 24
# Lists of words people typed (a person's languages and expertise, a caucus poll's options),
# and an outcome document's text (its sections' headings and paragraphs).
LISTS_OF_WORDS = {
    ("people.Person", "languages"),
    ("people.Person", "expertise"),
    ("facilitation.CaucusPoll", "options"),
    ("outcomes.Version", "sections"),
}


@dataclass(frozen=True)
class Canary:
    value: str  # "kanary00017z", or "kanary00017z@example.org" in an address column
    where: str  # "people.Person.full_name #12"
    category: str

    @property
    def word(self) -> str:
        return self.value.split("@")[0]

    @property
    def field(self) -> str:
        return self.where.split(" #")[0]

    def is_among(self, allowed: frozenset[str]) -> bool:
        """Whether `allowed` names its category, its field ("dialogues.Venue.name") or its
        model ("dialogues.Venue")."""
        return bool({self.category, self.field, self.field.rsplit(".", 1)[0]} & allowed)


class Canaries:
    """Unique words: `kanary00017z` occurs inside no other (fixed width, a closing letter), and
    passes HTML, JSON, CSV and URL escaping unchanged (letters and digits only)."""

    def __init__(self) -> None:
        self.planted: list[Canary] = []
        self._numbers = itertools.count(1)

    def word(self, where: str, category: str = CONTENT) -> str:
        value = f"kanary{next(self._numbers):05d}z"
        self.planted.append(Canary(value, where, category))
        return value

    def email(self, where: str, category: str = CONTENT) -> str:
        value = f"{self.word(where, category)}@example.org"
        self.planted[-1] = Canary(value, where, category)
        return value

    def found_in(self, text: str) -> list[Canary]:
        """The canaries in `text` (case folded: a page may upper-case a word)."""
        words = set(CANARY.findall(text.lower()))
        return [c for c in self.planted if c.word in words] if words else []


def readable_text(body: bytes, depth: int = 0) -> str:
    """A body as the canary search reads it: its bytes as text (a zip's member names among
    them), and, as a canary in a download is no less a leak, a zip's members (and those of a
    zip inside it, one level down) and a PDF's text, which its compressed streams hide."""
    text = body.decode("utf-8", "replace")
    if body.startswith(b"PK\x03\x04") and depth <= 1:
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            for member in archive.infolist():
                text += "\n" + readable_text(archive.read(member), depth + 1)
    elif body.startswith(b"%PDF-"):
        reader = PdfReader(io.BytesIO(body))
        text += "\n".join(page.extract_text() for page in reader.pages)
        text += "\n".join(str(value) for value in (reader.metadata or {}).values())
    return text


# --- the world -------------------------------------------------------------------------------


@dataclass
class Stranger:
    """Someone outside D the sweep sends requests as; `user` None is nobody signed in."""

    kind: str
    user: User | None
    api_token: str = ""


@dataclass
class SweepWorld:
    dialogue: Dialogue
    canaries: Canaries
    ids: dict[str, object]  # D's real ids and secrets, by name ("meeting_id", "role_secret")
    insiders: dict[str, User]  # D's members, by role
    strangers: dict[str, Stranger]
    passwords: dict[str, str]  # e-mail -> password


def build() -> SweepWorld:
    logins = demo_in_database()  # as track2.site.demo.build() makes it
    dialogue = Dialogue.objects.get(title="Varena Sea Dialogue")
    # The working session in progress: its room, floor, caucuses and record all hold something.
    meeting = Meeting.objects.get(dialogue=dialogue, title__startswith="Working session")
    users = {
        m.role: m.user
        for m in Membership.objects.filter(dialogue=dialogue).select_related("user")
        if m.user.email.endswith("@demo.track2.invalid") and "ostrava" not in m.user.email
    }
    users["participant_ostrava"] = User.objects.get(email="participant.ostrava@demo.track2.invalid")
    # The demo has two conveners: the sweep's is the first (the co-convener is a member it does
    # not sign in as).
    users[Role.CONVENER] = User.objects.get(email="convener@demo.track2.invalid")
    demo_passwords = {login.email: login.password for login in logins}
    password_of = {u.pk: demo_passwords[u.email] for u in users.values()}
    ids: dict[str, object] = {}
    _add_what_the_demo_leaves_out(dialogue, meeting, users, password_of, ids)
    _take_ids(dialogue, meeting, ids)
    canaries = Canaries()
    _plant(canaries, dialogue)
    insiders = {role: User.objects.get(pk=u.pk) for role, u in users.items()}
    # D's convener's password-reset link, made after the canaries changed the address it hashes.
    convener = insiders[Role.CONVENER]
    ids["uidb64"] = urlsafe_base64_encode(force_bytes(convener.pk))
    ids["reset_token"] = default_token_generator.make_token(convener)
    strangers = _strangers(dialogue.institution)
    passwords = {u.email: password_of[u.pk] for u in insiders.values()}  # their new addresses
    passwords |= {s.user.email: PASSWORD for s in strangers.values() if s.user is not None}
    return SweepWorld(
        dialogue=Dialogue.objects.get(pk=dialogue.pk),
        canaries=canaries,
        ids=ids,
        insiders=insiders,
        strangers=strangers,
        passwords=passwords,
    )


def _add_what_the_demo_leaves_out(dialogue, meeting, users, password_of, ids) -> None:
    d, m = dialogue.pk, meeting.pk
    convener, participant = users[Role.CONVENER], users[Role.PARTICIPANT]
    # The caucus of the participant's side: a poll answered, a statement voted on.
    seat = DelegationMember.objects.get(
        dialogue=dialogue, person__user=participant, delegation__kind=Delegation.Kind.SIDE
    )
    side = seat.delegation_id
    ids["delegation_id"], ids["seat_id"] = side, seat.pk
    ctx, question, options = caucus.check_poll(
        participant, d, m, side, "Which exercise first?", ["Search and rescue", "Hotline"]
    )
    poll = caucus.do_poll(ctx, question, options)
    caucus.do_answer(*caucus.check_answer(participant, d, m, side, poll.pk, 0))
    statement = caucus.do_statement(
        caucus.check_statement(participant, d, m, side, "The hotline can wait a round.")
    )
    caucus.do_vote(*caucus.check_vote(participant, d, m, side, statement.pk, "agree"))
    ids["poll_id"], ids["caucus_statement_id"] = poll.pk, statement.pk
    ids["caucus_note_id"] = CaucusNote.objects.get(
        caucus__meeting=meeting, caucus__delegation_id=side
    ).pk
    # A comment on the draft record.
    version, text, is_held = record.check_comment(
        participant, d, m, "The record should say the exercises came first."
    )
    record.do_comment(version, text, is_held)
    ids["record_note_id"] = RecordNote.objects.filter(version__meeting=meeting).first().pk
    # An open offer of a role and an open invitation of a candidate, with their secrets.
    invitation, link = role_actions.do_invite_to_role(
        convener, dialogue, email="offered.observer@example.org", role=Role.OBSERVER,
        base_url=BASE_URL,
    )  # fmt: skip
    ids["invitation_id"], ids["role_secret"] = invitation.pk, link.rstrip("/").rsplit("/", 1)[1]
    candidacy = Candidacy.objects.filter(dialogue=dialogue, status=Candidacy.Status.INVITED).first()
    _invitation, link = people_actions.do_invite(convener, candidacy, base_url=BASE_URL)
    ids["candidate_secret"], ids["person_id"] = (
        link.rstrip("/").rsplit("/", 1)[1],
        candidacy.person_id,
    )
    # The participant's calendar feed; the convener's API token and passkey.
    ids["calendar_token"] = meeting_actions.do_issue_calendar_token(
        participant, password_of[participant.pk], "127.0.0.1"
    )
    ids["token_id"] = account_actions.do_create_api_token(convener, "convener's laptop")[1].pk
    ids["passkey_id"] = Passkey.objects.create(
        user=convener,
        name="convener's security key",
        credential_id=secrets.token_urlsafe(32),
        public_key=os.urandom(77),
        user_handle=secrets.token_urlsafe(16),
    ).pk
    # An envelope waiting in one of D's mailboxes: the relay checks its shape only on posting.
    mailbox = Mailbox.objects.filter(dialogue=dialogue).first()
    blob, day = os.urandom(1024), timezone.now().date()
    envelope = Envelope.objects.create(
        envelope_id=secrets.token_hex(16),
        mailbox=mailbox,
        ciphertext=blob,
        digest=hashlib.sha256(blob).digest(),
        posted_on=day,
        expires_on=day + timedelta(days=30),
    )
    ids["mailbox_id"], ids["envelope_id"] = mailbox.mailbox_id, envelope.envelope_id


def _take_ids(dialogue: Dialogue, meeting: Meeting, ids: dict[str, object]) -> None:
    """One real object of each other kind a path can name (an accepted statement with votes, a
    document with amendments and alternatives, an open survey)."""
    ids["dialogue_id"], ids["meeting_id"] = dialogue.pk, meeting.pk
    ids["institution_id"] = dialogue.institution_id
    ids["party_id"] = Party.objects.filter(dialogue=dialogue).first().pk
    ids["membership_id"] = (
        Membership.objects.filter(dialogue=dialogue, role=Role.OBSERVER).first().pk
    )
    ids["venue_id"] = Venue.objects.filter(dialogue=dialogue).first().pk
    ids["item_id"] = AgendaItem.objects.filter(meeting=meeting).order_by("position").first().pk
    ids["participant_id"] = MeetingParticipant.objects.filter(meeting=meeting).first().pk
    ids["statement_id"] = (
        Statement.objects.filter(meeting=meeting, status=Statement.Status.ACCEPTED)
        .order_by("pk")
        .first()
        .pk
    )
    amendment = Amendment.objects.filter(document__dialogue=dialogue).first()
    ids["document_id"], ids["amendment_id"] = amendment.document_id, amendment.pk
    ids["paragraph_key"] = (
        Alternative.objects.filter(document_id=amendment.document_id).first().paragraph_key
    )
    ids["recommendation_id"] = Recommendation.objects.filter(dialogue=dialogue).first().pk
    ids["survey_id"] = Survey.objects.filter(dialogue=dialogue, is_open=True).first().pk
    ids["entry_id"] = DirectoryEntry.objects.filter(dialogue=dialogue).first().pk
    ids["dialogue_content_type_id"] = ContentType.objects.get_for_model(Dialogue).pk
    ids["convening_right_id"] = (
        ConveningRight.objects.filter(
            institution=dialogue.institution, user__memberships__dialogue=dialogue
        )
        .order_by("pk")
        .first()
        .pk
    )


def _plant(canaries: Canaries, dialogue: Dialogue) -> None:
    """Overwrite every free-text column of every row that belongs to D with a canary (an empty
    one stays empty: some mean "none")."""
    members = set(Membership.objects.filter(dialogue=dialogue).values_list("user_id", flat=True))
    for model in apps.get_models():
        label = model._meta.label
        if label in NOT_DIALOGUE_DATA or model._meta.app_label in DJANGO_APPS:
            continue
        texts = [f for f in model._meta.concrete_fields if _is_free_text(f)]
        lists = [f for f in model._meta.concrete_fields if (label, f.name) in LISTS_OF_WORDS]
        rows = _rows_of(model, dialogue, members) if texts or lists else None
        category = _category(label)
        for row in rows or []:
            changes: dict[str, object] = {}
            for f in texts:
                where = f"{label}.{f.name} #{row.pk}"
                if not getattr(row, f.attname):
                    continue
                if isinstance(f, models.EmailField) or f.name in {"email", "sent_to"}:
                    changes[f.attname] = canaries.email(where, category)
                else:
                    changes[f.attname] = canaries.word(where, category)
            for f in lists:
                where, value = f"{label}.{f.name} #{row.pk}", getattr(row, f.attname)
                if label == "outcomes.Version":
                    changes[f.attname] = _planted_sections(canaries, where, value)
                else:
                    changes[f.attname] = [canaries.word(where, category) for _ in value]
            if changes:
                model._default_manager.filter(pk=row.pk).update(**changes)


def _category(label: str) -> str:
    if label in {"accounts.User", "accounts.ApiToken", "accounts.Passkey"}:
        return ACCOUNT
    if label == "institutions.Institution":
        return INSTITUTION
    if label == "impact.Disclosure":
        return PUBLIC_THEME
    return CONTENT


def _is_free_text(f) -> bool:
    return (
        isinstance(f, (models.CharField, models.TextField))
        and not f.choices
        and f.name not in NOT_FREE_TEXT
        and (f.max_length is None or f.max_length > SHORTEST_FREE_TEXT)
    )


def _planted_sections(canaries: Canaries, where: str, sections: list[dict]) -> list[dict]:
    """Headings and paragraphs replaced; paragraph keys and citations kept (amendments,
    alternatives and rankings name paragraphs by key). The version's SHA-256 stays as it was:
    nothing recomputes it on reading, and endorsements name it."""
    return [
        {
            **section,
            "heading": canaries.word(where),
            "paragraphs": [{**p, "text": canaries.word(where)} for p in section["paragraphs"]],
        }
        for section in sections
    ]


def _rows_of(model, dialogue: Dialogue, members: set[int]) -> list | None:
    """D's rows of `model`: those whose foreign keys lead to D, else to its institution (the
    people directory), else directly to one of its members (their accounts, tokens, passkeys);
    None if the model leads to none of them."""
    if model is Dialogue:
        return list(Dialogue.objects.filter(pk=dialogue.pk))
    if model is Institution:
        return list(Institution.objects.filter(pk=dialogue.institution_id))
    if model is User:
        return list(User.objects.filter(pk__in=members))
    if (path := _path_to(model, Dialogue)) is not None:
        return list(model._default_manager.filter(**{path: dialogue.pk}))
    if (path := _path_to(model, Institution)) is not None:
        return list(model._default_manager.filter(**{path: dialogue.institution_id}))
    owner = [f.name for f in model._meta.concrete_fields if f.related_model is User]
    if owner:
        return list(model._default_manager.filter(**{f"{owner[0]}__in": members}))
    return None


def _path_to(model, target) -> str | None:
    """The shortest lookup (`meeting__dialogue`) from `model` to `target` through foreign keys,
    never through an account (a row is not D's because one of D's members wrote it)."""
    queue, seen = deque([(model, "")]), {model}
    while queue:
        current, path = queue.popleft()
        for f in current._meta.concrete_fields:
            if not f.is_relation or f.related_model is None or f.related_model is User:
                continue
            lookup = f"{path}__{f.name}" if path else f.name
            if f.related_model is target:
                return lookup
            if f.related_model not in seen:
                seen.add(f.related_model)
                queue.append((f.related_model, lookup))
    return None


def _strangers(institution: Institution) -> dict[str, Stranger]:
    """Nobody; an account with no role anywhere; a convener (who may convene in D's institution)
    and a participant of another dialogue of D's institution; a convener of a dialogue of another
    institution; the site administrator (with a second factor), each with an API token."""

    def account(email: str, name: str) -> User:
        return User.objects.create_user(email=email, password=PASSWORD, display_name=name)

    elsewhere = Dialogue.objects.create(title="Harbour Talks", institution=institution)
    near_convener = account("near.convener@example.org", "Near Convener")
    near_participant = account("near.participant@example.org", "Near Participant")
    ConveningRight.objects.create(institution=institution, user=near_convener)
    Membership.objects.create(dialogue=elsewhere, user=near_convener, role=Role.CONVENER)
    Membership.objects.create(dialogue=elsewhere, user=near_participant, role=Role.PARTICIPANT)
    foreign = Institution.objects.create(name="Foreign Foundation")
    far_convener = account("far.convener@example.org", "Far Convener")
    ConveningRight.objects.create(institution=foreign, user=far_convener)
    Membership.objects.create(
        dialogue=Dialogue.objects.create(title="Foreign Talks", institution=foreign),
        user=far_convener,
        role=Role.CONVENER,
    )
    admin = User.objects.create_superuser(
        email="site.admin@example.org", password=PASSWORD, display_name="Site Administrator"
    )
    admin.totp_secret = totp.new_secret()
    admin.save(update_fields=["totp_secret"])
    found = {
        "nobody": None,
        "outsider": account("outsider@example.org", "Out Sider"),
        "institution convener": near_convener,
        "institution participant": near_participant,
        "other institution convener": far_convener,
        "site administrator": admin,
    }
    return {
        kind: Stranger(
            kind,
            user,
            account_actions.do_create_api_token(user, "route sweep")[0] if user else "",
        )
        for kind, user in found.items()
    }


# --- the routes ------------------------------------------------------------------------------

API_PREFIX = "api/v1/"
ROUTE_PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
REGEX_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>")


@dataclass(frozen=True)
class Route:
    pattern: str  # as Django resolves it: "dialogues/<int:dialogue_id>/roles/"
    parts: tuple  # the pattern objects from the root URLconf down to the view
    view: str  # "track2.dialogues.views.roles"
    api_methods: tuple[str, ...] = ()  # an API path's declared methods; () for a page

    @property
    def is_api(self) -> bool:
        return self.pattern.startswith(API_PREFIX)

    @property
    def params(self) -> list[str]:
        names: list[str] = []
        for part in self.parts:
            if isinstance(part, RoutePattern):
                names += [m["name"] for m in ROUTE_PARAM.finditer(str(part))]
            else:
                names += [m["name"] for m in REGEX_GROUP.finditer(part.regex.pattern)]
        return names


def every_route() -> list[Route]:
    """Every URL pattern the resolver knows, includes followed. django-ninja adds one pattern
    per operation, all with the path's view: one Route per API path, with its methods."""
    found: dict[str, Route] = {}

    def walk(resolver: URLResolver, parents: tuple) -> None:
        for entry in resolver.url_patterns:
            parts = (*parents, entry.pattern)
            if isinstance(entry, URLResolver):
                walk(entry, parts)
                continue
            assert isinstance(entry, URLPattern)  # noqa: S101  (a resolver holds only these)
            pattern = "".join(str(p) for p in parts)
            if pattern not in found:
                found[pattern] = Route(
                    pattern,
                    parts,
                    _view_name(entry.callback),
                    _declared_methods(entry.callback) if pattern.startswith(API_PREFIX) else (),
                )

    walk(get_resolver(), ())
    return list(found.values())


def _view_name(callback) -> str:
    """ "track2.dialogues.views.roles"; for an API path, its operations' handlers."""
    if handlers := [op.view_func for op in _operations(callback)]:
        return ", ".join(f"{h.__module__}.{h.__name__}" for h in handlers)
    inner = getattr(callback, "view_class", None) or getattr(callback, "func", None) or callback
    return f"{inner.__module__}.{getattr(inner, '__name__', type(inner).__name__)}"


def _operations(callback) -> list:
    """A django-ninja path's operations: its view closes over its PathView (as
    track2.api.urls._reads_only reads it; tests/api/test_reading.py guards that)."""
    if not inspect.isfunction(callback):
        return []
    path_view = inspect.getclosurevars(callback).nonlocals.get("self")
    return list(getattr(path_view, "operations", None) or [])


def _declared_methods(callback) -> tuple[str, ...]:
    # The OpenAPI document, its page and the API's root are plain GET views.
    methods = {m for op in _operations(callback) for m in op.methods}
    return tuple(sorted(methods)) if methods else ("GET",)


def api_operations() -> set[tuple[str, str]]:
    """(path, method) of every operation, read from the API object itself."""
    operations = set()
    for bound in api._get_bound_routers():
        for path, path_view in bound.path_operations.items():
            route = "/".join(p for p in (bound.prefix.strip("/"), path.strip("/")) if p)
            route = API_PREFIX + re.sub(r"\{(?:\w+:)?(\w+)\}", r"<\1>", route)
            for operation in path_view.operations:
                operations |= {(route, m) for m in operation.methods}
    return operations


Filler = Callable[[SweepWorld, Route], list[object]]


class CannotFill(Exception):
    pass


def fill(
    world: SweepWorld, route: Route, fillers: Callable[[str, Route], Filler | None]
) -> list[str]:
    """Every concrete path of `route`: each parameter filled with each value its filler gives."""
    values: dict[str, list[object]] = {}
    for name in route.params:
        filler = fillers(name, route)
        if filler is None:
            raise CannotFill(
                f"{route.pattern} ({route.view}): the sweep cannot fill its parameter {name!r}. "
                "Give it a filler in tests/test_every_route.py (FILLERS, or VALUES_BY_VIEW for a "
                "parameter whose values depend on the view) that takes one of D's real objects "
                "(tests/route_sweep_data.py makes them)."
            )
        try:
            values[name] = filler(world, route)
        except LookupError:
            raise CannotFill(
                f"{route.pattern}: the filler of {name!r} has no value for this route; extend it "
                "in tests/test_every_route.py."
            ) from None
    combinations: list[dict[str, object]] = [{}]
    for name, options in values.items():
        combinations = [{**c, name: o} for c in combinations for o in options]
    return ["/" + "".join(_filled(part, chosen) for part in route.parts) for chosen in combinations]


def _filled(part, values: dict[str, object]) -> str:
    if isinstance(part, RoutePattern):
        return ROUTE_PARAM.sub(lambda m: str(values[m["name"]]), str(part))
    return _filled_regex(part, values)


def _filled_regex(part: RegexPattern, values: dict[str, object]) -> str:
    """A re_path's regex as a path: each named group replaced by its value, anchors dropped."""
    regex, out, i = part.regex.pattern, "", 0
    while i < len(regex):
        if group := REGEX_GROUP.match(regex, i):
            depth, i = 1, group.end()
            while depth:
                depth += {"(": 1, ")": -1}.get(regex[i], 0)
                i += 1
            out += str(values[group["name"]])
        elif regex[i] in "^$":
            i += 1
        elif regex[i] == "\\":
            out, i = out + regex[i + 1], i + 2
        else:
            out, i = out + regex[i], i + 1
    return out


# --- plausible bodies ------------------------------------------------------------------------

FORM_FILLING = {
    "email": "sweep@example.org",
    "number": "1",
    "date": date.today().isoformat(),
    "datetime-local": datetime.now().strftime("%Y-%m-%dT%H:%M"),
    "time": "10:00",
    "url": "https://example.org/sweep",
    "password": PASSWORD,  # every stranger's password: a form that asks for it again gets it
}


class Forms(HTMLParser):
    """A page's POST forms: (the path each posts to, its fields as the page would send them,
    with a plausible value in each empty text field)."""

    def __init__(self, page_path: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page_path = page_path
        self.found: list[tuple[str, dict[str, str]]] = []
        self._form: dict[str, str] | None = None
        self._action = ""
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs_list) -> None:
        attrs = {k: v or "" for k, v in attrs_list}
        if tag == "form" and attrs.get("method", "get").lower() == "post":
            self._form, self._action = {}, urlsplit(attrs.get("action") or self.page_path).path
        if self._form is None:
            return
        name = attrs.get("name", "")
        if tag == "input" and name and name != "csrfmiddlewaretoken":
            kind = attrs.get("type", "text").lower()
            if kind == "checkbox" or (
                kind == "radio" and ("checked" in attrs or name not in self._form)
            ):
                self._form[name] = attrs.get("value", "on")
            elif kind not in ("radio", "submit", "button", "file", "image", "reset"):
                self._form[name] = attrs.get("value") or FORM_FILLING.get(kind, "Sweep text")
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and self._select not in self._form:
            if attrs.get("value"):
                self._form[self._select] = attrs["value"]
        elif tag == "textarea" and name:
            self._textarea, self._form[name] = name, ""

    def handle_data(self, text: str) -> None:
        if self._form is not None and self._textarea:
            self._form[self._textarea] += text

    def handle_endtag(self, tag: str) -> None:
        if self._form is None:
            return
        if tag == "textarea" and self._textarea:
            self._form[self._textarea] = self._form[self._textarea].strip() or "Sweep text"
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "form":
            self.found.append((self._action, self._form))
            self._form = None


def without_canaries(body: dict[str, str]) -> dict[str, str]:
    """A form as a stranger would type it: D's words (prefilled for D's convener) replaced, so
    that a form shown again as typed is not taken for a leak."""
    return {
        name: ("sweep@example.org" if "@" in value else "Sweep text")
        if CANARY.search(value.lower())
        else value
        for name, value in body.items()
    }


def field_examples(forms: dict[str, dict[str, str]]) -> dict[str, str]:
    """A value D's own pages offer for each field name (a kind, a role, a status): what a string
    of that name in an API body gets."""
    examples: dict[str, str] = {}
    for body in forms.values():
        for name, value in body.items():
            if value and value not in ("Sweep text", "on"):
                examples.setdefault(name, value)
    return examples


def _openapi_operation(route: Route, method: str) -> dict:
    path = "/" + re.sub(r"<(\w+)>", r"{\1}", route.pattern)
    return api.get_openapi_schema()["paths"].get(path, {}).get(method.lower(), {})


def api_body(world: SweepWorld, route: Route, method: str, examples: dict[str, str]) -> object:
    """A body for the operation from its OpenAPI schema: every property, D's real id where one
    is named, the first of a choice, a value D's pages offer for a field of that name."""
    content = _openapi_operation(route, method).get("requestBody", {}).get("content", {})
    if "application/json" not in content:
        return None
    return _example(content["application/json"]["schema"], world.ids, examples, "", 0)


def _example(node: dict, ids: dict, examples: dict[str, str], name: str, depth: int) -> object:
    schema = api.get_openapi_schema()
    if "$ref" in node:
        target = schema
        for step in node["$ref"].lstrip("#/").split("/"):
            target = target[step]
        return _example(target, ids, examples, name, depth)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in node:
            options = [o for o in node[key] if o.get("type") != "null"] or node[key]
            return _example(options[0], ids, examples, name, depth)
    if "enum" in node:
        return node["enum"][0]
    kind = node.get("type")
    if kind == "object" or "properties" in node:
        props = node.get("properties", {}) if depth < 5 else {}
        return {p: _example(sub, ids, examples, p, depth + 1) for p, sub in props.items()}
    if kind == "array":
        return (
            [_example(node.get("items", {}), ids, examples, name, depth + 1)] if depth < 5 else []
        )
    if kind == "integer":
        return ids[name] if isinstance(ids.get(name), int) else 1
    if kind == "number":
        return 1
    if kind == "boolean":
        return True
    if node.get("format") == "date":
        return date.today().isoformat()
    if node.get("format") == "date-time":
        return datetime.now().isoformat()
    if "email" in name:
        return "sweep@example.org"
    if name in ids:
        return str(ids[name])
    return examples.get(name, "Sweep text")


def query_variants(route: Route) -> list[str]:
    """For an API GET with a choice in its query (an export's `format`), one query per choice."""
    if "GET" not in route.api_methods:
        return [""]
    for parameter in _openapi_operation(route, "GET").get("parameters", []):
        choices = parameter.get("schema", {}).get("enum")
        if parameter.get("in") == "query" and choices:
            return [f"?{parameter['name']}={choice}" for choice in choices]
    return [""]


def module_values(module: str, name: str) -> Filler:
    """A filler giving each value a module's collection holds (each act of a view, each format)."""

    def values(_world: SweepWorld, _route: Route) -> list[object]:
        return sorted(getattr(importlib.import_module(module), name))

    return values


# --- the database, before and after ----------------------------------------------------------


def snapshot(skips: dict[str, set[str] | None]) -> dict[str, int]:
    """Every table's rows, hashed; a table `skips` maps to None is left out, and of the others
    the columns it names."""
    tables: dict[str, int] = {}
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            skipped = skips.get(table, set())
            if skipped is None:
                continue
            # The columns from a query: Django's SQLite introspection cannot parse some of the
            # tables' definitions.
            cursor.execute(f"SELECT * FROM {quote(table)} WHERE 1 = 0")  # noqa: S608  (names the database gave)
            columns = ", ".join(quote(c[0]) for c in cursor.description if c[0] not in skipped)
            cursor.execute(f"SELECT {columns} FROM {quote(table)}")  # noqa: S608  (names the database gave)
            tables[table] = hash(tuple(sorted(repr(row) for row in cursor.fetchall())))
    return tables


def changed(before: dict[str, int], after: dict[str, int]) -> list[str]:
    return sorted(t for t in before.keys() | after.keys() if before.get(t) != after.get(t))
