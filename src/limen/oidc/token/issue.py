"""The tokens and the answer, as oauthlib and the validator (limen.oidc.validator) make them.

Access and refresh tokens are 32 URL-safe characters from the system's random source (192 bits); only
their SHA-256 is stored. The ID token has oauthlib's claims (aud, iat, nonce, at_hash) and the
validator's (sub, the scopes' claims, auth_time, acr, amr, sid, iss, exp, jti, azp), in that
order, signed with the active key. The answer is oauthlib's JSON with its headers.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import secrets
import time
import uuid

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from oauth2_provider.settings import oauth2_settings

from limen.core import clock

from .. import claims as claims_mod
from .. import keys
from .store import Found, Tokens

HEADERS = {"Content-Type": "application/json", "Cache-Control": "no-store", "Pragma": "no-cache"}


def new_token() -> str:
    """192 bits from the system's random source, URL-safe (oauthlib's were 30 letters and digits, 178
    bits, made one character at a time: a tenth of the exchange's time)."""
    return secrets.token_urlsafe(24)


def checksum(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def at_hash(access_token: str) -> str:
    digest = hashlib.sha256(access_token.encode()).digest()
    return base64.urlsafe_b64encode(digest[: len(digest) // 2]).decode().rstrip("=")


class Issue:
    """New tokens for ``found``, with ``scopes`` (the code's, or the refreshed access token's)."""

    def __init__(self, found: Found, scopes: list[str], *, family: uuid.UUID | None = None):
        self.found, self.scopes = found, scopes
        self.scope = scope = " ".join(scopes)
        self.access_token, self.refresh_token = new_token(), new_token()
        now = timezone.now()
        self.tokens = Tokens(
            access_checksum=checksum(self.access_token), refresh_checksum=checksum(self.refresh_token),
            family=family or uuid.uuid4(), jti=uuid.uuid4(), scope=scope,
            access_expires=now + dt.timedelta(seconds=oauth2_settings.ACCESS_TOKEN_EXPIRE_SECONDS),
            id_expires=clock.now() + dt.timedelta(seconds=settings.OIDC_ID_TOKEN_SECONDS), now=now,
            clock_now=clock.now())

    def id_token(self, client_id: str, *, alg: str, nonce: str | None = None, requested: dict | None = None) -> str:
        person, sign_in, tokens = self.found.person, self.found.sign_in, self.tokens
        data: dict = {"aud": client_id, "iat": int(time.time())}
        if nonce:
            data["nonce"] = nonce
        data["at_hash"] = at_hash(self.access_token)
        data["sub"] = person.uid
        data.update(claims_mod.user_claims(person, self.scopes, claims_mod.requested_claims(requested, "id_token")))
        if sign_in is not None:
            data.update(auth_time=int(sign_in.auth_time.timestamp()), acr=sign_in.acr, amr=sign_in.amr,
                        sid=sign_in.sid)
        data.update(iss=settings.BASE_URL, exp=int(tokens.id_expires.timestamp()), jti=str(tokens.jti), azp=client_id)
        return keys.sign(data, alg)

    def answer(self, id_token: str) -> HttpResponse:
        body = {"access_token": self.access_token,
                "expires_in": oauth2_settings.ACCESS_TOKEN_EXPIRE_SECONDS,
                "token_type": "Bearer", "scope": self.scope, "refresh_token": self.refresh_token,
                "id_token": id_token}
        response = HttpResponse(json.dumps(body), status=200)
        for name, value in HEADERS.items():
            response[name] = value
        return response
