"""The back channel's domain errors: every failure of the pure modules is one of these.

Each message says what was wrong and what to do; callers (actions, the CLI) show it as is.
Everything fails closed: no partial plaintext, key or proof is ever returned with an error.
"""

from __future__ import annotations


class BackchannelError(Exception):
    """Base of every back-channel failure."""


class MalformedInput(BackchannelError):
    """Bytes or text that do not have the structure of the format they claim to be."""


class ConveyInstead(MalformedInput):
    """The envelope is a routing layer for an intermediary to convey, not a message to read."""


class DowngradeRefused(BackchannelError):
    """A wire format older than the one this version writes (an attacker may have rolled it back)."""


class UnsupportedVersion(BackchannelError):
    """A wire format newer than this version understands."""


class TamperedEnvelope(BackchannelError):
    """An envelope failed authentication: altered, truncated, or opened under another context."""


class WrongRecipient(BackchannelError):
    """The envelope was sealed to a prekey this identity never held."""


class UnknownPrekey(BackchannelError):
    """The envelope's one-time prekey was already used and deleted: a replay."""


class UnexpectedSender(BackchannelError):
    """The envelope authenticates, but its sender is not the correspondent the caller expected."""


class BadBundle(BackchannelError):
    """A key bundle whose signatures do not verify (substituted or edited keys)."""


class BadSignature(BackchannelError):
    """A receipt, statement or note signature that does not verify."""


class RouteMismatch(BackchannelError):
    """The route a message actually took differs from the route its sender committed to."""


class BadPassphrase(BackchannelError):
    """The passphrase does not open this keystore."""


class CorruptKeystore(BackchannelError):
    """The keystore file is damaged or not a Track2 keystore."""


class BadProof(BackchannelError):
    """A Merkle inclusion or consistency proof that does not verify."""


class BadCheckpoint(BackchannelError):
    """A checkpoint note that is malformed, for another log, or not signed by the log's key."""


class LogShrank(BackchannelError):
    """The log now claims fewer entries than a checkpoint already pinned: a rollback."""


class LogForked(BackchannelError):
    """The log's new checkpoint does not extend the pinned one: the log was rewritten (a fork)."""
