"""`track2 destroy-key DIALOGUE --by EMAIL`: ask for, or (as a second convener) confirm, the
irreversible destruction of a dialogue's pseudonym key."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from track2.access import NotFound
from track2.accounts.models import User
from track2.errors import ActionRefused
from track2.operations import actions
from track2.operations.models import KeyDestruction
from track2.operations.queries import backups_holding_destroyed_keys


class Command(BaseCommand):
    help = (
        "Destroy a dialogue's pseudonym key: the first convener asks, a second one confirms; "
        "afterwards no vote or statement can be linked to a person."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("dialogue", metavar="DIALOGUE", help="the dialogue's number")
        parser.add_argument(
            "--by", required=True, metavar="EMAIL", help="the e-mail of the convener acting"
        )

    def handle(self, *args, dialogue: str, by: str, **options):
        user = User.objects.filter(email__iexact=by.strip(), is_active=True).first()
        if user is None:
            raise CommandError(f"no active account has the e-mail {by!r}.")
        try:
            if KeyDestruction.objects.filter(dialogue_id=_id(dialogue)).exists():
                request = actions.check_confirm_key_destruction(user, dialogue)
                actions.do_confirm_key_destruction(user, request)
                self.stdout.write(f"The key of dialogue {dialogue} is destroyed.")
                for record, dialogue_id in backups_holding_destroyed_keys():
                    if str(dialogue_id) == str(request.dialogue_id):
                        self.stdout.write(
                            f"Keys backup {record.path} (made {record.made_at:%Y-%m-%d}) still "
                            "holds it: destroy that file and its shares."
                        )
            else:
                target = actions.check_request_key_destruction(user, dialogue)
                actions.do_request_key_destruction(user, target)
                self.stdout.write(
                    f"Asked to destroy the key of dialogue {dialogue}; a second convener confirms with "
                    f"`track2 destroy-key {dialogue} --by THEIR-EMAIL`."
                )
        except NotFound:
            raise CommandError(
                f"{by} convenes no dialogue numbered {dialogue!r}; check the number."
            ) from None
        except ActionRefused as refusal:
            raise CommandError(refusal.message) from None


def _id(value: str) -> int:
    return int(value) if value.isdigit() and len(value) < 19 else 0
