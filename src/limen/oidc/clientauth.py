"""Client authentication with a signed JWT (RFC 7523): client_secret_jwt and private_key_jwt.

The client posts client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer
and client_assertion=<JWT> with iss = sub = its client_id, aud = the token
endpoint (or the issuer), exp, and a jti that is accepted once.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

import requests
from django.conf import settings
from django.core.cache import cache

from limen.core import clock, crypto, ratelimit

from .internal import jose
from .models import AuthMethod, Client

log = logging.getLogger("limen.oidc")

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
LEEWAY = 30
MAX_LIFETIME = 3600 + 60  # Authlib and others default to one hour; the jti is single-use anyway
JWKS_CACHE_SECONDS = 300
SECRET_PURPOSE = "oidc-client-secret"


class AssertionRejected(Exception):
    """Why an assertion was refused (for the log; the client only sees invalid_client)."""


def client_id_of(assertion: str) -> str:
    try:
        _header, claims = jose.peek(assertion)
    except jose.JoseError as exc:
        raise AssertionRejected(str(exc)) from None
    sub = claims.get("sub")
    if not isinstance(sub, str) or not sub:
        raise AssertionRejected("no sub")
    return sub


def store_secret(client: Client, secret: str) -> None:
    """client_secret_jwt: keep the secret itself, encrypted, as the HMAC key."""
    client.secret_encrypted = crypto.encrypt(secret.encode(), purpose=SECRET_PURPOSE)


def _secret_keys(client: Client) -> list[jose.Key]:
    if not client.secret_encrypted:
        raise AssertionRejected("no secret stored for client_secret_jwt")
    try:
        return [jose.secret_key(crypto.decrypt(client.secret_encrypted, purpose=SECRET_PURPOSE).decode())]
    except crypto.DecryptionError as exc:
        raise AssertionRejected(f"secret cannot be decrypted: {exc}") from None


def _fetch_jwks(uri: str) -> dict:
    response = requests.get(uri, timeout=settings.OIDC_BACKCHANNEL_TIMEOUT, allow_redirects=False,
                            headers={"Accept": "application/json"})
    response.raise_for_status()
    return response.json()


def public_keys(client: Client, *, kid: str | None = None) -> list[jose.Key]:
    if client.jwks:
        return jose.public_key_set(client.jwks)
    if not client.jwks_uri:
        raise AssertionRejected("no public keys registered")
    cache_key = "oidc-client-jwks:" + hashlib.sha256(client.jwks_uri.encode()).hexdigest()
    data = cache.get(cache_key)
    keys = jose.public_key_set(data) if data else []
    if not keys or (kid and all(k.kid != kid for k in keys)):
        # Unknown key: fetch again, at most once a minute per address.
        if data is None or cache.add(cache_key + ":refetch", 1, 60):
            try:
                data = _fetch_jwks(client.jwks_uri)
                keys = jose.public_key_set(data)
            except (requests.RequestException, ValueError, jose.JoseError) as exc:
                raise AssertionRejected(f"cannot load {client.jwks_uri}: {exc}") from None
            cache.set(cache_key, data, JWKS_CACHE_SECONDS)
    return keys


@dataclass(frozen=True)
class Replay:
    """An assertion's jti, to be marked as used (``consume``) once it is accepted."""

    key: str
    seconds: int

    def consume(self) -> None:
        """Raises AssertionRejected if the jti was used already, or if that cannot be known."""
        try:
            fresh = ratelimit.fail_closed(cache.add)(self.key, 1, self.seconds)
        except ratelimit.LimitsUnavailable:
            raise AssertionRejected("replay protection unavailable") from None  # fail closed
        if not fresh:
            raise AssertionRejected("jti already used")


def verify(assertion: str, client: Client, audiences: list[str]) -> None:
    """Raises AssertionRejected unless ``assertion`` authenticates ``client`` (its jti is spent)."""
    check(assertion, client, audiences).consume()


def check(assertion: str, client: Client, audiences: list[str]) -> Replay:
    """Everything ``verify`` checks but the jti's single use, which the returned Replay marks."""
    method = client.token_endpoint_auth_method
    try:
        header, _ = jose.peek(assertion)
        if method == AuthMethod.CLIENT_SECRET_JWT:
            claims = jose.verify(assertion, _secret_keys(client), algs=jose.HMAC_ALGS)
        elif method == AuthMethod.PRIVATE_KEY_JWT:
            keys = public_keys(client, kid=header.get("kid"))
            claims = jose.verify(assertion, keys, algs=jose.RSA_ALGS + jose.EC_ALGS)
        else:
            raise AssertionRejected(f"client is registered for {method}, not a JWT assertion")
    except jose.JoseError as exc:
        raise AssertionRejected(str(exc)) from None
    now = clock.now().timestamp()
    if claims.get("iss") != client.client_id or claims.get("sub") != client.client_id:
        raise AssertionRejected("iss and sub must both be the client_id")
    aud = claims.get("aud")
    aud = [aud] if isinstance(aud, str) else aud if isinstance(aud, list) else []
    if not set(aud) & set(audiences):
        raise AssertionRejected(f"aud {aud!r} is not this server")
    exp = claims.get("exp")
    if not isinstance(exp, (int, float)) or exp + LEEWAY < now:
        raise AssertionRejected("expired or no exp")
    if exp - now > MAX_LIFETIME:
        raise AssertionRejected("exp too far in the future")
    for name in ("nbf", "iat"):
        value = claims.get(name)
        if value is not None and (not isinstance(value, (int, float)) or value - LEEWAY > now):
            raise AssertionRejected(f"{name} is in the future")
    jti = claims.get("jti")
    if not isinstance(jti, str) or not jti or len(jti) > 256:
        raise AssertionRejected("no jti")
    digest = hashlib.sha256(f"{client.client_id}\x00{jti}".encode()).hexdigest()
    return Replay(f"oidc-jti:{digest}", int(exp - now + LEEWAY) + 1)
