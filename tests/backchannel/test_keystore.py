"""The encrypted keystore and offline contacts' passphrase-derived keys."""

from __future__ import annotations

import pytest

from track2.backchannel.crypto import Context, generate_identity, open_envelope, seal
from track2.backchannel.errors import (
    BackchannelError,
    BadPassphrase,
    CorruptKeystore,
    DowngradeRefused,
    MalformedInput,
)
from track2.backchannel.keystore import (
    CONTACT_COST,
    KdfCost,
    keys_from_passphrase,
    new_contact_passphrase,
    normalise_words,
    open_keystore,
    read_keystore,
    seal_keystore,
    write_keystore,
)

# Cheap Argon2 in tests (STYLE.md §7); test_production_costs asserts the real ones.
CHEAP = KdfCost(time_cost=1, memory_kib=64, parallelism=1)
PASSPHRASE = "correct horse battery staple, Ünïcödé too"


@pytest.fixture(scope="module")
def identity():
    return generate_identity(3)


@pytest.fixture(scope="module")
def blob(identity):
    return seal_keystore(identity, PASSPHRASE, CHEAP)


def test_round_trip(identity, blob):
    opened = open_keystore(blob, PASSPHRASE)
    assert opened.bundle() == identity.bundle()
    # Unicode normalisation: the same passphrase typed in decomposed form opens it.
    import unicodedata

    assert (
        open_keystore(blob, unicodedata.normalize("NFD", PASSPHRASE)).identity_key
        == identity.identity_key
    )


@pytest.mark.parametrize("wrong", ["", "correct horse battery staple", PASSPHRASE + " ", "\ud800"])
def test_wrong_passphrase(blob, wrong):
    with pytest.raises(BadPassphrase):
        open_keystore(blob, wrong)


def test_every_bit_flip_is_reported_as_corruption_not_a_wrong_passphrase(blob):
    for index in range(0, len(blob) * 8, 3):
        damaged = bytearray(blob)
        damaged[index // 8] ^= 1 << (index % 8)
        with pytest.raises(BackchannelError) as refused:
            open_keystore(bytes(damaged), PASSPHRASE)
        assert not isinstance(refused.value, BadPassphrase)


def test_truncated_or_foreign_files_are_corrupt(blob):
    for damaged in (b"", blob[:10], blob[:-1], b"PK\x03\x04" + blob[4:], blob + b"\x00"):
        with pytest.raises(CorruptKeystore):
            open_keystore(damaged, PASSPHRASE)


def test_a_downgraded_keystore_version_is_refused(identity):
    import hashlib

    blob = bytearray(seal_keystore(identity, PASSPHRASE, CHEAP))
    blob[4] = 0
    body = bytes(blob[:-32])
    with pytest.raises(DowngradeRefused):
        open_keystore(body + hashlib.blake2b(body, digest_size=32).digest(), PASSPHRASE)


def test_absurd_costs_in_a_crafted_file_are_refused_before_any_work(identity):
    import hashlib

    blob = bytearray(seal_keystore(identity, PASSPHRASE, CHEAP))
    blob[10:14] = (2**32 - 1).to_bytes(4, "big")  # memory cost: 4 TiB
    body = bytes(blob[:-32])
    with pytest.raises(CorruptKeystore, match="cost"):
        open_keystore(body + hashlib.blake2b(body, digest_size=32).digest(), PASSPHRASE)


@pytest.mark.parametrize(
    "cost", [(0, 64, 1), (1, 4, 1), (1, 64, 0), (65, 64, 1), (1, 5 * 2**20, 1)]
)
def test_invalid_costs_are_refused(cost):
    with pytest.raises(MalformedInput):
        KdfCost(*cost)


def test_write_is_atomic_and_private(tmp_path, identity):
    path = tmp_path / "keys" / "keystore"
    write_keystore(path, identity, PASSPHRASE, CHEAP)
    assert path.stat().st_mode & 0o777 == 0o600
    assert read_keystore(path, PASSPHRASE).identity_key == identity.identity_key
    assert [p.name for p in path.parent.iterdir()] == ["keystore"]
    with pytest.raises(CorruptKeystore, match="keygen"):
        read_keystore(tmp_path / "missing", PASSPHRASE)


def test_production_costs():
    # RFC 9106's second recommended option (64 MiB, 3 passes, 4 lanes) for keystores and contacts.
    assert KdfCost() == KdfCost(3, 64 * 1024, 4)
    assert CONTACT_COST == KdfCost(3, 64 * 1024, 4)


def test_offline_contact_keys_are_reproducible_from_the_words_alone():
    words = new_contact_passphrase()
    assert len(words.split()) == 12
    contact = keys_from_passphrase(words, CHEAP)
    again = keys_from_passphrase("  " + words.upper().replace(" ", "   ") + "\n", CHEAP)
    assert again.bundle() == contact.bundle()
    assert (
        keys_from_passphrase(new_contact_passphrase(), CHEAP).identity_key != contact.identity_key
    )
    # The intermediary seals to the contact's published (fallback) prekey; the contact, with only
    # the words, reads it.
    intermediary = generate_identity(1)
    context = Context("dialogue", "contact-mailbox")
    blob = seal(
        b"from the other side", sender=intermediary, recipient=contact.bundle(), context=context
    )
    assert (
        open_envelope(blob, recipient=keys_from_passphrase(words, CHEAP), context=context).message
        == b"from the other side"
    )


def test_a_mistyped_word_is_caught_by_the_checksum():
    words = new_contact_passphrase().split()
    # A word outside the list and a wrong count are always caught. (A swapped or wrong-but-valid
    # word passes the 4-bit checksum 1 time in 16 and then simply derives other keys.)
    for wrong in (
        words[:11],
        words + ["abandon"],
        ["zzzz", *words[1:]],
        [*words[:11], "lighthous"],
    ):
        with pytest.raises(BadPassphrase, match="12 words"):
            normalise_words(" ".join(wrong))
