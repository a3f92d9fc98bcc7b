"""Access requests through the pension fund demo, in Chromium, as a newcomer goes through them after
`limen demo`: a retired member of staff asks for access, a validator approves on the validators' page, the
code arrives by e-mail (read from the real SMTP server), is entered in the four boxes (typed and with a
single paste), and the portal shows the validated personnel number.

Every Limen page of the flow is checked like the other browser tests' pages (axe-core at 1280 and 375 px,
screenshots, no CSP violation, nothing off-screen at phone width).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import DESKTOP, SCREENSHOTS, Site, _slug
from tests.support import a11y
from tests.support.demo import LimenDemo

CODE = re.compile(r"\b[A-HJ-NP-Z2-9]{3}-[A-HJ-NP-Z2-9]{3}-[A-HJ-NP-Z2-9]{3}-[A-HJ-NP-Z2-9]{3}\b")
SMS_CODE = re.compile(r"\b[A-HJ-NP-Z2-9]{3}-[A-HJ-NP-Z2-9]{3}-[A-HJ-NP-Z2-9]{3}\b")
PORTAL = "Aurora Pension Fund (demo)"


class AccessDemo(LimenDemo):
    """`limen demo` with its e-mails sent to the test's SMTP server; the accounts it prints."""

    def __init__(self, tmp: Path, email_url: str):
        super().__init__(tmp, env={"LIMEN_EMAIL_URL": email_url})
        assert set(self.accounts) == {"pensioner", "validator"}, "".join(self.output)


@pytest.fixture(scope="module")
def access_demo(tmp_path_factory, mailbox):
    demo = AccessDemo(tmp_path_factory.mktemp("access-demo"), mailbox.url)
    yield demo
    demo.stop()


@pytest.fixture
def access_site(request, page, access_demo, mailbox):
    shots = SCREENSHOTS / ("access-" + _slug(request.node.name))
    shutil.rmtree(shots, ignore_errors=True)
    shots.mkdir(parents=True, exist_ok=True)
    return Site(page, access_demo, mailbox, shots)


def heading(page, text):
    return page.get_by_role("heading", level=1, name=text)


def sign_in(page, email: str, password: str, *, method: str | None = None):
    expect(heading(page, "Sign in to continue")).to_be_visible()
    page.wait_for_load_state("networkidle")
    page.get_by_label("E-mail", exact=True).fill(email)
    page.get_by_role("button", name="Next").click()
    expect(heading(page, "Welcome back")).to_be_visible()
    if method:
        page.get_by_label(method, exact=True).check()
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()


def sms_code(tab, demo) -> str:
    """The newest SMS code, read on the development outbox page in another tab."""
    tab.goto(demo.url + "/dev/outbox/")
    tab.locator("tbody tr").filter(has_text="SMS verification code").first.get_by_role("link").click()
    match = SMS_CODE.search(tab.locator(".mail-body").inner_text())
    assert match
    return match.group(0)


def boxes(page):
    return [page.get_by_label(f"Box {n}: characters {3 * n - 2} to {3 * n} of the code") for n in (1, 2, 3, 4)]


def paste(locator, text: str) -> None:
    """What the browser does when a person pastes ``text`` into the box."""
    locator.evaluate("""(box, text) => {
        const data = new DataTransfer();
        data.setData("text/plain", text);
        box.dispatchEvent(new ClipboardEvent("paste", {clipboardData: data, bubbles: true, cancelable: true}));
    }""", text)


def test_a_pensioner_asks_a_validator_approves_the_code_opens_the_portal(access_demo, access_site, browser,
                                                                         context, mailbox):
    page, demo, site = access_site.page, access_demo, access_site

    # 1. The portal sends the pensioner to Limen, who signs in at level MEDIUM (SMS from the outbox page).
    page.goto(demo.pension_url + "/")
    expect(heading(page, "Your pension, online")).to_be_visible()
    a11y.assert_accessible(page, "pension portal home")
    page.get_by_role("link", name="Connect with Limen").click()
    sign_in(page, "pensioner@example.org", demo.accounts["pensioner"], method="Mobile Phone + SMS")
    expect(heading(page, "Mobile Phone + SMS")).to_be_visible()
    page.get_by_role("button", name="Send the code").click()
    expect(heading(page, "Type the code we sent you")).to_be_visible()
    outbox = context.new_page()
    page.get_by_label("Code from the SMS").fill(sms_code(outbox, demo))
    page.bring_to_front()
    page.get_by_role("button", name="Sign in", exact=True).click()

    # 2. Not validated yet: the request page, named after the application, instead of a ticket.
    expect(heading(page, f"Ask for access to {PORTAL}")).to_be_visible()
    assert "/access/aurora-pension-fund/" in page.url
    expect(page.get_by_label("Family name")).to_have_value("Pensioner")
    site.check("request form")
    page.get_by_role("textbox", name="Personnel number", exact=True).fill("1234 5678")
    page.get_by_label("Personnel number, again").fill("12345679")
    birth = page.get_by_label("Birth date")
    birth.click()
    birth.press_sequentially("10121952")  # typed, not picked; the order is the browser's language's
    if birth.input_value() != "1952-12-10":
        birth.press("Shift+Tab")
        birth.press("Shift+Tab")
        birth.press_sequentially("12101952")
    expect(birth).to_have_value("1952-12-10")
    page.get_by_label("Institution you retired from").select_option("Aurora Council")
    page.get_by_role("button", name="Send my request").click()
    expect(page.locator("#id_f_personnelNumber_again_error")).to_contain_text("The two do not match")
    expect(page.get_by_role("alert")).to_be_focused()
    site.check("request form with a mistake")
    page.get_by_label("Personnel number, again").fill("12345678")
    page.get_by_role("button", name="Send my request").click()
    expect(heading(page, "We have received your request")).to_be_visible()
    expect(page.get_by_text("Processing may take up to 3 working days.")).to_be_visible()
    site.check("acknowledgement")

    # 3. Coming back before the validation: where the request stands.
    page.goto(demo.pension_url + "/login")
    expect(heading(page, "Your request is being processed")).to_be_visible()
    site.check("request pending")

    # 4. The validator approves on the validators' page, in another browser.
    validator_context = browser.new_context(viewport=DESKTOP, locale="en-GB")
    a11y.serve_axe(validator_context)
    validator_context.set_default_timeout(10_000)
    try:
        other = validator_context.new_page()
        other.limen_problems = []
        validator_site = Site(other, demo, mailbox, site.shots)
        validator_site.checked = site.checked
        other.goto(demo.url + "/validators/")
        sign_in(other, "validator@example.org", demo.accounts["validator"])
        expect(heading(other, "Access requests to validate")).to_be_visible()
        validator_site.check("validators: the list")
        other.get_by_role("link", name="Pat Pensioner").click()
        expect(heading(other, "Request of Pat Pensioner")).to_be_visible()
        expect(other.get_by_role("cell", name="12345678")).to_be_visible()
        expect(other.get_by_role("cell", name="10 December 1952")).to_be_visible()
        validator_site.check("validators: one request")
        other.get_by_role("button", name="Approve and send the code").click()
        expect(other.get_by_text("request is approved; a validation code is on its way")).to_be_visible()
    finally:
        validator_context.close()

    # 5. The code arrives by e-mail.
    mail = mailbox.wait_for("pensioner@example.org", subject="Your validation code for " + PORTAL)
    code = CODE.search(mail.body).group(0)
    assert f"{demo.url}/access/aurora-pension-fund/code/" in mail.body

    # 6. Back at the portal: the code entry page. Without JavaScript it is one field, which works...
    bare = browser.new_context(viewport=DESKTOP, locale="en-GB", java_script_enabled=False,
                               storage_state=context.storage_state())
    try:
        plain = bare.new_page()
        plain.goto(demo.url + "/access/aurora-pension-fund/code/")
        expect(heading(plain, "Enter your validation code")).to_be_visible()
        plain.get_by_label("Validation code").fill("abc def ghj kmn")
        plain.get_by_role("button", name="Submit").click()
        expect(plain.get_by_text("This code is not right. Check it and type it again; 4 tries left.").first) \
            .to_be_visible()
        for label, size in (("desktop", DESKTOP), ("phone", {"width": 375, "height": 740})):
            plain.set_viewport_size(size)
            plain.screenshot(path=str(site.shots / f"code-entry-without-javascript-{label}.png"), full_page=True)
    finally:
        bare.close()
    # ...and with it, four boxes of three characters.
    page.goto(demo.pension_url + "/login")
    expect(heading(page, "Enter your validation code")).to_be_visible()
    first, second, third, fourth = boxes(page)
    first.press_sequentially(code[:3].lower())
    expect(second).to_be_focused()  # moved on by itself
    expect(first).to_have_value(code[:3])
    second.press_sequentially("O1X")
    expect(page.get_by_text("Box 2 holds “O”, which validation codes never use")).to_be_visible()
    expect(second).to_have_attribute("aria-invalid", "true")
    site.check("code entry: a character codes never use")
    second.fill("")
    first.fill("")
    paste(first, code.lower().replace("-", " "))  # one paste fills all four
    for box, group in zip((first, second, third, fourth), code.split("-")):
        expect(box).to_have_value(group)
    expect(second).to_have_attribute("aria-invalid", "false")
    site.check("code entry")
    page.get_by_role("button", name="Submit").click()

    # 7. Access at once: continue to the portal, which shows the validated details.
    expect(heading(page, f"You have access to {PORTAL}")).to_be_visible()
    site.check("access active")
    page.get_by_role("link", name=f"Continue to {PORTAL}").click()
    expect(heading(page, "Welcome, Pat")).to_be_visible()
    expect(page.locator("#attr-personnelNumber")).to_have_text("12345678")
    expect(page.locator("#attr-birthDate")).to_have_text("1952-12-10")
    a11y.assert_accessible(page, "pension portal with the validated details")

    # 8. My Account shows the request, active since today; the code page says it is used.
    page.goto(demo.url + "/account/access/")
    expect(heading(page, "Access requests")).to_be_visible()
    expect(page.get_by_text("Active", exact=True)).to_be_visible()
    site.check("my access requests")
