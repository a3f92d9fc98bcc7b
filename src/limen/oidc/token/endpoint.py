"""Answer a code exchange or a refresh on the lean path, or raise Fallback for the toolkit's view.

Every check the toolkit and the validator make is made here, in the same terms; a request that
fails any of them is handed over untouched, so its answer (and what it changes: the failure count,
code reuse revoking tokens, refresh token reuse revoking the family) is exactly the toolkit's.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

from django.http import HttpResponse
from django.utils import timezone
from oauth2_provider.models import refresh_token_expire_timedelta

from ..models import Client
from . import Fallback, client, issue, params, store


def refusal(request) -> HttpResponse | None:
    """``invalid_request`` for a token request with a NUL character in a parameter or its Basic
    credentials (params.has_nul), before either path looks anything up; None for any other request."""
    if request.method != "POST" or not params.has_nul(request):
        return None
    response = HttpResponse(json.dumps({"error": "invalid_request",
                                        "error_description": "A parameter holds a NUL character."}),
                            status=400, content_type="application/json")
    response["Cache-Control"] = "no-store"
    return response


def answer(request) -> HttpResponse:
    asked = params.read(request)
    client.check_limit(request, asked.credentials)
    if asked.grant_type == "authorization_code":
        return _exchange_code(request, asked)
    return _refresh(request, asked)


def _pkce_required(found_client) -> bool:
    return found_client.client_type == Client.CLIENT_PUBLIC or found_client.pkce_required


def _check_pkce(grant, found_client, verifier: str | None) -> None:
    """RFC 7636 with S256 only, and no verifier for a code issued without a challenge (limen.oidc.pkce)."""
    if not grant.code_challenge:
        if verifier is not None or _pkce_required(found_client):
            raise Fallback()
        return
    if verifier is None or grant.code_challenge_method != "S256":
        raise Fallback()
    computed = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
    if not hmac.compare_digest(computed.encode(), grant.code_challenge.encode()):
        raise Fallback()


def _exchange_code(request, asked: params.TokenRequest) -> HttpResponse:
    digest = hashlib.sha256(asked.code.encode("utf-8")).hexdigest()
    found = store.find_code(asked.code, digest, asked.credentials.client_id)
    if found is None:
        raise Fallback()
    authenticated = client.authenticate(request, asked.credentials, found.client)
    grant = found.grant
    if (found.client.authorization_grant_type != Client.GRANT_AUTHORIZATION_CODE
            or grant.expires <= timezone.now() or found.sign_in is None or not found.person.is_active
            or grant.resource or grant.redirect_uri != asked.redirect_uri):
        raise Fallback()
    scopes = grant.scope.split(" ")
    if "openid" not in scopes or "access" in scopes:  # access: validated details, read by the toolkit's path
        raise Fallback()
    _check_pkce(grant, found.client, asked.code_verifier)
    made = issue.Issue(found, scopes)
    id_token = made.id_token(found.client.client_id, alg=found.client.id_token_alg, nonce=grant.nonce or None,
                             requested=json.loads(grant.claims) if grant.claims else None)
    try:
        store.spend_code(found, made.tokens, before_commit=authenticated.commit)
    except store.Spent:
        raise Fallback() from None
    return made.answer(id_token)


def _refresh(request, asked: params.TokenRequest) -> HttpResponse:
    found = store.find_refresh(issue.checksum(asked.refresh_token), asked.credentials.client_id)
    if found is None:
        raise Fallback()
    authenticated = client.authenticate(request, asked.credentials, found.client)
    lifetime = refresh_token_expire_timedelta()
    if (found.client.authorization_grant_type != Client.GRANT_AUTHORIZATION_CODE or not found.person.is_active
            or found.refresh.resource or found.refresh.token_family is None
            or (lifetime and found.access.expires + lifetime <= timezone.now())):
        raise Fallback()
    scopes = found.access.scope.strip().split(" ")
    if "openid" not in scopes or "access" in scopes:
        raise Fallback()
    made = issue.Issue(found, scopes, family=found.refresh.token_family)
    id_token = made.id_token(found.client.client_id, alg=found.client.id_token_alg)
    try:
        store.spend_refresh(found, made.tokens, before_commit=authenticated.commit)
    except store.Spent:
        raise Fallback() from None
    return made.answer(id_token)
