"""What a person does in the browser, reused by the tests of this package.

Fields are filled by their labels, buttons pressed by their names; e-mails and
SMS are read on the development outbox page, as a developer would.
"""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import expect

PASSWORD = "Quiet-Lantern-58"
SMS_CODE = re.compile(r"\b[A-HJ-NP-Z2-9]{3}-[A-HJ-NP-Z2-9]{3}-[A-HJ-NP-Z2-9]{3}\b")


def new_address(prefix: str = "person") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}@example.org"


def heading(page, text: str):
    return page.get_by_role("heading", level=1, name=text)


def account(server, prefix: str = "person") -> str:
    email = new_address(prefix)
    server.make_user(email, PASSWORD)
    return email


def press(page, button: str) -> None:
    """Press a button that talks to an authenticator: browsers only allow that from the tab in front."""
    page.bring_to_front()
    page.get_by_role("button", name=button).click()


def sign_in(page, server, email: str, *, method: str | None = None, password: str = PASSWORD, check=None):
    """Identifier, then password (and the verification method, when the account has several)."""
    page.bring_to_front()
    page.goto(server.url + "/login/")
    expect(heading(page, "Sign in to continue")).to_be_visible()
    page.get_by_label("E-mail").fill(email)
    page.get_by_role("button", name="Next").click()
    expect(heading(page, "Welcome back")).to_be_visible()
    if check:
        check("password page with methods")
    if method:
        page.get_by_label(method, exact=True).check()
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()


def sign_out(page) -> None:
    page.get_by_role("banner").get_by_role("button", name="Sign out").click()
    expect(heading(page, "You are signed out")).to_be_visible()


def open_message(page, server, to: str, subject: str) -> str:
    """Open the newest message to ``to`` whose subject contains ``subject`` on the dev outbox; its body."""
    page.goto(server.url + "/dev/outbox/")
    row = page.locator("tbody tr").filter(has=page.get_by_role("cell", name=to, exact=True)) \
        .filter(has_text=subject).first
    row.get_by_role("link").click()
    return page.locator(".mail-body").inner_text()


def sms_code(page, server, number: str) -> str:
    body = open_message(page, server, number, "SMS verification code")
    match = SMS_CODE.search(body)
    assert match, body
    return match.group(0)


def link_in(body: str, part: str) -> str:
    for link in re.findall(r"https?://[^\s<>\"']+", body):
        if part in link:
            return link
    raise AssertionError(f"no link with {part!r} in:\n{body}")


def add_phone(server, email: str, number: str = "+46701234567") -> None:
    """A registered number, made directly in the server's database (for tests about something else)."""
    server.python(
        "from limen.accounts.models import User; from limen.core import clock; "
        "from limen.factors.sms.models import PhoneNumber; "
        f"PhoneNumber.objects.create(user=User.objects.get(email={email!r}), number={number!r}, added=clock.now())")


def sign_in_with_sms(page, outbox, server, email: str, number: str = "+46701234567", check=None) -> None:
    sign_in(page, server, email, method="Mobile Phone + SMS")
    expect(heading(page, "Mobile Phone + SMS")).to_be_visible()
    if check:
        check("SMS: choose the number")
    page.get_by_role("button", name="Send the code").click()
    expect(heading(page, "Type the code we sent you")).to_be_visible()
    if check:
        check("SMS: type the code")
    code = sms_code(outbox, server, number)
    page.get_by_label("Code from the SMS").fill(code)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(heading(page, "My Account")).to_be_visible()


def register_key(page, server, *, kind: str, name: str, button: str, check=None) -> None:
    """From the add page: choose the kind, name it, let the (virtual) authenticator answer."""
    page.goto(server.url + "/account/security-keys/add/")
    expect(heading(page, "Register a security key or trusted platform")).to_be_visible()
    if check:
        check(f"register {kind}: name it")
    page.get_by_label(kind, exact=True).check()
    page.get_by_label("Name").fill(name)
    page.get_by_role("button", name="Next").click()
    expect(heading(page, f"Register “{name}”")).to_be_visible()
    if check:
        check(f"register {kind}: use it")
    press(page, button)
