"""A demonstration application that signs in through Limen with OpenID Connect.

It is what an application developer writes with Authlib: the authorization
code flow with PKCE, ID token validation, userinfo, refresh, RP-initiated
logout and a back-channel logout endpoint. `limen demo` registers it and
starts it; to run it alone:

    DEMO_ISSUER=http://localhost:8000 DEMO_CLIENT_ID=... DEMO_CLIENT_SECRET=... \
        python demo/oidc_app/app.py --address localhost:8002

It keeps its sessions in memory and uses only Authlib (OAuth 2.0 client),
joserfc (JOSE, by Authlib's author) and the standard library.
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import json
import os
import secrets
import threading
from http import cookies
from socketserver import ThreadingMixIn
from urllib.parse import parse_qs, urlencode
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import requests
from authlib.integrations.requests_client import OAuth2Session
from joserfc import errors as jose_errors
from joserfc import jwt
from joserfc.jwk import KeySet

BACKCHANNEL_EVENT = "http://schemas.openid.net/event/backchannel-logout"
COOKIE = "demo_oidc_session"


class Provider:
    """Limen as this application sees it: discovery document and keys, fetched once and cached."""

    def __init__(self, issuer: str):
        self.issuer = issuer.rstrip("/")
        self._meta = None
        self._keys = None

    @property
    def meta(self) -> dict:
        if self._meta is None:
            self._meta = requests.get(self.issuer + "/.well-known/openid-configuration", timeout=10).json()
            assert self._meta["issuer"] == self.issuer, "the discovery document names another issuer"
        return self._meta

    def keys(self, refresh: bool = False) -> KeySet:
        if self._keys is None or refresh:
            self._keys = KeySet.import_key_set(requests.get(self.meta["jwks_uri"], timeout=10).json())
        return self._keys

    def verify(self, token: str, **expected) -> dict:
        """Signature (with a refetch when Limen has rotated its key), then the expected claims."""
        try:
            decoded = jwt.decode(token, self.keys(), algorithms=["RS256"])
        except (jose_errors.InvalidKeyIdError, jose_errors.MissingKeyError):
            decoded = jwt.decode(token, self.keys(refresh=True), algorithms=["RS256"])
        options = {name: {"essential": True, "value": value} for name, value in expected.items()}
        jwt.JWTClaimsRegistry(leeway=60, exp={"essential": "exp" in decoded.claims}, **options).validate(
            decoded.claims)
        return decoded.claims


class DemoApp:
    def __init__(self, *, issuer: str, client_id: str, client_secret: str, base_url: str):
        self.provider = Provider(issuer)
        self.client_id = client_id
        self.client_secret = client_secret
        self.base_url = base_url.rstrip("/")
        self.sessions: dict[str, dict] = {}
        self.lock = threading.Lock()

    # ------------------------------------------------------------------ plumbing

    def oauth(self, **kwargs) -> OAuth2Session:
        return OAuth2Session(self.client_id, self.client_secret, scope="openid profile email",
                             redirect_uri=self.base_url + "/callback", code_challenge_method="S256",
                             token_endpoint_auth_method="client_secret_basic", **kwargs)

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "/")
        query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        jar = cookies.SimpleCookie(environ.get("HTTP_COOKIE", ""))
        sid = jar[COOKIE].value if COOKIE in jar else None
        session = self.sessions.get(sid) if sid else None
        if session is None:
            sid, session = secrets.token_urlsafe(24), {}
            self.sessions[sid] = session
        routes = {"/": self.home, "/login": self.login, "/callback": self.callback, "/refresh": self.refresh,
                  "/logout": self.logout, "/signed-out": self.signed_out,
                  "/backchannel-logout": self.backchannel_logout}
        handler = routes.get(path)
        if handler is None:
            status, headers, body = "404 Not Found", [], self.page("Not found", "<p>No such page.</p>")
        else:
            status, headers, body = handler(environ, query, session)
        headers = [*headers, ("Set-Cookie", f"{COOKIE}={sid}; HttpOnly; SameSite=Lax; Path=/"),
                   ("Cache-Control", "no-store")]
        if not any(name == "Content-Type" for name, _ in headers):
            headers.append(("Content-Type", "text/html; charset=utf-8"))
        start_response(status, headers)
        return [body.encode()]

    @staticmethod
    def redirect(url: str):
        return "302 Found", [("Location", url)], ""

    def page(self, title: str, content: str) -> str:
        return PAGE.format(title=html.escape(title), content=content, limen=html.escape(self.provider.issuer))

    # ------------------------------------------------------------------ pages

    def home(self, environ, query, session):
        if not session.get("claims"):
            return "200 OK", [], self.page("Welcome", WELCOME)
        claims, userinfo = session["claims"], session.get("userinfo", {})
        rows = "".join(f"<tr><th scope='row'><code>{html.escape(k)}</code></th><td>{html.escape(_show(k, v))}</td></tr>"
                       for k, v in claims.items())
        info = "".join(f"<tr><th scope='row'><code>{html.escape(k)}</code></th><td>{html.escape(str(v))}</td></tr>"
                       for k, v in userinfo.items())
        name = html.escape(userinfo.get("given_name") or claims.get("given_name") or claims["sub"])
        content = f"""
          <h1>Hello {name}</h1>
          <p class="lead">You signed in through Limen with OpenID Connect.
            Level: <strong>{html.escape(claims.get('acr', '?'))}</strong>,
            methods: <strong>{html.escape(', '.join(claims.get('amr', [])))}</strong>.</p>
          <div class="actions">
            <a class="button" href="/login?level=MEDIUM">Ask for level MEDIUM (step-up)</a>
            <a class="button" href="/refresh">Refresh the tokens</a>
            <a class="button primary" href="/logout">Sign out</a>
          </div>
          <div class="table-wrap"><table class="data"><caption>ID token (validated: signature, iss, aud, nonce,
            exp)</caption><tbody>{rows}</tbody></table></div>
          <div class="table-wrap"><table class="data"><caption>Userinfo</caption><tbody>{info}</tbody></table></div>
          {"<p class='notice'>" + html.escape(session.pop("notice")) + "</p>" if session.get("notice") else ""}
        """
        return "200 OK", [], self.page("Your identity", content)

    def login(self, environ, query, session):
        extra = {"acr_values": query["level"]} if query.get("level") in {"MEDIUM", "HIGH"} else {}
        if query.get("prompt") == "login":
            extra["prompt"] = "login"
        nonce, verifier = secrets.token_urlsafe(16), secrets.token_urlsafe(48)
        url, state = self.oauth().create_authorization_url(self.provider.meta["authorization_endpoint"],
                                                           nonce=nonce, code_verifier=verifier, **extra)
        session["pending"] = {"state": state, "nonce": nonce, "verifier": verifier}
        return self.redirect(url)

    def callback(self, environ, query, session):
        pending = session.pop("pending", None)
        if not pending or not secrets.compare_digest(query.get("state", ""), pending["state"]):
            return "400 Bad Request", [], self.page("Sign-in failed", "<p>The answer does not match a sign-in "
                                                    "started here. <a href='/'>Start again</a>.</p>")
        if "error" in query:
            return "400 Bad Request", [], self.page("Sign-in failed", f"<p>Limen said: <code>"
                                                    f"{html.escape(query['error'])}</code>. <a href='/'>Back</a></p>")
        token = self.oauth(state=pending["state"]).fetch_token(
            self.provider.meta["token_endpoint"], code=query["code"], code_verifier=pending["verifier"])
        claims = self.provider.verify(token["id_token"], iss=self.provider.issuer, aud=self.client_id,
                                      nonce=pending["nonce"])
        userinfo = requests.get(self.provider.meta["userinfo_endpoint"], timeout=10,
                                headers={"Authorization": f"Bearer {token['access_token']}"}).json()
        session.update(token=dict(token), claims=claims, userinfo=userinfo)
        return self.redirect("/")

    def refresh(self, environ, query, session):
        if not session.get("token"):
            return self.redirect("/")
        try:
            token = self.oauth(token=session["token"]).refresh_token(
                self.provider.meta["token_endpoint"], refresh_token=session["token"]["refresh_token"])
        except Exception as exc:  # the session may have ended at Limen
            self._forget(session)
            session["notice"] = f"Refresh refused: {exc}"
            return self.redirect("/")
        session["token"] = dict(token)
        session["notice"] = "New tokens issued at " + dt.datetime.now().strftime("%H:%M:%S") + "."
        return self.redirect("/")

    def logout(self, environ, query, session):
        token = session.get("token")
        self._forget(session)
        if not token:
            return self.redirect("/")
        url = self.provider.meta["end_session_endpoint"] + "?" + urlencode({
            "id_token_hint": token["id_token"], "post_logout_redirect_uri": self.base_url + "/signed-out",
            "state": secrets.token_urlsafe(8)})
        return self.redirect(url)

    def signed_out(self, environ, query, session):
        return "200 OK", [], self.page("Signed out", "<h1>You are signed out</h1><p>You are signed out of this "
                                       "application and of Limen.</p><p><a class='button primary' href='/login'>"
                                       "Sign in again</a></p>")

    def backchannel_logout(self, environ, query, session):
        """Limen posts a logout token here when the person's Limen session ends."""
        if environ["REQUEST_METHOD"] != "POST":
            return "405 Method Not Allowed", [("Allow", "POST")], ""
        length = int(environ.get("CONTENT_LENGTH") or 0)
        form = {k: v[0] for k, v in parse_qs(environ["wsgi.input"].read(length).decode()).items()}
        try:
            claims = self.provider.verify(form.get("logout_token", ""), iss=self.provider.issuer, aud=self.client_id)
            if BACKCHANNEL_EVENT not in claims.get("events", {}) or "nonce" in claims:
                raise ValueError("not a logout token")
        except Exception as exc:
            return "400 Bad Request", [("Content-Type", "application/json")], json.dumps(
                {"error": "invalid_request", "error_description": str(exc)})
        with self.lock:
            for other in self.sessions.values():
                if other.get("claims", {}).get("sid") == claims.get("sid"):
                    self._forget(other)
        return "200 OK", [("Content-Type", "text/plain")], ""

    @staticmethod
    def _forget(session):
        for key in ("token", "claims", "userinfo"):
            session.pop(key, None)


def _show(name: str, value) -> str:
    if name in {"exp", "iat", "auth_time"} and isinstance(value, int):
        return f"{value} ({dt.datetime.fromtimestamp(value, dt.timezone.utc):%Y-%m-%d %H:%M:%S} UTC)"
    return json.dumps(value) if isinstance(value, (list, dict)) else str(value)


WELCOME = """
  <h1>OpenID Connect demo</h1>
  <p class="lead">This application has no accounts of its own: it asks Limen who you are.</p>
  <div class="actions">
    <a class="button primary" href="/login">Sign in with Limen</a>
    <a class="button" href="/login?level=MEDIUM">Sign in with Limen, level MEDIUM</a>
  </div>
"""

PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · OpenID Connect demo</title>
<style>
  body {{ margin: 0; font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; color: #1b1f24;
         line-height: 1.5; background: #f5f6f8; }}
  header {{ background: #0b5d4b; color: #fff; padding: .75rem 1rem; border-bottom: 4px solid #f2c14e; }}
  header a {{ color: #fff; font-weight: 700; text-decoration: none; }}
  main {{ max-width: 60rem; margin: 2rem auto; padding: 0 1rem; }}
  .lead {{ font-size: 1.1rem; color: #3f4752; }}
  .actions {{ display: flex; flex-wrap: wrap; gap: .75rem; margin: 1rem 0; }}
  .button {{ display: inline-block; padding: .6rem 1.1rem; border: 2px solid #0b5d4b; border-radius: 4px;
            color: #0b5d4b; background: #fff; font-weight: 600; text-decoration: none; }}
  .button.primary {{ background: #0b5d4b; color: #fff; }}
  :focus-visible {{ outline: 3px solid #f2c14e; outline-offset: 2px; }}
  .table-wrap {{ overflow-x: auto; margin: 1rem 0; }}
  table {{ border-collapse: collapse; width: 100%; background: #fff; }}
  caption {{ text-align: left; font-weight: 600; padding: .5rem 0; }}
  th, td {{ text-align: left; padding: .4rem .6rem; border-bottom: 1px solid #c9ced6; word-break: break-word; }}
  .notice {{ padding: .75rem 1rem; border-left: 5px solid #0b5d4b; background: #e7f3ef; }}
  footer {{ font-size: .9rem; color: #3f4752; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; }}
  footer a {{ color: #0b5d4b; }}
</style></head>
<body><header><a href="/">OpenID Connect demo</a></header>
<main id="main">{content}</main>
<footer>A demonstration application signing in through <a href="{limen}/account/">Limen</a> with OpenID Connect
(Authlib).</footer></body></html>
"""


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--address", default=os.environ.get("DEMO_ADDRESS", "localhost:8002"))
    args = parser.parse_args(argv)
    host, port = args.address.rsplit(":", 1)
    app = DemoApp(issuer=os.environ.get("DEMO_ISSUER", "http://localhost:8000"),
                  client_id=os.environ["DEMO_CLIENT_ID"], client_secret=os.environ["DEMO_CLIENT_SECRET"],
                  base_url=f"http://{args.address}")
    server = make_server(host, int(port), app, server_class=_Server, handler_class=_QuietHandler)
    print(f"OpenID Connect demo on http://{args.address}/", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
