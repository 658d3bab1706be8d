"""The pseudonym keys: private files, one key per dialogue, destruction for good."""

from __future__ import annotations

import hashlib
import hmac
import stat

import pytest

from track2 import keyring


def test_key_file_is_private_and_stable(settings, tmp_path):
    key = keyring.dialogue_key(7)
    path = tmp_path / "keys" / "dialogue-7.key"
    assert path.read_bytes() == key and len(key) == 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "keys").stat().st_mode) == 0o700
    assert keyring.dialogue_key(7) == key
    assert keyring.dialogue_key(8) != key


def test_pseudonym_is_hmac_of_dialogue_and_person():
    key = keyring.dialogue_key(3)
    expected = hmac.new(key, b"3|41", hashlib.sha256).hexdigest()
    assert keyring.pseudonym(3, 41) == expected
    assert keyring.pseudonym(4, 41) != expected


def test_no_key_made_when_not_asked():
    with pytest.raises(keyring.KeyMissing):
        keyring.dialogue_key(9, create=False)


def test_destroyed_key_is_gone_and_never_remade(tmp_path):
    keyring.pseudonym(5, 1)
    keyring.destroy_dialogue_key(5)
    assert not (tmp_path / "keys" / "dialogue-5.key").exists()
    assert (tmp_path / "keys" / "dialogue-5.destroyed").exists()
    with pytest.raises(keyring.KeyDestroyed):
        keyring.dialogue_key(5)
    with pytest.raises(keyring.KeyDestroyed):
        keyring.pseudonym(5, 1)  # the cached pseudonym is dropped too


def test_key_destroyed_by_another_process_is_refused(tmp_path):
    keyring.pseudonym(6, 2)
    # Another worker destroys it: only the files change, this process's cache does not know.
    (tmp_path / "keys" / "dialogue-6.destroyed").touch()
    (tmp_path / "keys" / "dialogue-6.key").unlink()
    with pytest.raises(keyring.KeyDestroyed):
        keyring.pseudonym(6, 2)


def test_a_truncated_key_file_is_an_error_not_a_new_key(tmp_path):
    keys = keyring.keys_dir()
    (keys / "dialogue-11.key").write_bytes(b"short")
    with pytest.raises(keyring.KeyringError, match="32 bytes"):
        keyring.dialogue_key(11)
