"""Checks of single values, shared by the hand forms, the roster importer and the API.

Each returns the cleaned value or raises ActionRefused naming the field and what to write.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from track2 import validation as admissible
from track2.dialogues.models import Role
from track2.errors import ActionRefused
from track2.people.models import Gender, Sector

# Free text that may span lines; every other text field is one line (track2.validation).
MULTILINE = frozenset({"risk_notes", "notes"})
TEXT_LIMITS = {
    "full_name": 200,
    "pronouns": 40,
    "country": 100,
    "phone": 50,
    "organisation": 200,
    "position": 200,
    "nominated_by": 200,
}
MAX_TAGS = 30
# Person.email is an EmailField (254 characters), the longest address SMTP carries (RFC 5321
# §4.5.3.1.3 with its errata).
EMAIL_LIMIT = 254


def role_label(value: str) -> str:
    """The role's name for people (the stored value when an administrator set an unknown one)."""
    return str(Role(value).label) if value in Role.values else value


def clean_text(value, field: str, label: str, *, required: bool) -> str:
    text = (value or "").strip() if isinstance(value, str) or value is None else str(value).strip()
    admissible.check_text(text, field, multiline=field in MULTILINE)
    if required and not text:
        raise ActionRefused(_("%(label)s is required.") % {"label": label}, field=field)
    limit = TEXT_LIMITS.get(field)
    if limit and len(text) > limit:
        raise ActionRefused(
            _("%(label)s is too long: at most %(limit)d characters.")
            % {"label": label, "limit": limit},
            field=field,
        )
    return text


def clean_email(value) -> str:
    email = (value or "").strip()
    if not email:
        raise ActionRefused(
            _("An e-mail address is required: invitations are sent to it."), field="email"
        )
    # Django's validator lets control characters through inside a quoted local part
    # ("a\x07b"@example.org) and admits 320 characters, more than the column holds.
    admissible.check_text(email, "email")
    if len(email) > EMAIL_LIMIT:
        raise ActionRefused(
            _(
                "An e-mail address has at most %(limit)d characters; this one has %(count)d. "
                "Check that only the address was pasted."
            )
            % {"limit": EMAIL_LIMIT, "count": len(email)},
            field="email",
        )
    try:
        validate_email(email)
    except ValidationError:
        raise ActionRefused(
            _("“%(email)s” is not a valid e-mail address; write it like name@example.org.")
            % {"email": email},
            field="email",
        ) from None
    return email


def clean_sector(value) -> str:
    raw = (value or "").strip()
    for code, label in Sector.choices:
        if raw.lower() in (code, str(label).lower()):
            return code
    raise ActionRefused(
        _("“%(value)s” is not a known sector. Use one of: %(choices)s.")
        % {"value": raw, "choices": ", ".join(Sector.values)},
        field="sector",
    )


def clean_gender(value) -> str:
    raw = (value or "").strip()
    if not raw:
        return ""
    for code, label in Gender.choices:
        if code and raw.lower() in (code, str(label).lower()):
            return code
    raise ActionRefused(
        _("“%(value)s” is not a known gender value. Leave it empty, or use one of: %(choices)s.")
        % {"value": raw, "choices": ", ".join(v for v in Gender.values if v)},
        field="gender",
    )


def clean_role(value) -> str:
    raw = (value or "participant").strip().lower()
    if raw not in Role.values:
        raise ActionRefused(
            _("“%(value)s” is not a role. Use one of: %(choices)s.")
            % {"value": raw, "choices": ", ".join(Role.values)},
            field="role",
        )
    return raw


def clean_tags(value, field: str) -> list[str]:
    """A list of short tags from a list or a string separated by semicolons or commas."""
    if value is None:
        return []
    if isinstance(value, str):
        parts = re.split(r"[;,]", value)
    else:
        parts = [str(item) for item in value]
    tags: list[str] = []
    for part in parts:
        tag = part.strip()
        admissible.check_text(tag, field)
        if len(tag) > 80:
            raise ActionRefused(
                _("Each entry must be under 80 characters: “%(tag)s…”.") % {"tag": tag[:30]},
                field=field,
            )
        if tag and tag.lower() not in (t.lower() for t in tags):
            tags.append(tag)
    if len(tags) > MAX_TAGS:
        raise ActionRefused(
            _("At most %(max)d entries, please; keep the most relevant.") % {"max": MAX_TAGS},
            field=field,
        )
    return tags
