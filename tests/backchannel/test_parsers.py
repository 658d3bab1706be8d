"""Every parser of the back channel, fed arbitrary input, fails only with a domain error.

An IndexError, struct.error, UnicodeError or ValueError escaping here would be a parser bug that
the CLI and the relay would show as a crash instead of a clear refusal.
"""

from __future__ import annotations

import contextlib

from hypothesis import given, settings
from hypothesis import strategies as st

from track2.backchannel import conveyance
from track2.backchannel.checkpoint import (
    Checkpoint,
    NoteSigner,
    NoteVerifier,
    PinnedCheckpoint,
    open_checkpoint,
    open_note,
)
from track2.backchannel.errors import BackchannelError
from track2.backchannel.keystore import normalise_words, open_keystore

LOG = NoteSigner.generate("track2.example/log")

BINARY_PARSERS = [
    conveyance.Receipt.from_bytes,
    conveyance._Letter.from_bytes,
    conveyance._Routing.from_bytes,
    conveyance._Carried.from_bytes,
    lambda blob: open_keystore(blob, "passphrase"),
]
TEXT_PARSERS = [
    Checkpoint.parse,
    NoteVerifier.decode,
    NoteSigner.decode,
    PinnedCheckpoint.from_json,
    lambda text: open_note(text, [LOG.verifier]),
    lambda text: open_checkpoint(text, LOG.verifier),
    normalise_words,
]


@settings(max_examples=200, deadline=None)
@given(
    st.binary(max_size=600),
    st.sampled_from([b"", b"\x01R", b"\x01L", b"\x01H", b"\x01C", b"T2KS\x01K"]),
)
def test_binary_parsers_refuse_cleanly(blob, prefix):
    for parse in BINARY_PARSERS:
        with contextlib.suppress(BackchannelError):
            parse(prefix + blob)


@settings(max_examples=300, deadline=None)
@given(
    st.text(st.characters(exclude_categories=()), max_size=300),  # surrogates included
    st.sampled_from(["", "track2.example/log\n", "track2.example/log\n5\n", "\n\n\u2014 "]),
)
def test_text_parsers_refuse_cleanly(text, prefix):
    for parse in TEXT_PARSERS:
        with contextlib.suppress(BackchannelError):
            parse(prefix + text)


@settings(max_examples=100, deadline=None)
@given(
    st.integers(min_value=0, max_value=2**70),
    st.binary(min_size=31, max_size=33),
    st.lists(st.text(st.characters(exclude_categories=()), max_size=20), max_size=3),
)
def test_checkpoints_round_trip_or_refuse(size, root, extensions):
    """A checkpoint either signs into a note that opens back to itself, or is refused."""
    try:
        checkpoint = Checkpoint(LOG.name, size, root, tuple(extensions))
        note = checkpoint.sign(LOG)
    except BackchannelError:
        return
    assert open_checkpoint(note, LOG.verifier) == checkpoint
