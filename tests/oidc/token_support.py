"""Running one token request twice, through the toolkit alone and through the lean path
(limen.oidc.token), from the same database and cache, and describing what each did."""

from __future__ import annotations

import base64
import json
import secrets
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from oauth2_provider.models import AccessToken, Grant, IDToken, RefreshToken

from limen.audit.models import AuditEvent
from limen.oidc.internal import jose
from limen.oidc.models import Authorization, TokenIssue
from limen.oidc.token import Fallback
from limen.oidc.token import endpoint

from .conftest import REDIRECT_URI, pkce_pair

DYNAMIC_CLAIMS = {"iat", "exp", "jti", "at_hash"}


@dataclass
class Outcome:
    status: int
    headers: dict
    body: dict
    lean: bool          # answered by the lean path (not handed to the toolkit)
    rows: dict
    events: list
    id_token: tuple | None = None  # (header, claims) without the dynamic claims


def rows() -> dict:
    """The token tables, as what each row says (not its random values)."""
    return {
        "grants": Grant.objects.count(),
        "consumed": sorted(Authorization.objects.filter(consumed__isnull=False).values_list("id", flat=True)),
        "access": sorted((a.user_id, a.application_id, a.scope, a.resource, a.id_token_id is not None,
                          a.source_refresh_token_id is not None, a.token) for a in AccessToken.objects.all()),
        "refresh": sorted((r.user_id, r.application_id, r.revoked is None, r.access_token_id is not None,
                           r.token_family is not None, r.token, r.resource) for r in RefreshToken.objects.all()),
        "families": sorted((RefreshToken.objects.filter(token_family=f).count(),
                            RefreshToken.objects.filter(token_family=f, revoked__isnull=True).count())
                           for f in set(RefreshToken.objects.values_list("token_family", flat=True))),
        "id_tokens": sorted((t.user_id, t.application_id, t.scope) for t in IDToken.objects.all()),
        "issues": sorted((i.authorization_id, i.token_family is not None, bool(i.access_token_checksum))
                         for i in TokenIssue.objects.all()),
    }


def _post(client, data: dict, headers: dict):
    return client.post("/oidc/token", data, **headers)


def run(client, data: dict, headers: dict, *, lean: bool, monkeypatch) -> Outcome:
    used = {"lean": False}
    real = endpoint.answer

    def spy(request):
        if not lean:
            raise Fallback()
        response = real(request)
        used["lean"] = True
        return response

    monkeypatch.setattr(endpoint, "answer", spy)
    before = set(AuditEvent.objects.values_list("id", flat=True))
    response = _post(client, data, headers)
    monkeypatch.setattr(endpoint, "answer", real)
    body = json.loads(response.content) if response.content.startswith(b"{") else {"raw": response.content}
    headers_out = {k: response[k] for k in ("Content-Type", "Cache-Control", "Pragma", "WWW-Authenticate")
                   if response.has_header(k)}
    id_token = None
    if "id_token" in body:
        header, claims = jose.peek(body["id_token"])
        assert claims["at_hash"] == at_hash(body["access_token"])
        assert abs(claims["iat"] - time.time()) < 60 and claims["exp"] > claims["iat"]
        id_token = (header, {k: v for k, v in claims.items() if k not in DYNAMIC_CLAIMS}, list(claims))
    events = list(AuditEvent.objects.exclude(id__in=before).values_list("event", flat=True))
    return Outcome(response.status_code, headers_out, body, used["lean"], rows(), events, id_token)


def at_hash(access_token: str) -> str:
    import hashlib

    digest = hashlib.sha256(access_token.encode()).digest()
    return base64.urlsafe_b64encode(digest[:16]).decode().rstrip("=")


def both(client, data: dict, headers: dict | None = None, *, monkeypatch, prepare=lambda: None) \
        -> tuple[Outcome, Outcome]:
    """The request through the toolkit, then (everything rolled back, the cache emptied) the lean path;
    ``prepare`` runs before each."""
    headers = headers or {}
    point = transaction.savepoint()
    cache.clear()
    prepare()
    toolkit = run(client, data, headers, lean=False, monkeypatch=monkeypatch)
    transaction.savepoint_rollback(point)
    cache.clear()
    prepare()
    lean = run(client, data, headers, lean=True, monkeypatch=monkeypatch)
    return toolkit, lean


def assert_same(toolkit: Outcome, lean: Outcome) -> None:
    assert (lean.status, lean.headers, lean.events, lean.rows) == \
        (toolkit.status, toolkit.headers, toolkit.events, toolkit.rows)
    if toolkit.status != 200:
        assert lean.body == toolkit.body
        return
    assert set(lean.body) == set(toolkit.body)
    for name in ("token_type", "expires_in", "scope"):
        assert lean.body[name] == toolkit.body[name]
    assert lean.id_token[0] == toolkit.id_token[0] and lean.id_token[1] == toolkit.id_token[1]
    assert lean.id_token[2] == toolkit.id_token[2]  # the claims in the same order


def basic(client_id: str, secret: str) -> dict:
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()}


def assertion(client_id: str, key: jose.Key, alg: str, *, jti: str | None = None) -> dict:
    now = int(time.time())
    claims = {"iss": client_id, "sub": client_id, "aud": settings.BASE_URL + "/oidc/token", "iat": now,
              "exp": now + 300, "jti": jti or secrets.token_hex(8)}
    return {"client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": jose.sign(claims, key, alg=alg)}


def code_for(client, client_id: str, *, pkce: bool = True, **extra) -> tuple[str, str | None]:
    """A code from the authorization endpoint for the signed-in test client: (code, verifier)."""
    verifier, challenge = pkce_pair() if pkce else (None, None)
    params = {"response_type": "code", "client_id": client_id, "redirect_uri": REDIRECT_URI,
              "scope": "openid email profile", "state": "s", "nonce": "n-" + secrets.token_hex(4), **extra}
    if pkce:
        params.update(code_challenge=challenge, code_challenge_method="S256")
    response = client.get("/oidc/authorize", params)
    assert response.status_code == 302, response.content[:300]
    query = dict(pair.split("=", 1) for pair in response["Location"].split("?", 1)[1].split("&"))
    return query["code"], verifier


def exchange_data(code: str, verifier: str | None, **extra) -> dict:
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI, **extra}
    if verifier is not None:
        data["code_verifier"] = verifier
    return data
