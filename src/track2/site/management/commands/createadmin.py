"""`track2 createadmin`: a site administrator (Django admin) with a password asked for twice."""

from __future__ import annotations

import getpass
import sys

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email

from track2.accounts.models import User


class Command(BaseCommand):
    help = "Create a site administrator who can use the Django admin at /admin/."

    def add_arguments(self, parser):
        parser.add_argument(
            "--email", help="the administrator's e-mail address (asked for when left out)"
        )
        parser.add_argument(
            "--password-stdin",
            action="store_true",
            help="read the password from standard input (for scripts)",
        )

    def handle(self, *args, email: str | None, password_stdin: bool, **options):
        email = (email or input("E-mail address: ")).strip().lower()
        try:
            validate_email(email)
        except ValidationError:
            raise CommandError(
                f"{email!r} is not an e-mail address; use e.g. admin@example.org."
            ) from None
        if User.objects.filter(email=email).exists():
            raise CommandError(
                f"An account with {email} exists already; use `track2 changepassword {email}` to reset it."
            )
        if password_stdin:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password again: "):
                raise CommandError(
                    "The two passwords differ; nothing was created. Run the command again."
                )
        user = User(email=email)
        try:
            validate_password(password, user)
        except ValidationError as err:
            raise CommandError("Password refused: " + " ".join(err.messages)) from None
        User.objects.create_superuser(email=email, password=password)
        self.stdout.write(
            self.style.SUCCESS(f"Site administrator {email} created. Sign in at /admin/.")
        )
