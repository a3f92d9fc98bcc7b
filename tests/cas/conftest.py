"""Fixtures for the CAS tests (names start with cas_ to stay apart from other areas)."""

from __future__ import annotations

import http.server
import threading
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from tests.conftest import DEFAULT_PASSWORD
from tests.support import pages

SERVICE = "https://europass.example.org/portal/"


@pytest.fixture
def cas_service(db):
    from limen.cas import registry

    service, _ = registry.register(name="Europass", url_pattern="https://europass.example.org/",
                                   attributes="all")
    return service


def cas_login_url(service: str = SERVICE, **extra) -> str:
    return "/cas/login?" + urlencode({"service": service, **extra})


def ticket_from(response) -> str:
    """The ticket in a redirect back to the application."""
    assert response.status_code == 302, (response.status_code, response.content[:300])
    query = parse_qs(urlsplit(response["Location"]).query)
    assert "ticket" in query, response["Location"]
    return query["ticket"][0]


def sign_in_through(client, response, user, password: str = DEFAULT_PASSWORD):
    """Follow a redirect to the sign-in pages and sign in; returns the response that leaves them."""
    assert response.status_code == 302 and response["Location"].startswith("/login/"), response
    return pages.sign_in(client, user, password, start=response["Location"], expect=302)


@pytest.fixture
def cas_ticket(client, user, cas_service):
    """Sign in through /cas/login as ``user`` and return (client, ticket) for SERVICE."""

    def get(service: str = SERVICE, **extra) -> str:
        response = client.get(cas_login_url(service, **extra))
        if response["Location"].startswith("/login/"):
            response = client.get(sign_in_through(client, response, user)["Location"])
        return ticket_from(response)

    return get


@pytest.fixture
def cas_second_factor(settings):
    """A stand-in second factor (strength PASSWORD_SOFTWARE_TOKEN) registered for every account: its page
    (/test/factor/) signs in on any POST."""
    from limen.signin.attempts import Challenge, Proof
    from limen.signin.methods import Descriptor, Method, registry
    from limen.signin.models import Level

    class StandIn(Method):
        descriptor = Descriptor(key="stand_in", strength="PASSWORD_SOFTWARE_TOKEN", level=Level.MEDIUM,
                                amr=("pwd", "otp", "pin"), label="Stand-in code")

        def available_for(self, user):
            return True

        def challenge_url(self, step=""):
            return "/test/factor/"

        def begin(self, attempt):
            return Challenge("signin/challenge.html")

        def verify(self, attempt, data):
            return Proof(method=self.key, strength=self.strength)

    settings.ROOT_URLCONF = "tests.cas.urls"
    method = registry.register(StandIn())
    yield method
    registry.unregister(method.key)


@pytest.fixture
def cas_tls_server(tmp_path):
    """An https server on 127.0.0.1 with a self-signed certificate (answers 200 to everything)."""
    import http.server
    import ssl
    import subprocess
    import threading

    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                    "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key),
                    "-out", str(cert)], check=True, capture_output=True)

    class Ok(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Ok)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    server.cert_path = cert
    yield f"https://127.0.0.1:{server.server_port}/"
    server.shutdown()


class CallbackReceiver(http.server.ThreadingHTTPServer):
    """An application's proxy callback on 127.0.0.1 (http is allowed for localhost in development)."""

    def __init__(self):
        self.received: dict[str, str] = {}  # pgtIou -> pgtId
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                query = {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}
                if "pgtIou" in query:
                    receiver.received[query["pgtIou"]] = query["pgtId"]
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server_port}/pgt"
        threading.Thread(target=self.serve_forever, daemon=True).start()


@pytest.fixture
def cas_callback_receiver(settings):
    settings.CAS_ALLOW_HTTP_LOCALHOST_CALLBACK = True
    receiver = CallbackReceiver()
    yield receiver
    receiver.shutdown()
