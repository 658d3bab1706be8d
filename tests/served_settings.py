"""Settings of a `track2 serve` started by a test: the real settings, with password checks counted."""

from track2.settings import *  # noqa: F403  (the real settings, as `track2 serve` uses them)

PASSWORD_HASHERS = ["tests.counting_hasher.CountingArgon2PasswordHasher"]
