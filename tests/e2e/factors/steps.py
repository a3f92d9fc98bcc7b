"""What a person does in the browser, reused by the tests of this package.

Fields are filled by their labels, buttons pressed by their names; e-mails
come from the test SMTP server, SMS from the development outbox page.
"""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.flows import PASSWORD, heading, new_address

from .conftest import run_python

SMS_CODE = re.compile(r"\b[A-HJ-NP-Z2-9]{3}-[A-HJ-NP-Z2-9]{3}-[A-HJ-NP-Z2-9]{3}\b")

__all__ = ["PASSWORD", "heading", "new_address"]


def account(site, prefix: str = "person") -> str:
    """A verified account with the password PASSWORD, made directly on the server (not the subject here)."""
    email = new_address(prefix)
    run_python(site.server,
               "from limen.accounts.models import User; "
               f"User.objects.create_user({email!r}, {PASSWORD!r}, first_name='Ada', last_name='Lovelace', "
               "email_verified=True)")
    return email


def add_phone(site, email: str, number: str = "+46701234567") -> None:
    """A registered number, made directly in the server's database (for tests about something else)."""
    run_python(site.server,
               "from limen.accounts.models import User; from limen.core import clock; "
               "from limen.factors.sms.models import PhoneNumber; "
               f"PhoneNumber.objects.create(user=User.objects.get(email={email!r}), number={number!r}, "
               "added=clock.now())")


def press(page, button: str) -> None:
    """Press a button that talks to an authenticator: browsers only allow that from the tab in front. The
    page's script (deferred) binds the button: wait until it has run, or the click does nothing."""
    page.bring_to_front()
    page.wait_for_load_state("domcontentloaded")
    page.get_by_role("button", name=button).click()


def sign_in(site, email: str, *, method: str | None = None, password: str = PASSWORD, check: bool = False):
    """Identifier, then password (and the verification method, when the account has several)."""
    page = site.page
    page.bring_to_front()
    site.goto("/login/")
    expect(heading(page, "Sign in to continue")).to_be_visible()
    page.get_by_label("E-mail").fill(email)
    page.get_by_role("button", name="Next").click()
    expect(heading(page, "Welcome back")).to_be_visible()
    if check:
        site.check("password page with methods")
    if method:
        page.get_by_label(method, exact=True).check()
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()


def sign_out(site) -> None:
    site.page.get_by_role("banner").get_by_role("button", name="Sign out").click()
    expect(heading(site.page, "You are signed out")).to_be_visible()


def mail(site, email: str, subject: str) -> str:
    """The body of the next mail to ``email`` about ``subject`` (waits for it)."""
    return site.mailbox.wait_for(email, subject=subject).body


def sms_code(outbox, site, number: str) -> str:
    """The code of the newest SMS to ``number``, read on the development outbox page in the other tab."""
    outbox.goto(site.url + "/dev/outbox/")
    row = outbox.locator("tbody tr").filter(has=outbox.get_by_role("cell", name=number, exact=True)) \
        .filter(has_text="SMS verification code").first
    row.get_by_role("link").click()
    body = outbox.locator(".mail-body").inner_text()
    match = SMS_CODE.search(body)
    assert match, body
    site.page.bring_to_front()
    return match.group(0)


def sign_in_with_sms(site, outbox, email: str, number: str = "+46701234567") -> None:
    page = site.page
    sign_in(site, email, method="Mobile Phone + SMS")
    expect(heading(page, "Mobile Phone + SMS")).to_be_visible()
    page.get_by_role("button", name="Send the code").click()
    expect(heading(page, "Type the code we sent you")).to_be_visible()
    page.get_by_label("Code from the SMS").fill(sms_code(outbox, site, number))
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(heading(page, "My Account")).to_be_visible()


def register_key(site, *, kind: str, name: str, button: str, check: bool = False) -> None:
    """From the add page: choose the kind, name it, let the (virtual) authenticator answer."""
    page = site.page
    site.goto("/account/security-keys/add/")
    expect(heading(page, "Register a security key or trusted platform")).to_be_visible()
    if check:
        site.check(f"register {kind}: name it")
    page.get_by_label(kind, exact=True).check()
    page.get_by_label("Name").fill(name)
    page.get_by_role("button", name="Next").click()
    expect(heading(page, f"Register “{name}”")).to_be_visible()
    if check:
        site.check(f"register {kind}: use it")
    press(page, button)
