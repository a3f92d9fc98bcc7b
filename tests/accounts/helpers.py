"""Small helpers shared by the accounts tests."""

from __future__ import annotations

from urllib.parse import urlsplit

NEW_PASSWORD = "Lantern-Orbit-77"


def path_of(url: str) -> str:
    """The path of a link from an e-mail, for the test client."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def registration_data(**overrides) -> dict:
    data = {
        "first_name": "Grace", "last_name": "Hopper", "email": "grace@example.org",
        "email_confirm": "grace@example.org", "email_language": "en", "privacy": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def templates(response) -> list[str]:
    return [t.name for t in response.templates]
