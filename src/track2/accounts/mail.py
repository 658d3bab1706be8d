"""Telling an account's owner that how it signs in has changed, or that someone is trying.

A notice is sent once the change is committed (a rolled-back change tells nobody anything) and
is a notice only: a mail server that refuses it does not undo a change the person made with
their password; the failure is logged for the site's operator instead.
"""

from __future__ import annotations

import logging
import smtplib
from functools import partial

from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from track2.accounts.models import User

log = logging.getLogger(__name__)


def tell_owner(user: User, what: str, *, advice: str = "") -> None:
    """E-mail the account's owner one line saying `what` happened, with what to do if it was
    not them (`advice` replaces the usual advice when the situation needs another)."""
    context = {"what": what, "advice": advice, "at": timezone.now(), "email": user.email}
    # One line, whatever `what` holds (a newline in a subject would be a header injection).
    subject = " ".join(render_to_string("accounts/notice_subject.txt", context).split())
    body = render_to_string("accounts/notice_email.txt", context)
    transaction.on_commit(partial(_send, subject, body, user.email))


def _send(subject: str, body: str, address: str) -> None:
    try:
        send_mail(subject, body, None, [address])
    except (smtplib.SMTPException, OSError) as err:
        # Never the address or the text: the log says only that a notice was lost, and why.
        log.warning("an account notice could not be sent (%s)", err.__class__.__name__)
