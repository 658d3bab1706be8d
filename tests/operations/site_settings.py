"""Settings of the throwaway sites the operations tests run `track2` commands against: the
real settings with cheap Argon2 (STYLE.md §7; test_pouch.py asserts the production costs)."""

from track2.settings import *  # noqa: F403

BACKUP_KDF_OPSLIMIT = 1
BACKUP_KDF_MEMLIMIT = 8 * 1024 * 1024
ARGON2_TIME_COST = 1
ARGON2_MEMORY_COST = 8
ARGON2_PARALLELISM = 1
