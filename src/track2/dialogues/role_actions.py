"""Roles are offered, never imposed: a convener invites an e-mail address to a role, and the
role exists only once the holder of that account, signed in, accepts the one-time link.

`check_*` validates and `do_*` writes (STYLE.md §1). The convener learns nothing about whether
an account with the address exists: the invitation is "sent" either way, and only the person
who opens it is told what they need (an account with that address, and for the convener role a
right to convene in the dialogue's institution).
"""

from __future__ import annotations

import hashlib
import re
import secrets
import smtplib
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from track2.audit import record as audit
from track2.dialogues.models import Dialogue, Membership, Role, RoleInvitation
from track2.errors import ActionRefused
from track2.institutions.actions import check_may_take_role
from track2.people.eligibility import check_eligible
from track2.people.models import Person
from track2.people.validation import clean_email

# secrets.token_urlsafe(32): 43 characters of the URL-safe alphabet.
SECRET_PATTERN = re.compile(r"^[A-Za-z0-9_-]{43}$")


def role_invitation_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


def open_role_invitations(dialogue: Dialogue):
    return dialogue.role_invitations.filter(
        used_at__isnull=True, revoked_at__isnull=True
    ).select_related("sent_by")


def check_invite_to_role(dialogue: Dialogue, *, email, role) -> tuple[str, str]:
    problems: list[ActionRefused] = []
    address = role_value = ""  # each is set unless a problem is recorded, and then nothing returns
    try:
        address = clean_email(email)
    except ActionRefused as refusal:
        problems.append(refusal)
    if role not in Role.values:
        problems.append(
            ActionRefused(
                _("Unknown role “%(role)s”; use one of: %(roles)s.")
                % {"role": role, "roles": ", ".join(Role.values)},
                field="role",
            )
        )
    else:
        role_value = role
    if problems:
        if len(problems) == 1:
            raise problems[0]
        raise ActionRefused(" ".join(p.message for p in problems), field=problems[0].field)
    if Membership.objects.filter(
        dialogue=dialogue, user__email__iexact=address, role=role_value
    ).exists():
        raise ActionRefused(
            _("%(email)s is already %(role)s in this dialogue.")
            % {"email": address, "role": Role(role_value).label},
            field="email",
        )
    return address, role_value


@transaction.atomic
def do_invite_to_role(
    by, dialogue: Dialogue, *, email, role, base_url: str
) -> tuple[RoleInvitation, str]:
    """E-mail a one-time link offering `role`; an earlier open offer of the same role to the same
    address stops working. Returns the invitation and the link (the link is only e-mailed)."""
    address, role = check_invite_to_role(dialogue, email=email, role=role)
    if not base_url.startswith(("http://", "https://")):
        raise ValueError(f"base_url must be an absolute http(s) URL, not {base_url!r}")
    now = timezone.now()
    open_role_invitations(dialogue).filter(sent_to__iexact=address, role=role).update(
        revoked_at=now
    )
    secret = secrets.token_urlsafe(32)
    days = int(settings.TRACK2_INVITATION_DAYS)
    invitation = RoleInvitation.objects.create(
        dialogue=dialogue,
        role=role,
        sent_to=address,
        digest=role_invitation_digest(secret),
        sent_by=by if by is not None and by.is_authenticated else None,
        expires_at=now + timedelta(days=days),
    )
    link = base_url.rstrip("/") + reverse("dialogues:role_invitation", args=[secret])
    context = {
        "dialogue": dialogue,
        "role": Role(role).label,
        "link": link,
        "expires_at": invitation.expires_at,
        "days": days,
        "institution": dialogue.institution.name,
        "by": by,
    }
    subject = " ".join(render_to_string("dialogues/role_invitation_subject.txt", context).split())
    body = render_to_string("dialogues/role_invitation_email.txt", context)
    try:
        send_mail(subject, body, None, [address])
    except (smtplib.SMTPException, OSError) as err:
        raise ActionRefused(
            _(
                "The invitation e-mail to %(email)s could not be sent (%(error)s), so nothing was changed. "
                "Check the site's mail settings (TRACK2_EMAIL_URL) and try again."
            )
            % {"email": address, "error": err.__class__.__name__}
        ) from None
    audit.record(by, "invite", invitation, fields=["role", "sent_to"])
    return invitation, link


@transaction.atomic
def do_cancel_role_invitation(by, invitation: RoleInvitation) -> None:
    if not invitation.is_open:
        raise ActionRefused(_("This invitation is no longer open; nothing to cancel."))
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    audit.record(by, "cancel", invitation, fields=["revoked_at"])


class RoleInvitationUnusable(ActionRefused):
    """The link cannot be used; `gone` when it existed but expired, was used or cancelled."""

    def __init__(self, message: str, *, gone: bool):
        super().__init__(message, field=None)
        self.gone = gone


def find_role_invitation(secret, *, lock: bool = False) -> RoleInvitation:
    ask = _("Ask the dialogue's convener to invite you again.")
    if not isinstance(secret, str) or not SECRET_PATTERN.match(secret):
        raise RoleInvitationUnusable(
            _(
                "This invitation link is not complete or not valid. Check that you opened the whole link from the "
                "e-mail. %(ask)s"
            )
            % {"ask": ask},
            gone=False,
        )
    rows = RoleInvitation.objects.select_related("dialogue__institution", "sent_by")
    if lock:
        rows = rows.select_for_update(of=("self",))
    invitation = rows.filter(digest=role_invitation_digest(secret)).first()
    if invitation is None:
        raise RoleInvitationUnusable(
            _("This invitation link is not valid. %(ask)s") % {"ask": ask}, gone=False
        )
    if invitation.used_at is not None:
        raise RoleInvitationUnusable(
            _("This invitation link has already been used, and works only once. %(ask)s")
            % {"ask": ask},
            gone=True,
        )
    if invitation.revoked_at is not None:
        raise RoleInvitationUnusable(
            _("This invitation was cancelled or replaced by a newer one. %(ask)s") % {"ask": ask},
            gone=True,
        )
    if invitation.expires_at <= timezone.now():
        raise RoleInvitationUnusable(
            _("This invitation link expired on %(date)s. %(ask)s")
            % {
                "date": timezone.localtime(invitation.expires_at).strftime("%Y-%m-%d %H:%M %Z"),
                "ask": ask,
            },
            gone=True,
        )
    return invitation


def check_accept_role(invitation: RoleInvitation, user) -> None:
    if user is None or not user.is_authenticated or not user.is_active:
        raise ActionRefused(
            _("Sign in with the account of %(email)s to accept this role.")
            % {"email": invitation.sent_to}
        )
    if user.email.lower() != invitation.sent_to.lower():
        raise ActionRefused(
            _(
                "This invitation is for the account of %(email)s, and you are signed in as %(you)s. Sign out, then "
                "sign in as %(email)s to accept it."
            )
            % {"email": invitation.sent_to, "you": user.email}
        )
    dialogue = invitation.dialogue
    check_may_take_role(user, dialogue, invitation.role)
    person = Person.objects.filter(user=user).first()
    if person is not None:
        check_eligible(person, dialogue)


@transaction.atomic
def do_accept_role(secret, user) -> Membership:
    invitation = find_role_invitation(secret, lock=True)
    check_accept_role(invitation, user)
    try:
        with transaction.atomic():
            membership, _created = Membership.objects.get_or_create(
                dialogue=invitation.dialogue, user=user, role=invitation.role
            )
    except IntegrityError:
        membership = Membership.objects.get(
            dialogue=invitation.dialogue, user=user, role=invitation.role
        )
    invitation.used_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["used_at", "accepted_by"])
    return membership


@transaction.atomic
def do_decline_role(secret, user) -> RoleInvitation:
    """Only the invited account may decline (anyone else holding the link is refused)."""
    invitation = find_role_invitation(secret, lock=True)
    if (
        user is None
        or not user.is_authenticated
        or user.email.lower() != invitation.sent_to.lower()
    ):
        raise ActionRefused(
            _("Sign in as %(email)s to decline this invitation.") % {"email": invitation.sent_to}
        )
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    return invitation
