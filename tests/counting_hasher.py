"""A real Argon2 hasher that also notes each password check in a file.

Used only by the served-site tests (tests/served_settings.py): a server in another process
cannot be asked how often it checked a password, so each check appends one line (O_APPEND
writes are atomic, so parallel workers do not lose lines).
"""

import os

from track2.accounts.hashers import Track2Argon2PasswordHasher


class CountingArgon2PasswordHasher(Track2Argon2PasswordHasher):
    def verify(self, password, encoded):
        fd = os.open(
            os.environ["TRACK2_TEST_CHECK_LOG"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600
        )
        try:
            os.write(fd, b"checked\n")
        finally:
            os.close(fd)
        return super().verify(password, encoded)
