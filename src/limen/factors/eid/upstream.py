"""Talking to an upstream eID provider: discovery, keys, authorization URL, code exchange, ID token checks.

Discovery documents and key sets are cached (LIMEN_EID_METADATA_CACHE_SECONDS);
a token signed with a key we do not know yet makes us fetch the key set again
(at most once a minute per provider), so the provider can rotate its keys.
"""

from __future__ import annotations

import hashlib
import logging

from django.conf import settings
from django.core.cache import cache
from django.urls import reverse

from .errors import InvalidResponse, ProviderUnavailable
from .internal import id_tokens, oauth_client
from .models import UpstreamProvider

log = logging.getLogger("limen.eid")


def redirect_uri() -> str:
    """The one callback address to register at every upstream provider."""
    return settings.BASE_URL + reverse("eid:callback")


def _cache_key(kind: str, provider: UpstreamProvider) -> str:
    return f"eid-{kind}:" + hashlib.sha256(provider.issuer.encode()).hexdigest()[:32]


def metadata(provider: UpstreamProvider) -> dict:
    key = _cache_key("meta", provider)
    data = cache.get(key)
    if data is not None:
        return data
    url = provider.issuer.rstrip("/") + "/.well-known/openid-configuration"
    try:
        data = oauth_client.get_json(url, timeout=settings.EID_HTTP_TIMEOUT)
    except oauth_client.UpstreamError as exc:
        log.warning("eID provider %s: %s", provider.slug, exc)
        raise ProviderUnavailable() from None
    if data.get("issuer") != provider.issuer:
        log.error("eID provider %s: discovery says issuer %r, configured %r", provider.slug, data.get("issuer"),
                  provider.issuer)
        raise ProviderUnavailable()
    if not all(isinstance(data.get(k), str) for k in ("authorization_endpoint", "token_endpoint", "jwks_uri")):
        log.error("eID provider %s: discovery document lacks endpoints", provider.slug)
        raise ProviderUnavailable()
    if settings.EID_METADATA_CACHE_SECONDS:
        cache.set(key, data, settings.EID_METADATA_CACHE_SECONDS)
    return data


def _jwks(provider: UpstreamProvider, meta: dict, *, refresh: bool = False) -> dict:
    key = _cache_key("jwks", provider)
    data = None if refresh else cache.get(key)
    if data is None:
        try:
            data = oauth_client.get_json(meta["jwks_uri"], timeout=settings.EID_HTTP_TIMEOUT)
        except oauth_client.UpstreamError as exc:
            log.warning("eID provider %s: %s", provider.slug, exc)
            raise ProviderUnavailable() from None
        if settings.EID_METADATA_CACHE_SECONDS:
            cache.set(key, data, settings.EID_METADATA_CACHE_SECONDS)
    return data


def authorization_url(provider: UpstreamProvider, *, state: str, nonce: str, verifier: str,
                      extra: dict | None = None) -> str:
    meta = metadata(provider)
    return oauth_client.authorization_url(
        endpoint=meta["authorization_endpoint"], client_id=provider.client_id, redirect_uri=redirect_uri(),
        scopes=provider.scope_list, state=state, nonce=nonce, verifier=verifier, extra=extra)


def identity(provider: UpstreamProvider, *, code: str, verifier: str, nonce: str) -> dict:
    """Exchange the code and return the verified ID token claims."""
    meta = metadata(provider)
    try:
        token = oauth_client.exchange_code(
            endpoint=meta["token_endpoint"], client_id=provider.client_id, client_secret=provider.secret(),
            auth_method=provider.token_auth_method, redirect_uri=redirect_uri(), code=code, verifier=verifier,
            timeout=settings.EID_HTTP_TIMEOUT)
    except oauth_client.UpstreamError as exc:
        log.warning("eID provider %s: %s", provider.slug, exc)
        raise InvalidResponse() from None
    check = dict(issuer=provider.issuer, client_id=provider.client_id, nonce=nonce)
    try:
        return id_tokens.verify(token["id_token"], jwks=_jwks(provider, meta), **check)
    except id_tokens.Rejected as exc:
        if exc.unknown_key and cache.add(_cache_key("jwks-refetch", provider), 1, 60):
            try:
                return id_tokens.verify(token["id_token"], jwks=_jwks(provider, meta, refresh=True), **check)
            except id_tokens.Rejected as again:
                exc = again
        log.warning("eID provider %s: ID token refused: %s", provider.slug, exc)
        raise InvalidResponse() from None
