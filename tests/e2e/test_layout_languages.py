"""The layout holds in each of the 24 languages at phone width (375 px).

German, Finnish and Hungarian have long words, Greek and Bulgarian other
scripts: every page a person meets while signing in, registering, recovering a
password and managing the account is opened in every language, and the test
fails when the page scrolls sideways, when a control or a piece of text leaves
the screen, or when text overflows its own box. axe-core checks a sample of the
pages in each language (a different sample in each); Greek and Bulgarian
headings must be drawn by one font of the stack (no glyph from a fallback font).

To stay fast it uses one browser, one page per language, and only these pages;
the account it needs is made directly in the server's database. Screenshots of
the main pages in de, fi, hu, el and bg, and of any page with a problem, are
saved in test-artifacts/screenshots/<db>/layout/<lang>/ (all pages in all
languages with LIMEN_LAYOUT_SCREENSHOTS=all).
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil

import pytest

from limen.core.languages import INTERFACE_LANGUAGES
from tests.support import a11y

from .conftest import PHONE, SCREENSHOTS
from .flows import PASSWORD, new_address

pytestmark = pytest.mark.e2e

LANGUAGES = [code for code, _name in INTERFACE_LANGUAGES]
# Screenshots: these pages in these languages (LIMEN_LAYOUT_SCREENSHOTS=all: every page in every language).
SHOWN = {"de", "fi", "hu", "el", "bg"}
SHOWN_PAGES = {"register", "identify", "password with methods", "my account", "challenge mobile_app_qr",
               "mobile devices", "security keys", "details"}
EVERY_SCREENSHOT = os.environ.get("LIMEN_LAYOUT_SCREENSHOTS") == "all"
# axe-core runs on every AXE_EVERY-th page, starting at a different page in each language: each page
# is checked in two languages or more, and each language on two or three pages.
AXE_EVERY = 12
OTHER_SCRIPTS = {"el", "bg"}
# The second factors whose challenge page the person sees at sign-in (eID leaves for the provider's site).
CHALLENGES = ["mobile_app_pin", "mobile_app_qr", "webauthn", "sms"]

# What leaves the screen or overflows, as a person at 375 px would see it.
LAYOUT_PROBLEMS = """() => {
  const root = document.documentElement, width = root.clientWidth, found = [];
  if (root.scrollWidth > width) found.push(`the page scrolls sideways: ${root.scrollWidth - width}px too wide`);
  const describe = (el) => {
    const text = (el.innerText || el.value || el.getAttribute('aria-label') || '').trim().replace(/\\s+/g, ' ');
    return `<${el.tagName.toLowerCase()}${el.id ? ' id=' + el.id : ''}${el.className && typeof el.className === 'string'
      ? ' class="' + el.className + '"' : ''}> "${text.slice(0, 60)}"`;
  };
  const selector = 'a[href], button, input:not([type=hidden]), select, textarea, summary, label, legend, '
    + 'h1, h2, h3, p, li, dt, dd, th, td, pre, code, strong';
  for (const el of document.querySelectorAll(selector)) {
    if (el.closest('.visually-hidden, .skip-link, [hidden], template')) continue;
    const style = getComputedStyle(el);
    if (style.display === 'none' || style.visibility === 'hidden') continue;
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    if (box.left < -1 || box.right > width + 1) {
      found.push(`${describe(el)} leaves the screen (${Math.round(box.left)} to ${Math.round(box.right)}px of ${width})`);
    } else if (style.display !== 'inline' && style.overflowX === 'visible' && el.scrollWidth > el.clientWidth + 1
               && !['INPUT', 'SELECT', 'TEXTAREA'].includes(el.tagName)) {
      found.push(`${describe(el)}: its text overflows its box by ${el.scrollWidth - el.clientWidth}px`);
    }
  }
  return found;
}"""


def _credential_id() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).rstrip(b"=").decode()


SETUP = """
import json, os
from limen.accounts.models import User
from limen.core import clock
from limen.factors.eid.models import EidLink, UpstreamProvider
from limen.factors.mobile_app.models import DeviceStatus, MobileDevice
from limen.factors.mobile_app.sealing import DeviceSecrets, seal
from limen.factors.recovery import codes
from limen.factors.recovery.models import RecoveryCode
from limen.factors.sms.models import PhoneNumber
from limen.factors.webauthn.models import Kind, WebAuthnCredential

user = User.objects.create_user(EMAIL, PASSWORD, first_name="Ada", last_name="Lovelace", email_verified=True)
device = MobileDevice.objects.create(user=user, name="Pixel 8 Pro", status=DeviceStatus.ACTIVE, public_key="-",
                                     sealed=seal(DeviceSecrets(os.urandom(32), os.urandom(32), os.urandom(20))))
phone = PhoneNumber.objects.create(user=user, number="+46701234567", added=clock.now())
key = WebAuthnCredential.objects.create(user=user, name="YubiKey 5 NFC", kind=Kind.SECURITY_KEY,
                                        credential_id=KEY_ID, public_key=b"-", created=clock.now())
WebAuthnCredential.objects.create(user=user, name="Windows Hello", kind=Kind.PLATFORM, discoverable=True,
                                  credential_id=PASSKEY_ID, public_key=b"-", created=clock.now())
fresh = [codes.new_code() for _ in range(len(LANGUAGES) + 10)]
RecoveryCode.objects.bulk_create(RecoveryCode(user=user, digest=codes.digest(codes.normalise(c)),
                                              created=clock.now()) for c in fresh)
linked = UpstreamProvider.objects.create(name="Demo eID", slug="demo-eid", issuer="https://eid.example.invalid",
                                         client_id="limen")
UpstreamProvider.objects.create(name="Another national eID", slug="other-eid",
                                issuer="https://other-eid.example.invalid", client_id="limen")
EidLink.objects.create(user=user, provider=linked, issuer=linked.issuer, subject="ada", created=clock.now())
print(json.dumps({"device": device.public_id, "phone": phone.pk, "key": key.pk, "codes": fresh}))
"""


@pytest.fixture(scope="module")
def layout_server(make_server):
    """A server of its own (its eID providers must not show on the other tests' pages), on localhost
    as WebAuthn wants."""
    return make_server("layout", host="localhost")


@pytest.fixture(scope="module")
def account(layout_server) -> dict:
    email = new_address("layout")
    code = "\n".join([f"EMAIL = {email!r}", f"PASSWORD = {PASSWORD!r}", f"LANGUAGES = {LANGUAGES!r}",
                      f"KEY_ID = {_credential_id()!r}", f"PASSKEY_ID = {_credential_id()!r}", SETUP])
    data = json.loads(layout_server.manage("shell", "-c", code).strip().splitlines()[-1])
    return {"email": email, **data}


class Pages:
    """One page (tab) in one language, checked as it goes."""

    def __init__(self, page, server, language: str):
        self.page, self.url, self.language = page, server.url, language
        self.problems: list[str] = []
        self.shots = SCREENSHOTS / "layout" / language
        shutil.rmtree(self.shots, ignore_errors=True)
        self.count = 0

    def open(self, path: str, name: str) -> None:
        response = self.page.goto(self.url + path)
        if response is None or response.status >= 400:
            self.problems.append(f"{name} ({path}): status {response and response.status}")
        self.check(name)

    def submit(self, name: str, selector: str = "main form button[type=submit]") -> None:
        with self.page.expect_navigation():
            self.page.locator(selector).first.click()
        self.check(name)

    def check(self, name: str) -> None:
        page = self.page
        self.count += 1
        path = page.url.removeprefix(self.url)
        lang = page.evaluate("() => document.documentElement.lang")
        found = [] if lang == self.language else [f"<html lang={lang!r}>"]
        found += page.evaluate(LAYOUT_PROBLEMS)
        if (self.count + LANGUAGES.index(self.language)) % AXE_EVERY == 0:
            violations = a11y.run_axe(page)
            if violations:
                found.append("axe-core:\n" + a11y.format_violations(violations))
        if self.language in OTHER_SCRIPTS and name in SHOWN_PAGES:
            found += self.fallback_fonts()
        if found or EVERY_SCREENSHOT or (self.language in SHOWN and name in SHOWN_PAGES):
            self.shots.mkdir(parents=True, exist_ok=True)
            shot = self.shots / f"{self.count:02d}-{re.sub(r'[^a-z0-9]+', '-', name)}.png"
            page.screenshot(path=str(shot), full_page=True)
        self.problems += [f"{name} ({path}): {problem}" for problem in found]

    def fallback_fonts(self) -> list[str]:
        """The fonts Chromium drew the first heading with: one font of the stack, or glyphs were missing."""
        cdp = self.page.context.new_cdp_session(self.page)
        try:
            cdp.send("DOM.enable")
            cdp.send("CSS.enable")
            root = cdp.send("DOM.getDocument")["root"]["nodeId"]
            node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": "main h1"})["nodeId"]
            if not node:
                return []
            fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
        finally:
            cdp.detach()
        names = sorted({f["familyName"] for f in fonts})
        return [] if len(names) == 1 else [f"the heading needs several fonts {names}: a glyph is missing"]


def visit_every_page(pages: Pages, account: dict) -> None:
    page = pages.page
    # Before signing in.
    pages.open("/register/", "register")
    pages.open("/password/lost/", "lost password")
    pages.open("/login/", "identify")
    page.locator("input[name=email]").fill(account["email"])
    pages.submit("password with methods")
    # Sign in with a recovery code: the challenge page, then My Account (with a second factor proved).
    page.locator("input[name=method][value=recovery_code]").check()
    page.locator("input[name=password]").fill(PASSWORD)
    pages.submit("challenge recovery code")
    page.locator("input[name=code]").fill(account["codes"][LANGUAGES.index(pages.language)])
    pages.submit("my account")
    # Each method's challenge page, reached through the step-up page.
    for method in CHALLENGES:
        pages.open("/login/step-up/?next=/account/", "step-up")
        page.locator(f"input[name=method][value={method}]").check()
        pages.submit(f"challenge {method}")
    # Each method's management pages.
    device, key, phone = account["device"], account["key"], account["phone"]
    for path, name in [
        ("/account/details/", "details"),
        ("/account/mobile/", "mobile devices"), ("/account/mobile/add/", "add a mobile device"),
        (f"/account/mobile/{device}/rename/", "rename a mobile device"),
        (f"/account/mobile/{device}/remove/", "remove a mobile device"),
        ("/account/security-keys/", "security keys"), ("/account/security-keys/add/", "add a security key"),
        (f"/account/security-keys/{key}/rename/", "rename a security key"),
        (f"/account/security-keys/{key}/remove/", "remove a security key"),
        ("/account/phones/", "phone numbers"), ("/account/phones/add/", "add a phone number"),
        (f"/account/phones/{phone}/remove/", "remove a phone number"),
        ("/account/recovery-codes/", "recovery codes"), ("/account/recovery-codes/new/", "new recovery codes"),
        ("/account/eid/", "eID"),
        ("/account/panic/", "PANIC"),
    ]:
        pages.open(path, name)


@pytest.mark.parametrize("language", LANGUAGES)
def test_layout_holds_at_phone_width(language, browser, layout_server, account, mailbox):
    context = browser.new_context(viewport=PHONE, locale=language)
    try:
        a11y.serve_axe(context)
        context.set_default_timeout(10_000)
        context.add_cookies([{"name": "limen_language", "value": language, "url": layout_server.url}])
        pages = Pages(context.new_page(), layout_server, language)
        visit_every_page(pages, account)
    finally:
        context.close()
    assert not pages.problems, (f"{len(pages.problems)} problem(s) in {language} at {PHONE['width']}px "
                                f"(screenshots in {pages.shots}):\n" + "\n".join(pages.problems))
