"""Fixtures for the OpenID Connect tests.

In-process tests use Django's test client (``oidc_app`` registers a client in
the test database). The conformance tests use ``provider``: a real Limen
server (gunicorn subprocess) with a person and one client per authentication
method, driven by two independent relying-party libraries.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest

from .live import LimenServer, free_port

REDIRECT_URI = "http://127.0.0.1:9/callback"
POST_LOGOUT_URI = "http://127.0.0.1:9/signed-out"


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def authorize(client, app, *, challenge: str | None = None) -> dict:
    """An authorization request of ``app`` by a signed-in test client; the redirect's query parameters."""
    params = {"response_type": "code", "client_id": app.client.client_id, "redirect_uri": REDIRECT_URI,
              "scope": "openid email", "state": "st", "nonce": "nn"}
    if challenge:
        params.update(code_challenge=challenge, code_challenge_method="S256")
    response = client.get("/oidc/authorize", params)
    assert response.status_code == 302, response.content[:500]
    return {k: v[0] for k, v in parse_qs(urlsplit(response["Location"]).query).items()}


def basic(client_id: str, secret: str) -> dict:
    """HTTP Basic client authentication, as test client keyword arguments."""
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()}


def redeem(client, app, code: str, **extra):
    """The token request for ``code`` (client_secret_basic); None values are left out."""
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI, **extra}
    return client.post("/oidc/token", {k: v for k, v in data.items() if v is not None},
                       **basic(app.client.client_id, app.secret))


@pytest.fixture(autouse=True)
def _fresh_signing_key_cache():
    """Each test's database has its own keys; forget the active key another test cached."""
    from limen.oidc import keys

    keys.forget_cache()
    yield
    keys.forget_cache()


@pytest.fixture
def oidc_app(db):
    """Register an application in the test database: ``oidc_app(public=True, ...)`` -> Registered."""
    from limen.oidc import clients

    def build(**kwargs):
        kwargs.setdefault("name", "Test application")
        kwargs.setdefault("redirect_uris", [REDIRECT_URI])
        kwargs.setdefault("post_logout_redirect_uris", [POST_LOGOUT_URI])
        return clients.register(**kwargs)

    return build


class LogoutReceiver:
    """An application's back-channel logout endpoint: records logout tokens; can be made to fail."""

    def __init__(self):
        self.tokens: list[str] = []
        self.status = 200
        self.arrived = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
                if receiver.status == 200:
                    receiver.tokens.extend(parse_qs(body).get("logout_token", []))
                    receiver.arrived.set()
                self.send_response(receiver.status)
                self.send_header("Cache-Control", "no-store")
                self.end_headers()

        self.port = free_port()
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.url = f"http://127.0.0.1:{self.port}/backchannel-logout"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait(self, count: int = 1, timeout: float = 20) -> list[str]:
        import time

        deadline = time.time() + timeout
        while time.time() < deadline and len(self.tokens) < count:
            time.sleep(0.1)
        return list(self.tokens)

    def close(self):
        self.server.shutdown()


@pytest.fixture(scope="session")
def rp_key():
    """A relying party's RSA key pair for private_key_jwt: (private JWK dict, public JWK set dict)."""
    from joserfc.jwk import RSAKey

    key = RSAKey.generate_key(2048, parameters={"kid": "rp-key-1", "use": "sig", "alg": "RS256"})
    return key.as_dict(private=True), {"keys": [key.as_dict(private=False)]}


@pytest.fixture(scope="session")
def provider(tmp_path_factory, rp_key):
    """A running Limen with a person and clients for every authentication method."""
    receiver = LogoutReceiver()
    # The bad-input tests fail client authentication on purpose; keep the per-IP limit out of their way.
    server = LimenServer(env={"LIMEN_OIDC_CLIENT_AUTH_FAILURES_PER_IP": "100000"}).start()
    person = server.make_user("ada@example.org", first_name="Ada", last_name="Lovelace")
    common = {"redirect_uris": [REDIRECT_URI], "post_logout_redirect_uris": [POST_LOGOUT_URI]}
    made = server.python(f"""
        from limen.oidc import clients
        common = {common!r}
        result = {{}}
        for key, kw in {{
            "basic": dict(name="Basic app", auth_method="client_secret_basic",
                          backchannel_logout_uri={receiver.url!r}),
            "post": dict(name="Post app", auth_method="client_secret_post"),
            "secret_jwt": dict(name="Secret JWT app", auth_method="client_secret_jwt"),
            "private_key_jwt": dict(name="Key JWT app", auth_method="private_key_jwt", jwks={json.dumps(rp_key[1])!r}),
            "public": dict(name="Public app", public=True),
            "es256": dict(name="ES256 app", auth_method="client_secret_basic", id_token_alg="ES256"),
        }}.items():
            r = clients.register(**common, **kw)
            result[key] = {{"client_id": r.client.client_id, "client_secret": r.secret}}
    """)
    clients = {key: SimpleNamespace(**value) for key, value in made.items()}
    yield SimpleNamespace(server=server, url=server.base_url, person=person, clients=clients,
                          receiver=receiver, rp_key=rp_key)
    server.stop()
    receiver.close()
