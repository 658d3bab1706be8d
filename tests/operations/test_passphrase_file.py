"""A passphrase file is read as the prompt and the environment are: its first line, as typed."""

from __future__ import annotations

import pytest
from django.core.management.base import CommandError

from track2.operations.passphrases import from_file


def test_a_tab_in_the_passphrase_is_kept(tmp_path):
    # a backup sealed with a tab typed at the prompt could not be opened from a file
    (tmp_path / "p").write_bytes(b"two\twords and more\r\nsecond line\n")
    assert from_file(str(tmp_path / "p")) == "two\twords and more"


@pytest.mark.parametrize("char", [b"\x00", b"\x1b", b"\x7f", b"\xc2\x85"])
def test_other_control_characters_are_refused(tmp_path, char):
    (tmp_path / "p").write_bytes(b"long enough " + char + b"passphrase\n")
    with pytest.raises(CommandError, match="holds control characters"):
        from_file(str(tmp_path / "p"))
