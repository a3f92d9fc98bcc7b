"""Browser tests of the second factors: a real Limen server, Debian's Chromium, virtual authenticators.

Own fixtures (prefixed ``factors_``) until the shared e2e fixtures land in
main. What differs from a plain server: WebAuthn needs a secure context and
a domain as relying party ID, so the server's LIMEN_BASE_URL is
http://localhost:<port> (Chromium treats localhost as secure). E-mails and
SMS are read where a developer reads them: the development outbox page.

The browser and the server live for this package only: Playwright keeps an
asyncio loop on the main thread, and Django refuses database calls from a
thread with a running loop, so they must be gone before other tests run.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
ARTIFACTS = ROOT / "test-artifacts"
SHOTS = ARTIFACTS / "screenshots" / "factors"
AXE_PATH = Path(os.environ.get("LIMEN_AXE_PATH", ROOT / "node_modules" / "axe-core" / "axe.min.js"))
AXE_URL_PATH = "/__tests__/axe.min.js"
CHROMIUM = os.environ.get("LIMEN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync"]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 740}
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).resolve().parent
    for item in items:
        if Path(str(item.fspath)).resolve().is_relative_to(here):
            item.add_marker(pytest.mark.e2e)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class FactorsServer:
    """``limen serve`` in a subprocess on http://localhost:<port>, with its own data directory."""

    def __init__(self, name: str, **env: str):
        self.port = _free_port()
        self.url = f"http://localhost:{self.port}"
        self.data_dir = Path(tempfile.mkdtemp(prefix=f"limen-e2e-factors-{name}-"))
        (ARTIFACTS / "logs").mkdir(parents=True, exist_ok=True)
        self.log_path = ARTIFACTS / "logs" / f"server-factors-{name}.log"
        base = {k: v for k, v in os.environ.items() if not k.startswith("LIMEN_") and k != "DJANGO_SETTINGS_MODULE"}
        self.env = {
            **base, "DJANGO_SETTINGS_MODULE": "limen.settings", "PYTHONUNBUFFERED": "1",
            "LIMEN_DATA_DIR": str(self.data_dir), "LIMEN_BASE_URL": self.url, "LIMEN_DEBUG": "0",
            "LIMEN_DEV_OUTBOX": "1", "LIMEN_EMAIL_URL": "memory:", "LIMEN_SMS_URL": "console:",
            "LIMEN_ARGON2_MEMORY_KIB": "1024", "LIMEN_ARGON2_TIME_COST": "1", "LIMEN_CAPTCHA_AFTER": "1000",
            "LIMEN_RATE_LIMIT_SIGNIN_PER_IP": "1000", "LIMEN_RATE_LIMIT_FORMS_PER_IP": "1000",
            **env,
        }
        self.process = None

    def _limen(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "limen.cli", *args]

    def start(self) -> "FactorsServer":
        self._log = open(self.log_path, "w", buffering=1)
        for command in (["migrate", "--noinput"], ["createcachetable"]):
            subprocess.run(self._limen(*command), env=self.env, cwd=self.data_dir, stdout=self._log,
                           stderr=subprocess.STDOUT, check=True, timeout=300)
        self.process = subprocess.Popen(
            self._limen("serve", "--bind", f"127.0.0.1:{self.port}", "--workers", "2", "--threads", "4"),
            env=self.env, cwd=self.data_dir, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 60
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"limen serve exited:\n{self.log_path.read_text()}")
            try:
                probe = urllib.request.Request(f"http://127.0.0.1:{self.port}/login/",
                                               headers={"Host": f"localhost:{self.port}"})
                with urllib.request.urlopen(probe, timeout=2) as r:
                    if r.status == 200:
                        return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"limen serve did not start:\n{self.log_path.read_text()}")
            time.sleep(0.2)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
        self.process = None
        if getattr(self, "_log", None):
            self._log.close()
        shutil.rmtree(self.data_dir, ignore_errors=True)

    def python(self, code: str) -> str:
        """Run Python inside Django against the server's database (``limen shell -c``); returns stdout."""
        result = subprocess.run(self._limen("shell", "-c", code), env=self.env, cwd=self.data_dir,
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    def make_user(self, email: str, password: str) -> None:
        self.python(
            "from limen.accounts.models import User; "
            f"User.objects.create_user({email!r}, {password!r}, first_name='Ada', last_name='Lovelace', "
            "email_verified=True)")


@pytest.fixture(scope="package")
def factors_server():
    server = FactorsServer("main").start()
    yield server
    server.stop()


@pytest.fixture(scope="package")
def factors_browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"Chromium not found at {CHROMIUM}")
    if not AXE_PATH.exists():
        pytest.fail(f"{AXE_PATH} is missing: run `npm install axe-core` at the repository root", pytrace=False)
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture
def factors_context(factors_browser):
    context = factors_browser.new_context(viewport=DESKTOP, locale="en-GB", accept_downloads=True)
    body = AXE_PATH.read_bytes()
    context.route(f"**{AXE_URL_PATH}", lambda route: route.fulfill(
        status=200, body=body, headers={"Content-Type": "application/javascript; charset=utf-8"}))
    context.set_default_timeout(10_000)
    yield context
    context.close()


@pytest.fixture
def factors_page(factors_context):
    page = factors_context.new_page()
    problems: list[str] = []
    page.factors_problems = problems
    page.on("console", lambda m: problems.append(m.text)
            if ("Content Security Policy" in m.text or "Refused to" in m.text) else None)
    page.on("pageerror", lambda error: problems.append(f"JavaScript error: {error}"))
    page.on("response", lambda r: problems.append(f"{r.status} for {r.url}")
            if r.status >= 400 and r.request.resource_type in {"stylesheet", "script", "image"}
            and AXE_URL_PATH not in r.url else None)
    return page


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-")[:80]


class Checker:
    """Checks a page as it is now: axe-core (WCAG 2.1 AA) at desktop and phone width, no sideways scrolling
    at 375 px, no CSP violation or missing file; keeps a screenshot of both widths."""

    def __init__(self, page, folder: Path):
        self.page, self.folder, self.count = page, folder, 0

    def __call__(self, name: str) -> None:
        page = self.page
        page.wait_for_load_state("load")
        self.count += 1
        errors = []
        for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
            page.set_viewport_size(size)
            page.screenshot(path=str(self.folder / f"{self.count:02d}-{_slug(name)}-{label}.png"), full_page=True)
            if not page.evaluate("() => typeof window.axe !== 'undefined'"):
                page.add_script_tag(url=page.evaluate("() => location.origin") + AXE_URL_PATH)
            violations = page.evaluate(
                """async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}}))
                     .violations.map(v => v.id + ': ' + v.help + ' at ' +
                                     v.nodes.map(n => n.target.join(' ')).join(', '))""", WCAG_TAGS)
            errors += [f"{name} ({label}): {v}" for v in violations]
            if label == "phone":
                overflow = page.evaluate("() => document.documentElement.scrollWidth - "
                                         "document.documentElement.clientWidth")
                if overflow > 0:
                    errors.append(f"{name} scrolls sideways at 375px ({overflow}px)")
        page.set_viewport_size(DESKTOP)
        if page.factors_problems:
            errors += [f"{name}: {p}" for p in page.factors_problems]
            page.factors_problems.clear()
        assert not errors, "\n".join(errors)


@pytest.fixture
def factors_check(request, factors_page):
    folder = SHOTS / _slug(request.node.name)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    return Checker(factors_page, folder)


class VirtualAuthenticator:
    """A Chromium virtual authenticator (DevTools WebAuthn domain) attached to a page."""

    def __init__(self, context, page, *, transport: str, resident: bool = True, uv: bool = True):
        self.cdp = context.new_cdp_session(page)
        self.cdp.send("WebAuthn.enable", {"enableUI": False})
        self.id = self.cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {
            "protocol": "ctap2", "ctap2Version": "ctap2_1", "transport": transport, "hasResidentKey": resident,
            "hasUserVerification": True, "isUserVerified": uv, "automaticPresenceSimulation": True,
        }})["authenticatorId"]

    def credentials(self) -> list[dict]:
        return self.cdp.send("WebAuthn.getCredentials", {"authenticatorId": self.id})["credentials"]

    def set_user_verified(self, verified: bool) -> None:
        self.cdp.send("WebAuthn.setUserVerified", {"authenticatorId": self.id, "isUserVerified": verified})

    def set_sign_count(self, credential: dict, count: int) -> None:
        """Put the credential back with another counter: what a copy of the key would do."""
        self.cdp.send("WebAuthn.removeCredential", {"authenticatorId": self.id,
                                                    "credentialId": credential["credentialId"]})
        fields = {k: credential[k] for k in ("credentialId", "isResidentCredential", "rpId", "privateKey",
                                             "userHandle") if k in credential}
        self.cdp.send("WebAuthn.addCredential", {"authenticatorId": self.id,
                                                 "credential": {**fields, "signCount": count}})

    def remove(self) -> None:
        self.cdp.send("WebAuthn.removeVirtualAuthenticator", {"authenticatorId": self.id})


@pytest.fixture
def virtual_authenticator(factors_context, factors_page):
    made = []

    def attach(transport: str = "usb", **options) -> VirtualAuthenticator:
        authenticator = VirtualAuthenticator(factors_context, factors_page, transport=transport, **options)
        made.append(authenticator)
        return authenticator

    return attach


@pytest.fixture
def outbox(factors_context, factors_page):
    """A second tab, for the development outbox (where a developer reads e-mails and SMS)."""
    tab = factors_context.new_page()
    factors_page.bring_to_front()
    return tab
