"""The back channel: end-to-end encrypted relay through intermediaries, with a transparency log.

The pure modules (no Django): `crypto` (keys, bundles, envelopes), `merkle` (the log's tree),
`checkpoint` (signed checkpoints), `conveyance` (routes and receipts), `keystore` (the client's
encrypted keys) and `addressing` (mailbox ids and tokens). The Django app around them — models,
actions, queries, the page, the API and the `track2 backchannel` client — is the blind relay and
never holds a private key (docs/security-model.md).
"""
