"""`track2 housekeeping`: apply retention and prune expired rows (from cron or a systemd timer)."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils import timezone

from track2.operations import housekeeping
from track2.operations.queries import (
    backups_holding_destroyed_keys,
    keys_in_no_backup,
    keys_warning,
)


class Command(BaseCommand):
    help = "Apply retention policies, erase expired back-channel messages, and prune expired sessions, sign-in throttle rows and invitations."
    requires_system_checks = []

    def handle(self, *args, **options):
        done = housekeeping.run(timezone.now())
        self.stdout.write(
            f"Pruned {done.sessions} expired sessions, {done.sign_in_attempts} sign-in attempts, "
            f"{done.attempt_locks} throttle locks, {done.invitations} expired invitations."
        )
        if done.messages_expired:
            self.stdout.write(
                f"Erased {done.messages_expired} expired back-channel message(s) nobody fetched."
            )
        if done.floors_closed:
            self.stdout.write(
                f"Closed the floor of {done.floors_closed} meeting(s) that ended with it open."
            )
        if done.roster_previews:
            self.stdout.write(
                f"Dropped {done.roster_previews} roster preview(s) left unconfirmed in sessions."
            )
        if done.outbox_messages:
            self.stdout.write(
                f"Deleted {done.outbox_messages} message(s) from the outbox whose links have all "
                "expired."
            )
        if not done.journal_emptied:
            self.stdout.write(
                "The database's write-ahead log could not be emptied (a long read was running): "
                "deleted content may stay in it until the next run."
            )
        for name, count in sorted(done.retention.erased.items()):
            self.stdout.write(f"Retention: {name}: {count} removed.")
        for dialogue_id in done.retention.keys_due:
            self.stdout.write(
                f"Dialogue {dialogue_id} is closed and its policy destroys its key: two of its "
                f"conveners must run `track2 destroy-key {dialogue_id} --by EMAIL`."
            )
        unsaved = keys_in_no_backup()
        if unsaved:
            self.stdout.write(keys_warning(unsaved))
        for record, dialogue_id in backups_holding_destroyed_keys():
            self.stdout.write(
                f"Keys backup {record.path} (made {record.made_at:%Y-%m-%d}) still holds the "
                f"destroyed key of dialogue {dialogue_id}: destroy that file and its shares."
            )
