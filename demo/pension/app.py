"""Aurora Pension Fund (demo): a fictional pension fund's portal for retired staff, signing in through Limen
with CAS, that requires validated access (the RCAM/JSIS flow of the pensioners' guide).

Limen sends a person whose access is not yet validated to its request page
for this portal; once they have entered their validation code, the CAS
validation answer carries the validated details (personnelNumber, ...), which
this portal shows. It validates tickets at /cas/serviceValidate in JSON and
reads EU Login's layout (the attributes directly under authenticationSuccess),
as EU Login applications do, and it handles single logout. `limen demo`
registers and starts it; to run it alone:

    DEMO_LIMEN_URL=http://localhost:8000 python demo/pension/app.py --address localhost:8004

Only the standard library and requests. Sessions are kept in memory.
"""

from __future__ import annotations

import argparse
import html
import os
import secrets
import threading
import xml.etree.ElementTree as ET
from http import cookies
from socketserver import ThreadingMixIn
from urllib.parse import parse_qs, urlencode
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import requests

COOKIE = "aurora_session"
SAMLP = "{urn:oasis:names:tc:SAML:2.0:protocol}"
LABELS = {"personnelNumber": "Personnel number", "familyName": "Family name", "birthDate": "Birth date",
          "institution": "Institution"}


class Portal:
    def __init__(self, *, limen_url: str, base_url: str):
        self.limen = limen_url.rstrip("/")
        self.base = base_url.rstrip("/")
        self.sessions: dict[str, dict] = {}
        self.lock = threading.Lock()

    @property
    def service(self) -> str:
        return self.base + "/callback"

    def __call__(self, environ, start_response):
        jar = cookies.SimpleCookie(environ.get("HTTP_COOKIE", ""))
        sid = jar[COOKIE].value if COOKIE in jar else ""
        with self.lock:
            session = self.sessions.get(sid)
            if session is None:
                sid, session = secrets.token_urlsafe(24), {}
                self.sessions[sid] = session
        routes = {"/": self.home, "/login": self.login, "/callback": self.callback, "/my": self.my,
                  "/logout": self.logout}
        handler = routes.get(environ.get("PATH_INFO", "/"))
        query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        if handler is None:
            status, headers, body = "404 Not Found", [], page("Not found", "<h1>Not found</h1>")
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

    # -- pages

    def home(self, environ, query, session):
        if session.get("user"):
            return self.redirect("/my")
        return "200 OK", [], page("Welcome", f"""
          <h1>Your pension, online</h1>
          <p class="lead">Aurora Pension Fund pays the pensions of retired staff of the Aurora institutions
            (all of them fictional). Here you see your pension file, payslips and requests.</p>
          <p>The first time, you ask for access with your personnel number; once it is validated you receive a
            validation code to enter. After that, you only sign in.</p>
          <p><a class="button primary" href="/login">Connect with Limen</a></p>
          <p class="small">Limen may ask you for a second verification (level MEDIUM), as this fund requires it.</p>
        """)

    def login(self, environ, query, session):
        return self.redirect(self.limen + "/cas/login?" + urlencode({"service": self.service}))

    def callback(self, environ, query, session):
        if environ["REQUEST_METHOD"] == "POST":
            return self.single_logout(environ)
        ticket = query.get("ticket")
        if not ticket:
            return self.redirect("/")
        answer = requests.get(self.limen + "/cas/serviceValidate", timeout=10, params={
            "service": self.service, "ticket": ticket, "format": "JSON"}).json()["serviceResponse"]
        if "authenticationSuccess" not in answer:
            failure = answer.get("authenticationFailure", {})
            return "400 Bad Request", [], page("Sign-in failed", f"""<h1>Sign-in failed</h1>
              <p>Limen said: <code>{html.escape(failure.get('code', '?'))}</code>
              {html.escape(failure.get('description', ''))}</p><p><a href="/">Back</a></p>""")
        success = answer["authenticationSuccess"]
        with self.lock:
            session.clear()
            session.update(user=success["user"], ticket=ticket, details=success)
        return self.redirect("/my")

    def my(self, environ, query, session):
        details = session.get("details")
        if not details:
            return self.redirect("/")
        name = html.escape(str(details.get("firstName") or "").strip() or "")
        validated = "".join(
            f"<tr><th scope='row'>{html.escape(label)}</th><td id='attr-{key}'>{html.escape(str(details[key]))}</td>"
            f"</tr>" for key, label in LABELS.items() if key in details)
        if not validated:
            validated = "<tr><td colspan='2'>Limen sent no validated details.</td></tr>"
        everything = "".join(
            f"<tr><th scope='row'><code>{html.escape(k)}</code></th><td>{html.escape(_show(v))}</td></tr>"
            for k, v in details.items() if k != "attributes")
        return "200 OK", [], page("My pension file", f"""
          <h1>{'Welcome, ' + name if name else 'Welcome'}</h1>
          <p class="lead">Your access to the pension fund is validated. This is your file as Limen's
            validation told us who you are:</p>
          <div class="table-wrap"><table class="data"><caption>Validated details</caption>
            <tbody>{validated}</tbody></table></div>
          <div class="table-wrap"><table class="data"><caption>Everything in the CAS validation answer
            (EU Login's layout)</caption><tbody>{everything}</tbody></table></div>
          <p><a class="button" href="/logout">Sign out</a></p>
        """)

    def logout(self, environ, query, session):
        with self.lock:
            session.clear()
        return self.redirect(self.limen + "/cas/logout?" + urlencode({"service": self.base + "/"}))

    def single_logout(self, environ):
        """Limen posts a CAS logout request when the person's Limen session ends: forget that session."""
        length = int(environ.get("CONTENT_LENGTH") or 0)
        form = {k: v[0] for k, v in parse_qs(environ["wsgi.input"].read(length).decode()).items()}
        try:
            index = ET.fromstring(form.get("logoutRequest", "")).find(f"{SAMLP}SessionIndex").text
        except (ET.ParseError, AttributeError):
            return "400 Bad Request", [("Content-Type", "text/plain")], "not a logout request"
        with self.lock:
            for other in self.sessions.values():
                if other.get("ticket") == index:
                    other.clear()
        return "200 OK", [("Content-Type", "text/plain")], "ok"


def _show(value) -> str:
    return ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)


def page(title: str, content: str) -> str:
    return PAGE.format(title=html.escape(title), content=content)


PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · Aurora Pension Fund (demo)</title>
<style>
  body {{ margin: 0; font-family: Georgia, "Times New Roman", serif; color: #1f1b16; line-height: 1.55;
         background: #faf7f2; }}
  header {{ background: #5b2a86; color: #fff; padding: .8rem 1rem; border-bottom: 5px solid #e0b04f; }}
  header a {{ color: #fff; font-weight: 700; text-decoration: none; font-size: 1.15rem; }}
  header .tag {{ font-size: .8rem; font-weight: 400; border: 1px solid #fff; padding: 0 .3rem; margin-left: .4rem; }}
  main {{ max-width: 52rem; margin: 2rem auto; padding: 0 1rem; }}
  .lead {{ font-size: 1.1rem; }}
  .small {{ font-size: .9rem; color: #4d4538; }}
  .button {{ display: inline-block; padding: .6rem 1.1rem; border: 2px solid #5b2a86; border-radius: 4px;
            color: #5b2a86; background: #fff; font-weight: 700; text-decoration: none;
            font-family: system-ui, sans-serif; }}
  .button.primary {{ background: #5b2a86; color: #fff; }}
  :focus-visible {{ outline: 3px solid #e0b04f; outline-offset: 2px; }}
  .table-wrap {{ overflow-x: auto; margin: 1rem 0; }}
  table {{ border-collapse: collapse; width: 100%; background: #fff; }}
  caption {{ text-align: left; font-weight: 700; padding: .5rem 0; }}
  th, td {{ text-align: left; padding: .4rem .6rem; border-bottom: 1px solid #d9d0c1; word-break: break-word; }}
  footer {{ font-size: .9rem; color: #4d4538; max-width: 52rem; margin: 2rem auto; padding: 0 1rem; }}
  footer a {{ color: #5b2a86; }}
</style></head>
<body><header><a href="/">Aurora Pension Fund<span class="tag">demo</span></a></header>
<main id="main">{content}</main>
<footer>A fictional pension fund for retired staff of fictional institutions: a demonstration application that
signs in through Limen with CAS and requires validated access.</footer></body></html>
"""


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--address", default=os.environ.get("DEMO_ADDRESS", "localhost:8004"))
    args = parser.parse_args(argv)
    host, port = args.address.rsplit(":", 1)
    portal = Portal(limen_url=os.environ.get("DEMO_LIMEN_URL", "http://localhost:8000"),
                    base_url=f"http://{args.address}")
    server = make_server(host, int(port), portal, server_class=_Server, handler_class=_QuietHandler)
    print(f"Aurora Pension Fund (demo) on http://{args.address}/", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
