"""`track2 grant-convener EMAIL --institution NAME [--create] [--revoke]`: a site administrator
gives (or takes away) the right to convene dialogues in an institution."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from track2.errors import ActionRefused, Problems
from track2.institutions import actions


class Command(BaseCommand):
    help = (
        "Give an account the right to convene dialogues in a convening institution (site administrators "
        "only), or take it away with --revoke."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "email", help="e-mail address of the account (the person creates it first)"
        )
        parser.add_argument(
            "--institution",
            required=True,
            metavar="NAME",
            help="the convening institution's name (case does not matter)",
        )
        parser.add_argument(
            "--create",
            action="store_true",
            help="create the institution when no institution has this name",
        )
        parser.add_argument(
            "--revoke", action="store_true", help="take the right away instead of giving it"
        )

    def handle(self, *args, email: str, institution: str, create: bool, revoke: bool, **options):
        if revoke and create:
            # The conflict, and every other problem the two share (account, name), at once.
            problems = Problems()
            problems.add("--revoke and --create do not go together; use one of them.")
            problems.collect(actions.check_account, email)
            problems.collect(actions.clean_institution_name, institution)
            raise CommandError(" ".join(message for _field, message in problems.found))
        try:
            if revoke:
                still = actions.do_revoke_convener(None, email, institution)
            else:
                right = actions.do_grant_convener(None, email, institution, create=create)
        except ActionRefused as refusal:
            raise CommandError(refusal.message) from None
        if revoke:
            self.stdout.write(
                self.style.SUCCESS(
                    f"{actions.shown(email.strip())} may no longer create dialogues in "
                    f"“{actions.shown(' '.join(institution.split()))}”."
                )
            )
            if still:
                self.stdout.write(
                    "They are still a convener of: "
                    + "; ".join(still)
                    + ". Their co-conveners remove that role on each dialogue's Roles page."
                )
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"{right.user.email} may now convene dialogues in “{right.institution.name}”."
            )
        )
