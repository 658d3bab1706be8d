"""`track2 retention DIALOGUE --by EMAIL …`: show or set what happens to a dialogue's content
when its meetings or the dialogue close."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from track2.access import NotFound, access_dialogue
from track2.accounts.models import User
from track2.errors import ActionRefused
from track2.operations import actions
from track2.operations.actions import MAX_RETENTION_DAYS
from track2.operations.models import RetentionPolicy


class Command(BaseCommand):
    help = "Show or set a dialogue's retention policy (keep aggregates only, delete content after N days, destroy its key)."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("dialogue", metavar="DIALOGUE", help="the dialogue's number")
        parser.add_argument("--by", required=True, metavar="EMAIL", help="the convener's e-mail")
        parser.add_argument(
            "--on-meeting-close",
            choices=RetentionPolicy.OnClose.values,
            help="keep the content, or keep aggregates only, when a meeting ends",
        )
        parser.add_argument(
            "--delete-after-days",
            metavar="N",
            help="delete the content N days after the dialogue closes ('never' to keep it)",
        )
        parser.add_argument(
            "--destroy-key-on-close",
            choices=["yes", "no"],
            help="ask two conveners to destroy the key when the dialogue closes",
        )

    def handle(self, *args, dialogue, by, on_meeting_close, delete_after_days, **options):
        # Every wrong option at once: the account, the dialogue it convenes, the days.
        problems = []
        user = User.objects.filter(email__iexact=by.strip(), is_active=True).first()
        target = None
        if user is None:
            problems.append(f"no active account has the e-mail {by!r}.")
        else:
            try:
                target = access_dialogue(user, dialogue, need="convener").dialogue
            except NotFound:
                problems.append(f"{by} convenes no dialogue numbered {dialogue!r}.")
        days: int | None = None
        if delete_after_days is not None:
            raw = delete_after_days.strip()
            number = raw.removeprefix("-")
            if raw == "never":
                pass
            elif not (number.isascii() and number.isdigit()):
                problems.append(
                    f"--delete-after-days {delete_after_days!r} is not a number of days; use e.g. 30 or never."
                )
            elif raw.startswith("-") or len(number) > 6 or int(number) > MAX_RETENTION_DAYS:
                # a number, out of range (the length first: int() refuses past 4300 digits)
                problems.append(
                    f"--delete-after-days {raw[:20]}{'…' if len(raw) > 20 else ''} is out of range: "
                    f"give a number of days from 0 to {MAX_RETENTION_DAYS}, or never."
                )
            else:
                days = int(number)
        if problems or user is None or target is None:
            raise CommandError(" ".join(problems))
        current = RetentionPolicy.objects.filter(dialogue=target).first() or RetentionPolicy(
            dialogue=target
        )
        fields = {
            "on_meeting_close": on_meeting_close or current.on_meeting_close,
            "delete_content_after_days": current.delete_content_after_days,
            "destroy_key_on_close": current.destroy_key_on_close,
        }
        if delete_after_days is not None:
            fields["delete_content_after_days"] = days
        if options["destroy_key_on_close"]:
            fields["destroy_key_on_close"] = options["destroy_key_on_close"] == "yes"
        changing = (
            on_meeting_close or delete_after_days is not None or options["destroy_key_on_close"]
        )
        if changing:
            try:
                actions.check_set_retention(user, dialogue, **fields)
            except ActionRefused as refusal:
                raise CommandError(
                    "; ".join(f"{f or 'policy'}: {m}" for f, m in refusal.problems)
                ) from None
            actions.do_set_retention(user, target, **fields)
        days = fields["delete_content_after_days"]
        self.stdout.write(
            f"Dialogue {target.pk}: when a meeting closes, {fields['on_meeting_close']}; content "
            f"{'kept' if days is None else f'deleted {days} days after the dialogue closes'}; key "
            f"{'destroyed on close (two conveners confirm)' if fields['destroy_key_on_close'] else 'kept'}."
        )
