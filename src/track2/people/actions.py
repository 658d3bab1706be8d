"""Every write about people and candidacies: `check_*` validates, `do_*` writes (STYLE.md §1).

The `do_*` functions assume the caller has already loaded the dialogue or candidacy through
`track2.access` (so `by` may convene). Each raises `ActionRefused` with a message that says
what was wrong and what to do, and writes nothing when it refuses.

Candidacy life cycle (every step is a CandidacyStep with who and when):

    nominated → vetted → invited → confirmed | declined
    (any open state) → withdrawn;  withdrawn | declined → nominated (again)
"""

from __future__ import annotations

import hashlib
import re
import secrets
import smtplib
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from track2.audit import record as audit
from track2.dialogues.actions import do_seat_in_delegation
from track2.dialogues.models import Delegation, DelegationMember, Dialogue, Membership
from track2.editable import Editable, apply_update
from track2.errors import ActionRefused, Problems
from track2.institutions.actions import check_may_take_role
from track2.people.eligibility import check_eligible
from track2.people.models import (
    Affiliation,
    Candidacy,
    CandidacyStep,
    Invitation,
    Person,
    Sector,
)
from track2.people.validation import (
    clean_email,
    clean_gender,
    clean_role,
    clean_sector,
    clean_tags,
    clean_text,
    role_label,
)

Status = Candidacy.Status

# One declaration of what a convener edits: the shared directory entry (PERSON) and the person's
# way into one dialogue (CANDIDACY). The forms, the API's In/Patch schemas and do_update_person
# take their fields from here (track2.editable).
PERSON = Editable(
    Person,
    (
        "full_name",
        "email",
        "pronouns",
        "sector",
        "country",
        "languages",
        "expertise",
        "phone",
        "gender",
    ),
)
CANDIDACY = Editable(Candidacy, ("role", "delegation", "risk_notes"))
# Profile fields a caller may pass to do_add_person besides the required ones: the entry's optional
# fields, "risk_notes" for the new candidacy (they are per dialogue), and "organisation" and
# "position", which become an Affiliation.
PROFILE_FIELDS = (frozenset(PERSON) - {"full_name", "email", "sector", "country"}) | {
    "risk_notes",
    "organisation",
    "position",
}
LIST_FIELDS = ("languages", "expertise")

# An invitation secret is secrets.token_urlsafe(32): 43 characters of the URL-safe alphabet.
SECRET_PATTERN = re.compile(r"^[A-Za-z0-9_-]{43}$")

# Candidacies in these states are "open": the person is (or may become) part of the dialogue.
OPEN_STATES = frozenset({Status.NOMINATED, Status.VETTED, Status.INVITED, Status.CONFIRMED})


# --- adding and nominating people ---------------------------------------------------------


def invitation_days() -> int:
    return int(settings.TRACK2_INVITATION_DAYS)


def check_delegation(dialogue: Dialogue, delegation) -> Delegation | None:
    if delegation is None or delegation == "":
        return None
    if not isinstance(delegation, Delegation) or delegation.dialogue_id != dialogue.pk:
        raise ActionRefused(_("That delegation is not part of this dialogue."), field="delegation")
    return delegation


def find_in_directory(institution, email) -> Person | None:
    """The entry with this address in the institution's directory. Other institutions'
    directories are never searched: an address known elsewhere is simply not found."""
    try:
        address = clean_email(email)
    except ActionRefused:
        # No entry holds an address that is not one, and the lookup would hand the database what
        # it cannot take: NUL in text on PostgreSQL, a LIKE pattern past 50,000 bytes on SQLite.
        return None
    return Person.objects.filter(institution=institution, email__iexact=address).first()


def check_email_free(
    email: str,
    *,
    institution,
    except_person: Person | None = None,
    dialogue: Dialogue | None = None,
) -> None:
    existing = Person.objects.filter(institution=institution, email__iexact=email.strip())
    if except_person is not None:
        existing = existing.exclude(pk=except_person.pk)
    if dialogue is not None and existing.filter(candidacies__dialogue=dialogue).exists():
        raise ActionRefused(
            _(
                "Someone with the e-mail address %(email)s is already a candidate in this dialogue; open their "
                "page in the people list instead of adding them again."
            )
            % {"email": email},
            field="email",
        )
    if existing.exists():
        raise ActionRefused(
            _(
                "Someone with the e-mail address %(email)s is already in the people directory of "
                "%(institution)s, so a second entry would be a duplicate. Nominate the existing person to this dialogue instead."
            )
            % {"email": email, "institution": institution.name},
            field="email",
        )


def check_add_person(
    dialogue: Dialogue,
    *,
    full_name,
    email,
    sector,
    country,
    nominated_by,
    role="participant",
    delegation=None,
    **profile,
) -> dict:
    """Validate everything needed to add a new person to `dialogue`; return cleaned values.
    Every problem is found before refusing, so a form shows them all at once."""
    unknown = set(profile) - PROFILE_FIELDS
    if unknown:
        raise TypeError(f"unknown profile fields: {sorted(unknown)}")
    problems = Problems()

    def clean(check, *args, **kwargs):
        try:
            return check(*args, **kwargs)
        except ActionRefused as refusal:
            problems.add(refusal.message, refusal.field)
            return None

    values = {
        "full_name": clean(clean_text, full_name, "full_name", _("Full name"), required=True),
        "email": clean(clean_email, email),
        "sector": clean(clean_sector, sector),
        "country": clean(clean_text, country, "country", _("Country"), required=True),
        "nominated_by": clean(
            clean_text, nominated_by, "nominated_by", _("Nominated by"), required=True
        ),
        "role": clean(clean_role, role),
        "delegation": clean(check_delegation, dialogue, delegation),
        "pronouns": clean(
            clean_text, profile.get("pronouns"), "pronouns", _("Pronouns"), required=False
        ),
        "phone": clean(clean_text, profile.get("phone"), "phone", _("Phone"), required=False),
        "organisation": clean(
            clean_text,
            profile.get("organisation"),
            "organisation",
            _("Organisation"),
            required=False,
        ),
        "position": clean(
            clean_text, profile.get("position"), "position", _("Position"), required=False
        ),
        "gender": clean(clean_gender, profile.get("gender")),
        "risk_notes": clean(
            clean_text, profile.get("risk_notes"), "risk_notes", _("Risk notes"), required=False
        ),
        "languages": clean(clean_tags, profile.get("languages"), "languages"),
        "expertise": clean(clean_tags, profile.get("expertise"), "expertise"),
    }
    if values["position"] and not values["organisation"] and not problems.has("organisation"):
        problems.add(
            _("A position needs an organisation; add the organisation too."), "organisation"
        )
    if values["email"]:
        clean(
            check_email_free, values["email"], institution=dialogue.institution, dialogue=dialogue
        )
    if values["sector"]:
        try:
            check_eligible(
                Person(full_name=values["full_name"] or "", sector=values["sector"]), dialogue
            )
        except ActionRefused as refusal:
            # For a new person the sector is what makes them ineligible: mark that field.
            problems.add(refusal.message, "sector")
    problems.raise_any()
    return values


def _record(
    candidacy: Candidacy, status: str, by, *, vouched_by: str = "", notes: str = ""
) -> CandidacyStep:
    return CandidacyStep.objects.create(
        candidacy=candidacy,
        status=status,
        by=by if by is not None and by.is_authenticated else None,
        vouched_by=vouched_by,
        notes=notes,
    )


@transaction.atomic
def do_add_person(
    by,
    dialogue: Dialogue,
    *,
    full_name,
    email,
    sector,
    country,
    nominated_by,
    role="participant",
    delegation=None,
    **profile,
) -> Candidacy:
    """Create a Person and nominate them to `dialogue` (recorded as the first step)."""
    values = check_add_person(
        dialogue,
        full_name=full_name,
        email=email,
        sector=sector,
        country=country,
        nominated_by=nominated_by,
        role=role,
        delegation=delegation,
        **profile,
    )
    try:
        with transaction.atomic():
            person = Person.objects.create(
                institution=dialogue.institution,
                full_name=values["full_name"],
                email=values["email"],
                sector=values["sector"],
                country=values["country"],
                pronouns=values["pronouns"],
                phone=values["phone"],
                gender=values["gender"],
                languages=values["languages"],
                expertise=values["expertise"],
                added_by=by,
            )
    except IntegrityError:
        # Someone added the same e-mail between our check and our insert.
        raise ActionRefused(
            _(
                "Someone with the e-mail address %(email)s was just added to the directory. "
                "Nominate the existing person instead."
            )
            % {"email": values["email"]},
            field="email",
        ) from None
    if values["organisation"]:
        Affiliation.objects.create(
            person=person,
            organisation=values["organisation"],
            position=values["position"],
            is_current=True,
        )
    candidacy = Candidacy.objects.create(
        dialogue=dialogue,
        person=person,
        role=values["role"],
        delegation=values["delegation"],
        nominated_by=values["nominated_by"],
        risk_notes=values["risk_notes"],
        status=Status.NOMINATED,
    )
    _record(
        candidacy,
        Status.NOMINATED,
        by,
        notes=_("Nominated by %(who)s.") % {"who": values["nominated_by"]},
    )
    audit.record(by, "add", person, dialogue=dialogue, fields=[k for k, v in values.items() if v])
    return candidacy


def check_nominate_existing(
    dialogue: Dialogue, person: Person, *, nominated_by, role, delegation
) -> dict:
    if person.institution_id != dialogue.institution_id:
        # Callers find people through find_in_directory; this guards every other path.
        raise ActionRefused(
            _(
                "Nobody with this e-mail address is in this institution's people directory; add "
                "the person with the full form instead."
            ),
            field="email",
        )
    # Every problem at once, so that a form shows a missing nominator with an address already nominated.
    problems = Problems()
    values = {
        "nominated_by": problems.collect(
            lambda: clean_text(nominated_by, "nominated_by", _("Nominated by"), required=True)
        ),
        "role": problems.collect(clean_role, role),
        "delegation": problems.collect(check_delegation, dialogue, delegation),
    }
    if Candidacy.objects.filter(dialogue=dialogue, person=person).exists():
        problems.add(
            _(
                "%(name)s is already a candidate in this dialogue; open their page to continue the vetting."
            )
            % {"name": person.full_name},
            "email",
        )
    else:
        problems.collect(check_eligible, person, dialogue)
    problems.raise_any()
    return values


@transaction.atomic
def do_nominate_existing(
    by, dialogue: Dialogue, person: Person, *, nominated_by, role="participant", delegation=None
) -> Candidacy:
    """Nominate a person who is already in the directory (found by e-mail) to `dialogue`.

    The new candidacy starts without risk notes: notes written in other dialogues stay there."""
    values = check_nominate_existing(
        dialogue, person, nominated_by=nominated_by, role=role, delegation=delegation
    )
    try:
        with transaction.atomic():
            candidacy = Candidacy.objects.create(
                dialogue=dialogue, person=person, status=Status.NOMINATED, **values
            )
    except IntegrityError:
        raise ActionRefused(
            _("%(name)s was just nominated to this dialogue by someone else.")
            % {"name": person.full_name},
            field="email",
        ) from None
    _record(
        candidacy,
        Status.NOMINATED,
        by,
        notes=_("Nominated by %(who)s.") % {"who": values["nominated_by"]},
    )
    audit.record(by, "nominate", candidacy, fields=[k for k, v in values.items() if v])
    return candidacy


def check_nominate_by_email(dialogue: Dialogue, email) -> Person:
    """The entry of the dialogue's institution's directory with this address, or a refusal that
    says the same whether or not the address is known in another institution."""
    address = clean_email(email)
    person = find_in_directory(dialogue.institution, address)
    if person is None:
        raise ActionRefused(
            _(
                "Nobody with this e-mail address is in the people directory of %(institution)s. Add the person "
                "with the full form instead."
            )
            % {"institution": dialogue.institution.name},
            field="email",
        )
    return person


def check_nominate(
    dialogue: Dialogue, *, email, nominated_by, role="participant", delegation=None
) -> None:
    """Every rule of nominating by e-mail, checked before acting (for a form)."""
    person = check_nominate_by_email(dialogue, email)
    check_nominate_existing(
        dialogue, person, nominated_by=nominated_by, role=role, delegation=delegation
    )


@transaction.atomic
def do_nominate_by_email(
    by, dialogue: Dialogue, *, email, nominated_by, role="participant", delegation=None
) -> Candidacy:
    person = check_nominate_by_email(dialogue, email)
    return do_nominate_existing(
        by, dialogue, person, nominated_by=nominated_by, role=role, delegation=delegation
    )


def check_update_person(person: Person, changes: dict) -> dict:
    """Validate a partial update of a person's profile; return cleaned values."""
    PERSON.refuse_unknown(changes)
    labels = {
        "full_name": _("Full name"),
        "country": _("Country"),
        "pronouns": _("Pronouns"),
        "phone": _("Phone"),
    }
    cleaned: dict = {}
    for name, value in changes.items():
        if name in labels:
            cleaned[name] = clean_text(
                value, name, labels[name], required=name in ("full_name", "country")
            )
        elif name == "email":
            cleaned[name] = clean_email(value)
            if cleaned[name].lower() == person.email.lower():
                continue
            if person.user_id is not None:
                # The address of someone with an account is theirs: a convener must not be able to
                # redirect their mail (or their next invitation) elsewhere.
                raise ActionRefused(
                    _(
                        "%(name)s has an account, and the directory keeps the address of that account (%(email)s); "
                        "only they can change it, signed in."
                    )
                    % {"name": person.full_name, "email": person.email},
                    field="email",
                )
            check_email_free(cleaned[name], institution=person.institution, except_person=person)
        elif name == "sector":
            cleaned[name] = clean_sector(value)
        elif name == "gender":
            cleaned[name] = clean_gender(value)
        elif name in LIST_FIELDS:
            cleaned[name] = clean_tags(value, name)
    if (
        cleaned.get("sector") == Sector.SERVING_OFFICIAL
        and person.sector != Sector.SERVING_OFFICIAL
    ):
        track2 = Candidacy.objects.filter(
            person=person, status__in=OPEN_STATES, dialogue__track=Dialogue.Track.TRACK_2
        ).exists()
        if track2:
            raise ActionRefused(
                _(
                    "%(name)s takes part in a Track 2 dialogue, which is for unofficial participants only, so the "
                    "sector cannot become “serving official”. Withdraw the candidacy first if they have taken office."
                )
                % {"name": person.full_name},
                field="sector",
            )
    return cleaned


# An invitation goes to the address the person was vetted with: after a change of address these
# candidacies go back to "nominated" (to be vetted again) and their open links stop working.
REVET_STATES = frozenset({Status.VETTED, Status.INVITED})


def _send_back_to_vetting(by, person: Person, old_email: str, new_email: str) -> list[Candidacy]:
    now = timezone.now()
    returned = []
    for candidacy in Candidacy.objects.select_for_update(of=("self",)).filter(
        person=person, status__in=REVET_STATES
    ):
        candidacy.invitations.filter(used_at__isnull=True, revoked_at__isnull=True).update(
            revoked_at=now
        )
        candidacy.status = Status.NOMINATED
        candidacy.save(update_fields=["status"])
        _record(
            candidacy,
            Status.NOMINATED,
            by,
            notes=_(
                "E-mail address changed from %(old)s to %(new)s: back to nominated, to be vetted again before an "
                "invitation; any open invitation link stopped working."
            )
            % {"old": old_email, "new": new_email},
        )
        returned.append(candidacy)
    return returned


@transaction.atomic
def do_update_person(by, person: Person, **changes) -> Person:
    cleaned = check_update_person(person, changes)
    old_email = person.email
    if "email" in cleaned and cleaned["email"].lower() != old_email.lower():
        _send_back_to_vetting(by, person, old_email, cleaned["email"])
    try:
        with transaction.atomic():
            # Checked above against the entry as it was (its address, its sector); nothing left.
            return apply_update(by, person, cleaned, editable=PERSON, check=None)
    except IntegrityError:
        raise ActionRefused(
            _("That e-mail address was just given to another person in the directory."),
            field="email",
        ) from None


def check_affiliations(rows: list[dict]) -> list[dict]:
    cleaned = []
    this_year = timezone.now().year
    for number, row in enumerate(rows, start=1):
        organisation = clean_text(
            row.get("organisation"), "organisation", _("Organisation"), required=False
        )
        position = clean_text(row.get("position"), "position", _("Position"), required=False)
        until_year = row.get("until_year")
        is_current = bool(row.get("is_current"))
        if not organisation:
            if position or until_year:
                raise ActionRefused(
                    _("Affiliation %(n)d has no organisation; add one or clear the row.")
                    % {"n": number},
                    field="affiliations",
                )
            continue
        if until_year not in (None, ""):
            try:
                until_year = int(until_year)
            except (TypeError, ValueError):
                raise ActionRefused(
                    _("Affiliation %(n)d: “until” must be a year like 2019.") % {"n": number},
                    field="affiliations",
                ) from None
            if not 1900 <= until_year <= this_year + 1:
                raise ActionRefused(
                    _("Affiliation %(n)d: %(year)d is not a plausible year.")
                    % {"n": number, "year": until_year},
                    field="affiliations",
                )
            if is_current:
                raise ActionRefused(
                    _(
                        "Affiliation %(n)d is marked current but has an end year; untick “current” or clear the year."
                    )
                    % {"n": number},
                    field="affiliations",
                )
        else:
            until_year = None
        cleaned.append(
            {
                "organisation": organisation,
                "position": position,
                "is_current": is_current,
                "until_year": until_year,
            }
        )
    return cleaned


@transaction.atomic
def do_set_affiliations(by, person: Person, rows: list[dict]) -> list[Affiliation]:
    """Replace the person's affiliations with `rows` (organisation, position, is_current, until_year)."""
    cleaned = check_affiliations(rows)
    person.affiliations.all().delete()
    audit.record(by, "update", person, fields=["affiliations"])
    return [Affiliation.objects.create(person=person, **row) for row in cleaned]


# --- the vetting and invitation workflow --------------------------------------------------


def check_vet(candidacy: Candidacy, *, vouched_by) -> str:
    # Every problem at once: a missing voucher and a candidacy that cannot be vetted.
    problems = Problems()
    vouched = problems.collect(
        lambda: clean_text(vouched_by, "vouched_by", _("Vouched for by"), required=True)
    )
    if candidacy.status != Status.NOMINATED:
        problems.add(
            _("Only a nominated person can be vetted; %(name)s is %(status)s.")
            % {"name": candidacy.person.full_name, "status": candidacy.get_status_display()}
        )
    else:
        problems.collect(check_eligible, candidacy.person, candidacy.dialogue)
    problems.raise_any()
    return vouched


@transaction.atomic
def do_vet(by, candidacy: Candidacy, *, vouched_by, notes="") -> Candidacy:
    """Record that the person is vetted: who vouched for them, with notes."""
    candidacy = _locked(candidacy)
    vouched = check_vet(candidacy, vouched_by=vouched_by)
    candidacy.status = Status.VETTED
    candidacy.save(update_fields=["status"])
    _record(candidacy, Status.VETTED, by, vouched_by=vouched, notes=(notes or "").strip())
    audit.record(by, "vet", candidacy, fields=["status"])
    return candidacy


def check_invite(candidacy: Candidacy, *, base_url: str) -> None:
    if candidacy.status not in (Status.VETTED, Status.INVITED):
        if candidacy.status == Status.NOMINATED:
            message = _(
                "%(name)s has not been vetted yet. Record who vouched for them first, then invite."
            )
        else:
            message = _("%(name)s cannot be invited: the candidacy is %(status)s.")
        raise ActionRefused(
            message % {"name": candidacy.person.full_name, "status": candidacy.get_status_display()}
        )
    if not base_url.startswith(("http://", "https://")):
        raise ValueError(f"base_url must be an absolute http(s) URL, not {base_url!r}")
    check_eligible(candidacy.person, candidacy.dialogue)


def invitation_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


@transaction.atomic
def do_invite(by, candidacy: Candidacy, *, base_url: str) -> tuple[Invitation, str]:
    """Send a one-time invitation link by e-mail; any earlier link stops working.

    Only the SHA-256 of the secret is stored. Returns the invitation and the link."""
    candidacy = _locked(candidacy)
    check_invite(candidacy, base_url=base_url)
    now = timezone.now()
    candidacy.invitations.filter(used_at__isnull=True, revoked_at__isnull=True).update(
        revoked_at=now
    )
    secret = secrets.token_urlsafe(32)
    days = invitation_days()
    person = candidacy.person
    invitation = Invitation.objects.create(
        candidacy=candidacy,
        digest=invitation_digest(secret),
        sent_to=person.email,
        sent_by=by if by is not None and by.is_authenticated else None,
        expires_at=now + timedelta(days=days),
    )
    reinvite = candidacy.status == Status.INVITED
    candidacy.status = Status.INVITED
    candidacy.save(update_fields=["status"])
    _record(
        candidacy,
        Status.INVITED,
        by,
        notes=(
            _("Invitation sent again to %(email)s; the earlier link no longer works.")
            if reinvite
            else _("Invitation sent to %(email)s.")
        )
        % {"email": person.email},
    )
    link = base_url.rstrip("/") + reverse("people:invitation", args=[secret])
    context = {
        "person": person,
        "dialogue": candidacy.dialogue,
        "role": role_label(candidacy.role),
        "link": link,
        "expires_at": invitation.expires_at,
        "days": days,
        "institution": candidacy.dialogue.institution.name,
    }
    # One line, whatever the dialogue's title contains (a newline would be a header injection).
    subject = " ".join(render_to_string("people/invitation_subject.txt", context).split())
    body = render_to_string("people/invitation_email.txt", context)
    # Sent inside the transaction: if the mail server refuses, nothing is recorded and the
    # convener is told, instead of a history saying "sent" for a mail that never left.
    try:
        send_mail(subject, body, None, [person.email])
    except (smtplib.SMTPException, OSError) as err:
        raise ActionRefused(
            _(
                "The invitation e-mail to %(email)s could not be sent (%(error)s), so nothing was changed. "
                "Check the site's mail settings (TRACK2_EMAIL_URL) and try again."
            )
            % {"email": person.email, "error": err.__class__.__name__}
        ) from None
    audit.record(by, "invite", candidacy, fields=["status"])
    return invitation, link


def do_invite_all_vetted(
    by, dialogue: Dialogue, *, base_url: str
) -> tuple[list[Invitation], list[str]]:
    """Invite every vetted candidate not yet invited. Each invitation is its own transaction (an
    e-mail once sent cannot be taken back); returns the invitations and a message per failure."""
    sent: list[Invitation] = []
    failures: list[str] = []
    for candidacy in Candidacy.objects.filter(
        dialogue=dialogue, status=Status.VETTED
    ).select_related("person"):
        try:
            sent.append(do_invite(by, candidacy, base_url=base_url)[0])
        except ActionRefused as refusal:
            failures.append(refusal.message)
    return sent, failures


def check_withdraw(candidacy: Candidacy) -> None:
    if candidacy.status not in OPEN_STATES:
        raise ActionRefused(
            _("%(name)s's candidacy is already %(status)s.")
            % {"name": candidacy.person.full_name, "status": candidacy.get_status_display()}
        )


@transaction.atomic
def do_withdraw(by, candidacy: Candidacy, notes="") -> Candidacy:
    """Withdraw a candidacy: open invitation links stop working, the person loses any delegation
    seat in this dialogue and, if they had accepted, the role this candidacy gave them."""
    candidacy = _locked(candidacy)
    check_withdraw(candidacy)
    now = timezone.now()
    candidacy.invitations.filter(used_at__isnull=True, revoked_at__isnull=True).update(
        revoked_at=now
    )
    person = candidacy.person
    if candidacy.status == Status.CONFIRMED and person.user_id is not None:
        Membership.objects.filter(
            dialogue=candidacy.dialogue, user_id=person.user_id, role=candidacy.role
        ).delete()
    # A withdrawn person sits in no delegation of the dialogue, however they were seated.
    DelegationMember.objects.filter(dialogue=candidacy.dialogue, person=person).delete()
    candidacy.status = Status.WITHDRAWN
    candidacy.save(update_fields=["status"])
    _record(candidacy, Status.WITHDRAWN, by, notes=(notes or "").strip())
    audit.record(by, "withdraw", candidacy, fields=["status"])
    return candidacy


def check_renominate(candidacy: Candidacy, *, nominated_by) -> str:
    problems = Problems()
    who = problems.collect(
        lambda: clean_text(nominated_by, "nominated_by", _("Nominated by"), required=True)
    )
    if candidacy.status not in (Status.WITHDRAWN, Status.DECLINED):
        problems.add(
            _(
                "Only a withdrawn or declined candidacy can be nominated again; %(name)s is %(status)s."
            )
            % {"name": candidacy.person.full_name, "status": candidacy.get_status_display()}
        )
    else:
        problems.collect(check_eligible, candidacy.person, candidacy.dialogue)
    problems.raise_any()
    return who


@transaction.atomic
def do_renominate(by, candidacy: Candidacy, *, nominated_by, notes="") -> Candidacy:
    """Start a withdrawn or declined candidacy again from "nominated" (the history is kept)."""
    candidacy = _locked(candidacy)
    who = check_renominate(candidacy, nominated_by=nominated_by)
    candidacy.status = Status.NOMINATED
    candidacy.nominated_by = who
    candidacy.save(update_fields=["status", "nominated_by"])
    text = _("Nominated again by %(who)s.") % {"who": who}
    _record(candidacy, Status.NOMINATED, by, notes=f"{text} {(notes or '').strip()}".strip())
    audit.record(by, "renominate", candidacy, fields=["status", "nominated_by"])
    return candidacy


def check_update_candidacy(candidacy: Candidacy, *, role, delegation) -> dict:
    new_role = clean_role(role)
    new_delegation = check_delegation(candidacy.dialogue, delegation)
    changed = (
        new_role != candidacy.role
        or (new_delegation and new_delegation.pk) != candidacy.delegation_id
    )
    if changed and candidacy.status == Status.CONFIRMED:
        raise ActionRefused(
            _(
                "%(name)s has already accepted as %(role)s; their role and delegation are set on the dialogue's "
                "delegation page now."
            )
            % {"name": candidacy.person.full_name, "role": candidacy.role},
            field="role",
        )
    return {"role": new_role, "delegation": new_delegation}


@transaction.atomic
def do_update_candidacy(by, candidacy: Candidacy, *, role, delegation) -> Candidacy:
    """Change the role and the delegation a person is being invited to (before they accept)."""
    candidacy = _locked(candidacy)
    values = check_update_candidacy(candidacy, role=role, delegation=delegation)
    before = audit.snapshot(candidacy)
    candidacy.role = values["role"]
    candidacy.delegation = values["delegation"]
    candidacy.save(update_fields=["role", "delegation"])
    audit.record(by, "update", candidacy, fields=audit.changed(before, candidacy))
    return candidacy


@transaction.atomic
def do_set_risk_notes(by, candidacy: Candidacy, notes) -> Candidacy:
    """Replace the risk and sensitivity notes of this candidacy (this dialogue only), whatever its status."""
    candidacy = _locked(candidacy)
    candidacy.risk_notes = clean_text(notes, "risk_notes", _("Risk notes"), required=False)
    candidacy.save(update_fields=["risk_notes"])
    audit.record(by, "update", candidacy, fields=["risk_notes"])
    return candidacy


def _locked(candidacy: Candidacy) -> Candidacy:
    """Re-read the candidacy under a row lock so two conveners cannot race a transition."""
    return (
        Candidacy.objects.select_for_update(of=("self",))
        .select_related("person", "dialogue", "delegation")
        .get(pk=candidacy.pk)
    )


def check_delete_person(candidacy: Candidacy) -> None:
    """A directory entry can be deleted from a dialogue only while nothing else depends on it."""
    person = candidacy.person
    name = person.full_name
    if Candidacy.objects.filter(person=person).exclude(pk=candidacy.pk).exists():
        raise ActionRefused(
            _(
                "%(name)s's entry is shared with another dialogue, so it cannot be deleted from here. "
                "Withdraw the candidacy instead."
            )
            % {"name": name}
        )
    if person.user_id is not None or candidacy.status == Status.CONFIRMED:
        raise ActionRefused(
            _(
                "%(name)s has accepted and has an account; withdraw the candidacy instead, so the record of "
                "their participation is kept."
            )
            % {"name": name}
        )
    if person.delegation_seats.exists() or person.meeting_seats.exists():
        raise ActionRefused(
            _(
                "%(name)s is seated in a delegation or listed for a meeting; remove them there first, "
                "or withdraw the candidacy."
            )
            % {"name": name}
        )


@transaction.atomic
def do_delete_person(by, candidacy: Candidacy) -> str:
    """Delete a person entered by mistake (with candidacy, history and invitations); return the name."""
    candidacy = _locked(candidacy)
    check_delete_person(candidacy)
    name = candidacy.person.full_name
    audit.record(by, "delete", candidacy.person, dialogue=candidacy.dialogue)
    candidacy.person.delete()
    return name


# --- answering an invitation -----------------------------------------------------------


class InvitationUnusable(ActionRefused):
    """The link cannot be used. `gone` is True when it existed but expired / was used / revoked."""

    def __init__(self, message: str, *, gone: bool):
        super().__init__(message, field=None)
        self.gone = gone


def _ask_convener() -> str:
    return _("Ask the convener who invited you to send a new invitation.")


def find_invitation(secret: str, *, lock: bool = False) -> Invitation:
    """The usable invitation for this secret, or InvitationUnusable saying what happened."""
    if not isinstance(secret, str) or not SECRET_PATTERN.match(secret):
        raise InvitationUnusable(
            _(
                "This invitation link is not complete or not valid. Check that you opened the whole link "
                "from the e-mail. %(ask)s"
            )
            % {"ask": _ask_convener()},
            gone=False,
        )
    rows = Invitation.objects.select_related(
        "candidacy__person", "candidacy__dialogue", "candidacy__delegation"
    )
    if lock:
        rows = rows.select_for_update(of=("self",))
    invitation = rows.filter(digest=invitation_digest(secret)).first()
    if invitation is None:
        raise InvitationUnusable(
            _("This invitation link is not valid. %(ask)s") % {"ask": _ask_convener()}, gone=False
        )
    if invitation.used_at is not None:
        raise InvitationUnusable(
            _(
                "This invitation link has already been used, and works only once. If you accepted, sign in to "
                "see the dialogue. Otherwise: %(ask)s"
            )
            % {"ask": _ask_convener()},
            gone=True,
        )
    if invitation.revoked_at is not None:
        raise InvitationUnusable(
            _(
                "This invitation link has been replaced by a newer one or cancelled. Use the newest invitation "
                "e-mail. %(ask)s"
            )
            % {"ask": _ask_convener()},
            gone=True,
        )
    if invitation.expires_at <= timezone.now():
        raise InvitationUnusable(
            _("This invitation link expired on %(date)s. %(ask)s")
            % {
                "date": timezone.localtime(invitation.expires_at).strftime("%Y-%m-%d %H:%M %Z"),
                "ask": _ask_convener(),
            },
            gone=True,
        )
    if invitation.candidacy.status != Status.INVITED:
        raise InvitationUnusable(
            _("This invitation is no longer open (the candidacy is %(status)s). %(ask)s")
            % {"status": invitation.candidacy.get_status_display(), "ask": _ask_convener()},
            gone=True,
        )
    return invitation


def check_accept(invitation: Invitation, user) -> None:
    if user is None or not user.is_authenticated or not user.is_active:
        raise ActionRefused(_("Sign in or create an account to accept the invitation."))
    person = invitation.candidacy.person
    if person.user_id is not None and person.user_id != user.pk:
        raise ActionRefused(
            _(
                "This invitation belongs to another account. Sign out, then sign in with the account of %(email)s."
            )
            % {"email": invitation.sent_to}
        )
    if person.user_id is None:
        if user.email.lower() != invitation.sent_to.lower():
            raise ActionRefused(
                _(
                    "You are signed in as %(you)s, but this invitation was sent to %(email)s. Sign out and sign in "
                    "(or create an account) with %(email)s to accept it."
                )
                % {"you": user.email, "email": invitation.sent_to}
            )
        if Person.objects.filter(user=user).exclude(pk=person.pk).exists():
            raise ActionRefused(
                _(
                    "Your account is already linked to another entry in the people directory. "
                    "Ask the convener to merge the two entries."
                )
            )
    check_may_take_role(user, invitation.candidacy.dialogue, invitation.candidacy.role)


@transaction.atomic
def do_accept_invitation(secret: str, user) -> Candidacy:
    """Accept: link the account, give the role, seat the person in the delegation, record the
    confirmed step — all or nothing."""
    invitation = find_invitation(secret, lock=True)
    check_accept(invitation, user)
    candidacy = _locked(invitation.candidacy)
    person = candidacy.person
    if person.user_id is None:
        person.user = user
        person.save(update_fields=["user", "updated_at"])
    Membership.objects.get_or_create(dialogue=candidacy.dialogue, user=user, role=candidacy.role)
    if candidacy.delegation is not None:
        # A convener who already seated the person (in the planned delegation or, having
        # changed their mind, in another) has decided; accepting must not undo or refuse that.
        seated = DelegationMember.objects.filter(
            dialogue=candidacy.dialogue, person=person
        ).exists()
        if not seated:
            do_seat_in_delegation(user, candidacy.delegation, person)
    now = timezone.now()
    invitation.used_at = now
    invitation.save(update_fields=["used_at"])
    candidacy.status = Status.CONFIRMED
    candidacy.save(update_fields=["status"])
    _record(candidacy, Status.CONFIRMED, user, notes=_("Accepted the invitation."))
    return candidacy


def check_new_account(invitation: Invitation) -> None:
    User = get_user_model()
    if User.objects.filter(email__iexact=invitation.sent_to).exists():
        raise ActionRefused(
            _(
                "An account with %(email)s already exists. Sign in with it to accept the invitation "
                "(or reset its password if you forgot it)."
            )
            % {"email": invitation.sent_to}
        )


@transaction.atomic
def do_accept_invitation_with_new_account(secret: str, *, password: str, display_name: str = ""):
    """Create the invitee's account (with the invitation's e-mail) and accept, in one transaction.

    The password must already have passed Django's validators (the form does that)."""
    invitation = find_invitation(secret, lock=True)
    check_new_account(invitation)
    User = get_user_model()
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                email=invitation.sent_to,
                password=password,
                display_name=(display_name or "").strip()[:200]
                or invitation.candidacy.person.full_name,
            )
    except IntegrityError:
        raise ActionRefused(
            _("An account with %(email)s was just created. Sign in with it to accept.")
            % {"email": invitation.sent_to}
        ) from None
    candidacy = do_accept_invitation(secret, user)
    return user, candidacy


@transaction.atomic
def do_decline_invitation(secret: str) -> Candidacy:
    """Decline: the link is used up and the candidacy is recorded as declined."""
    invitation = find_invitation(secret, lock=True)
    candidacy = _locked(invitation.candidacy)
    invitation.used_at = timezone.now()
    invitation.save(update_fields=["used_at"])
    candidacy.status = Status.DECLINED
    candidacy.save(update_fields=["status"])
    _record(candidacy, Status.DECLINED, candidacy.person.user, notes=_("Declined the invitation."))
    return candidacy
