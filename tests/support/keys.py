"""Keys of secrets at rest for tests (fixtures for every test directory, from tests/conftest.py).

    encryption_keys(f"2026-11:{new_key()},legacy")   # as LIMEN_ENCRYPTION_KEYS would say, for this test
"""

from __future__ import annotations

import base64
import os

import pytest


def new_key() -> str:
    """A fresh key as `openssl rand -base64 32` prints it."""
    return base64.b64encode(os.urandom(32)).decode()


@pytest.fixture
def encryption_keys(settings):
    """Set LIMEN_ENCRYPTION_KEYS for this test (parsed as at start-up); "" is the setting left unset."""
    from limen.core import config

    def use(value: str) -> None:
        settings.ENCRYPTION_KEYS = config.encryption_keys(value)

    return use
