"""The sealed pouch on its own: round trips, every kind of damage, production costs."""

from __future__ import annotations

import io
import os

import pytest
from django.conf import settings
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from nacl import pwhash

from track2.operations.pouch import CHUNK, Cost, PouchError, PouchReader, PouchWriter

CHEAP = Cost(1, 8 * 1024 * 1024)


def seal(data: bytes, **opener) -> bytes:
    out = io.BytesIO()
    writer = (
        PouchWriter(out, {"kind": "test"}, cost=CHEAP, **opener)
        if "passphrase" in opener
        else PouchWriter(out, {"kind": "test"}, **opener)
    )
    for start in range(0, len(data), 10_000):
        writer.write(data[start : start + 10_000])
    writer.close()
    return out.getvalue()


def open_(sealed: bytes, **opener) -> bytes:
    reader = PouchReader(io.BytesIO(sealed), **opener)
    data = reader.read()
    assert reader.finished
    return data


@pytest.mark.parametrize("size", [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK + 17])
def test_round_trip_with_a_passphrase(size):
    data = os.urandom(size)
    assert open_(seal(data, passphrase="pass phrase"), passphrase="pass phrase") == data


def test_round_trip_with_a_key_and_the_label_is_readable():
    key = os.urandom(32)
    sealed = seal(b"keys", key=key)
    reader = PouchReader(io.BytesIO(sealed), key=key)
    assert reader.label == {"kind": "test"} and reader.read() == b"keys"


@hsettings(max_examples=40, deadline=None)
@given(st.data())
def test_any_damage_is_refused(data):
    key = os.urandom(32)
    sealed = bytearray(seal(os.urandom(2 * CHUNK + 100), key=key))
    kind = data.draw(st.sampled_from(["flip", "cut", "append"]))
    if kind == "flip":
        where = data.draw(st.integers(0, len(sealed) - 1))
        sealed[where] ^= data.draw(st.integers(1, 255))
    elif kind == "cut":
        sealed = sealed[: data.draw(st.integers(0, len(sealed) - 1))]
    else:
        sealed += data.draw(st.binary(min_size=1, max_size=50))
    with pytest.raises(PouchError):
        open_(bytes(sealed), key=key)


def test_wrong_passphrase_and_wrong_kind_of_opener():
    sealed = seal(b"content", passphrase="right one")
    with pytest.raises(PouchError, match="passphrase or key is wrong"):
        open_(sealed, passphrase="wrong one")
    with pytest.raises(PouchError, match="sealed with a passphrase"):
        open_(sealed, key=os.urandom(32))
    with pytest.raises(PouchError, match="not a Track2 encrypted file"):
        open_(b"PK\x03\x04 a zip file", passphrase="x")


def test_a_forged_cost_in_the_header_is_refused_before_any_work():
    sealed = bytearray(seal(b"x", passphrase="p"))
    sealed[8 + 1 + 16 + 4 : 8 + 1 + 16 + 12] = (2**62).to_bytes(8, "big")
    with pytest.raises(PouchError, match="unreasonable"):
        open_(bytes(sealed), passphrase="p")


def test_production_backup_cost():
    assert settings.BACKUP_KDF_OPSLIMIT == pwhash.argon2id.OPSLIMIT_MODERATE == 3
    assert settings.BACKUP_KDF_MEMLIMIT == pwhash.argon2id.MEMLIMIT_MODERATE == 256 * 1024 * 1024
