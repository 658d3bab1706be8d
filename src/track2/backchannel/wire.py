"""Helpers shared by the versioned binary formats of the back channel.

Every format starts with a version byte, checked before anything else is read (an older version is
refused as a downgrade, a newer one as unsupported), then a kind byte so that one format can never
be parsed as another. Lengths are big-endian and bounded; a short or over-long input raises
MalformedInput instead of reading past the end.
"""

from __future__ import annotations

import struct

from track2.backchannel.errors import DowngradeRefused, MalformedInput, UnsupportedVersion

WIRE_VERSION = 1

# Kind bytes: one per format (ASCII letters so a hex dump reads).
KIND_BUNDLE = ord("B")
KIND_ENVELOPE = ord("E")
KIND_IDENTITY = ord("I")
KIND_PARCEL = ord("P")
KIND_RECEIPT = ord("R")
KIND_ROUTING = ord("H")
KIND_STATEMENT = ord("S")


def header(kind: int) -> bytes:
    return bytes((WIRE_VERSION, kind))


def check_header(data: bytes, kind: int, what: str) -> None:
    """Refuse anything but this version of this format, version first."""
    if len(data) < 1:
        raise MalformedInput(f"The {what} is empty.")
    version = data[0]
    if version < WIRE_VERSION:
        raise DowngradeRefused(
            f"The {what} uses wire version {version}, older than version {WIRE_VERSION}; "
            "it is refused because accepting it would allow a downgrade."
        )
    if version > WIRE_VERSION:
        raise UnsupportedVersion(
            f"The {what} uses wire version {version}; this Track2 understands version "
            f"{WIRE_VERSION}. Upgrade Track2 to read it."
        )
    if len(data) < 2 or data[1] != kind:
        raise MalformedInput(f"These bytes are not a {what}.")


class Reader:
    """Reads fields from a byte string and fails on any read past its end."""

    def __init__(self, data: bytes, what: str, offset: int = 0) -> None:
        self.data = data
        self.what = what
        self.offset = offset

    def take(self, n: int) -> bytes:
        if n < 0 or self.offset + n > len(self.data):
            raise MalformedInput(f"The {self.what} is truncated.")
        chunk = self.data[self.offset : self.offset + n]
        self.offset += n
        return chunk

    def u8(self) -> int:
        return self.take(1)[0]

    def u8_in(self, allowed: tuple[int, ...], field: str) -> int:
        """A one-byte code that must be one of `allowed` (a kind, a mode)."""
        value = self.u8()
        if value not in allowed:
            raise MalformedInput(f"The {self.what} names an unknown {field}.")
        return value

    def u16(self) -> int:
        return int(struct.unpack(">H", self.take(2))[0])

    def u32(self) -> int:
        return int(struct.unpack(">I", self.take(4))[0])

    def u64(self) -> int:
        return int(struct.unpack(">Q", self.take(8))[0])

    def blob16(self) -> bytes:
        return self.take(self.u16())

    def blob32(self) -> bytes:
        return self.take(self.u32())

    def text16(self) -> str:
        raw = self.blob16()
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise MalformedInput(f"The {self.what} has text that is not UTF-8.") from error

    def rest(self) -> bytes:
        chunk = self.data[self.offset :]
        self.offset = len(self.data)
        return chunk

    def end(self) -> None:
        if self.offset != len(self.data):
            raise MalformedInput(f"The {self.what} has trailing bytes.")


def u8(n: int) -> bytes:
    return struct.pack(">B", n)


def u16(n: int) -> bytes:
    return struct.pack(">H", n)


def u32(n: int) -> bytes:
    return struct.pack(">I", n)


def u64(n: int) -> bytes:
    return struct.pack(">Q", n)


def blob16(data: bytes) -> bytes:
    if len(data) > 0xFFFF:
        raise MalformedInput("A field is longer than 65,535 bytes.")
    return u16(len(data)) + data


def blob32(data: bytes) -> bytes:
    return u32(len(data)) + data


def text16(text: str) -> bytes:
    try:
        return blob16(text.encode("utf-8"))
    except UnicodeEncodeError as error:
        # Lone surrogates cannot be encoded; refuse rather than bind a lossy form.
        raise MalformedInput("A text field is not valid Unicode.") from error
