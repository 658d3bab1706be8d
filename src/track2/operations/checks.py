"""The operations app's own restore checks (registered in OperationsConfig.ready)."""

from __future__ import annotations

import re
import stat

from track2.operations.models import SiteIdentity
from track2.operations.verification import Context, register

KEY_FILE = re.compile(r"^dialogue-(\d+)\.(key|destroyed)$")
KEY_BYTES = 32


@register("site identity")
def site_identity_matches(context: Context) -> list[str]:
    """The restored site is the one the backup was made of (key shares are bound to it)."""
    ids = [str(i) for i in SiteIdentity.objects.values_list("site_id", flat=True)]
    if len(ids) != 1:
        return [f"expected one site identity, found {len(ids)}"]
    if context.contents and ids[0] != context.contents["site_id"]:
        return ["the site identity differs from the backup's"]
    return []


@register("dialogue keys")
def dialogue_keys_are_sound(context: Context) -> list[str]:
    """Every dialogue key is 32 bytes, readable by the owner only, and not beside a tombstone."""
    from track2.dialogues.models import Dialogue

    keys = context.keys_dir
    if not keys.exists():
        return []
    problems = []
    known = set(Dialogue.objects.values_list("pk", flat=True))
    for path in sorted(keys.iterdir()):
        match = KEY_FILE.match(path.name)
        if not match:
            continue
        dialogue_id, kind = int(match[1]), match[2]
        # A tombstone without its dialogue is what deleting a dialogue leaves on purpose
        # (dialogue_deletion.py): it holds no secret, and refuses that number a new key.
        if dialogue_id not in known and kind == "key":
            problems.append(f"{path.name} belongs to no dialogue of this database")
        if kind == "key":
            if path.stat().st_size != KEY_BYTES:
                problems.append(f"{path.name} is not {KEY_BYTES} bytes")
            if stat.S_IMODE(path.stat().st_mode) & 0o077:
                problems.append(f"{path.name} is readable by other users")
            if (keys / f"dialogue-{dialogue_id}.destroyed").exists():
                problems.append(f"{path.name} exists beside its destruction tombstone")
    return problems


SAMPLE = 25


@register("room pseudonyms resolve")
def room_pseudonyms_resolve(context: Context) -> list[str]:
    """A sample of each room's pseudonyms belongs to the meeting's people under the restored key.

    After `track2 restore` the keys are not back yet: a missing key is then not a problem; after
    `track2 restore-keys` (no manifest in the context) it is. Imported Pol.is consultations have
    random pseudonyms of people without accounts, and are not sampled."""
    from track2 import keyring
    from track2.deliberation.models import Room, Statement, Vote
    from track2.meetings.models import MeetingParticipant

    problems = []
    rooms = Room.objects.filter(is_consultation=False).select_related("meeting")
    for room in rooms:
        meeting = room.meeting
        stored = set(Vote.objects.filter(meeting=meeting).values_list("pseudonym", flat=True))
        stored |= set(
            Statement.objects.filter(meeting=meeting)
            .exclude(author="")
            .values_list("author", flat=True)
        )
        if not stored or keyring.is_destroyed(meeting.dialogue_id):
            continue
        try:
            keyring.dialogue_key(meeting.dialogue_id, create=False)
        except keyring.KeyMissing:
            if context.contents is None:
                problems.append(
                    f"meeting {meeting.pk} has votes but dialogue {meeting.dialogue_id} has no key"
                )
            continue
        people = MeetingParticipant.objects.filter(meeting__dialogue_id=meeting.dialogue_id)
        known = {
            keyring.pseudonym(meeting.dialogue_id, person_id)
            for person_id in people.values_list("person_id", flat=True).distinct()
        }
        sample = sorted(stored)[:SAMPLE]
        unknown = [p for p in sample if p not in known]
        if unknown:
            problems.append(
                f"{len(unknown)} of {len(sample)} sampled pseudonyms of meeting {meeting.pk} belong "
                "to nobody with the restored key: the keys do not match this database"
            )
    return problems
