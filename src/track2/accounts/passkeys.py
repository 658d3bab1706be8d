"""Passkeys (WebAuthn): `check_*` validates, `do_*` writes, py_webauthn does the cryptography.

A challenge lives in the session of the browser that asked for it, for one purpose, for
CHALLENGE_SECONDS, and is taken out before it is checked, so that it serves one answer only,
right or wrong. Every assertion counts toward its network address's sign-in pause, as a
password does; not toward the account's, since a passkey cannot be guessed: someone flooding an
account with wrong passwords must not lock its owner's passkey out too (audit-accounts).
"""

from __future__ import annotations

import logging
import re
import secrets
import time
from dataclasses import dataclass
from typing import Any

import webauthn
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from webauthn.helpers import bytes_to_base64url, options_to_json
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from track2 import access
from track2.accounts.actions import (
    SignInRefused,
    check_password_again,
    reserve_address_check,
)
from track2.accounts.models import Passkey, User

log = logging.getLogger(__name__)

CHALLENGE_KEY = "track2_webauthn"
CHALLENGE_SECONDS = 300
NAME_MAX = 100
# Credential ids are at most 1,023 bytes (WebAuthn §5.1); the other fields are a few KB at most.
_FIELD_MAX = 16_384
_BASE64URL = re.compile(r"[A-Za-z0-9_-]*")


class PasskeyRefused(Exception):
    """A passkey request was refused; the message is safe to show and says what to do."""


def _library_refusal(error: Exception, step: str) -> str:
    """What to tell a person when py_webauthn refuses an answer. Its own words ("Unexpected RP ID
    hash", client data types) mean nothing to them and go to the log; they hold no secret (the
    library names no challenge or key), and repr() keeps a sender's line breaks out of the log."""
    detail = str(error)
    log.info("passkey %s refused by py_webauthn: %r", step, detail[:300])
    words = detail.lower()
    if "user verification" in words:
        return _(
            "Your device did not verify you (with its PIN, fingerprint or face). Try again and "
            "confirm on the device."
        )
    if "sign count" in words:
        # WebAuthn §6.1.1: a counter that goes backwards is the sign of a copied authenticator.
        return _(
            "This passkey's use counter went backwards, which happens when a passkey has been "
            "copied. Sign in another way, and tell the site administrator."
        )
    return _("This passkey answer was made for another site or step; try again.")


@dataclass(frozen=True)
class RelyingParty:
    id: str
    origin: str


def relying_party(host: str, is_secure: bool) -> RelyingParty:
    """The RP ID from settings and the origin the browser must report for this request.

    `host` is Django's validated Host (ALLOWED_HOSTS), so a phishing site's origin never matches.
    """
    rp_id = settings.PASSKEY_RP_ID
    hostname = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    if hostname != rp_id and not hostname.endswith("." + rp_id):
        raise PasskeyRefused(
            _("Passkeys work only at %(rp_id)s; open Track2 at that address and try again.")
            % {"rp_id": rp_id}
        )
    return RelyingParty(rp_id, f"{'https' if is_secure else 'http'}://{host}")


def _descriptor(passkey: Passkey) -> PublicKeyCredentialDescriptor:
    known = {t.value for t in AuthenticatorTransport}
    return PublicKeyCredentialDescriptor(
        id=webauthn.base64url_to_bytes(passkey.credential_id),
        transports=[AuthenticatorTransport(t) for t in passkey.transports if t in known],
    )


def _remember(session, purpose: str, challenge: bytes, **extra: Any) -> None:
    session[CHALLENGE_KEY] = {
        "purpose": purpose,
        "challenge": bytes_to_base64url(challenge),
        "at": time.time(),
        **extra,
    }


def _take(session, purpose: str) -> dict[str, Any]:
    state = session.pop(CHALLENGE_KEY, None)
    if (
        not state
        or state.get("purpose") != purpose
        or time.time() - state["at"] > CHALLENGE_SECONDS
    ):
        raise PasskeyRefused(
            _("This passkey request has expired or was already answered. Try again.")
        )
    return state


def check_passkey_name(name: Any) -> str:
    if not isinstance(name, str):
        raise PasskeyRefused(_("Give the passkey a name as text, e.g. “work laptop”."))
    name = name.strip()
    if not name:
        raise PasskeyRefused(
            _("Give the passkey a name, e.g. “work laptop” or “blue security key”.")
        )
    if len(name) > NAME_MAX:
        raise PasskeyRefused(
            _("Keep the passkey name under %(max)d characters.") % {"max": NAME_MAX}
        )
    if any(ord(ch) < 32 or 127 <= ord(ch) < 160 or 0xD800 <= ord(ch) <= 0xDFFF for ch in name):
        raise PasskeyRefused(
            _(
                "The passkey name contains control or invalid characters; use letters, digits and punctuation."
            )
        )
    return name


def check_credential_shape(payload: Any, fields: tuple[str, ...]) -> list[str]:
    """Every problem with a credential's JSON, at once (the library stops at the first)."""
    if not isinstance(payload, dict):
        return [_("The passkey answer must be a JSON object.")]
    problems = []
    response = payload.get("response")
    if not isinstance(response, dict):
        problems.append(_("The passkey answer has no “response” object."))
        response = {}
    for where, key in [(payload, "id"), (payload, "rawId")] + [(response, f) for f in fields]:
        value = where.get(key)
        label = key if where is payload else f"response.{key}"
        if not isinstance(value, str):
            problems.append(_("“%(field)s” is missing or not text.") % {"field": label})
        elif len(value) > _FIELD_MAX or not _BASE64URL.fullmatch(value):
            problems.append(
                _("“%(field)s” is not base64url (letters, digits, - and _ only).")
                % {"field": label}
            )
    if payload.get("type") != "public-key":
        problems.append(_("“type” must be “public-key”."))
    return problems


# --- registration -------------------------------------------------------------------------


def check_registration_options(
    user: User, password: Any, name: Any, address: str, rp: RelyingParty, session
) -> str:
    """Re-check the password, validate the name; return creation options as JSON."""
    problems = []
    try:
        name = check_passkey_name(name)
    except PasskeyRefused as refusal:
        problems.append(str(refusal))
    if not isinstance(password, str) or not password:
        problems.append(_("Enter your password to add a passkey."))
    if problems:
        raise PasskeyRefused(" ".join(problems))
    check_password_again(user, password, address)
    existing = list(user.passkeys.all())
    handle = existing[0].user_handle if existing else bytes_to_base64url(secrets.token_bytes(32))
    options = webauthn.generate_registration_options(
        rp_id=rp.id,
        rp_name="Track2",
        user_id=webauthn.base64url_to_bytes(handle),
        user_name=user.email,
        user_display_name=user.display_name or user.email,
        exclude_credentials=[_descriptor(p) for p in existing],
        # Discoverable, so that it can sign in on its own; verification asked for, required at sign-in.
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            user_verification=UserVerificationRequirement.PREFERRED,
        ),
    )
    _remember(session, "register", options.challenge, user=user.pk, name=name, handle=handle)
    return options_to_json(options)


def do_register_passkey(user: User, payload: Any, rp: RelyingParty, session) -> Passkey:
    state = _take(session, "register")
    if state.get("user") != user.pk:
        raise PasskeyRefused(
            _("This passkey request has expired or was already answered. Try again.")
        )
    problems = check_credential_shape(payload, ("clientDataJSON", "attestationObject"))
    if problems:
        raise PasskeyRefused(" ".join(problems))
    try:
        verified = webauthn.verify_registration_response(
            credential=payload,
            expected_challenge=webauthn.base64url_to_bytes(state["challenge"]),
            expected_rp_id=rp.id,
            expected_origin=rp.origin,
        )
    except (WebAuthnException, ValueError) as error:
        raise PasskeyRefused(_library_refusal(error, "registration")) from error
    transports = payload["response"].get("transports")
    transports = (
        [t for t in transports if isinstance(t, str) and len(t) < 20][:10]
        if isinstance(transports, list)
        else []
    )
    try:
        with transaction.atomic():
            return Passkey.objects.create(
                user=user,
                name=state["name"],
                credential_id=bytes_to_base64url(verified.credential_id),
                public_key=verified.credential_public_key,
                sign_count=verified.sign_count,
                user_handle=state["handle"],
                transports=transports,
            )
    except IntegrityError as error:
        raise PasskeyRefused(
            _("This passkey is already registered. Use it to sign in, or add another one.")
        ) from error


def do_remove_passkey(user: User, passkey_id: int) -> Passkey:
    # Only the owner's own passkeys are looked in: a missing id and another account's id get
    # the same NotFound as everywhere in track2.access.
    passkey = user.passkeys.filter(pk=access.parse_id(passkey_id)).first()
    if passkey is None:
        raise access.NotFound
    passkey.delete()
    return passkey


# --- assertion: sign-in of its own, or second factor --------------------------------------


def check_sign_in_options(rp: RelyingParty, session) -> str:
    # No allowCredentials: the authenticator offers its discoverable passkeys for this RP ID,
    # so nothing is revealed about which accounts exist.
    options = webauthn.generate_authentication_options(
        rp_id=rp.id, user_verification=UserVerificationRequirement.REQUIRED
    )
    _remember(session, "sign_in", options.challenge)
    return options_to_json(options)


def check_second_factor_options(user: User, rp: RelyingParty, session) -> str:
    passkeys = list(user.passkeys.all())
    if not passkeys:
        raise PasskeyRefused(
            _("This account has no passkey; enter the code from your authenticator app.")
        )
    options = webauthn.generate_authentication_options(
        rp_id=rp.id, allow_credentials=[_descriptor(p) for p in passkeys]
    )
    _remember(session, "second_factor", options.challenge, user=user.pk)
    return options_to_json(options)


def check_assertion(
    payload: Any, rp: RelyingParty, address: str, session, second_factor_of: User | None = None
) -> Passkey:
    """Verify an assertion; return the passkey (its sign count already advanced) or refuse.

    As a sign-in of its own (`second_factor_of` None) user verification is required: the
    passkey then stands for both factors. As a second factor, the password was the first.
    """
    state = _take(session, "sign_in" if second_factor_of is None else "second_factor")
    problems = check_credential_shape(payload, ("clientDataJSON", "authenticatorData", "signature"))
    if problems:
        raise PasskeyRefused(" ".join(problems))
    passkey = Passkey.objects.select_related("user").filter(credential_id=payload["rawId"]).first()
    if second_factor_of is not None and (
        state.get("user") != second_factor_of.pk
        or (passkey and passkey.user_id != second_factor_of.pk)
    ):
        passkey = None
    attempt = reserve_address_check(address)
    if passkey is None:
        raise SignInRefused(
            _(
                "This passkey is not registered for this account here. Use another passkey, or sign in with your password."
            )
        )
    try:
        verified = webauthn.verify_authentication_response(
            credential=payload,
            expected_challenge=webauthn.base64url_to_bytes(state["challenge"]),
            expected_rp_id=rp.id,
            expected_origin=rp.origin,
            credential_public_key=bytes(passkey.public_key),
            credential_current_sign_count=passkey.sign_count,
            require_user_verification=second_factor_of is None,
        )
    except (WebAuthnException, ValueError) as error:
        raise SignInRefused(
            _library_refusal(error, "sign-in" if second_factor_of is None else "second factor")
        ) from None
    handle = payload["response"].get("userHandle")
    if second_factor_of is None and handle != passkey.user_handle:
        raise SignInRefused(_("The passkey's answer belongs to another account. Try again."))
    if not passkey.user.is_active:
        raise SignInRefused(_("This account is switched off. Ask the site administrator."))
    # Conditional update: a cloned authenticator or a racing replay cannot move the count twice.
    advanced = Passkey.objects.filter(pk=passkey.pk, sign_count=passkey.sign_count).update(
        sign_count=verified.new_sign_count, last_used_at=timezone.now()
    )
    if not advanced:
        raise SignInRefused(_("This passkey was just used. Try again."))
    passkey.sign_count = verified.new_sign_count
    attempt.passed()
    return passkey
