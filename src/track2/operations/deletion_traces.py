"""What a deleted dialogue would leave outside its own rows, and how each goes.

- A roster file previewed for it and kept in a convener's session (people/roster_preview.py):
  taken out of every session, in the deletion's transaction.
- A venue of its list that a meeting of another dialogue still uses (an upgraded site's shared
  venues; meetings protect their venue): handed to that dialogue, which lists it already
  (access/venues.py), as migration dialogues 0004 handed venues out.
- Mail about it kept in the outbox (invitations, meeting notices, the deletion's own notices):
  deleted after the commit — a message that links to one of its pages or invitations, or names
  it. Mail that left through a mail server is beyond the site's reach.
- Its rooms' copies in the memory of every server process (the map's engine state, the notes of
  votes): dropped after the commit, on hearing the deletion's `live.votes_gone_topic` of each
  meeting (this process at once; the others through LISTEN/NOTIFY on PostgreSQL). A process that
  missed it drops a copy nobody read for ten minutes (map_data.IDLE_SECONDS); no read reaches
  one, since every read of the room is refused first.
- Its rows in SQLite's write-ahead log: the log is emptied after the commit, as housekeeping does.

Its pseudonym key's tombstone stays under TRACK2_HOME/keys on purpose (keyring.py): the number
is never given a key again. The one institution-level audit entry that records the deletion is
also how operations know, later, which numbers were deleted (`deleted_dialogues`).
"""

from __future__ import annotations

import email
import email.policy
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.urls import reverse

from track2.audit.models import AuditEntry
from track2.config import OUTBOX_BACKEND
from track2.dialogues.models import Dialogue, RoleInvitation, Venue
from track2.meetings.models import Meeting
from track2.operations import databases
from track2.operations.checks import KEY_FILE
from track2.operations.two_conveners import fold_spaces
from track2.people import roster_preview
from track2.people.actions import invitation_digest
from track2.people.models import Invitation


@dataclass(frozen=True)
class Traces:
    """What is needed after the commit, read before the dialogue's rows go."""

    dialogue_id: int
    title: str
    # The digests of its invitation links (to a role, to take part): mail that carries one of
    # them is about the dialogue, whatever the dialogue was called when it was sent.
    link_digests: frozenset[str] = frozenset()

    @classmethod
    def of(cls, dialogue: Dialogue) -> Traces:
        digests = set(
            RoleInvitation.objects.filter(dialogue=dialogue).values_list("digest", flat=True)
        )
        digests |= set(
            Invitation.objects.filter(candidacy__dialogue=dialogue).values_list("digest", flat=True)
        )
        return cls(dialogue.pk, dialogue.title, frozenset(digests))

    def forget(self) -> None:
        purge_outbox(self.dialogue_id, self.title, self.link_digests)
        databases.forget_deleted_pages()


def drop_roster_previews(dialogue_id: int) -> int:
    """Take the dialogue's roster previews out of every session, expired ones too (housekeeping
    deletes those later); how many sessions held one."""
    dropped = 0
    for row in Session.objects.all().iterator():
        store = SessionStore(session_key=row.session_key)
        data = store.decode(row.session_data)
        held = len(data)
        roster_preview.drop(data, dialogue_id)
        if len(data) != held:
            # Written back with the same expiry: the convener stays signed in.
            row.session_data = store.encode(data)
            row.save(update_fields=["session_data"])
            dropped += 1
    return dropped


def hand_over_shared_venues(dialogue: Dialogue) -> int:
    """Each venue of the dialogue that another dialogue's meeting uses goes to the dialogue of
    the earliest such meeting; how many."""
    handed: set[int] = set()
    shared = (
        Meeting.objects.filter(venue__dialogue=dialogue)
        .exclude(dialogue=dialogue)
        .order_by("starts_at", "pk")
        .values_list("venue_id", "dialogue_id")
    )
    for venue_id, other in shared:
        if venue_id not in handed:
            Venue.objects.filter(pk=venue_id).update(dialogue_id=other)
            handed.add(venue_id)
    return len(handed)


def outbox_folders() -> list[Path]:
    """Where the site keeps mail: the configured outbox, and TRACK2_HOME/outbox, which may hold
    mail from before a mail server was set."""
    folders = [Path(settings.TRACK2_HOME) / "outbox"]
    if settings.EMAIL_BACKEND == OUTBOX_BACKEND:
        folders.append(Path(getattr(settings, "EMAIL_FILE_PATH", "")))
    return [f for f in dict.fromkeys(folders) if f.is_dir()]


def message_text(raw: bytes) -> str:
    """The subject and every text part of a kept message, decoded (quoted-printable, base64,
    encoded words), spaces folded; the raw bytes too, in case a part cannot be decoded."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    texts = [str(message.get("subject", "")), raw.decode("utf-8", "replace")]
    for part in message.walk():
        if part.get_content_maintype() == "text":
            try:
                texts.append(part.get_content())
            except (LookupError, ValueError):
                continue  # an unknown charset: the raw bytes above are searched instead
    return fold_spaces("\n".join(texts))


def _invitation_links() -> list[re.Pattern]:
    """The one-time links mail carries (to a role, to take part), their secret captured."""
    patterns = []
    for name in ("dialogues:role_invitation", "people:invitation"):
        before, after = reverse(name, args=["SECRET"]).split("SECRET")
        patterns.append(re.compile(re.escape(before) + r"([A-Za-z0-9_-]+)" + re.escape(after)))
    return patterns


def is_about(
    raw: bytes, dialogue_id: int, title: str, link_digests: frozenset[str] = frozenset()
) -> bool:
    """A message about the dialogue links to one of its pages or to one of its invitations, or
    names it as every message of the site names a dialogue: “Title” in a sentence, (Title) after
    a meeting's name."""
    text = message_text(raw)
    title = fold_spaces(title)
    markers = (f"/dialogues/{int(dialogue_id)}/", f"“{title}”", f"({title})")
    if any(marker in text for marker in markers):
        return True
    secrets = {m[1] for pattern in _invitation_links() for m in pattern.finditer(text)}
    return any(invitation_digest(secret) in link_digests for secret in secrets)


def purge_outbox(dialogue_id: int, title: str, link_digests: frozenset[str] = frozenset()) -> int:
    """Delete the kept messages about the dialogue; how many."""
    deleted = 0
    for folder in outbox_folders():
        for message in folder.glob("*.eml"):
            try:
                if is_about(message.read_bytes(), dialogue_id, title, link_digests):
                    message.unlink()
                    deleted += 1
            except FileNotFoundError:
                continue  # taken away meanwhile (an administrator forwarding it by hand)
    return deleted


# What the institution-level audit entry of a deleted dialogue says (its dialogue is None).
DELETED = {"object_type": "dialogue", "action": "delete", "parent_type": "institution"}


def deleted_dialogues() -> list[tuple[int, datetime]]:
    """(number, when) of every dialogue deleted on this site, from the institution-level audit
    entries that record them."""
    entries = AuditEntry.objects.filter(dialogue__isnull=True, object_id__isnull=False, **DELETED)
    return [
        (number, at) for number, at in entries.values_list("object_id", "at") if number is not None
    ]


def highest_number_ever() -> int:
    """The highest dialogue number this site gave, deleted ones included: from the deletions'
    audit entries and the key files and tombstones under TRACK2_HOME/keys (a number that had a
    key must never be given to another dialogue: its tombstone would refuse it one)."""
    numbers = [number for number, _at in deleted_dialogues()]
    keys = Path(settings.TRACK2_HOME) / "keys"
    if keys.is_dir():
        numbers += [int(m[1]) for p in keys.iterdir() if (m := KEY_FILE.match(p.name))]
    return max(numbers, default=0)
