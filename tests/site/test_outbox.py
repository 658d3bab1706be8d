"""With no mail server configured, mail waits in a private outbox folder, one file per message."""

from __future__ import annotations

import email
import stat

import pytest
from django.core import mail
from django.core.mail import EmailMessage

from track2.site.outbox import OutboxBackend


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_each_message_is_one_private_file(tmp_path, settings):
    folder = tmp_path / "outbox"
    settings.EMAIL_BACKEND = "track2.site.outbox.OutboxBackend"
    settings.EMAIL_FILE_PATH = str(folder)
    sent = mail.send_mail(
        "Track2: your invitation",
        "Open https://t2.example/invitations/s3cret/",
        "track2@localhost",
        ["amina@example.org"],
    )
    mail.send_mass_mail(
        [
            ("Second", "two", "track2@localhost", ["bo@example.org"]),
            ("Third", "three", "track2@localhost", ["cy@example.org"]),
        ]
    )
    assert sent == 1
    files = sorted(folder.iterdir())
    assert len(files) == 3 and all(path.suffix == ".eml" for path in files)
    assert mode(folder) == 0o700 and all(mode(path) == 0o600 for path in files)
    parsed = [email.message_from_bytes(path.read_bytes()) for path in files]
    invitation = next(message for message in parsed if message["To"] == "amina@example.org")
    assert invitation["Subject"] == "Track2: your invitation"
    assert "invitations/s3cret/" in invitation.get_payload(decode=True).decode()


def test_a_loose_outbox_folder_is_made_private(tmp_path):
    folder = tmp_path / "outbox"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    OutboxBackend(file_path=str(folder)).send_messages(
        [EmailMessage("s", "b", "f@x.org", ["t@x.org"])]
    )
    assert mode(folder) == 0o700


def test_nothing_to_send_makes_no_folder(tmp_path):
    assert OutboxBackend(file_path=str(tmp_path / "outbox")).send_messages([]) == 0
    assert not (tmp_path / "outbox").exists()


def test_an_unwritable_outbox_fails_loudly_unless_told_otherwise(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    message = EmailMessage("s", "b", "f@x.org", ["t@x.org"])
    with pytest.raises(OSError):
        OutboxBackend(file_path=str(blocker / "outbox")).send_messages([message])
    assert (
        OutboxBackend(file_path=str(blocker / "outbox"), fail_silently=True).send_messages(
            [message]
        )
        == 0
    )
