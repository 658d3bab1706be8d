"""The client's side of the HTTP API: one method per route, JSON in and out, errors in words.

Directory reads are signed with the caller's identity key (`Track2-Key-Signature`), so a
correspondent without an account (an offline contact) reads the same way as a member; publishing
and opening mailboxes need a member's personal API token.
"""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime

from track2.backchannel.addressing import MailboxAddress, split_address
from track2.backchannel.crypto import Identity

READ_DIRECTORY = b"track2/backchannel/v1/read-directory\x00"
PAGE = 500


class SiteError(Exception):
    """The site refused, or could not be reached; the message says which and why."""

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


# How a request reaches the site: (method, URL, JSON body or None, headers) → (status, body).
Transport = Callable[[str, str, bytes | None, dict[str, str]], tuple[int, bytes]]


def over_http(
    method: str, url: str, data: bytes | None, headers: dict[str, str]
) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=data, method=method.upper(), headers=headers)  # noqa: S310  (http(s) only, checked by Site)
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:  # noqa: S310
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read() or b""
    except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
        reason = getattr(error, "reason", error)
        site = url.split("/api/v1/", 1)[0]
        raise SiteError(
            f"Cannot reach {site} ({reason}); check the address and that the site is running."
        ) from None


class Site:
    def __init__(
        self,
        base_url: str,
        *,
        api_token: str | None,
        identity: Identity | None,
        transport: Transport = over_http,
    ):
        parts = urllib.parse.urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise SiteError(
                f"{base_url!r} is not a site address; give e.g. https://track2.example.org"
            )
        self.base = base_url.rstrip("/") + "/api/v1/backchannel"
        self.api_token = api_token
        self.identity = identity
        self.transport = transport

    # --- transport ---------------------------------------------------------------------------

    def _call(self, method: str, path: str, body: dict | None = None, headers: dict | None = None):
        data = json.dumps(body).encode("utf-8") if body is not None else None
        sent = {"Accept": "application/json", **(headers or {})}
        if data is not None:
            sent["Content-Type"] = "application/json"
        status, raw = self.transport(method, self.base + path, data, sent)
        if status >= 400:
            raise SiteError(self._refusal(status, raw), status)
        return json.loads(raw) if raw else None

    @staticmethod
    def _refusal(status: int, raw: bytes) -> str:
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            body = {}
        if not isinstance(body, dict):
            body = {}
        detail = body.get("detail") or "no explanation"
        problems = [
            item.get("message") or item.get("msg")
            for item in body.get("errors") or []
            if isinstance(item, dict)
        ]
        extra = [p for p in problems if p and p != detail]
        return " ".join([f"The site answered {status}: {detail}", *extra])

    def _member(self) -> dict:
        if not self.api_token:
            raise SiteError(
                "This needs your personal API token (Account → API tokens on the site): set "
                "TRACK2_API_TOKEN or pass --token-file."
            )
        return {"Authorization": f"Bearer {self.api_token}"}

    def _reader(self) -> dict:
        if self.api_token:
            return self._member()
        if self.identity is None:
            raise SiteError("Reading the directory needs your keys or an API token.")
        day = datetime.now(UTC).date().isoformat().encode("ascii")
        return {
            "Track2-Key": self.identity.identity_key.hex(),
            "Track2-Key-Signature": _b64(self.identity.sign(READ_DIRECTORY + day)),
        }

    # --- key directory -----------------------------------------------------------------------

    def directory(self, dialogue: int) -> list[dict]:
        entries: list[dict] = []
        page = 1
        while True:
            answer = self._call(
                "get",
                f"/dialogues/{dialogue}/directory?page={page}&limit={PAGE}",
                headers=self._reader(),
            )
            entries += answer["items"]
            if len(entries) >= answer["total"] or not answer["items"]:
                return entries
            page += 1

    def publish(self, dialogue: int, bundle: bytes, contact_label: str = "") -> dict:
        body = {"bundle": _b64(bundle), "contact_label": contact_label}
        return self._call("post", f"/dialogues/{dialogue}/directory", body, self._member())

    def claim_prekey(self, dialogue: int, entry_id: int) -> bytes:
        answer = self._call(
            "post", f"/dialogues/{dialogue}/directory/{entry_id}/prekey", {}, self._reader()
        )
        return base64.b64decode(answer["bundle"])

    # --- relay -------------------------------------------------------------------------------

    def open_mailbox(self, dialogue: int, address: MailboxAddress) -> None:
        self._call(
            "put",
            f"/dialogues/{dialogue}/mailboxes/{address.mailbox_id}",
            {
                "delivery_token_hash": address.delivery_token_hash,
                "read_token_hash": address.read_token_hash,
            },
            self._reader(),  # a member's token, or an offline contact's signature
        )

    def post(self, address: str, envelope: bytes, receipt_hash: bytes | None = None) -> dict:
        mailbox_id, token = split_address(address)
        body: dict = {"envelope": _b64(envelope)}
        if receipt_hash is not None:
            body["receipt_hash"] = receipt_hash.hex()
        return self._call(
            "post",
            f"/mailboxes/{mailbox_id}/envelopes",
            body,
            {"Track2-Delivery-Token": token},
        )

    def envelopes(self, address: MailboxAddress) -> list[dict]:
        answer = self._call(
            "get",
            f"/mailboxes/{address.mailbox_id}/envelopes?limit={PAGE}",
            headers={"Track2-Read-Token": address.read_token},
        )
        return answer["items"]

    def fetch(self, address: MailboxAddress, envelope_id: str) -> bytes:
        answer = self._call(
            "get",
            f"/mailboxes/{address.mailbox_id}/envelopes/{envelope_id}",
            headers={"Track2-Read-Token": address.read_token},
        )
        return base64.b64decode(answer["envelope"])

    def acknowledge(self, address: MailboxAddress, envelope_id: str) -> None:
        self._call(
            "delete",
            f"/mailboxes/{address.mailbox_id}/envelopes/{envelope_id}",
            headers={"Track2-Read-Token": address.read_token},
        )

    # --- transparency log --------------------------------------------------------------------

    def checkpoint(self) -> dict:
        return self._call("get", "/log/checkpoint")

    def inclusion(self, leaf_hash: bytes, size: int) -> dict:
        return self._call("get", f"/log/inclusion?leaf_hash={leaf_hash.hex()}&size={size}")

    def consistency(self, old_size: int, size: int) -> dict:
        return self._call("get", f"/log/consistency?old_size={old_size}&size={size}")
