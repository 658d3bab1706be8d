"""The back channel: end-to-end encrypted relay, key directory, conveyance, transparency log.

The pure modules (crypto, merkle, checkpoint, conveyance, keystore) import no Django; the app's
models, actions and routes are the blind relay around them (docs/security-model.md).
"""
