"""Browser tests: Chromium (through Playwright) against a real Limen server.

Per test session (per xdist worker that runs browser tests):

- ``mailbox``: a real SMTP server (aiosmtpd) that keeps what Limen sends;
- ``limen_server``: ``limen serve`` in a subprocess, on its own SQLite file,
  or, when the run has LIMEN_DATABASE_URL (the PostgreSQL run), on a second
  database ``<name>_e2e`` of the same cluster;
- Debian's Chromium, started once and stopped as soon as the browser tests are
  done (Playwright keeps an asyncio loop running on the main thread, and
  Django refuses database calls from a thread with a running loop, so the
  browser must not outlive the browser tests; they also run last).

Per test: a fresh browser context (no cookies) and ``site``, which visits pages
and checks each one (axe-core at desktop and phone width, a screenshot of
both, no horizontal scrolling at phone width, no CSP violation, no missing
CSS/JS).

When a test fails, its report shows the server's log lines written during
the test and the mails it sent, and a screenshot of the page at the moment
of failure is saved in test-artifacts/screenshots/.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.support import a11y
from tests.support.limen_server import ARTIFACTS, LimenServer
from tests.support.smtp import Mailbox

CHROMIUM = os.environ.get("LIMEN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync"]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 740}
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")
DB_LABEL = "postgresql" if os.environ.get("LIMEN_DATABASE_URL", "").startswith("postgres") else "sqlite"
SCREENSHOTS = ARTIFACTS / "screenshots" / DB_LABEL
E2E_DIR = Path(__file__).resolve().parent


# -- collection: mark, group and order the browser tests ---------------------

def _is_e2e(item) -> bool:
    return Path(str(item.fspath)).resolve().is_relative_to(E2E_DIR)


def pytest_collection_modifyitems(config, items):
    for item in items:
        if _is_e2e(item):
            item.add_marker(pytest.mark.e2e)
            item.add_marker(pytest.mark.xdist_group("e2e"))  # one worker, one server (with --dist loadgroup)
    # Browser tests last, so that the browser stops before no other test runs in this process.
    items[:] = [i for i in items if not _is_e2e(i)] + [i for i in items if _is_e2e(i)]


# -- the browser: started lazily, stopped after the last browser test --------

class _Browser:
    playwright = None
    browser = None

    @classmethod
    def get(cls):
        if cls.browser is None:
            if not os.path.exists(CHROMIUM):
                pytest.fail(f"Chromium not found at {CHROMIUM}: install it (Debian: apt-get install chromium) or set "
                            "LIMEN_CHROMIUM. To run without browser tests: pytest -m 'not e2e'.", pytrace=False)
            problem = a11y.axe_source_missing()
            if problem:
                pytest.fail(problem, pytrace=False)
            from playwright.sync_api import sync_playwright

            cls.playwright = sync_playwright().start()
            cls.browser = cls.playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        return cls.browser

    @classmethod
    def close(cls):
        if cls.browser is not None:
            cls.browser.close()
            cls.browser = None
        if cls.playwright is not None:
            cls.playwright.stop()
            cls.playwright = None


def pytest_runtest_setup(item):
    # A test that is not a browser test may use Django's database: no running asyncio loop allowed.
    if not _is_e2e(item):
        _Browser.close()


def pytest_sessionfinish(session):
    _Browser.close()


# -- servers -----------------------------------------------------------------

@pytest.fixture(scope="session")
def mailbox():
    with Mailbox() as box:
        yield box


def _postgres_admin(url: str):
    import psycopg

    parts = urlsplit(url)
    return psycopg.connect(host=parts.hostname, port=parts.port or 5432, user=parts.username or None,
                           password=parts.password or None, dbname="postgres", autocommit=True)


@pytest.fixture(scope="session")
def e2e_database_url():
    """'' for SQLite (the server keeps a file in its data dir); on PostgreSQL a database of its own."""
    url = os.environ.get("LIMEN_DATABASE_URL", "")
    if not url.startswith("postgres"):
        yield ""
        return
    parts = urlsplit(url)
    name = f"{parts.path.lstrip('/') or 'limen'}_e2e_{WORKER}"
    with _postgres_admin(url) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    yield parts._replace(path="/" + name).geturl()
    with _postgres_admin(url) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def limen_server(mailbox, e2e_database_url):
    server = LimenServer(name=f"{DB_LABEL}-{WORKER}", email_url=mailbox.url, database_url=e2e_database_url)
    with server:
        yield server


@pytest.fixture(scope="session")
def make_server(mailbox, e2e_database_url, tmp_path_factory):
    """Start another Limen server with different settings (e.g. ``LIMEN_POW_DIFFICULTY=200000``); stopped at the end.

    On PostgreSQL each gets its own database (the name is derived from the main one).
    """
    started = []

    def start(name: str, *, host: str = "127.0.0.1", **env: str) -> LimenServer:
        url = ""
        if e2e_database_url:
            parts = urlsplit(e2e_database_url)
            db = f"{parts.path.lstrip('/')}_{name}"
            with _postgres_admin(e2e_database_url) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
                admin.execute(f'CREATE DATABASE "{db}"')
            url = parts._replace(path="/" + db).geturl()
        server = LimenServer(name=f"{DB_LABEL}-{WORKER}-{name}", email_url=mailbox.url, database_url=url, env=env,
                             host=host)
        started.append((server, url))
        return server.start()

    yield start
    for server, url in started:
        server.stop()
        if url:
            parts = urlsplit(url)
            with _postgres_admin(url) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{parts.path.lstrip("/")}" WITH (FORCE)')


# -- per test: browser context, page, and the page checker --------------------

@pytest.fixture(scope="session")
def _browser_lifetime():
    """Stops the browser before the session fixtures set up earlier (Django's test database) are torn down."""
    yield
    _Browser.close()


@pytest.fixture
def browser(_browser_lifetime):
    return _Browser.get()


@pytest.fixture
def context(browser):
    context = browser.new_context(viewport=DESKTOP, locale="en-GB")
    a11y.serve_axe(context)
    context.set_default_timeout(10_000)
    yield context
    context.close()


@pytest.fixture
def page(context):
    return watched(context.new_page())


def watched(page):
    """The page, reporting CSP violations, JavaScript errors and failed loads to ``Site.check``."""
    problems: list[str] = []
    page.limen_problems = problems

    def on_console(message):
        if "Content Security Policy" in message.text or "Refused to" in message.text:
            problems.append(f"console: {message.text}")

    def on_response(response):
        request = response.request
        if response.status >= 400 and (request.resource_type in {"stylesheet", "script", "image", "font"}
                                       or "/favicon" in request.url or "/icon" in request.url) \
                and a11y.AXE_URL_PATH not in request.url:
            problems.append(f"{response.status} for {request.resource_type} {request.url}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"JavaScript error: {error}"))
    page.on("response", on_response)
    return page


# Links, buttons and fields whose box is not wholly within the width of the window: a person on a
# phone does not see them, even when the page itself does not scroll sideways (a table in a box that
# scrolls, say). The skip link waits off-screen until it is focused, as it should.
_OUT_OF_REACH = """() => {
  const width = document.documentElement.clientWidth;
  const controls = 'a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]:not([tabindex="-1"])';
  return [...document.querySelectorAll(controls)].filter((element) => {
    if (element.closest('.skip-link')) return false;
    const box = element.getBoundingClientRect();
    if (box.width <= 1 && box.height <= 1) return false;  // not shown, or visually hidden
    if (getComputedStyle(element).visibility === 'hidden') return false;
    return box.left < -0.5 || box.right > width + 0.5;
  }).map((element) => {
    const box = element.getBoundingClientRect();
    const text = (element.innerText || element.value || element.getAttribute('aria-label') || '').trim();
    return `<${element.tagName.toLowerCase()}> "${text.slice(0, 40)}" from ${Math.round(box.left)} to ${Math.round(box.right)}px`;
  });
}"""


def out_of_reach(page) -> list[str]:
    """The controls of the page that lie (partly) outside the window's width."""
    return page.evaluate(_OUT_OF_REACH)


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-")[:80] or "page"


class Site:
    """The server as a person in the browser sees it."""

    def __init__(self, page, server: LimenServer, mailbox: Mailbox, shots: Path):
        self.page, self.server, self.mailbox, self.shots = page, server, mailbox, shots
        self.url = server.url
        self.checked: list[str] = []

    def goto(self, path: str):
        response = self.page.goto(path if path.startswith("http") else self.url + path)
        return response

    def path(self) -> str:
        return urlsplit(self.page.url).path

    def check(self, name: str) -> None:
        """Check the page as it is now: accessible, readable on a phone, nothing blocked; screenshots."""
        page = self.page
        page.wait_for_load_state("load")
        number = len(self.checked) + 1
        self.checked.append(name)
        original = page.viewport_size or DESKTOP
        errors = []
        try:
            for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
                page.set_viewport_size(size)
                page.screenshot(path=str(self.shots / f"{number:02d}-{_slug(name)}-{label}.png"), full_page=True)
                try:
                    a11y.assert_accessible(page, f"{name} ({self.path()})")
                except AssertionError as error:
                    errors.append(str(error))
                if label == "phone":
                    overflow = page.evaluate(
                        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
                    if overflow > 0:
                        errors.append(f"{name} ({self.path()}) scrolls sideways at {size['width']}px: "
                                      f"{overflow}px too wide")
                    outside = out_of_reach(page)
                    if outside:
                        errors.append(f"{name} ({self.path()}) has controls outside the screen at "
                                      f"{size['width']}px (inside a scrolling box, or cut off):\n  "
                                      + "\n  ".join(outside))
        finally:
            page.set_viewport_size(original)
        if page.limen_problems:
            errors.append(f"{name} ({self.path()}) had loading problems:\n  " + "\n  ".join(page.limen_problems))
            page.limen_problems.clear()
        assert not errors, "\n\n".join(errors)


@pytest.fixture
def site(request, page, limen_server, mailbox):
    shots = SCREENSHOTS / _slug(request.node.name)
    shutil.rmtree(shots, ignore_errors=True)
    shots.mkdir(parents=True, exist_ok=True)
    return Site(page, limen_server, mailbox, shots)


# -- on failure: server log, mails, screenshot --------------------------------

@pytest.fixture(autouse=True)
def _remember_log_position(request):
    if "limen_server" in request.fixturenames:
        server = request.getfixturevalue("limen_server")
        request.node.limen_log_start = server.log_size()
        request.node.limen_mail_start = len(request.getfixturevalue("mailbox").messages)
    yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "setup" and report.failed and "limen_server" in item.fixturenames:
        pass  # the server's start-up error already carries its log
    if report.when != "call" or not report.failed:
        return
    funcargs = getattr(item, "funcargs", {})
    server = funcargs.get("limen_server")
    if server is not None and hasattr(item, "limen_log_start"):
        report.sections.append((f"Limen server log during the test ({server.log_path})",
                                server.log(since=item.limen_log_start)))
    box = funcargs.get("mailbox")
    if box is not None and hasattr(item, "limen_mail_start"):
        mails = box.messages[item.limen_mail_start:]
        report.sections.append(("Mails received by the test SMTP server during the test",
                                "\n\n-----\n".join(str(m) for m in mails) or "(none)"))
    page = funcargs.get("page")
    if page is not None and not page.is_closed():
        target = SCREENSHOTS / _slug(item.name) / "FAILED.png"
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(target), full_page=True)
            report.sections.append(("Page at the failure", f"{page.url}\nscreenshot: {target}"))
        except Exception as error:  # the page may be gone; the report matters more
            report.sections.append(("Page at the failure", f"{page.url} (no screenshot: {error})"))
