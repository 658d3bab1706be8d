"""The back channel: end-to-end encrypted relay through intermediaries, with a transparency log.

The modules here are pure (no Django): `crypto` (keys, bundles, envelopes), `merkle` (the log's
tree), `checkpoint` (signed checkpoints), `conveyance` (routes and receipts) and `keystore`
(the client's encrypted keys). The server side builds on them and never holds a private key.
"""
