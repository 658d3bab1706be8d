"""The back channel's API: the key directory (members), the blind relay (mailbox tokens, no
session), and the transparency log (public: hashes and signed checkpoints only).

The relay routes take no session, set no cookie and log nothing: the tokens in their headers
are the only thing that opens a mailbox (docs/security-model.md).
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.http import HttpRequest
from ninja import Field, Header, Query, Router, Schema, Status
from ninja.security import APIKeyHeader

from track2.access import access_dialogue
from track2.accounts.models import User
from track2.api.auth import AuthedRequest, api_auth
from track2.api.fields import BundleData, EnvelopeData, Hex64, Id, Label
from track2.api.pagination import PageQuery, page_of
from track2.backchannel import actions, log, queries, relay
from track2.disclosure.status import STATUS_LINE

router = Router(tags=["back channel"])

KEY_HEADER = "Track2-Key"
SIGNATURE_HEADER = "Track2-Key-Signature"
READ_HEADER = "Track2-Read-Token"
DELIVERY_HEADER = "Track2-Delivery-Token"


class KeyHolder(APIKeyHeader):
    """Someone in the directory without an account (an offline contact) reads it by signing the
    day with the entry's identity key: `Track2-Key` (hex) and `Track2-Key-Signature` (base64)."""

    param_name = SIGNATURE_HEADER

    def authenticate(self, request: HttpRequest, key: str | None) -> relay.KeyHolder | None:
        if not key:
            return None
        return relay.key_holder(request.headers.get(KEY_HEADER, ""), key)


directory_auth = [*api_auth, KeyHolder()]


class DirectoryRequest(HttpRequest):
    """A directory route's request: a member (token or session) or a key holder."""

    auth: User | relay.KeyHolder


def _dialogue_for(request: DirectoryRequest, dialogue_id: int):
    caller = request.auth
    if isinstance(caller, relay.KeyHolder):
        return relay.dialogue_of_holder(caller, dialogue_id)
    return access_dialogue(caller, dialogue_id, need="member").dialogue


# --- key directory ---------------------------------------------------------------------------


class EntryOut(Schema):
    id: int
    holder: str
    identity_key: str = Field(description="Ed25519 identity key, hex.")
    is_offline_contact: bool
    introduced_by: str | None
    fingerprint: str
    version: int = Field(description="Raised at every key change: compare fingerprints again.")
    published_on: date
    keys_changed_on: date | None
    one_time_prekeys_left: int
    bundle: str = Field(description="The signed bundle (fallback prekey only), base64.")


class EntryDetailOut(EntryOut):
    status_line: str


class EntryPage(Schema):
    items: list[EntryOut]
    total: int
    page: int
    limit: int
    status_line: str


class PublishIn(Schema):
    bundle: BundleData = Field(
        description="The signed public key bundle with its one-time prekeys, base64."
    )
    contact_label: Label = Field(
        "", description="Publish an offline contact's keys under this label (you vouch for them)."
    )


class PrekeyOut(Schema):
    bundle: str = Field(description="The bundle with the one-time prekey handed out, base64.")
    key_id: str | None = Field(
        description="Hex; null: none left, the bundle's fallback prekey it is."
    )


@router.get(
    "/backchannel/dialogues/{dialogue_id}/directory",
    response=EntryPage,
    auth=directory_auth,
    summary="The dialogue's key directory: holders, fingerprints, key changes",
)
def list_directory(request: DirectoryRequest, dialogue_id: Id, paging: Query[PageQuery]):
    dialogue = _dialogue_for(request, dialogue_id)
    envelope = page_of(queries.directory_of(dialogue), paging, queries.entry_out)
    return {**envelope, "status_line": STATUS_LINE}


@router.get(
    "/backchannel/dialogues/{dialogue_id}/directory/{entry_id}",
    response=EntryDetailOut,
    auth=directory_auth,
    summary="One holder's signed public key bundle",
)
def get_entry(request: DirectoryRequest, dialogue_id: Id, entry_id: Id):
    entry = queries.entry_in(_dialogue_for(request, dialogue_id), entry_id)
    return {**queries.entry_out(entry), "status_line": STATUS_LINE}


@router.post(
    "/backchannel/dialogues/{dialogue_id}/directory",
    response={201: EntryDetailOut},
    summary="Publish your signed key bundle (or an offline contact's) with one-time prekeys",
)
def publish(request: AuthedRequest, dialogue_id: Id, payload: PublishIn):
    user = request.auth
    publication = actions.check_publish(user, dialogue_id, payload.bundle, payload.contact_label)
    entry = actions.do_publish(user, publication)
    return Status(201, {**queries.entry_out(entry), "status_line": STATUS_LINE})


@router.post(
    "/backchannel/dialogues/{dialogue_id}/directory/{entry_id}/prekey",
    response=PrekeyOut,
    auth=directory_auth,
    summary="Take one of the holder's one-time prekeys (it is deleted as it is handed out)",
)
def claim_prekey(request: DirectoryRequest, dialogue_id: Id, entry_id: Id):
    entry = queries.entry_in(_dialogue_for(request, dialogue_id), entry_id)
    bundle, key_id = actions.claim_prekey(entry)
    return {"bundle": queries.b64(bundle), "key_id": key_id}


# --- mailboxes -------------------------------------------------------------------------------


class MailboxIn(Schema):
    delivery_token_hash: Hex64 = Field(description="SHA-256 of the delivery token, hex.")
    read_token_hash: Hex64 = Field(description="SHA-256 of the read token, hex.")


class MailboxOut(Schema):
    mailbox_id: str
    is_new: bool
    opened_on: date


@router.put(
    "/backchannel/dialogues/{dialogue_id}/mailboxes/{mailbox_id}",
    response=MailboxOut,
    auth=directory_auth,
    summary="Open a relationship's mailbox (idempotent; nothing records who opened it)",
)
def open_mailbox(request: DirectoryRequest, dialogue_id: Id, mailbox_id: str, payload: MailboxIn):
    opening = actions.check_open_mailbox(
        request.auth,
        dialogue_id,
        mailbox_id,
        payload.delivery_token_hash,
        payload.read_token_hash,
    )
    mailbox, created = actions.do_open_mailbox(opening)
    return {"mailbox_id": mailbox.mailbox_id, "is_new": created, "opened_on": mailbox.opened_on}


class EnvelopeIn(Schema):
    envelope: EnvelopeData
    receipt_hash: Hex64 | None = Field(
        None,
        description="An intermediary's receipt for what it forwards: its SHA-256, hex (logged).",
    )


class EnvelopeOut(Schema):
    id: str
    size: int
    sha256: str
    posted_on: date
    expires_on: date
    is_expired: bool


class EnvelopePage(Schema):
    items: list[EnvelopeOut]
    total: int
    page: int
    limit: int


class EnvelopeContent(Schema):
    id: str
    envelope: str = Field(description="The ciphertext, base64.")


@router.post(
    "/backchannel/mailboxes/{mailbox_id}/envelopes",
    response={201: EnvelopeOut},
    auth=None,
    summary="Post an envelope (no session: the mailbox's delivery token)",
)
def post_envelope(
    request: HttpRequest,
    mailbox_id: str,
    payload: EnvelopeIn,
    delivery_token: str = Header(..., alias=DELIVERY_HEADER),
):
    mailbox = relay.mailbox_for_delivery(mailbox_id, delivery_token)
    actions.check_post(mailbox, payload.envelope, payload.receipt_hash)
    envelope = actions.do_post(mailbox, payload.envelope, payload.receipt_hash)
    return Status(201, queries.envelope_out(envelope))


@router.get(
    "/backchannel/mailboxes/{mailbox_id}/envelopes",
    response=EnvelopePage,
    auth=None,
    summary="What waits in a mailbox (the read token): ids, sizes, days, expiry",
)
def list_envelopes(
    request: HttpRequest,
    mailbox_id: str,
    paging: Query[PageQuery],
    read_token: str = Header(..., alias=READ_HEADER),
):
    mailbox = relay.mailbox_for_reading(mailbox_id, read_token)
    actions.purge_expired()
    return page_of(queries.waiting_in(mailbox), paging, queries.envelope_out)


@router.get(
    "/backchannel/mailboxes/{mailbox_id}/envelopes/{envelope_id}",
    response=EnvelopeContent,
    auth=None,
    summary="Fetch one envelope's ciphertext (410 once it expired)",
)
def fetch_envelope(
    request: HttpRequest,
    mailbox_id: str,
    envelope_id: str,
    read_token: str = Header(..., alias=READ_HEADER),
):
    envelope = relay.envelope_in(relay.mailbox_for_reading(mailbox_id, read_token), envelope_id)
    blob = actions.readable(envelope)
    return {"id": envelope.envelope_id, "envelope": queries.b64(blob)}


@router.delete(
    "/backchannel/mailboxes/{mailbox_id}/envelopes/{envelope_id}",
    response={204: None},
    auth=None,
    summary="Acknowledge an envelope: it is deleted at once",
)
def acknowledge(
    request: HttpRequest,
    mailbox_id: str,
    envelope_id: str,
    read_token: str = Header(..., alias=READ_HEADER),
):
    envelope = relay.envelope_in(relay.mailbox_for_reading(mailbox_id, read_token), envelope_id)
    actions.do_acknowledge(envelope)
    return Status(204, None)


# --- transparency log ------------------------------------------------------------------------


class CheckpointOut(Schema):
    size: int
    root_hash: str = Field(description="base64")
    note: str = Field(description="C2SP tlog-checkpoint in a signed note (Ed25519).")
    public_key: str = Field(description="The log's verifier key (C2SP signed-note vkey).")


class InclusionOut(Schema):
    index: int
    size: int
    proof: list[str] = Field(description="RFC 9162 §2.1.3 audit path, base64 hashes.")


class ConsistencyOut(Schema):
    old_size: int
    size: int
    proof: list[str] = Field(description="RFC 9162 §2.1.4 consistency proof, base64 hashes.")


class InclusionQuery(Schema):
    leaf_hash: Hex64 = Field(description="The leaf's RFC 9162 hash, hex.")
    size: int = Field(ge=1, le=2**62, description="The tree size of your checkpoint.")


class ConsistencyQuery(Schema):
    old_size: int = Field(ge=1, le=2**62)
    size: int = Field(ge=1, le=2**62)


@router.get(
    "/backchannel/log/checkpoint",
    response=CheckpointOut,
    auth=None,
    summary="The log's latest signed checkpoint",
)
def latest_checkpoint(request: HttpRequest):
    with transaction.atomic():
        return log.latest_checkpoint_out()


@router.get(
    "/backchannel/log/inclusion",
    response=InclusionOut,
    auth=None,
    summary="Prove that a leaf is in the tree of a given size",
)
def inclusion(request: HttpRequest, query: Query[InclusionQuery]):
    return log.inclusion_out(query.leaf_hash, query.size)


@router.get(
    "/backchannel/log/consistency",
    response=ConsistencyOut,
    auth=None,
    summary="Prove that the tree of one size extends the tree of a smaller one",
)
def consistency(request: HttpRequest, query: Query[ConsistencyQuery]):
    return log.consistency_out(query.old_size, query.size)
