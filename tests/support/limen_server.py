"""A real Limen server in a subprocess, the way an operator runs it.

``limen migrate`` prepares a fresh database (it also creates the cache
table, as an operator expects of one command), then ``limen serve`` (gunicorn) listens on a free port of 127.0.0.1. Each
server has its own data directory; its output goes to a log file that tests
show when they fail.
"""

from __future__ import annotations

import http.client
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from .ports import free_port

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"

# Fast hashing, a quick proof of work, no rate limits or e-mail caps in the way of scripted flows.
TEST_ENV = {
    "LIMEN_DEBUG": "0",
    "LIMEN_DEV_OUTBOX": "1",
    "LIMEN_ARGON2_MEMORY_KIB": "1024",
    "LIMEN_ARGON2_TIME_COST": "1",
    "LIMEN_POW_COST": "10",
    "LIMEN_POW_DIFFICULTY": "10",
    "LIMEN_EMAIL_CAP_PER_ADDRESS": "10000",
    "LIMEN_EMAIL_CAP_PER_IP": "10000",
    "LIMEN_RATE_LIMIT_SIGNIN_PER_IP": "1000",
    "LIMEN_RATE_LIMIT_FORMS_PER_IP": "1000",
    "LIMEN_LOG_LEVEL": "INFO",
}


class ServerFailed(RuntimeError):
    pass


def same_database_kind(name: str) -> str:
    """A database URL for a live server of the same kind as this test run's: under the PostgreSQL
    run, a new database on the same PostgreSQL server; under the SQLite run, "" (the server's own
    SQLite file). Tests that must hold on both databases use it."""
    url = os.environ.get("LIMEN_DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return ""
    import secrets
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    database = f"limen_{name}_{secrets.token_hex(4)}"
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{database}"')
    return urlunsplit(urlsplit(url)._replace(path="/" + database))


def _stop_with_parent() -> None:
    """In the child: get SIGTERM when the test process dies (Linux), so no server outlives a killed run."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


class LimenServer:
    def __init__(self, *, name: str, email_url: str, database_url: str = "", env: dict | None = None,
                 workers: int = 2, threads: int = 4, host: str = "127.0.0.1"):
        """``host``: the name in LIMEN_BASE_URL; "localhost" for WebAuthn, which needs a domain, not an IP."""
        self.name = name
        self.port = free_port()
        self.url = f"http://{host}:{self.port}"
        self.data_dir = Path(tempfile.mkdtemp(prefix=f"limen-e2e-{name}-"))
        (ARTIFACTS / "logs").mkdir(parents=True, exist_ok=True)
        # One file per server: two xdist workers starting a module's server of the same name would
        # otherwise write into one file, and a test reading its server's log would read the other's.
        worker = os.environ.get("PYTEST_XDIST_WORKER", "")
        self.log_path = ARTIFACTS / "logs" / f"server-{name}{'-' + worker if worker else ''}.log"
        self.workers, self.threads = workers, threads
        self.process: subprocess.Popen | None = None
        base = {k: v for k, v in os.environ.items()
                if not k.startswith("LIMEN_") and k not in {"DJANGO_SETTINGS_MODULE", "RUN_MAIN"}}
        self.env = {
            **base, **TEST_ENV,
            # limen.settings plus request errors in the log (see server_settings.py).
            "DJANGO_SETTINGS_MODULE": "tests.support.server_settings",
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), base.get("PYTHONPATH", "")])),
            "PYTHONUNBUFFERED": "1",
            "LIMEN_DATA_DIR": str(self.data_dir),
            "LIMEN_BASE_URL": self.url,
            "LIMEN_EMAIL_URL": email_url,
            **({"LIMEN_DATABASE_URL": database_url} if database_url else {}),
            **(env or {}),
        }

    # -- lifecycle ---------------------------------------------------------
    def start(self, timeout: float = 60.0) -> "LimenServer":
        self._log = open(self.log_path, "w", buffering=1)
        for command in (["migrate", "--noinput"],):
            self._log.write(f"$ limen {' '.join(command)}\n")
            result = subprocess.run(self._limen(*command), env=self.env, cwd=self.data_dir, stdout=self._log,
                                    stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, timeout=300)
            if result.returncode != 0:
                raise ServerFailed(f"limen {' '.join(command)} failed:\n{self.log()}")
        self._log.write(f"$ limen serve --bind 127.0.0.1:{self.port}\n")
        self.process = subprocess.Popen(
            self._limen("serve", "--bind", f"127.0.0.1:{self.port}", "--workers", str(self.workers),
                        "--threads", str(self.threads)),
            env=self.env, cwd=self.data_dir, stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: stopping it stops gunicorn's workers too
            preexec_fn=_stop_with_parent,
        )
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise ServerFailed(f"limen serve exited with {self.process.returncode}:\n{self.log()}")
            try:
                with urllib.request.urlopen(self.url + "/login/", timeout=2) as response:
                    if response.status == 200:
                        return self
            except (urllib.error.URLError, ConnectionError, TimeoutError, http.client.HTTPException):
                pass  # not up yet; or another program answers there, and limen serve, unable to bind, exits
            if time.monotonic() > deadline:
                self.stop()
                raise ServerFailed(f"limen serve did not answer on {self.url} within {timeout:.0f}s:\n{self.log()}")
            time.sleep(0.2)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=15)
            except ProcessLookupError:
                pass
        self.process = None
        if getattr(self, "_log", None):
            self._log.close()
        shutil.rmtree(self.data_dir, ignore_errors=True)

    def __enter__(self) -> "LimenServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- helpers -----------------------------------------------------------
    def manage(self, *args: str) -> str:
        """Run a ``limen`` command against this server's database; its output."""
        result = subprocess.run(self._limen(*args), env=self.env, cwd=self.data_dir, capture_output=True, text=True,
                                stdin=subprocess.DEVNULL, timeout=120)
        if result.returncode != 0:
            raise ServerFailed(f"limen {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def python(self, code: str):
        """Run ``code`` with this server's settings and database; it sets ``result`` (JSON) to return it."""
        import json
        import textwrap

        wrapped = textwrap.dedent(code) + "\nimport json as _json\nprint('@@' + _json.dumps(globals().get('result')))\n"
        line = [ln for ln in self.manage("shell", "-c", wrapped).splitlines() if ln.startswith("@@")][-1]
        return json.loads(line[2:])

    def kill(self) -> None:
        """Stop the server at once, as a crash would (SIGKILL to gunicorn and its workers)."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=15)

    def _limen(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "limen.cli", *args]

    def log_size(self) -> int:
        return self.log_path.stat().st_size if self.log_path.exists() else 0

    def log(self, since: int = 0, max_chars: int = 20000) -> str:
        if not self.log_path.exists():
            return "(no log)"
        with open(self.log_path, "rb") as handle:
            handle.seek(since)
            text = handle.read().decode("utf-8", errors="replace")
        return text if len(text) <= max_chars else "[...]\n" + text[-max_chars:]
