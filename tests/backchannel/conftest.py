"""The dialogue world of tests/dialogues with keys, and API callers: a member's token, or a
mailbox's tokens with no session at all."""

from __future__ import annotations

import base64

import pytest

from tests.dialogues.conftest import signed_in, world  # the same small dialogue
from track2.accounts.actions import do_create_api_token
from track2.backchannel import addressing, crypto

__all__ = ["signed_in", "world"]


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


@pytest.fixture(autouse=True)
def _log_key_in_tmp(settings, tmp_path):
    # Each test signs checkpoints with its own key, in its own folder.
    settings.TRACK2_BACKCHANNEL_LOG_KEY = tmp_path / "keys" / "backchannel-log.key"


@pytest.fixture
def api_as(client):
    tokens: dict[int, str] = {}

    def call(user, method, path, json=None, **headers):
        kwargs = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
        if user is not None:
            if user.pk not in tokens:
                tokens[user.pk], _token = do_create_api_token(user, "tests")
            kwargs["HTTP_AUTHORIZATION"] = f"Bearer {tokens[user.pk]}"
        if json is not None or method in ("post", "put"):
            kwargs.update(data=json or {}, content_type="application/json")
        return getattr(client, method)("/api/v1/backchannel" + path, **kwargs)

    return call


@pytest.fixture
def keys():
    """One identity per name, made once per test (3 one-time prekeys keep bundles small)."""
    made: dict[str, crypto.Identity] = {}

    def of(name: str) -> crypto.Identity:
        if name not in made:
            made[name] = crypto.generate_identity(one_time_prekeys=3)
        return made[name]

    return of


@pytest.fixture
def publish(api_as, world):
    def run(user, identity, label: str = ""):
        body = {"bundle": b64(identity.bundle().to_bytes())}
        if label:
            body["contact_label"] = label
        response = api_as(user, "post", f"/dialogues/{world.dialogue.pk}/directory", body)
        assert response.status_code == 201, response.content
        return response.json()

    return run


@pytest.fixture
def open_box(api_as, world):
    def run(user, sender, recipient) -> addressing.MailboxAddress:
        address = addressing.mailbox(
            sender, recipient.bundle(), str(world.dialogue.pk), i_send=True
        )
        response = api_as(
            user,
            "put",
            f"/dialogues/{world.dialogue.pk}/mailboxes/{address.mailbox_id}",
            {
                "delivery_token_hash": address.delivery_token_hash,
                "read_token_hash": address.read_token_hash,
            },
        )
        assert response.status_code == 200, response.content
        return address

    return run


def seal_for(world, sender, recipient, address, text: bytes) -> bytes:
    return crypto.seal(
        text,
        sender=sender,
        recipient=recipient.bundle(),
        context=crypto.Context(str(world.dialogue.pk), address.mailbox_id),
    )
