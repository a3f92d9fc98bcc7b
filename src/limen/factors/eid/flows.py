"""One eID round trip: start (state, nonce and PKCE verifier kept in the session), then complete.

A flow is single-use, lives at most FLOW_SECONDS, and a browser holds at
most MAX_FLOWS at once. ``purpose`` says what the verified identity is for:
"signin" (passwordless), "verify" (second factor or step-up of the person
signing in) or "link" (My Account).
"""

from __future__ import annotations

import hmac
from limen.core import clock

from .errors import Cancelled, FlowExpired, FlowMissing, InvalidResponse, NoProvider
from .internal import oauth_client
from .models import UpstreamProvider
from . import upstream

SESSION_KEY = "limen.eid.flows"
FLOW_SECONDS = 600
MAX_FLOWS = 5


def begin(request, provider: UpstreamProvider, *, purpose: str, next_url: str = "", user_id: int | None = None,
          extra: dict | None = None) -> str:
    """Remember the flow and return the upstream authorization URL."""
    state, nonce, verifier = oauth_client.new_flow_secrets()
    url = upstream.authorization_url(provider, state=state, nonce=nonce, verifier=verifier, extra=extra)
    now = clock.now().timestamp()
    flows = {k: v for k, v in (request.session.get(SESSION_KEY) or {}).items() if now - v["since"] < FLOW_SECONDS}
    for old in sorted(flows, key=lambda k: flows[k]["since"])[: max(0, len(flows) - MAX_FLOWS + 1)]:
        del flows[old]
    flows[state] = {"provider": provider.pk, "purpose": purpose, "next": next_url, "user": user_id,
                    "nonce": nonce, "verifier": verifier, "since": now}
    request.session[SESSION_KEY] = flows
    return url


def _take(request, state: str) -> dict:
    flows = dict(request.session.get(SESSION_KEY) or {})
    match = None
    for key in flows:
        if hmac.compare_digest(key.encode(), (state or "").encode()):
            match = key
    if match is None:
        raise FlowMissing()
    flow = flows.pop(match)
    request.session[SESSION_KEY] = flows
    if clock.now().timestamp() - flow["since"] > FLOW_SECONDS:
        raise FlowExpired()
    return flow


def complete(request, params) -> tuple[dict, UpstreamProvider, dict]:
    """(flow, provider, verified ID token claims) for the upstream's answer in ``params``."""
    flow = _take(request, params.get("state", ""))
    provider = UpstreamProvider.objects.filter(pk=flow["provider"], enabled=True).first()
    if provider is None:
        raise NoProvider()
    if params.get("error"):
        raise Cancelled()
    iss = params.get("iss")
    if iss is not None and iss != provider.issuer:  # RFC 9207: the answer came from another provider
        raise InvalidResponse()
    code = params.get("code")
    if not code:
        raise InvalidResponse()
    claims = upstream.identity(provider, code=code, verifier=flow["verifier"], nonce=flow["nonce"])
    return flow, provider, claims
