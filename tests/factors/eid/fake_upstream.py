"""A misbehaving upstream identity provider, to test that Limen refuses bad eID answers.

The happy paths run against a second, real Limen (test_eid_live.py). This
double speaks real HTTP and real OpenID Connect, but can be told to answer
with a wrong nonce, issuer, audience, signature or expiry, so each check on
Limen's side is seen to work on its own.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

from joserfc import jwt
from joserfc.jwk import RSAKey

from tests.oidc.live import free_port


class FakeUpstream:
    CLIENT_ID = "limen-downstream"
    CLIENT_SECRET = "upstream-secret-" + "s" * 32

    def __init__(self):
        self.port = free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        self.key = RSAKey.generate_key(2048, parameters={"kid": "up-1", "alg": "RS256", "use": "sig"})
        self.rogue_key = RSAKey.generate_key(2048, parameters={"kid": "up-1", "alg": "RS256", "use": "sig"})
        self.mode = "ok"
        self.subject = "citizen-0001"
        self.claims = {"given_name": "Erika", "family_name": "Mustermann", "email": "erika@example.org",
                       "email_verified": True}
        self.codes: dict[str, dict] = {}
        self.token_requests: list[dict] = []
        upstream = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _json(self, data, status=200):
                body = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                url = urlsplit(self.path)
                if url.path == "/.well-known/openid-configuration":
                    return self._json(upstream.discovery())
                if url.path == "/jwks":
                    return self._json({"keys": [upstream.key.as_dict(private=False)]})
                if url.path == "/authorize":
                    return self._authorize({k: v[0] for k, v in parse_qs(url.query).items()})
                self.send_response(404)
                self.end_headers()

            def _authorize(self, params):
                code = secrets.token_urlsafe(16)
                upstream.codes[code] = params
                answer = {"code": code, "state": params["state"]}
                if upstream.mode == "iss_param":
                    answer["iss"] = "https://other-provider.example"
                if upstream.mode == "error":
                    answer = {"error": "access_denied", "state": params["state"]}
                self.send_response(302)
                self.send_header("Location", params["redirect_uri"] + "?" + urlencode(answer))
                self.end_headers()

            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                form["authorization"] = self.headers.get("Authorization", "")
                upstream.token_requests.append(form)
                self._json(*upstream.token(form))

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def discovery(self) -> dict:
        return {"issuer": self.issuer, "authorization_endpoint": self.issuer + "/authorize",
                "token_endpoint": self.issuer + "/token", "jwks_uri": self.issuer + "/jwks",
                "response_types_supported": ["code"], "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"]}

    def token(self, form: dict) -> tuple[dict, int]:
        expected = "Basic " + base64.b64encode(f"{self.CLIENT_ID}:{self.CLIENT_SECRET}".encode()).decode()
        if form["authorization"] != expected:
            return {"error": "invalid_client"}, 401
        request = self.codes.pop(form.get("code", ""), None)
        if request is None:
            return {"error": "invalid_grant"}, 400
        challenge = base64.urlsafe_b64encode(hashlib.sha256(form.get("code_verifier", "").encode()).digest())
        if challenge.rstrip(b"=").decode() != request.get("code_challenge"):
            return {"error": "invalid_grant", "error_description": "PKCE"}, 400
        now = int(time.time())
        claims = {"iss": self.issuer, "sub": self.subject, "aud": self.CLIENT_ID, "iat": now, "exp": now + 300,
                  "nonce": request["nonce"], **self.claims}
        key = self.key
        if self.mode == "wrong_nonce":
            claims["nonce"] = "not-the-nonce"
        if self.mode == "no_nonce":
            del claims["nonce"]
        if self.mode == "wrong_iss":
            claims["iss"] = "https://other-provider.example"
        if self.mode == "wrong_aud":
            claims["aud"] = "someone-else"
        if self.mode == "expired":
            claims["iat"], claims["exp"] = now - 900, now - 600
        if self.mode == "bad_signature":
            key = self.rogue_key
        id_token = jwt.encode({"alg": "RS256", "kid": "up-1"}, claims, key)
        if self.mode == "alg_none":
            header = base64.urlsafe_b64encode(b'{"alg":"none","kid":"up-1"}').rstrip(b"=").decode()
            payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
            id_token = f"{header}.{payload}."
        return {"access_token": secrets.token_urlsafe(16), "token_type": "Bearer", "expires_in": 300,
                "id_token": id_token}, 200

    def close(self):
        self.server.shutdown()
