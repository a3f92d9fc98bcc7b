"""Real Limen servers for protocol tests: `limen serve` (gunicorn) in a subprocess, private data dir.

    server = LimenServer(host="localhost").start()
    server.python("from limen.accounts.models import User; ...")   # runs inside that server's settings
    server.stop()

``Browser`` is a small user agent (requests + cookies) that fills in Limen's
sign-in pages, so a relying-party library can be tested without a GUI.
"""

from __future__ import annotations

import json
import re
import subprocess
import textwrap
from html import unescape
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from tests.support import pow as proof_of_work
from tests.support.limen_server import LimenServer as SharedLimenServer
from tests.support.ports import free_port

PASSWORD = "Correct-Horse-42"


class LimenServer(SharedLimenServer):
    """The shared test server (tests/support/limen_server.py) plus helpers that set up data inside it.

    ``data_dir`` is accepted for the callers' convenience and ignored: the server keeps its own.
    """

    def __init__(self, data_dir: Path | None = None, *, host: str = "127.0.0.1", env: dict | None = None,
                 workers: int = 2):
        super().__init__(name=f"oidc-{host}-{free_port()}", email_url="console:", env=env, workers=workers,
                         host=host)

    @property
    def base_url(self) -> str:
        return self.url

    def manage(self, *args: str, check: bool = True) -> str:
        result = subprocess.run(self._limen(*args), env=self.env, cwd=self.data_dir, capture_output=True,
                                text=True, timeout=120)
        if check and result.returncode != 0:
            raise RuntimeError(f"limen {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def python(self, code: str):
        """Run ``code`` with this server's settings; it sets ``result`` (JSON-serialisable) to return it."""
        wrapped = textwrap.dedent(code) + "\nimport json as _json\nprint('@@' + _json.dumps(globals().get('result')))\n"
        out = self.manage("shell", "-c", wrapped)
        line = [ln for ln in out.splitlines() if ln.startswith("@@")][-1]
        return json.loads(line[2:])

    # Helpers that set up data inside the server.

    def make_user(self, email: str, password: str = PASSWORD, **fields) -> dict:
        return self.python(f"""
            from limen.accounts.models import User
            u = User.objects.create_user({email!r}, {password!r}, email_verified=True,
                                         first_name={fields.get('first_name', 'Ada')!r},
                                         last_name={fields.get('last_name', 'Lovelace')!r})
            result = {{"uid": str(u.uid), "pk": u.pk, "email": u.email}}
        """)

    def register_client(self, **kwargs) -> dict:
        return self.python(f"""
            from limen.oidc import clients
            r = clients.register(**{kwargs!r})
            result = {{"client_id": r.client.client_id, "client_secret": r.secret}}
        """)

    def outbox(self) -> list[dict]:
        return self.python("""
            from limen.notify.models import OutboxMessage
            result = [{"to": m.recipient, "subject": m.subject, "body": m.body, "channel": m.channel}
                      for m in OutboxMessage.objects.order_by("id")]
        """)


_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_REFRESH = re.compile(r'<meta http-equiv="refresh" content="0;url=([^"]+)">')


def next_url(response: requests.Response) -> str | None:
    """Where a response sends the browser: a redirect, or Limen's "Continuing" page (meta refresh)."""
    if response.status_code in (301, 302, 303, 307):
        return urljoin(response.url, response.headers["Location"])
    match = _REFRESH.search(response.text) if response.status_code == 200 else None
    return urljoin(response.url, unescape(match.group(1))) if match else None


class Browser:
    """Follows redirects by hand and fills in Limen's forms, like a person with a browser."""

    def __init__(self):
        self.session = requests.Session()
        # As a browser does: a GET sent on a kept-alive connection that the server closes at that moment
        # (limen serve ends idle connections after 2 s, gunicorn's keep-alive) is sent once more, on a new one.
        resend = HTTPAdapter(max_retries=Retry(total=1, connect=1, read=1, status=0, redirect=0, other=0,
                                               allowed_methods=frozenset({"GET", "HEAD"})))
        for scheme in ("http://", "https://"):
            self.session.mount(scheme, resend)
        self.last = None

    def get(self, url: str, **kwargs) -> requests.Response:
        self.last = self.session.get(url, allow_redirects=False, timeout=30, **kwargs)
        return self.last

    def post_form(self, url: str, data: dict, *, action: str | None = None) -> requests.Response:
        """Open the page at ``url`` and submit a form of it (to ``action``, default the page itself)."""
        page = self.session.get(url, allow_redirects=False, timeout=30)
        match = _CSRF.search(page.text)
        assert match, f"no form on {url}: {page.status_code} {page.text[:500]}"
        data = {"csrfmiddlewaretoken": unescape(match.group(1)), **proof_of_work.solved_field(page.text), **data}
        self.last = self.session.post(urljoin(url, action or url), data=data, allow_redirects=False, timeout=30,
                                      headers={"Referer": url})
        return self.last

    def follow(self, url: str, *, until: str | None = None, max_hops: int = 15) -> str:
        """GET ``url`` and follow redirects; stop (without loading it) at a URL starting with ``until``."""
        for _ in range(max_hops):
            if until and url.startswith(until):
                return url
            response = self.get(url)
            following = next_url(response)
            if following is None:
                return url
            url = following
        raise AssertionError("too many redirects")

    def login_here(self, url: str, email: str, password: str = PASSWORD) -> str:
        """On a Limen sign-in page: e-mail, Next, password, Sign in. Returns where Limen sends the browser."""
        response = self.post_form(url, {"email": email})
        assert response.status_code == 302, response.text[:500]
        password_page = urljoin(url, response.headers["Location"])
        response = self.post_form(password_page, {"password": password})
        assert next_url(response), response.text[:800]
        return next_url(response)

    def sign_in(self, start_url: str, email: str, password: str = PASSWORD, *, until: str) -> str:
        """Open ``start_url``; sign in on Limen's pages when asked; return the URL that leaves for ``until``."""
        url = self.follow(start_url, until=until)
        if url.startswith(until):
            return url
        assert "/login/" in url, f"expected the sign-in page, got {url} ({self.last.status_code})"
        return self.follow(self.login_here(url, email, password), until=until)

    def walk(self, url: str, *, logins: dict[str, str], until: str, max_pages: int = 6) -> str:
        """Follow redirects across sites; on the sign-in page of a host in ``logins``, sign in as that
        person. Returns the URL that starts with ``until`` (not loaded), or the page where it stopped."""
        for _ in range(max_pages):
            url = self.follow(url, until=until)
            host = urlsplit(url).netloc
            if url.startswith(until) or host not in logins or urlsplit(url).path != "/login/":
                return url
            url = self.login_here(url, logins[host])
        raise AssertionError("too many sign-in pages")
