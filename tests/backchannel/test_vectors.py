"""Known-answer tests for every primitive the back channel uses, through the libraries it uses.

X25519 runs through both libsodium (PyNaCl, the inner Box) and OpenSSL (`cryptography`, HPKE);
Ed25519 through PyNaCl (identity keys, receipts, notes); HKDF through `cryptography`; HPKE
through `cryptography`'s RFC 9180 implementation; Argon2id through argon2-cffi.
"""

from __future__ import annotations

import nacl.bindings
import nacl.signing
import pytest
from argon2.low_level import ARGON2_VERSION, Type, core, ffi
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.bindings._rust import openssl as rust_openssl
from cryptography.hazmat.primitives import hashes, hpke
from cryptography.hazmat.primitives.asymmetric import x25519
from cryptography.hazmat.primitives.kdf.hkdf import HKDF, HKDFExpand

from tests.backchannel.vectors import rfc

V = rfc()
h = bytes.fromhex


@pytest.mark.parametrize("case", V["rfc7748_x25519"], ids=lambda c: c["section"])
def test_rfc7748_scalar_multiplication_libsodium(case):
    assert nacl.bindings.crypto_scalarmult(h(case["scalar"]), h(case["u"])) == h(case["out"])


@pytest.mark.parametrize("case", V["rfc7748_x25519"], ids=lambda c: c["section"])
def test_rfc7748_scalar_multiplication_openssl(case):
    private = x25519.X25519PrivateKey.from_private_bytes(h(case["scalar"]))
    peer = x25519.X25519PublicKey.from_public_bytes(h(case["u"]))
    assert private.exchange(peer) == h(case["out"])


def test_rfc7748_diffie_hellman_both_libraries():
    dh = V["rfc7748_x25519_dh"]
    for own, peer_public, own_public in (
        ("alice_private", "bob_public", "alice_public"),
        ("bob_private", "alice_public", "bob_public"),
    ):
        assert nacl.bindings.crypto_scalarmult_base(h(dh[own])) == h(dh[own_public])
        assert nacl.bindings.crypto_scalarmult(h(dh[own]), h(dh[peer_public])) == h(dh["shared"])
        private = x25519.X25519PrivateKey.from_private_bytes(h(dh[own]))
        assert private.public_key().public_bytes_raw() == h(dh[own_public])
        shared = private.exchange(x25519.X25519PublicKey.from_public_bytes(h(dh[peer_public])))
        assert shared == h(dh["shared"])


@pytest.mark.parametrize("case", V["rfc8032_ed25519"], ids=lambda c: c["section"])
def test_rfc8032_ed25519(case):
    key = nacl.signing.SigningKey(h(case["secret"]))
    assert bytes(key.verify_key) == h(case["public"])
    signed = key.sign(h(case["message"]))
    assert signed.signature == h(case["signature"])
    key.verify_key.verify(h(case["message"]), h(case["signature"]))
    tampered = bytearray(h(case["signature"]))
    tampered[0] ^= 1
    with pytest.raises(nacl.exceptions.BadSignatureError):
        key.verify_key.verify(h(case["message"]), bytes(tampered))


@pytest.mark.parametrize("case", V["rfc5869_hkdf_sha256"], ids=lambda c: c["section"])
def test_rfc5869_hkdf_sha256(case):
    okm = HKDF(
        algorithm=hashes.SHA256(),
        length=case["length"],
        salt=h(case["salt"]) or None,
        info=h(case["info"]),
    ).derive(h(case["ikm"]))
    assert okm == h(case["okm"])
    # The expand step alone, from the published PRK.
    expanded = HKDFExpand(hashes.SHA256(), case["length"], h(case["info"])).derive(h(case["prk"]))
    assert expanded == h(case["okm"])


@pytest.mark.parametrize("case", V["rfc9180_hpke_base"], ids=lambda c: c["section"])
def test_rfc9180_hpke_base_mode_opens_the_published_ciphertext(case):
    # The RFC's first encryption uses aad "Count-0"; the single-shot API always uses an empty aad,
    # so the library's own aad-taking entry point (what Suite.decrypt calls) is used here.
    suite = hpke.Suite(hpke.KEM.X25519, hpke.KDF.HKDF_SHA256, getattr(hpke.AEAD, case["aead"]))
    private = x25519.X25519PrivateKey.from_private_bytes(h(case["skRm"]))
    assert private.public_key().public_bytes_raw() == h(case["pkRm"])
    sealed = h(case["enc"]) + h(case["ct"])
    opened = rust_openssl.hpke._decrypt_with_aad(
        suite, sealed, private, info=h(case["info"]), aad=h(case["aad"])
    )
    assert opened == h(case["pt"])
    flipped = bytearray(sealed)
    flipped[-1] ^= 1
    with pytest.raises(InvalidTag):
        rust_openssl.hpke._decrypt_with_aad(
            suite, bytes(flipped), private, info=h(case["info"]), aad=h(case["aad"])
        )


def test_hybrid_kem_suite_is_the_one_the_envelope_uses():
    from track2.backchannel import crypto

    # ML-KEM-768 ciphertext (1088) + X25519 share (32): the encapsulation the envelope reserves.
    assert hpke.KEM.MLKEM768_X25519.enc_length() == crypto._HPKE_ENC == 1120


def test_rfc9106_argon2id():
    case = V["rfc9106_argon2id"]
    assert case["version"] == ARGON2_VERSION
    # argon2-cffi's low-level `core` takes the full Argon2 context, with the secret key K and the
    # associated data X that the RFC vector uses (hash_secret_raw exposes neither).
    password, salt = h(case["password"]), h(case["salt"])
    secret, associated = h(case["secret"]), h(case["associated_data"])
    out = ffi.new("uint8_t[]", case["tag_length"])
    keep = [ffi.new("uint8_t[]", b) for b in (password, salt, secret, associated)]
    context = ffi.new(
        "argon2_context *",
        {
            "out": out,
            "outlen": case["tag_length"],
            "pwd": keep[0],
            "pwdlen": len(password),
            "salt": keep[1],
            "saltlen": len(salt),
            "secret": keep[2],
            "secretlen": len(secret),
            "ad": keep[3],
            "adlen": len(associated),
            "t_cost": case["time_cost"],
            "m_cost": case["memory_kib"],
            "lanes": case["parallelism"],
            "threads": case["parallelism"],
            "version": case["version"],
            "allocate_cbk": ffi.NULL,
            "free_cbk": ffi.NULL,
            "flags": 0,
        },
    )
    assert core(context, Type.ID.value) == 0
    assert bytes(ffi.buffer(out, case["tag_length"])) == h(case["tag"])
