"""HTTP authentication challenges of the OAuth endpoints.

- Token, revocation and introspection endpoints (client authentication,
  RFC 6749 §5.2): a failed client authentication is 401 with a Basic
  challenge, the HTTP scheme clients authenticate with here (oauthlib would
  send a Bearer challenge, which belongs to resource servers).
- Userinfo (a protected resource, RFC 6750 §3.1): a request with no access
  token at all gets 401 with a bare Bearer challenge, without an error code;
  a token that is wrong still gets error="invalid_token".
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse

ACCESS_TOKEN_PARAM = "access_token"


def _realm() -> str:
    name = settings.SITE_NAME.replace("\\", "\\\\").replace('"', '\\"')
    return f'realm="{name}"'


def basic() -> str:
    return f"Basic {_realm()}"


def bearer() -> str:
    return f"Bearer {_realm()}"


def client_authentication(response: HttpResponse) -> HttpResponse:
    """The answer of a client-authenticated endpoint, with the challenge of RFC 6749 §5.2 on a 401."""
    if response.status_code == 401:
        response["WWW-Authenticate"] = basic()
    return response


def bearer_token_presented(request) -> bool:
    """An access token in the Authorization header (Bearer scheme) or in the form body or query."""
    scheme, _, _rest = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer":
        return True
    return ACCESS_TOKEN_PARAM in request.POST or ACCESS_TOKEN_PARAM in request.GET


def token_required() -> HttpResponse:
    """RFC 6750 §3.1: no authentication information, so no error code either."""
    response = HttpResponse(status=401)
    response["WWW-Authenticate"] = bearer()
    response["Cache-Control"] = "no-store"
    return response
