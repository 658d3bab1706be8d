"""A mail backend whose server refuses every message: the one thing tests fake (it crosses the
machine's edge, STYLE.md §5)."""

import smtplib

from django.core.mail.backends.base import BaseEmailBackend


class RefusingBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise smtplib.SMTPRecipientsRefused({"x": (550, b"mailbox unavailable")})
