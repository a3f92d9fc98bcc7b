"""Shared pieces of the mobile authenticator benchmarks: a Limen server, a browser, an app.

The server is the production one (`limen serve`: gunicorn, gthread workers) on
a free port of 127.0.0.1, with a data directory of its own (SQLite), fast
password hashing and rate limits out of the way.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
LIMEN = [sys.executable, "-m", "limen.cli"]
PASSWORD = "Correct-Horse-42"
PIN = "4706"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * p / 100
    low, high = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def summary(values_ms: list[float]) -> str:
    return (f"n={len(values_ms)} p50={percentile(values_ms, 50):.0f} ms p90={percentile(values_ms, 90):.0f} ms "
            f"p99={percentile(values_ms, 99):.0f} ms max={max(values_ms):.0f} ms "
            f"mean={statistics.fmean(values_ms):.0f} ms")


class Server:
    def __init__(self, *, workers: int = 2, threads: int = 16, env: dict | None = None, data_dir: Path | None = None,
                 server: str = "async"):
        """``data_dir``: share another server's (its SQLite database and secret key): a second instance."""
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.shared = data_dir is not None
        self.data_dir = data_dir or Path(tempfile.mkdtemp(prefix="limen-bench-"))
        self.workers, self.threads, self.server = workers, threads, server
        base = {k: v for k, v in os.environ.items() if not k.startswith("LIMEN_") and k != "DJANGO_SETTINGS_MODULE"}
        self.env = {
            **base, "LIMEN_DATA_DIR": str(self.data_dir), "LIMEN_BASE_URL": self.url, "LIMEN_DEBUG": "0",
            "LIMEN_EMAIL_URL": "memory:", "LIMEN_ARGON2_MEMORY_KIB": "1024", "LIMEN_ARGON2_TIME_COST": "1",
            "LIMEN_RATE_LIMIT_SIGNIN_PER_IP": "1000000", "LIMEN_RATE_LIMIT_FORMS_PER_IP": "1000000",
            "LIMEN_MOBILE_REQUESTS_PER_WINDOW": "1000000",
            "LIMEN_LOG_LEVEL": "WARNING", "PYTHONPATH": str(ROOT / "src"), **(env or {}),
        }
        self.process = None

    def limen(self, *args: str, stdin: str | None = None) -> str:
        done = subprocess.run([*LIMEN, *args], env=self.env, input=stdin, capture_output=True, text=True,
                              timeout=600)
        if done.returncode != 0:
            raise RuntimeError(done.stderr[-3000:])
        return done.stdout

    def start(self) -> "Server":
        if not self.shared:
            self.limen("migrate", "--noinput")
            self.limen("createcachetable")
        self.log = open(self.data_dir / f"server-{self.port}.log", "w")
        self.process = subprocess.Popen(
            [*LIMEN, "serve", "--server", self.server, "--bind", f"127.0.0.1:{self.port}", "--workers",
             str(self.workers), "--threads", str(self.threads)], env=self.env, stdout=self.log,
            stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                requests.get(self.url + "/login/", timeout=1)
                return self
            except requests.RequestException:
                time.sleep(0.2)
        raise RuntimeError("server did not start")

    def worker_pids(self) -> list[int]:
        out = subprocess.run(["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True).stdout
        return [int(p) for p in out.split()]

    def stop(self) -> None:
        if self.process:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(15)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(self.process.pid, signal.SIGKILL)
        if not self.shared:
            shutil.rmtree(self.data_dir, ignore_errors=True)

    def shell(self, code: str) -> str:
        return self.limen("shell", "--no-imports", "-c", code)

    def create_user(self, email: str) -> None:
        self.shell("from limen.accounts.models import User; "
                   f"User.objects.create_user({email!r}, {PASSWORD!r}, first_name='Bench', last_name='Mark', "
                   "email_verified=True)")

    def enrolment_token(self, email: str, name: str = "Bench phone") -> str:
        out = self.shell(
            "from limen.accounts.models import User; from limen.factors.mobile_app.services import enrolment; "
            f"_, t = enrolment.start(user=User.objects.get(email={email!r}), name={name!r}, pin={PIN!r}); print(t)")
        return out.strip().splitlines()[-1]


def enrol_app(server: Server, email: str, state: Path):
    """Enrol through the device API exactly as limen-authenticator does; returns the Account."""
    from limen_authenticator import app
    from limen_protocol import payloads

    token = server.enrolment_token(email)
    return app.enrol(payloads.enrolment_uri(server.url, token), app.PinSource(PIN), state_path=state)


class Browser:
    """A person's browser, with requests: CSRF tokens from the forms, cookies in the session."""

    def __init__(self, server: Server):
        self.server, self.http = server, requests.Session()

    def _csrf(self, path: str) -> str:
        html = self.http.get(self.server.url + path, timeout=10).text
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)

    def sign_in(self, email: str, method: str) -> requests.Response:
        token = self._csrf("/login/")
        self.http.post(self.server.url + "/login/", data={"csrfmiddlewaretoken": token, "email": email}, timeout=10)
        token = self._csrf("/login/password/")
        return self.http.post(self.server.url + "/login/password/", timeout=10, allow_redirects=False,
                              data={"csrfmiddlewaretoken": token, "password": PASSWORD, "method": method})

    def status(self, known: str, wait: int = 20) -> str:
        return self.http.get(f"{self.server.url}/login/mobile/status/?known={known}&wait={wait}", timeout=wait + 10
                             ).json()["state"]

    def continue_(self) -> requests.Response:
        token = self._csrf("/login/mobile/")
        return self.http.post(self.server.url + "/login/mobile/", timeout=10,
                              data={"csrfmiddlewaretoken": token, "action": "continue"})


def write_json(path: Path, data) -> None:
    path.write_text(json.dumps(data, indent=2) + "\n")
