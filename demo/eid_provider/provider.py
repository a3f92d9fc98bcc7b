"""The OpenID Connect side of the demo eID provider: one client (Limen), the authorization code flow with
PKCE (S256), RS256 ID tokens. No HTTP here: app.py turns requests into calls of ``Provider``.

Everything lives in memory (pending sign-ins, codes, access tokens) except the signing key, which is kept
in the data directory so that a restarted demo signs with the key Limen already has.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from joserfc import jwt
from joserfc.jwk import RSAKey

from .citizens import Citizen

REQUEST_SECONDS = 600
CODE_SECONDS = 60
TOKEN_SECONDS = 300


class ProviderError(Exception):
    """A request the provider refuses; ``code`` is the OAuth 2.0 error code."""

    def __init__(self, code: str, description: str):
        super().__init__(description)
        self.code, self.description = code, description


class UnknownClient(ProviderError):
    """No redirect is possible: the client or its redirect URI is not the registered one."""


@dataclass
class SignIn:
    """An authorization request waiting for the person to choose who they are."""

    redirect_uri: str
    state: str
    nonce: str
    challenge: str
    scope: str
    created: float = field(default_factory=time.time)


@dataclass
class Grant:
    citizen: Citizen
    sign_in: SignIn
    auth_time: int
    created: float = field(default_factory=time.time)


def _signing_key(directory: Path | None) -> RSAKey:
    path = directory / "eid-provider-signing-key.pem" if directory else None
    if path and path.exists():
        key = RSAKey.import_key(path.read_bytes())
    else:
        key = RSAKey.generate_key(2048)
        if path:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(key.as_pem(private=True))
    return RSAKey.import_key(key.as_dict(private=True), parameters={"kid": key.thumbprint(), "alg": "RS256",
                                                                     "use": "sig"})


class Provider:
    def __init__(self, *, issuer: str, client_id: str, client_secret: str, redirect_uri: str,
                 data_dir: Path | None = None):
        self.issuer = issuer.rstrip("/")
        self.client_id, self.client_secret, self.redirect_uri = client_id, client_secret, redirect_uri
        self.key = _signing_key(data_dir)
        self._sign_ins: dict[str, SignIn] = {}
        self._codes: dict[str, Grant] = {}
        self._tokens: dict[str, tuple[Citizen, float]] = {}
        self._lock = threading.Lock()

    # -- metadata ---------------------------------------------------------------------------------

    def discovery(self) -> dict:
        return {
            "issuer": self.issuer, "authorization_endpoint": self.issuer + "/authorize",
            "token_endpoint": self.issuer + "/token", "userinfo_endpoint": self.issuer + "/userinfo",
            "jwks_uri": self.issuer + "/jwks", "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code"], "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"], "scopes_supported": ["openid", "profile"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"], "authorization_response_iss_parameter_supported": True,
            "claims_supported": ["sub", "given_name", "family_name", "name", "birthdate", "person_identifier"],
        }

    def jwks(self) -> dict:
        return {"keys": [self.key.as_dict(private=False)]}

    # -- authorization ----------------------------------------------------------------------------

    def begin(self, params: dict[str, str]) -> str:
        """Check an authorization request; returns the id of the sign-in waiting for the person's choice."""
        if params.get("client_id") != self.client_id or params.get("redirect_uri") != self.redirect_uri:
            raise UnknownClient("invalid_request", "This application is not registered with the demo eID.")
        if params.get("response_type") != "code":
            raise ProviderError("unsupported_response_type", "Only the authorization code flow is supported.")
        if "openid" not in params.get("scope", "").split():
            raise ProviderError("invalid_scope", "The scope must include openid.")
        if params.get("code_challenge_method") != "S256" or not params.get("code_challenge"):
            raise ProviderError("invalid_request", "PKCE with S256 is required.")
        if not params.get("nonce") or not params.get("state"):
            raise ProviderError("invalid_request", "state and nonce are required.")
        request_id = secrets.token_urlsafe(24)
        with self._lock:
            self._forget_old()
            self._sign_ins[request_id] = SignIn(redirect_uri=params["redirect_uri"], state=params["state"],
                                                nonce=params["nonce"], challenge=params["code_challenge"],
                                                scope=params["scope"])
        return request_id

    def pending(self, request_id: str) -> SignIn | None:
        with self._lock:
            self._forget_old()
            return self._sign_ins.get(request_id)

    def approve(self, request_id: str, citizen: Citizen) -> str:
        """The person chose who they are: the URL that takes the code back to the application."""
        with self._lock:
            sign_in = self._sign_ins.pop(request_id, None)
            if sign_in is None:
                raise ProviderError("invalid_request", "This sign-in has expired. Start again from the application.")
            code = secrets.token_urlsafe(32)
            self._codes[code] = Grant(citizen=citizen, sign_in=sign_in, auth_time=int(time.time()))
        return sign_in.redirect_uri + "?" + urlencode({"code": code, "state": sign_in.state, "iss": self.issuer})

    def cancel(self, request_id: str) -> str | None:
        with self._lock:
            sign_in = self._sign_ins.pop(request_id, None)
        if sign_in is None:
            return None
        return sign_in.redirect_uri + "?" + urlencode({"error": "access_denied", "state": sign_in.state,
                                                       "iss": self.issuer})

    # -- tokens -----------------------------------------------------------------------------------

    def _client_authenticated(self, form: dict[str, str], authorization: str) -> bool:
        client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
        if authorization.startswith("Basic "):
            try:
                client_id, _, secret = base64.b64decode(authorization[6:]).decode().partition(":")
            except (ValueError, UnicodeDecodeError):
                return False
        return hmac.compare_digest(client_id, self.client_id) and hmac.compare_digest(secret, self.client_secret)

    def token(self, form: dict[str, str], authorization: str) -> dict:
        if not self._client_authenticated(form, authorization):
            raise ProviderError("invalid_client", "Client authentication failed.")
        if form.get("grant_type") != "authorization_code":
            raise ProviderError("unsupported_grant_type", "Only authorization_code.")
        with self._lock:
            grant = self._codes.pop(form.get("code", ""), None)
        if grant is None or time.time() - grant.created > CODE_SECONDS:
            raise ProviderError("invalid_grant", "Unknown, used or expired code.")
        if form.get("redirect_uri") != grant.sign_in.redirect_uri:
            raise ProviderError("invalid_grant", "The redirect URI differs from the authorization request's.")
        verifier = form.get("code_verifier", "")
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        if not verifier or not hmac.compare_digest(challenge, grant.sign_in.challenge):
            raise ProviderError("invalid_grant", "PKCE verification failed.")
        now = int(time.time())
        claims = {"iss": self.issuer, "sub": grant.citizen.identifier, "aud": self.client_id, "iat": now,
                  "exp": now + TOKEN_SECONDS, "auth_time": grant.auth_time, "nonce": grant.sign_in.nonce,
                  "acr": "http://eidas.europa.eu/LoA/substantial", **grant.citizen.claims()}
        access_token = secrets.token_urlsafe(32)
        with self._lock:
            self._tokens[access_token] = (grant.citizen, time.time())
        return {"access_token": access_token, "token_type": "Bearer", "expires_in": TOKEN_SECONDS,
                "scope": grant.sign_in.scope,
                "id_token": jwt.encode({"alg": "RS256", "kid": self.key.kid}, claims, self.key)}

    def userinfo(self, authorization: str) -> dict:
        token = authorization[7:] if authorization.startswith("Bearer ") else ""
        with self._lock:
            citizen, issued = self._tokens.get(token, (None, 0.0))
        if citizen is None or time.time() - issued > TOKEN_SECONDS:
            raise ProviderError("invalid_token", "Unknown or expired access token.")
        return {"sub": citizen.identifier, **citizen.claims()}

    def _forget_old(self) -> None:
        now = time.time()
        for request_id in [k for k, v in self._sign_ins.items() if now - v.created > REQUEST_SECONDS]:
            del self._sign_ins[request_id]
        for code in [k for k, v in self._codes.items() if now - v.created > CODE_SECONDS]:
            del self._codes[code]
        for token in [k for k, v in self._tokens.items() if now - v[1] > TOKEN_SECONDS]:
            del self._tokens[token]
