"""The outbox: outgoing mail kept as private files when no mail server is configured.

Printing mail to the server's output (Django's console backend) puts working invitation and
password-reset links wherever that output goes — a terminal scrollback, journald, a CI log.
Here each message is one `.eml` file, readable by the site's own user only, in a folder only
that user can open; an administrator forwards or opens them by hand until SMTP is set up.
"""

from __future__ import annotations

import os
import secrets
import stat
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone


def prepare_outbox(folder: Path) -> Path:
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    # A folder made earlier (by hand, or under a looser umask) is made private too.
    if stat.S_IMODE(folder.stat().st_mode) != 0o700:
        folder.chmod(0o700)
    return folder


class OutboxBackend(BaseEmailBackend):
    def __init__(self, *args, file_path: str | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.folder = Path(file_path or settings.EMAIL_FILE_PATH)

    def send_messages(self, email_messages) -> int:
        if not email_messages:
            return 0
        try:
            prepare_outbox(self.folder)
        except OSError:
            if not self.fail_silently:
                raise
            return 0
        written = 0
        for message in email_messages:
            name = f"{timezone.now():%Y%m%d-%H%M%S}-{secrets.token_hex(4)}.eml"
            # O_EXCL with mode 0600: the file is never readable by others, not even for a moment.
            try:
                fd = os.open(self.folder / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "wb") as handle:
                    handle.write(message.message().as_bytes(linesep="\n"))
            except OSError:
                if not self.fail_silently:
                    raise
                continue
            written += 1
        return written


def prune(folder: Path, older_than: datetime) -> int:
    """Delete the messages written before `older_than`; how many. A message outlives every link it
    carries by then, and it names people (an invitation, a dialogue's title) who may since have
    been erased from the site: the outbox must not keep what the database no longer does."""
    if not folder.is_dir():
        return 0
    deleted = 0
    cutoff = older_than.timestamp()
    for message in folder.glob("*.eml"):
        try:
            if message.is_file() and message.stat().st_mtime < cutoff:
                message.unlink()
                deleted += 1
        except FileNotFoundError:
            continue  # taken away meanwhile (an administrator forwarding it by hand)
    return deleted
