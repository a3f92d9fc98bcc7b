"""The one module that uses Authlib: the authorization code flow with PKCE against an upstream provider."""

from __future__ import annotations

import secrets

import requests
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.requests_client import OAuth2Session


class UpstreamError(Exception):
    """The token endpoint refused the code, answered badly, or could not be reached."""


def new_flow_secrets() -> tuple[str, str, str]:
    """(state, nonce, PKCE code verifier), each with at least 256 bits of randomness."""
    return secrets.token_urlsafe(32), secrets.token_urlsafe(32), secrets.token_urlsafe(48)


def authorization_url(*, endpoint: str, client_id: str, redirect_uri: str, scopes: list[str], state: str,
                      nonce: str, verifier: str, extra: dict | None = None) -> str:
    session = OAuth2Session(client_id, redirect_uri=redirect_uri, scope=" ".join(scopes),
                            code_challenge_method="S256")
    url, _state = session.create_authorization_url(endpoint, state=state, nonce=nonce, code_verifier=verifier,
                                                   **(extra or {}))
    return url


def exchange_code(*, endpoint: str, client_id: str, client_secret: str, auth_method: str, redirect_uri: str,
                  code: str, verifier: str, timeout: float) -> dict:
    session = OAuth2Session(client_id, client_secret, token_endpoint_auth_method=auth_method,
                            redirect_uri=redirect_uri)
    try:
        token = session.fetch_token(endpoint, grant_type="authorization_code", code=code, code_verifier=verifier,
                                    timeout=timeout, allow_redirects=False)
    except OAuthError as exc:
        raise UpstreamError(f"token endpoint refused: {exc.error} {exc.description or ''}".strip()) from None
    except (requests.RequestException, ValueError) as exc:
        raise UpstreamError(f"token endpoint failed: {exc}") from None
    if not token.get("id_token"):
        raise UpstreamError("no id_token in the token response")
    return dict(token)


def get_json(url: str, *, timeout: float) -> dict:
    try:
        response = requests.get(url, timeout=timeout, allow_redirects=False, headers={"Accept": "application/json"})
        response.raise_for_status()
        data = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise UpstreamError(f"cannot read {url}: {exc}") from None
    if not isinstance(data, dict):
        raise UpstreamError(f"{url} is not a JSON object")
    return data
