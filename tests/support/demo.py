"""`limen demo` as a newcomer starts it, for the browser tests: its own data directories, free ports.

Ports only are given (``--address 43121``), so every server runs on the
default host of `limen demo` (localhost), and the addresses the tests use are
the ones the demo announces in its banner.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

from .ports import free_port

LIMEN = str(Path(sys.executable).with_name("limen"))
FAST_HASHING = {"LIMEN_ARGON2_MEMORY_KIB": "1024", "LIMEN_ARGON2_TIME_COST": "1"}


class LimenDemo:
    def __init__(self, tmp: Path, *, env: dict | None = None):
        self.ports = {name: free_port() for name in ("limen", "portal", "oidc", "eid", "pension")}
        self.env = {**{k: v for k, v in os.environ.items() if not k.startswith("LIMEN_")},
                    "LIMEN_DATA_DIR": str(tmp / "limen"), "DEMO_DATA_DIR": str(tmp / "portal"),
                    **FAST_HASHING, "LIMEN_EMAIL_URL": "memory:", "PYTHONUNBUFFERED": "1", **(env or {})}
        self.env.pop("DJANGO_SETTINGS_MODULE", None)
        self.process = subprocess.Popen(
            [LIMEN, "demo", "--noreload", "--address", str(self.ports["limen"]),
             "--portal", str(self.ports["portal"]), "--oidc-app", str(self.ports["oidc"]),
             "--eid-provider", str(self.ports["eid"]), "--pension", str(self.ports["pension"])],
            env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
        self.output: list[str] = []
        self.email = self.password = None
        self.accounts: dict[str, str] = {}  # the pension fund demo's pensioner and validator
        for line in self.process.stdout:  # the banner, up to its last line
            self.output.append(line)
            match = re.search(r"(\S+@\S+)\s+/\s+(\S+)", line)
            role = re.search(r"(pensioner|validator)@example\.org\s+/\s+(\S+)", line)
            if role:
                self.accounts[role.group(1)] = role.group(2)
            elif match and self.email is None:
                self.email, self.password = match.groups()
            if "Operators' site:" in line:
                break
        banner = "".join(self.output)
        assert self.password, banner
        threading.Thread(target=lambda: self.output.extend(self.process.stdout), daemon=True).start()
        self.limen_url = self.url = self._announced(r"Limen is starting on (\S+)", banner)
        self.portal_url = self._announced(r"Demo application \(Europass \(demo\)\): (\S+)", banner).rstrip("/")
        self.oidc_url = self._announced(r"Demo application \(OpenID Connect demo\): (\S+)", banner).rstrip("/")
        self.eid_url = self._announced(r"Demo national eID \(fictional people\): (\S+)", banner).rstrip("/")
        self.pension_url = self._announced(r"Demo application \(Aurora Pension Fund \(demo\)\): (\S+)",
                                           banner).rstrip("/")
        self.app_url = self._announced(r"The authenticator web app \(the phone side\): (\S+)", banner)
        for url in (self.limen_url + "/login/", self.portal_url + "/", self.oidc_url + "/", self.eid_url + "/",
                    self.pension_url + "/", self.app_url):
            self.wait_for(url)

    def _announced(self, pattern: str, banner: str) -> str:
        match = re.search(pattern, banner)
        if not match:
            self.stop()
            raise AssertionError(f"the banner of limen demo does not say {pattern!r}:\n{banner}")
        return match.group(1)

    def wait_for(self, url: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                urllib.request.urlopen(url, timeout=2)
                return
            except Exception:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise AssertionError(f"{url} did not answer:\n{''.join(self.output)}") from None
                time.sleep(0.2)

    def limen(self, *args: str) -> str:
        """Another `limen` command on the demo's data (an operator at the terminal)."""
        env = {**self.env, "LIMEN_BASE_URL": self.limen_url}
        done = subprocess.run([LIMEN, *args], env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr[-2000:]
        return done.stdout

    def stop(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGTERM)  # limen demo and the demo servers it started
            self.process.wait(10)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
