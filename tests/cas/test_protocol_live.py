"""CAS 1, 2 and 3 (XML and JSON) against a running Limen (gunicorn), driven by the python-cas library."""

from __future__ import annotations

import http.server
import json
import threading
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from cas import CASClient, CASClientV3

from .live import LimenServer, Person, free_port


class Receiver(http.server.ThreadingHTTPServer):
    """The application's back-channel endpoints: proxy callback (GET) and single logout (POST)."""

    def __init__(self):
        self.callbacks: list[dict] = []
        self.logouts: list[str] = []
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                receiver.callbacks.append({k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()})
                self._ok()

            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"])).decode()
                receiver.logouts.append(parse_qs(body)["logoutRequest"][0])
                self._ok()

            def _ok(self):
                self.send_response(200)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        super().__init__(("127.0.0.1", free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.server_port}/"
        threading.Thread(target=self.serve_forever, daemon=True).start()


@pytest.fixture(scope="module")
def cas_receiver():
    receiver = Receiver()
    yield receiver
    receiver.shutdown()


@pytest.fixture(scope="module")
def cas_server(tmp_path_factory, cas_receiver):
    server = LimenServer(tmp_path_factory.mktemp("limen-cas-live"))
    server.limen("migrate", "--verbosity", "0")
    server.limen("createcachetable")
    app = f"http://127.0.0.1:{free_port()}/"
    server.limen("cas_service", "add", "--name", "Python app", "--url-pattern", app, "--attributes", "all",
                 "--slo-url", cas_receiver.url + "slo", "--proxy-callback-pattern", cas_receiver.url)
    server.limen("cas_service", "add", "--name", "Backend", "--url-pattern", app + "backend/",
                 "--attributes", "email")
    server.create_user("ada@example.org")
    server.uid = server.limen("shell", "--no-imports", "-c", "from limen.accounts.models import User; "
                              "print(User.objects.get(email='ada@example.org').uid)").strip()
    server.app = app
    server.start(migrate=False)
    yield server
    server.stop()


@pytest.fixture
def person(cas_server):
    return Person("ada@example.org")


def cas_client(server, version, service=None, **kwargs):
    return CASClient(version=version, server_url=server.url + "/cas/", service_url=service or server.app, **kwargs)


def json_client(server, version, service=None):
    session = requests.Session()
    session.params = {"format": "JSON"}  # python-cas sends its own parameters plus this one
    return cas_client(server, version, service, session=session)


def test_cas1(cas_server, person):
    cas = cas_client(cas_server, 1)
    ticket = person.ticket_for(cas.get_login_url())
    user, attributes, pgtiou = cas.verify_ticket(ticket)
    assert user == cas_server.uid and attributes is None
    assert cas.verify_ticket(ticket) == (None, None, None)  # single use


def test_cas2_xml(cas_server, person):
    cas = cas_client(cas_server, 2)
    user, attributes, pgtiou = cas.verify_ticket(person.ticket_for(cas.get_login_url()))
    assert user == cas_server.uid
    assert attributes["email"] == "ada@example.org" and attributes["authenticationLevel"] == "BASIC"


def test_cas3_xml_and_the_sso_flag(cas_server, person):
    first = cas_client(cas_server, 3, cas_server.app + "one/")
    user, attributes, _ = first.verify_ticket(person.ticket_for(first.get_login_url()))
    assert attributes["sso"] == "false" and attributes["isFromNewLogin"] == "true"
    second = cas_client(cas_server, 3, cas_server.app + "two/")
    user, attributes, _ = second.verify_ticket(person.ticket_for(second.get_login_url()))
    assert user == cas_server.uid
    assert attributes["sso"] == "true" and attributes["strengths"] == "PASSWORD"
    assert attributes["firstName"] == "Ada" and attributes["domain"] == "external"
    assert attributes["loginDate"] and attributes["assuranceLevel"] == "10" and attributes["locale"] == "en"


@pytest.mark.parametrize("version", [2, 3])
def test_json(cas_server, person, version):
    cas = json_client(cas_server, version)
    ticket = person.ticket_for(cas.get_login_url())
    body = json.loads(cas.get_verification_response(ticket))
    ok = body["serviceResponse"]["authenticationSuccess"]
    assert ok["user"] == cas_server.uid
    assert ok["attributes"]["email"] == ["ada@example.org"] and ok["attributes"]["strengths"] == ["PASSWORD"]
    again = json.loads(cas.get_verification_response(ticket))
    assert again["serviceResponse"]["authenticationFailure"]["code"] == "INVALID_TICKET"


def test_failures_seen_by_python_cas(cas_server, person):
    cas = cas_client(cas_server, 3)
    ticket = person.ticket_for(cas.get_login_url())
    other = cas_client(cas_server, 3, cas_server.app + "elsewhere/")
    assert other.verify_ticket(ticket) == (None, {}, None)  # presented by another service
    assert cas.verify_ticket(ticket) == (None, {}, None)  # and now spent
    body = json_client(cas_server, 3).get_verification_response("ST-" + "z" * 28)
    assert json.loads(body)["serviceResponse"]["authenticationFailure"]["code"] == "INVALID_TICKET"


def test_renew_needs_the_password_again(cas_server, person):
    cas = cas_client(cas_server, 3, cas_server.app + "renew/", renew=True)
    person.ticket_for(cas_client(cas_server, 3).get_login_url())  # an SSO session exists
    visited = []
    person.http.hooks["response"].append(lambda r, *a, **k: visited.append(urlsplit(r.url).path))
    ticket = person.ticket_for(cas.get_login_url())
    assert "/login/password/" in visited
    response = requests.get(cas_server.url + "/cas/p3/serviceValidate",
                            params={"ticket": ticket, "service": cas.service_url, "renew": "true"})
    assert "authenticationSuccess" in response.text


def test_proxy_granting_and_proxy_tickets(cas_server, person, cas_receiver):
    callback = cas_receiver.url + "pgt"
    cas = cas_client(cas_server, 2, proxy_callback=callback)
    user, attributes, pgtiou = cas.verify_ticket(person.ticket_for(cas.get_login_url()))
    assert pgtiou.startswith("PGTIOU-")
    [pgt] = [c["pgtId"] for c in cas_receiver.callbacks if c.get("pgtIou") == pgtiou]
    backend = cas_client(cas_server, 3, cas_server.app + "backend/orders")
    pt = backend.get_proxy_ticket(pgt)
    assert pt.startswith("PT-")
    assert backend.verify_ticket(pt) == (None, {}, None)  # /p3/serviceValidate takes no proxy tickets
    backend.url_suffix = "p3/proxyValidate"
    user, attributes, _ = backend.verify_ticket(backend.get_proxy_ticket(pgt))
    assert user == cas_server.uid and attributes.pop("email") == "ada@example.org"
    assert set(attributes) == {"authenticationDate", "longTermAuthenticationRequestTokenUsed", "isFromNewLogin"}


def test_pgt_url_that_fails_verification(cas_server, person):
    cas = cas_client(cas_server, 3, proxy_callback="https://127.0.0.1:9/nowhere")
    response = cas.get_verification_response(person.ticket_for(cas.get_login_url()))
    assert b'code="INVALID_PROXY_CALLBACK"' in response


def test_single_logout_reaches_the_application(cas_server, person, cas_receiver):
    cas = cas_client(cas_server, 3)
    ticket = person.ticket_for(cas.get_login_url())
    assert cas.verify_ticket(ticket)[0]
    response = person.http.get(cas.get_logout_url(cas_server.app), allow_redirects=False)
    assert response.headers["Location"] == cas_server.app  # a registered service: redirected back
    assert any(CASClientV3.verify_logout_request(body, ticket) for body in cas_receiver.logouts)


def test_logout_never_redirects_to_an_unregistered_site(cas_server, person):
    response = person.http.get(cas_server.url + "/cas/logout", params={"service": "https://evil.example.net/"},
                               allow_redirects=False)
    assert response.headers["Location"] == "/logout/done/"


def test_tickets_are_shared_by_several_server_processes(cas_server, person):
    second = LimenServer(Path(cas_server.env["LIMEN_DATA_DIR"]), workers=1)
    second.start(migrate=False)
    try:
        cas = cas_client(cas_server, 3)
        ticket = person.ticket_for(cas.get_login_url())  # issued by the first server
        user, _, _ = cas_client(second, 3, cas_server.app).verify_ticket(ticket)
        assert user == cas_server.uid
    finally:
        second.stop()


def test_the_plain_http_snippet_in_the_docs_works(cas_server, person):
    text = (Path(__file__).resolve().parents[2] / "docs" / "cas.md").read_text()
    block = text.split("<!-- snippet: plain-http")[1].split("```python\n", 1)[1].split("```", 1)[0]
    namespace: dict = {}
    exec(compile(block, "docs/cas.md", "exec"), namespace)
    server = cas_server.url + "/cas/"
    ticket = person.ticket_for(server + "login?" + urlencode({"service": cas_server.app}))
    found = namespace["validate"](server, cas_server.app, ticket)
    assert found["user"] == cas_server.uid and found["email"] == ["ada@example.org"]
    assert namespace["validate"](server, cas_server.app, ticket) is None
