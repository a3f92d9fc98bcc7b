"""A real Limen server in a subprocess (gunicorn via `limen serve`), and a person signing in with requests."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import requests

from tests.support.ports import free_port

LIMEN = str(Path(sys.executable).with_name("limen"))
PASSWORD = "Correct-Horse-42"


def wait_for(url: str, process: subprocess.Popen | None = None, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            requests.get(url, timeout=1, allow_redirects=False)
            return
        except requests.RequestException:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {timeout}s")


class LimenServer:
    def __init__(self, data_dir: Path, *, debug: bool = True, workers: int = 2):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "LIMEN_DATA_DIR": str(data_dir), "LIMEN_BASE_URL": self.url, "LIMEN_DEBUG": "1" if debug else "0",
            "LIMEN_ARGON2_MEMORY_KIB": "1024", "LIMEN_ARGON2_TIME_COST": "1", "LIMEN_EMAIL_URL": "memory:",
            "LIMEN_CAS_TICKET_SECONDS": "30",
        }
        # Its own SQLite database in data_dir, also when the suite runs on PostgreSQL.
        for name in ("DJANGO_SETTINGS_MODULE", "LIMEN_DATABASE_URL", "LIMEN_REDIS_URL"):
            self.env.pop(name, None)
        self.workers = workers
        self.process: subprocess.Popen | None = None

    def limen(self, *args: str) -> str:
        done = subprocess.run([LIMEN, *args], env=self.env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr[-2000:]
        return done.stdout

    def start(self, *, migrate: bool = True) -> LimenServer:
        args = [LIMEN, "serve", "--bind", f"127.0.0.1:{self.port}", "--workers", str(self.workers)]
        self.process = subprocess.Popen(args + (["--migrate"] if migrate else []), env=self.env,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        wait_for(self.url + "/login/", self.process)
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def create_user(self, email: str, **fields) -> None:
        extra = ", ".join(f"{k}={v!r}" for k, v in fields.items())
        self.limen("shell", "--no-imports", "-c", "from limen.accounts.models import User; "
                   f"User.objects.create_user({email!r}, {PASSWORD!r}, first_name='Ada', last_name='Lovelace', "
                   f"email_verified=True{', ' + extra if extra else ''})")


def _csrf(html: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert match, html[:500]
    return match.group(1)


class Person:
    """A browser stand-in: follows Limen's pages and signs in; stops at the application."""

    def __init__(self, email: str, password: str = PASSWORD):
        self.email, self.password = email, password
        self.http = requests.Session()

    def open(self, url: str) -> requests.Response:
        """GET ``url`` and follow redirects while they stay on Limen; sign in when asked."""
        origin = "{0.scheme}://{0.netloc}".format(urlsplit(url))
        response = self.http.get(url, allow_redirects=False, timeout=10)
        for _ in range(10):
            if response.status_code != 302:
                return response
            target = urljoin(response.url, response.headers["Location"])
            if not target.startswith(origin):
                return response  # back to the application
            path = urlsplit(target).path
            if path == "/login/":
                response = self._post_form(target, {"email": self.email})
            elif path == "/login/password/":
                response = self._post_form(target, {"password": self.password})
            else:
                response = self.http.get(target, allow_redirects=False, timeout=10)
        raise AssertionError("too many redirects")

    def _post_form(self, url: str, data: dict) -> requests.Response:
        page = self.http.get(url, timeout=10)
        return self.http.post(url, data={**data, "csrfmiddlewaretoken": _csrf(page.text)},
                              headers={"Referer": url}, allow_redirects=False, timeout=10)

    def ticket_for(self, login_url: str) -> str:
        response = self.open(login_url)
        assert response.status_code == 302, (response.status_code, response.text[:500])
        return parse_qs(urlsplit(response.headers["Location"]).query)["ticket"][0]
