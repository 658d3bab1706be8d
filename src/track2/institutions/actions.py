"""Site administration of institutions and convening rights: `check_*` validates, `do_*` writes.

Only site administrators call these (the `grant-convener` command and the admin); conveners
never create institutions or hand out the right to convene.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from track2.access.institutions import may_convene_in
from track2.accounts.models import User
from track2.dialogues.models import Membership, Role
from track2.errors import ActionRefused, Problems
from track2.institutions.models import ConveningRight, Institution

NAME_LIMIT = 200


def clean_institution_name(value) -> str:
    name = " ".join(str(value or "").split())
    if not name:
        raise ActionRefused(
            _('Name the institution, e.g. --institution "Institute for Maritime Dialogue".'),
            field="institution",
        )
    if len(name) > NAME_LIMIT:
        raise ActionRefused(
            _("An institution's name has at most %(n)d characters.") % {"n": NAME_LIMIT},
            field="institution",
        )
    if not name.isprintable() or any(0xD800 <= ord(c) <= 0xDFFF for c in name):
        raise ActionRefused(
            _("The institution's name contains control or invalid characters; type it plainly."),
            field="institution",
        )
    return name


def find_institution(name: str) -> Institution | None:
    return Institution.objects.filter(name__iexact=name).first()


def _known_names() -> str:
    names = list(Institution.objects.order_by("name").values_list("name", flat=True)[:20])
    return ", ".join(f"“{n}”" for n in names) if names else _("none yet")


def shown(value: str, limit: int = 80) -> str:
    """A value typed by someone, safe to echo in one line: control characters made visible, cut short."""
    text = "".join(c if c.isprintable() else "\ufffd" for c in value)
    return text if len(text) <= limit else text[:limit] + "…"


def check_account(email) -> User:
    address = str(email or "").strip()
    if not address:
        raise ActionRefused(
            _("Give the e-mail address of the account, e.g. ilse@example.org."), field="email"
        )
    user = (
        get_user_model().objects.filter(email__iexact=address).first()
        if len(address) <= 254 and address.isprintable()
        else None
    )
    if user is None:
        raise ActionRefused(
            _(
                "No account has the e-mail address “%(email)s”. The person creates an account first (or a site "
                "administrator runs `track2 createadmin`); then grant the right again."
            )
            % {"email": shown(address)},
            field="email",
        )
    if not user.is_active:
        raise ActionRefused(
            _("The account %(email)s is deactivated; reactivate it in the admin first.")
            % {"email": user.email},
            field="email",
        )
    return user


def check_may_take_role(user, dialogue, role: str) -> None:
    """The convener role opens the institution's directory, so taking it needs the right to convene
    there, which only a site administrator gives: one rule for role offers and candidacy invitations."""
    if role == Role.CONVENER and not may_convene_in(user, dialogue.institution):
        raise ActionRefused(
            _(
                "Conveners of this dialogue need the right to convene in “%(institution)s”, which your account does "
                "not have. Ask a site administrator to grant it (track2 grant-convener %(email)s --institution "
                '"%(institution)s"), then open this link again.'
            )
            % {"institution": dialogue.institution.name, "email": user.email}
        )


def _account_and_name(email, institution_name) -> tuple[list[str], User | None, str]:
    """The account and the institution's name of a grant or a revoke, checked together so that one
    run of the command names every problem; returns the problems found, the user and the name
    ("" when refused: a cleaned name is never empty)."""
    problems = Problems()
    user = problems.collect(check_account, email)
    name = problems.collect(clean_institution_name, institution_name) or ""
    return [message for _field, message in problems.found], user, name


@dataclass(frozen=True)
class GrantPlan:
    user: User
    name: str
    institution: Institution | None  # None: it will be created


def check_grant_convener(email, institution_name, *, create: bool = False) -> GrantPlan:
    """Everything wrong with a grant at once, as one refusal listing what to do."""
    problems, user, name = _account_and_name(email, institution_name)
    if user is not None and user.is_superuser:
        # The right opens the institution's people directory, which a site administrator never
        # sees (docs/security.md); the admin's own form refuses it too (ConveningRight.clean).
        problems.append(
            _(
                "%(email)s is a site administrator, who cannot hold a convening right: it would "
                "open the institution's people directory to them. Grant it to the convener's own "
                "account."
            )
            % {"email": user.email}
        )
    institution: Institution | None = None
    if name:
        institution = find_institution(name)
        if institution is None and not create:
            problems.append(
                _(
                    "There is no institution called “%(name)s”. Known institutions: %(known)s. Check the spelling, "
                    "or add --create to create it."
                )
                % {"name": shown(name), "known": _known_names()}
            )
    if problems or user is None:  # user is None only when check_account refused, a problem listed
        raise ActionRefused(" ".join(problems))
    if (
        institution is not None
        and ConveningRight.objects.filter(institution=institution, user=user).exists()
    ):
        raise ActionRefused(
            _("%(email)s may already convene in “%(name)s”; nothing to do.")
            % {"email": user.email, "name": institution.name}
        )
    return GrantPlan(user=user, name=name, institution=institution)


@transaction.atomic
def do_create_institution(by, name) -> Institution:
    name = clean_institution_name(name)
    if find_institution(name) is not None:
        raise ActionRefused(
            _("An institution called “%(name)s” exists already.") % {"name": name},
            field="institution",
        )
    try:
        with transaction.atomic():
            return Institution.objects.create(name=name)
    except IntegrityError:
        raise ActionRefused(
            _("An institution called “%(name)s” was just created.") % {"name": name},
            field="institution",
        ) from None


@transaction.atomic
def do_grant_convener(by, email, institution_name, *, create: bool = False) -> ConveningRight:
    plan = check_grant_convener(email, institution_name, create=create)
    institution = plan.institution or do_create_institution(by, plan.name)
    try:
        with transaction.atomic():
            return ConveningRight.objects.create(
                institution=institution,
                user=plan.user,
                granted_by=by
                if by is not None and getattr(by, "is_authenticated", False)
                else None,
            )
    except IntegrityError:
        raise ActionRefused(
            _("%(email)s was just given this right.") % {"email": plan.user.email}
        ) from None


def check_revoke_convener(email, institution_name) -> ConveningRight:
    problems, user, name = _account_and_name(email, institution_name)
    if problems or user is None:  # user is None only when check_account refused, a problem listed
        raise ActionRefused(" ".join(problems))
    institution = find_institution(name)
    if institution is None:
        raise ActionRefused(
            _("There is no institution called “%(name)s”. Known institutions: %(known)s.")
            % {"name": name, "known": _known_names()}
        )
    right = ConveningRight.objects.filter(institution=institution, user=user).first()
    if right is None:
        raise ActionRefused(
            _("%(email)s holds no right to convene in “%(name)s”; nothing to revoke.")
            % {"email": user.email, "name": institution.name}
        )
    return right


@transaction.atomic
def do_revoke_convener(by, email, institution_name) -> list[str]:
    """Take the right away; return the titles of the institution's dialogues in which the person
    still holds the convener role (their co-conveners decide about those, on the roles page)."""
    right = check_revoke_convener(email, institution_name)
    right.delete()
    return list(
        Membership.objects.filter(
            user=right.user, role=Role.CONVENER, dialogue__institution=right.institution
        )
        .order_by("dialogue__title")
        .values_list("dialogue__title", flat=True)
    )
