"""The demo eID provider: an OpenID Connect provider with a few fictional citizens, for `limen demo`.

`limen demo` starts it, registers it in Limen as an eID provider (slug ``demo``) and gives both sides the
same client secret. To run it alone:

    DEMO_EID_CLIENT_SECRET=... DEMO_EID_REDIRECT_URI=http://localhost:8000/login/eid/callback/ \\
        python -m eid_provider --address localhost:8003        # from the demo/ folder

Standard library (wsgiref) and joserfc only; sessions, codes and tokens live in memory.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from socketserver import ThreadingMixIn
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from . import pages
from .citizens import CITIZENS, find
from .provider import Provider, ProviderError, UnknownClient

JSON = [("Content-Type", "application/json"), ("Cache-Control", "no-store")]
HTML = [("Content-Type", "text/html; charset=utf-8"), ("Cache-Control", "no-store"),
        ("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; form-action *; "
                                    "frame-ancestors 'none'"),
        ("X-Content-Type-Options", "nosniff")]


class DemoEid:
    def __init__(self, provider: Provider, *, limen_url: str):
        self.provider, self.limen_url = provider, limen_url.rstrip("/")

    def __call__(self, environ, start_response):
        method, path = environ["REQUEST_METHOD"], environ.get("PATH_INFO", "/")
        query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        form = {}
        if method == "POST":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            form = {k: v[0] for k, v in parse_qs(environ["wsgi.input"].read(min(length, 65536)).decode()).items()}
        authorization = environ.get("HTTP_AUTHORIZATION", "")
        routes = {
            ("GET", "/"): lambda: self.html("200 OK", pages.home(CITIZENS, limen_url=self.limen_url)),
            ("GET", "/.well-known/openid-configuration"): lambda: self.json("200 OK", self.provider.discovery()),
            ("GET", "/jwks"): lambda: self.json("200 OK", self.provider.jwks()),
            ("GET", "/authorize"): lambda: self.authorize(query),
            ("POST", "/authorize/confirm"): lambda: self.confirm(form),
            ("POST", "/token"): lambda: self.token(form, authorization),
            ("GET", "/userinfo"): lambda: self.userinfo(authorization),
        }
        handler = routes.get((method, path))
        if handler is None:
            status, headers, body = self.html("404 Not Found", pages.problem(
                "Not found", "There is no such page here.", limen_url=self.limen_url))
        else:
            status, headers, body = handler()
        start_response(status, headers)
        return [body.encode()]

    # -- responses --------------------------------------------------------------------------------

    @staticmethod
    def html(status: str, body: str):
        return status, list(HTML), body

    @staticmethod
    def json(status: str, data: dict, extra: list | None = None):
        return status, [*JSON, *(extra or [])], json.dumps(data)

    @staticmethod
    def redirect(url: str):
        return "302 Found", [("Location", url), ("Cache-Control", "no-store")], ""

    # -- pages ------------------------------------------------------------------------------------

    def authorize(self, query: dict):
        try:
            request_id = self.provider.begin(query)
        except UnknownClient as error:  # never redirect to an address that is not the registered one
            return self.html("400 Bad Request", pages.problem("This application cannot sign you in",
                                                              error.description, limen_url=self.limen_url))
        except ProviderError as error:
            return self.html("400 Bad Request", pages.problem("This sign-in request is not valid",
                                                              error.description, limen_url=self.limen_url))
        return self.html("200 OK", pages.choose(request_id, CITIZENS, limen_url=self.limen_url))

    def confirm(self, form: dict):
        request_id = form.get("request", "")
        if form.get("action") == "cancel":
            back = self.provider.cancel(request_id)
            return self.redirect(back) if back else self.expired()
        citizen = find(form.get("citizen", ""))
        if self.provider.pending(request_id) is None:
            return self.expired()
        if citizen is None:
            return self.html("400 Bad Request", pages.choose(request_id, CITIZENS, limen_url=self.limen_url,
                                                             error="Choose one of the people."))
        try:
            return self.redirect(self.provider.approve(request_id, citizen))
        except ProviderError:
            return self.expired()

    def expired(self):
        return self.html("400 Bad Request", pages.problem(
            "This sign-in has expired", "Start again from the application.", limen_url=self.limen_url))

    # -- API --------------------------------------------------------------------------------------

    def token(self, form: dict, authorization: str):
        try:
            return self.json("200 OK", self.provider.token(form, authorization))
        except ProviderError as error:
            status = "401 Unauthorized" if error.code == "invalid_client" else "400 Bad Request"
            return self.json(status, {"error": error.code, "error_description": error.description})

    def userinfo(self, authorization: str):
        try:
            return self.json("200 OK", self.provider.userinfo(authorization))
        except ProviderError as error:
            return self.json("401 Unauthorized", {"error": error.code},
                             [("WWW-Authenticate", f'Bearer error="{error.code}"')])


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m eid_provider", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--address", default=os.environ.get("DEMO_EID_ADDRESS", "localhost:8003"))
    args = parser.parse_args(argv)
    host, port = args.address.rsplit(":", 1)
    data_dir = Path(os.environ.get("DEMO_DATA_DIR", Path(__file__).resolve().parents[1] / "var"))
    provider = Provider(issuer=f"http://{args.address}", client_id=os.environ.get("DEMO_EID_CLIENT_ID", "limen"),
                        client_secret=os.environ["DEMO_EID_CLIENT_SECRET"],
                        redirect_uri=os.environ["DEMO_EID_REDIRECT_URI"], data_dir=data_dir)
    app = DemoEid(provider, limen_url=os.environ.get("DEMO_LIMEN_URL", "http://localhost:8000"))
    server = make_server(host.strip("[]"), int(port), app, server_class=_Server, handler_class=_QuietHandler)
    print(f"Demo national eID on http://{args.address}/", flush=True)
    server.serve_forever()
