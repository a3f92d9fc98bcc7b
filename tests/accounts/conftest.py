from __future__ import annotations

import pytest
from tests.support.pow import fresh

from .helpers import registration_data


@pytest.fixture
def register(client, db):
    """POST the registration form; keyword arguments override fields (None leaves one out)."""
    def post(**overrides):
        return client.post("/register/", {**registration_data(**overrides), **fresh()})
    return post
