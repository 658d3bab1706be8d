"""Test set-up that must happen before Django reads its settings.

Each test run gets its own throwaway data folder; TRACK2_DATABASE_URL, when set by the
test command, points the same suite at a real PostgreSQL.
"""

import atexit
import os
import shutil
import tempfile

os.environ["TRACK2_HOME"] = tempfile.mkdtemp(prefix="track2-test-home-")
# Removed when this process ends: each run (and each xdist worker) makes its own, and they piled
# up in /tmp, one per run.
atexit.register(shutil.rmtree, os.environ["TRACK2_HOME"], ignore_errors=True)
os.makedirs(os.path.join(os.environ["TRACK2_HOME"], "static"))
os.environ.setdefault("TRACK2_EMAIL_URL", "locmem://")
os.environ.pop("TRACK2_DEBUG", None)
os.environ.pop("TRACK2_HTTPS", None)

from track2.settings import *  # noqa: E402,F403  (the real settings, read after the env above)

# Cheap Argon2 (STYLE.md §7) for everything the suite runs before a test's own settings fixture
# (tests/conftest.py lowers it per test too): a module's demo built once (`built_demo`) would
# otherwise hash its 18 people's passwords at the production cost, and every sign-in to it would
# check at that cost. tests/accounts/test_hashing.py asserts the production values.
ARGON2_TIME_COST = 1
ARGON2_MEMORY_COST = 8
ARGON2_PARALLELISM = 1
