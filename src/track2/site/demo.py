"""The demo site: a fictional Track 2 dialogue that shows what Track2 does.

Everything here is invented. Each capability adds its part through `build()`, so that
`track2 demo` always shows the whole product. Passwords are random per demo site and
written to `demo-logins.json` (mode 0600) in the demo's own data folder, with the site
administrator's two-factor secret and recovery codes (demo credentials, printed on purpose).
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass, replace
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.test.utils import override_settings

from track2.accounts import demo as accounts
from track2.accounts.models import User
from track2.backchannel import demo as backchannel
from track2.deliberation import demo as room
from track2.dialogues import demo as convening
from track2.dialogues.models import Dialogue, Membership, Role
from track2.facilitation import demo as facilitation
from track2.impact import demo as impact
from track2.institutions.models import ConveningRight, Institution
from track2.operations import actions as operations_actions
from track2.outcomes import demo as outcomes

LOGINS_FILE = "demo-logins.json"
DEMO_INSTITUTION = "Institute for Maritime Dialogue"


@dataclass(frozen=True)
class DemoLogin:
    email: str
    password: str
    description: str
    # With two-factor sign-in on (the site administrator's account): the authenticator secret
    # (base32), its otpauth:// URI and the recovery codes; empty otherwise.
    totp_secret: str = ""
    otpauth_uri: str = ""
    recovery_codes: tuple[str, ...] = ()


# (e-mail, display name, time zone, roles, what the person is in the story)
DEMO_USERS = [
    (
        "convener@demo.track2.invalid",
        "Dr Ilse Marken",
        "Europe/Vienna",
        [Role.CONVENER],
        "convener, Institute for Maritime Dialogue",
    ),
    # A second convener, as Track 2 dialogues are often convened by two institutions: what cannot
    # be undone takes two (deleting the dialogue, destroying its pseudonym key; one asks, the
    # other confirms), so the demo shows both sides of it. Nothing is asked for when it is built:
    # no single click of a visitor deletes the demo.
    (
        "coconvener@demo.track2.invalid",
        "Dr Sigrid Haavik",
        "Europe/Oslo",
        [Role.CONVENER],
        "co-convener, Norland Centre for Ocean Governance (partner institute)",
    ),
    (
        "facilitator@demo.track2.invalid",
        "Amb. (ret.) Tomas Reyes",
        "Europe/Vienna",
        [Role.FACILITATOR],
        "lead facilitator",
    ),
    (
        "rapporteur@demo.track2.invalid",
        "Dr Noor Hadid",
        "Europe/Vienna",
        [Role.RAPPORTEUR],
        "rapporteur",
    ),
    (
        "participant@demo.track2.invalid",
        "Prof. Arin Solvei",
        "Asia/Singapore",
        [Role.PARTICIPANT],
        "participant, Northern Republic of Caldera delegation",
    ),
    (
        "participant.ostrava@demo.track2.invalid",
        "Dr Petra Novakova",
        "Europe/Warsaw",
        [Role.PARTICIPANT],
        "participant, Federation of Ostrava delegation",
    ),
    (
        "observer@demo.track2.invalid",
        "Mara Lindqvist",
        "Europe/Stockholm",
        [Role.OBSERVER],
        "observer from the funding foundation",
    ),
    (
        "liaison@demo.track2.invalid",
        "Col. (ret.) Dev Ortega",
        "Asia/Manila",
        [Role.LIAISON],
        "liaison to officials",
    ),
]


def _password() -> str:
    return "demo-" + secrets.token_urlsafe(9)


def build() -> list[DemoLogin]:
    """Create the demo's users and dialogue; return the logins to print."""
    # The demo's invitations are not real mail: keep them out of the console output.
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        return _build()


@transaction.atomic
def _build() -> list[DemoLogin]:
    # A fictional convening institution: the dialogue and its people directory are its own.
    institution = Institution.objects.create(name=DEMO_INSTITUTION)
    dialogue = Dialogue.objects.create(
        institution=institution,
        title="Varena Sea Dialogue",
        purpose=(
            "An unofficial dialogue between scholars, former officials and civil-society people of the "
            "Northern Republic of Caldera and the Federation of Ostrava on fisheries, search and rescue, "
            "and incident prevention in the disputed Varena Sea. Participants take part in a personal capacity."
        ),
        track=Dialogue.Track.TRACK_2,
        status=Dialogue.Status.ACTIVE,
        min_members_per_side=6,
        required_sectors=["academia", "former_diplomat", "civil_society"],
    )
    logins = []
    users = {}
    for email, name, zone, roles, story in DEMO_USERS:
        password = _password()
        user = User.objects.create_user(
            email=email, password=password, display_name=name, time_zone=zone
        )
        for role in roles:
            Membership.objects.create(dialogue=dialogue, user=user, role=role)
        users[email.split("@")[0]] = user
        logins.append(DemoLogin(email, password, f"{name}, {story}"))
    dialogue.created_by = users["convener"]
    dialogue.save(update_fields=["created_by"])
    # Taking the convener's role needs the right to convene in the dialogue's institution (a site
    # administrator grants it): the co-convener holds it there too, for this partnership.
    for convener in ("convener", "coconvener"):
        ConveningRight.objects.create(institution=institution, user=users[convener])
    admin_password = _password()
    admin = User.objects.create_superuser(
        email="admin@demo.track2.invalid",
        password=admin_password,
        display_name="Site administrator",
    )
    # Two-factor sign-in on one account, so that the demo shows the second sign-in step: the
    # site administrator's, the account that most needs it on a real site (docs/security.md).
    two_factor = accounts.turn_on_two_factor(admin, admin_password)
    logins.append(
        DemoLogin(
            admin.email,
            admin_password,
            "site administrator (Django admin)",
            totp_secret=two_factor.secret,
            otpauth_uri=two_factor.uri,
            recovery_codes=two_factor.recovery_codes,
        )
    )
    convening.build_convening(dialogue, users)
    backchannel.build_backchannel(dialogue, users, settings.CONFIG.home)
    room.build_room(dialogue, users)
    facilitation.build_facilitation(dialogue, users)
    # Retention (docs/operations.md): the content goes a year after the dialogue closes, and its
    # key is destroyed then (two conveners confirm); the rounds keep their content meanwhile.
    operations_actions.do_set_retention(
        users["convener"],
        dialogue,
        on_meeting_close="keep",
        delete_content_after_days=365,
        destroy_key_on_close=True,
    )
    outcomes.build_outcomes(dialogue, users)
    impact.build_impact(dialogue, users)
    return logins


def save_logins(home: Path, logins: list[DemoLogin]) -> None:
    path = home / LOGINS_FILE
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump([login.__dict__ for login in logins], handle, indent=2)


def load_logins(home: Path) -> list[DemoLogin]:
    """The logins saved when the demo site was built (a file from before two-factor was in the
    demo has no two-factor fields: the defaults)."""
    path = home / LOGINS_FILE
    if not path.exists():
        return []
    return [
        DemoLogin(**(row | {"recovery_codes": tuple(row.get("recovery_codes", ()))}))
        for row in json.loads(path.read_text())
    ]


def as_they_work_now(logins: list[DemoLogin]) -> list[DemoLogin]:
    """The saved logins of a demo site used again, with only the two-factor details that still
    sign in (someone trying the demo may have used recovery codes, moved two-factor to another
    app or turned it off)."""
    out = []
    for login in logins:
        if login.totp_secret or login.recovery_codes:
            now = accounts.still_working(
                login.email,
                accounts.DemoTwoFactor(login.totp_secret, login.otpauth_uri, login.recovery_codes),
            )
            login = replace(
                login,
                totp_secret=now.secret,
                otpauth_uri=now.uri,
                recovery_codes=now.recovery_codes,
            )
        out.append(login)
    return out


def login_lines(logins: list[DemoLogin]) -> list[str]:
    """The logins as `track2 demo` prints them: one line per login, and under an account with
    two-factor sign-in on what its second step takes."""
    width = max((len(login.email) for login in logins), default=0)
    lines = []
    for login in logins:
        lines.append(f"  {login.email:<{width}}  {login.password:<20} {login.description}")
        if not (login.totp_secret or login.recovery_codes):
            continue
        lines.append("      Two-factor sign-in is on. After the password, the second step takes:")
        if login.totp_secret:
            lines += [
                "      - the 6-digit code of an authenticator app given this secret (base32):",
                f"        {login.totp_secret}",
                "        or this link (or a QR code made of it):",
                f"        {login.otpauth_uri}",
            ]
        if login.recovery_codes:
            codes = login.recovery_codes
            lines.append("      - or a recovery code instead; each works once:")
            lines += ["        " + " ".join(codes[i : i + 5]) for i in range(0, len(codes), 5)]
        lines.append(
            "      These are demo credentials, printed on purpose: never print or share a real "
            "account's."
        )
    return lines
