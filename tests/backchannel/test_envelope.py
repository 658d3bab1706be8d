"""The two-layer envelope: round trips, and every way a wrong or altered envelope fails closed."""

from __future__ import annotations

import contextlib
import dataclasses

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from track2.backchannel import crypto
from track2.backchannel.crypto import (
    BUCKETS,
    ENVELOPE_OVERHEAD,
    MAX_MESSAGE,
    Context,
    Identity,
    KeyBundle,
    check_envelope,
    envelope_sizes,
    fingerprint,
    generate_identity,
    open_envelope,
    seal,
    verify_bundle,
)
from track2.backchannel.errors import (
    BackchannelError,
    BadBundle,
    DowngradeRefused,
    MalformedInput,
    TamperedEnvelope,
    UnexpectedSender,
    UnknownPrekey,
    UnsupportedVersion,
    WrongRecipient,
)

CONTEXT = Context("dialogue-7f3a", "mailbox-91c2")

# Key generation costs a few milliseconds (ML-KEM); the people are made once per module.
ALICE = generate_identity(4)
BOB = generate_identity(64)


def _bob_envelope(message: bytes = b"meet at the lighthouse", **kwargs) -> bytes:
    return seal(message, sender=ALICE, recipient=BOB.bundle(), context=CONTEXT, **kwargs)


@pytest.fixture(scope="module")
def sealed() -> bytes:
    return _bob_envelope()


def test_round_trip_names_the_sender_and_uses_a_one_time_prekey():
    blob = _bob_envelope()
    opened = open_envelope(blob, recipient=BOB, context=CONTEXT, consume=False)
    assert opened.message == b"meet at the lighthouse"
    assert opened.sender_identity_key == ALICE.identity_key
    assert opened.sender_fingerprint == fingerprint(ALICE.bundle())
    assert not opened.used_fallback


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    message=st.binary(max_size=20_000), dialogue=st.text(max_size=40), mailbox=st.text(max_size=40)
)
def test_any_message_and_context_round_trips(message, dialogue, mailbox):
    # Lone surrogates cannot be bound as UTF-8: they are refused, never silently altered.
    try:
        context = Context(dialogue, mailbox)
        context.to_bytes()
    except MalformedInput:
        return
    blob = seal(message, sender=ALICE, recipient=BOB.bundle(), context=context)
    assert len(blob) in envelope_sizes()
    check_envelope(blob)
    opened = open_envelope(blob, recipient=BOB, context=context, consume=False)
    assert opened.message == message


@pytest.mark.parametrize(
    ("length", "bucket"),
    [(0, 1024), (1024 - 36, 1024), (1024 - 35, 4096), (MAX_MESSAGE, 65536)],
)
def test_padding_hides_the_length_inside_a_bucket(length, bucket):
    blob = _bob_envelope(b"x" * length)
    assert len(blob) == bucket + ENVELOPE_OVERHEAD
    assert (
        open_envelope(blob, recipient=BOB, context=CONTEXT, consume=False).message == b"x" * length
    )


def test_a_message_larger_than_the_largest_bucket_is_refused_with_its_size():
    with pytest.raises(MalformedInput, match="65,501 bytes"):
        _bob_envelope(b"x" * (MAX_MESSAGE + 1))


def test_every_single_bit_flip_fails_closed(sealed):
    """Each of the envelope's bits, flipped alone, makes opening fail with a domain error."""
    for index in range(len(sealed) * 8):
        tampered = bytearray(sealed)
        tampered[index // 8] ^= 1 << (index % 8)
        with pytest.raises(BackchannelError):
            open_envelope(bytes(tampered), recipient=BOB, context=CONTEXT, consume=False)
    # The untouched envelope still opens: nothing above consumed the prekey.
    assert open_envelope(sealed, recipient=BOB, context=CONTEXT, consume=False).message


def test_every_truncation_and_any_extension_fails_closed(sealed):
    for length in range(len(sealed)):
        with pytest.raises(BackchannelError):
            open_envelope(sealed[:length], recipient=BOB, context=CONTEXT, consume=False)
    for extra in (b"\x00", b"\x00" * 16, b"x" * 4096):
        with pytest.raises(MalformedInput):
            open_envelope(sealed + extra, recipient=BOB, context=CONTEXT, consume=False)


@pytest.mark.parametrize(
    "wrong",
    [
        Context("dialogue-7f3a", "mailbox-91c3"),
        Context("dialogue-7f3b", "mailbox-91c2"),
        Context("dialogue-7f3amailbox-91c2", ""),
        Context("", "dialogue-7f3amailbox-91c2"),
    ],
)
def test_a_wrong_context_fails(sealed, wrong):
    with pytest.raises(TamperedEnvelope):
        open_envelope(sealed, recipient=BOB, context=wrong, consume=False)


def test_a_wrong_recipient_learns_nothing(sealed):
    carol = generate_identity(2)
    with pytest.raises(WrongRecipient):
        open_envelope(sealed, recipient=carol, context=CONTEXT)


def test_a_recipient_holding_a_copy_of_the_prekey_id_but_not_the_key_fails(sealed):
    # An identity that claims Bob's prekey ids but has other secrets (a substituted keystore).
    impostor = generate_identity(0)
    prekey_id = sealed[4:20]
    impostor._prekeys[prekey_id] = dataclasses.replace(
        impostor._prekeys[impostor.prekey_ids()[0]], prekey_id=prekey_id
    )
    with pytest.raises(TamperedEnvelope):
        open_envelope(sealed, recipient=impostor, context=CONTEXT)


def test_replay_after_the_one_time_prekey_was_deleted_fails():
    blob = _bob_envelope(b"once only", prekey_id=BOB.prekey_ids(crypto.ONE_TIME)[-1])
    assert open_envelope(blob, recipient=BOB, context=CONTEXT).message == b"once only"
    with pytest.raises(UnknownPrekey, match="replay"):
        open_envelope(blob, recipient=BOB, context=CONTEXT)
    # Even from a keystore saved and reloaded afterwards.
    reloaded = Identity.from_bytes(BOB.to_bytes())
    with pytest.raises(UnknownPrekey):
        open_envelope(blob, recipient=reloaded, context=CONTEXT)


def test_the_fallback_prekey_is_used_when_no_one_time_prekey_is_left_and_is_kept():
    bundle = BOB.bundle().with_prekeys([])
    blob = seal(b"fallback", sender=ALICE, recipient=bundle, context=CONTEXT)
    first = open_envelope(blob, recipient=BOB, context=CONTEXT)
    assert first.used_fallback
    assert open_envelope(blob, recipient=BOB, context=CONTEXT).message == b"fallback"


def test_rotating_the_fallback_prekey_gives_forward_secrecy_to_old_envelopes():
    dana = generate_identity(0)
    blob = seal(b"old", sender=ALICE, recipient=dana.bundle(), context=CONTEXT)
    dana.rotate_fallback()
    with pytest.raises(UnknownPrekey):
        open_envelope(blob, recipient=dana, context=CONTEXT)


def test_expected_sender_refuses_an_authentic_envelope_from_someone_else(sealed):
    mallory = generate_identity(1)
    with pytest.raises(UnexpectedSender):
        open_envelope(
            sealed, recipient=BOB, context=CONTEXT, expected_sender=mallory.bundle(), consume=False
        )
    opened = open_envelope(
        sealed, recipient=BOB, context=CONTEXT, expected_sender=ALICE.identity_key, consume=False
    )
    assert opened.sender_identity_key == ALICE.identity_key


class _Impersonator(Identity):
    """Mallory's box key, presented with Alice's identity key and Alice's box-key signature."""

    def __init__(self, victim: Identity) -> None:
        mallory = generate_identity(0)
        super().__init__(bytes(mallory.signing_key), bytes(mallory.box_key))
        self._victim = victim

    @property
    def identity_key(self) -> bytes:
        return self._victim.identity_key

    def box_signature(self) -> bytes:
        return self._victim.box_signature()


def test_a_sender_claiming_someone_elses_identity_is_refused():
    blob = seal(b"I am Alice", sender=_Impersonator(ALICE), recipient=BOB.bundle(), context=CONTEXT)
    with pytest.raises(TamperedEnvelope, match="forged"):
        open_envelope(blob, recipient=BOB, context=CONTEXT)


def test_key_substitution_in_the_bundle_is_refused_before_sealing():
    genuine = BOB.bundle()
    mallory = generate_identity(1).bundle()
    substitutions = [
        dataclasses.replace(genuine, box_key=mallory.box_key),
        dataclasses.replace(genuine, prekeys=(mallory.prekeys[0], *genuine.prekeys[1:])),
        dataclasses.replace(
            genuine,
            prekeys=(
                dataclasses.replace(
                    genuine.prekeys[0], x25519_public=mallory.prekeys[0].x25519_public
                ),
                *genuine.prekeys[1:],
            ),
        ),
        dataclasses.replace(
            genuine,
            prekeys=(
                dataclasses.replace(
                    genuine.prekeys[0], mlkem_public=mallory.prekeys[0].mlkem_public
                ),
                *genuine.prekeys[1:],
            ),
        ),
        dataclasses.replace(genuine, identity_key=mallory.identity_key),
    ]
    for bundle in substitutions:
        with pytest.raises(BadBundle):
            verify_bundle(bundle)
        with pytest.raises(BadBundle):
            seal(b"secret", sender=ALICE, recipient=bundle, context=CONTEXT)


def test_a_whole_substituted_bundle_changes_the_fingerprint():
    mallory = generate_identity(1)
    assert fingerprint(mallory.bundle()) != fingerprint(BOB.bundle())
    text = fingerprint(BOB.bundle())
    groups = text.split(" ")
    assert len(groups) == 12 and all(len(g) == 5 and g.isdigit() for g in groups)
    # A new prekey does not change it; a reloaded identity has the same one.
    assert fingerprint(Identity.from_bytes(BOB.to_bytes()).bundle()) == text


def test_bundle_wire_format_round_trips_and_every_bit_flip_is_caught():
    bundle = generate_identity(1).bundle()
    data = bundle.to_bytes()
    assert KeyBundle.from_bytes(data) == bundle
    for index in range(0, len(data) * 8, 7):  # every 7th bit: ~2,000 flips, all classes of field
        tampered = bytearray(data)
        tampered[index // 8] ^= 1 << (index % 8)
        with pytest.raises(BackchannelError):
            verify_bundle(KeyBundle.from_bytes(bytes(tampered)))


@pytest.mark.parametrize("version", [0])
def test_a_downgraded_wire_version_is_refused_first(sealed, version):
    for blob in (sealed, BOB.bundle().to_bytes(), BOB.to_bytes()):
        old = bytes([version]) + blob[1:]
        with pytest.raises(DowngradeRefused):
            if blob is sealed:
                open_envelope(old, recipient=BOB, context=CONTEXT, consume=False)
            elif blob[1] == ord("B"):
                KeyBundle.from_bytes(old)
            else:
                Identity.from_bytes(old)


def test_a_newer_wire_version_is_refused_as_unsupported(sealed):
    with pytest.raises(UnsupportedVersion, match="Upgrade"):
        check_envelope(bytes([2]) + sealed[1:])


def test_the_server_side_check_accepts_exactly_well_formed_sizes(sealed):
    check_envelope(sealed)
    for size in envelope_sizes():
        blob = bytes([1, ord("E"), 1, BUCKETS.index(size - ENVELOPE_OVERHEAD)]) + bytes(size - 4)
        check_envelope(blob)
    for bad in (
        b"",
        b"\x01",
        b"\x01E",
        sealed[:-1],
        sealed + b"\x00",
        b"\x01E\x02" + sealed[3:],
        b"\x01E\x01\x04" + sealed[4:],
        b"\x01B" + sealed[2:],
        b"x" * 70_000,
    ):
        with pytest.raises(BackchannelError):
            check_envelope(bad)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=3000))
def test_arbitrary_bytes_never_crash_the_parsers(blob):
    # Only domain errors may escape: an IndexError or struct.error here would be a parser bug.
    for parse in (check_envelope, KeyBundle.from_bytes, Identity.from_bytes):
        with contextlib.suppress(BackchannelError):
            parse(blob)


def test_identity_secret_serialisation_round_trips():
    copy = Identity.from_bytes(BOB.to_bytes())
    assert copy.bundle() == BOB.bundle()
    assert copy.retired == BOB.retired
