"""Settings for the test run: Limen's own, with a private data dir and fast hashing.

The environment is set here (not in conftest.py) because pytest-django loads
the settings before any conftest runs. A caller's values win, so the
PostgreSQL run only has to set LIMEN_DATABASE_URL.
"""

import os
import tempfile

os.environ.setdefault("LIMEN_DATA_DIR", tempfile.mkdtemp(prefix="limen-test-"))
os.environ.setdefault("LIMEN_ARGON2_MEMORY_KIB", "1024")
os.environ.setdefault("LIMEN_ARGON2_TIME_COST", "1")
os.environ.setdefault("LIMEN_EMAIL_URL", "memory:")
os.environ.setdefault("LIMEN_DEV_OUTBOX", "1")
# A real proof of work, solved in a millisecond (tests/support/pow.py solves it like a browser).
os.environ.setdefault("LIMEN_POW_COST", "10")
os.environ.setdefault("LIMEN_POW_DIFFICULTY", "10")

from limen.settings import *  # noqa: E402,F401,F403
