"""The discovery document is built once per process, and follows the settings it is built from."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_the_document_follows_the_base_url_and_the_languages(client, settings):
    first = client.get("/.well-known/openid-configuration").json()
    assert first["token_endpoint"] == settings.BASE_URL + "/oidc/token"
    settings.BASE_URL = "https://login.example.eu"
    settings.LANGUAGES = [("en", "English"), ("sv", "Svenska")]
    again = client.get("/.well-known/openid-configuration")
    moved = again.json()
    assert moved["issuer"] == "https://login.example.eu"
    assert moved["token_endpoint"] == "https://login.example.eu/oidc/token"
    assert moved["jwks_uri"].startswith("https://login.example.eu/")
    assert moved["ui_locales_supported"] == ["en", "sv"]
    assert again["Cache-Control"] == "public, max-age=300" and again["Access-Control-Allow-Origin"] == "*"


def test_an_answer_cannot_change_the_next_one(client):
    client.get("/.well-known/openid-configuration").json()["scopes_supported"].append("admin")
    assert "admin" not in client.get("/.well-known/openid-configuration").json()["scopes_supported"]
