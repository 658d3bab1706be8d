"""`track2 delete-dialogue DIALOGUE --by EMAIL --title TITLE`: ask for, or (as a second convener)
confirm, the deletion of a whole dialogue; `--withdraw` takes a request back."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from track2.access import NotFound
from track2.accounts.models import User
from track2.errors import ActionRefused
from track2.operations import dialogue_deletion as deletion
from track2.operations.queries import backups_holding_destroyed_keys
from track2.validation import printable


class Command(BaseCommand):
    help = (
        "Delete a whole dialogue with everything it holds: the first convener asks, a second one "
        "confirms (each typing its title); either may --withdraw the request meanwhile."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("dialogue", metavar="DIALOGUE", help="the dialogue's number")
        parser.add_argument(
            "--by", required=True, metavar="EMAIL", help="the e-mail of the convener acting"
        )
        parser.add_argument(
            "--title",
            metavar="TITLE",
            help="the dialogue's title, typed exactly: to ask, or to confirm another's request",
        )
        parser.add_argument(
            "--withdraw", action="store_true", help="withdraw the request to delete the dialogue"
        )

    def handle(self, *args, dialogue: str, by: str, title: str | None, withdraw: bool, **options):
        user = User.objects.filter(email__iexact=by.strip(), is_active=True).first()
        if user is None:
            raise CommandError(f"no active account has the e-mail {printable(by)!r}.")
        if withdraw and title is not None:
            raise CommandError("give --title to ask or confirm, or --withdraw alone; not both.")
        if not withdraw and title is None:
            raise CommandError(
                "give --title with the dialogue's title to ask or confirm, or --withdraw."
            )
        try:
            if withdraw:
                deletion.do_withdraw_deletion(
                    user, deletion.check_withdraw_deletion(user, dialogue)
                )
                self.stdout.write(f"The request to delete dialogue {dialogue} is withdrawn.")
            elif deletion.access_deletion(user, dialogue).pending is not None:
                self._confirm(user, dialogue, title)
            else:
                self._ask(user, dialogue, title)
        except NotFound:
            raise CommandError(
                f"{printable(by)} convenes no dialogue numbered {printable(dialogue)[:40]!r}; "
                "check the number."
            ) from None
        except ActionRefused as refusal:
            raise CommandError(" ".join(refusal.messages())) from None

    def _ask(self, user, dialogue: str, title: str | None) -> None:
        ctx = deletion.check_request_deletion(user, dialogue, title)
        _request, unreached = deletion.do_request_deletion(user, ctx)
        self.stdout.write(
            f"Asked to delete dialogue {ctx.dialogue.pk}; a second convener confirms with "
            f'`track2 delete-dialogue {ctx.dialogue.pk} --by THEIR-EMAIL --title "…"`, or '
            "withdraws it with --withdraw."
        )
        for problem in unreached:
            self.stdout.write(problem)

    def _confirm(self, user, dialogue: str, title: str | None) -> None:
        done = deletion.do_confirm_deletion(
            user, deletion.check_confirm_deletion(user, dialogue, title)
        )
        held = "; ".join(f"{h.count} {h.label}" for h in done.removed if h.count)
        self.stdout.write(f"Dialogue {done.dialogue_id} is deleted, with what it held: {held}.")
        for record, dialogue_id in backups_holding_destroyed_keys():
            if dialogue_id == done.dialogue_id:
                self.stdout.write(
                    f"Keys backup {record.path} (made {record.made_at:%Y-%m-%d}) still holds its "
                    "key: destroy that file and its shares."
                )
        self.stdout.write(
            "Database backups made before now still hold the dialogue: destroy them on your "
            "schedule (docs/operations.md)."
        )
