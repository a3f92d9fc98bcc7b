"""Helpers of the tests of the sign-in methods (the device builders are in tests/support/devices.py)."""

from __future__ import annotations

from tests.conftest import DEFAULT_PASSWORD
from tests.support.pages import sign_in


def start_signin(client, user, method: str, password: str = DEFAULT_PASSWORD, next_url: str = ""):
    """Identifier, then password with ``method`` chosen: returns the redirect to the method's page."""
    return sign_in(client, user, password, method=method, next_url=next_url or None, expect=302)


def session_strengths(client) -> list[str]:
    return client.session.get("limen.sso", {}).get("strengths", [])
