"""The roster file between its preview and its confirmation, kept in the convener's session.

The file holds what the directory guards most closely (risk and sensitivity notes, who nominated
whom), and the session is a database row that lives 12 hours. So the file stays there only while
a confirmation can follow: not when the preview found problems (there is nothing to confirm),
not once the convener goes back to the upload page (Cancel, or another file), and never longer
than PREVIEW_LIFE — a late confirmation asks for the file again, and `track2 housekeeping` takes
stale previews out of sessions nobody came back to.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session

PREVIEW_LIFE = timedelta(minutes=15)
KEY_PREFIX = "people_roster_"


def _key(dialogue_id: int) -> str:
    return f"{KEY_PREFIX}{dialogue_id}"


def digest_of(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def keep(session, dialogue_id: int, text: str, filename: str, now: datetime) -> str:
    """Keep a previewed file that can be confirmed; return its digest (the confirm form's)."""
    digest = digest_of(text)
    session[_key(dialogue_id)] = {
        "text": text,
        "digest": digest,
        "filename": filename,
        "at": now.timestamp(),
    }
    return digest


def take(session, dialogue_id: int, digest: str | None, now: datetime) -> dict | None:
    """The kept file when `digest` names it and it is still fresh; a stale one is dropped."""
    stored = session.get(_key(dialogue_id))
    if not stored:
        return None
    if now.timestamp() - stored.get("at", 0) > PREVIEW_LIFE.total_seconds():
        drop(session, dialogue_id)
        return None
    return stored if stored.get("digest") == digest else None


def drop(session, dialogue_id: int) -> None:
    session.pop(_key(dialogue_id), None)


def sweep(now: datetime) -> int:
    """Take stale previews out of every live session (expired ones are deleted whole)."""
    oldest = now.timestamp() - PREVIEW_LIFE.total_seconds()
    swept = 0
    for row in Session.objects.filter(expire_date__gte=now).iterator():
        store = SessionStore(session_key=row.session_key)
        data = store.decode(row.session_data)
        stale = [
            k
            for k, v in data.items()
            if k.startswith(KEY_PREFIX) and isinstance(v, dict) and v.get("at", 0) < oldest
        ]
        if stale:
            for k in stale:
                del data[k]
            # Written back as it was, with the same expiry: the convener stays signed in.
            row.session_data = store.encode(data)
            row.save(update_fields=["session_data"])
            swept += len(stale)
    return swept
