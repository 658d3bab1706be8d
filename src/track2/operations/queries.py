"""Reads that `track2 check`, housekeeping and the commands share."""

from __future__ import annotations

from django.utils import timezone

from track2.operations.keychest import key_names
from track2.operations.models import BackupRecord, KeyDestruction


def last_verified_backup() -> str:
    """One line: how old the last verified database backup is (or that there is none)."""
    record = (
        BackupRecord.objects.filter(kind=BackupRecord.Kind.DATABASE, verified_at__isnull=False)
        .order_by("-made_at")
        .first()
    )
    if record is None:
        return "no verified backup yet: run `track2 backup PATH` (docs/operations.md)"
    age = timezone.now() - record.made_at
    days, hours = age.days, age.seconds // 3600
    stale = "  (older than a day: check the backup timer)" if age.days >= 1 else ""
    return f"last verified backup made {days} days {hours} h ago ({record.path}){stale}"


def keys_in_no_backup() -> list[str]:
    """Key files (relative to TRACK2_HOME/keys) that no keys backup holds. A dialogue's key is
    made when it is first needed (its first pseudonym), not when the dialogue is created, so
    "after creating a dialogue" is not when to back the keys up: this list is. A destroyed
    key's tombstone needs no backup."""
    held: set[str] = set()
    for names in BackupRecord.objects.filter(kind=BackupRecord.Kind.KEYS).values_list(
        "key_files", flat=True
    ):
        held.update(names)
    return [name for name in key_names() if name not in held and not name.endswith(".destroyed")]


def keys_warning(unsaved: list[str]) -> str:
    """What `check` and housekeeping say of keys no keys backup holds."""
    return (
        f"{len(unsaved)} key file(s) in no keys backup ({', '.join(unsaved)}): run "
        "`track2 backup-keys PATH --split 2/3` (docs/operations.md); without it a lost "
        "machine loses what those keys protect."
    )


def backups_holding_destroyed_keys() -> list[tuple[BackupRecord, int]]:
    """Keys backups made before a dialogue's key was destroyed: they still hold that key. A
    deleted dialogue's key was destroyed when it was deleted (its KeyDestruction row went with
    it; the deletion's audit entry says when)."""
    from track2.operations.deletion_traces import deleted_dialogues

    destroyed = list(
        KeyDestruction.objects.filter(destroyed_at__isnull=False).values_list(
            "dialogue_id", "destroyed_at"
        )
    )
    found = []
    for dialogue_id, destroyed_at in destroyed + deleted_dialogues():
        name = f"dialogue-{dialogue_id}.key"
        for record in BackupRecord.objects.filter(
            kind=BackupRecord.Kind.KEYS, made_at__lt=destroyed_at
        ):
            if name in record.key_files:
                found.append((record, dialogue_id))
    return found


def pending_key_destruction(dialogue) -> KeyDestruction | None:
    """A request to destroy the dialogue's key that awaits a second convener."""
    return (
        KeyDestruction.objects.filter(dialogue=dialogue, destroyed_at__isnull=True)
        .select_related("requested_by")
        .first()
    )
