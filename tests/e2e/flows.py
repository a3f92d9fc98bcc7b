"""Steps a person takes, reused by the browser tests.

Forms are filled by their visible labels and buttons clicked by their role
and name, as a person (or a screen reader user) finds them. ``check=True``
runs the page checks (axe-core, phone width, screenshots) on every page the
step shows; tests that only need an account to exist pass ``check=False``.
"""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import expect

PASSWORD = "Quiet-Lantern-58"
NEW_PASSWORD = "Amber-Orchid-731"
THIRD_PASSWORD = "Silver-Fjord-904"


def new_address(prefix: str = "person") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}@example.org"


def heading(page, text: str):
    return page.get_by_role("heading", level=1, name=text)


def fill_registration(page, *, first: str, last: str, email: str, confirm: str | None = None,
                      language: str = "English (en)", privacy: bool = True) -> None:
    page.get_by_label("First name").fill(first)
    page.get_by_label("Last name").fill(last)
    page.get_by_label("E-mail", exact=True).fill(email)
    page.get_by_label("Confirm e-mail").fill(email if confirm is None else confirm)
    page.get_by_label("E-mail language").select_option(label=language)
    if privacy:
        page.get_by_label("I have read and understood").check()


def register(site, email: str, *, first: str = "Ada", last: str = "Lovelace", check: bool = True) -> None:
    """From /register/ to the "Check your e-mail" page."""
    page = site.page
    site.goto("/register/")
    expect(heading(page, "Create an account")).to_be_visible()
    if check:
        site.check("register")
    fill_registration(page, first=first, last=last, email=email)
    page.get_by_role("button", name="Create an account").click()
    expect(heading(page, "Check your e-mail")).to_be_visible()
    expect(page.get_by_text(email)).to_be_visible()
    if check:
        site.check("registered")


def choose_password(site, password: str, *, title: str, check: bool = True, check_name: str = "choose password"):
    page = site.page
    expect(heading(page, title)).to_be_visible()
    if check:
        site.check(check_name)
    page.get_by_label("New password", exact=True).fill(password)
    page.get_by_label("Confirm new password").fill(password)
    page.get_by_role("button", name="Submit").click()


def verify_from_mail(site, email: str, password: str = PASSWORD, *, check: bool = True) -> None:
    """Open the verification mail's link, choose the first password, land in My Account."""
    mail = site.mailbox.wait_for(email, subject="Choose your")
    site.goto(mail.link_to("/verify/"))
    choose_password(site, password, title="Choose your password", check=check)
    expect(heading(site.page, "My Account")).to_be_visible()
    expect(site.page.get_by_text("Your password is set and your account is ready.")).to_be_visible()


def create_account(site, email: str | None = None, password: str = PASSWORD, **names) -> str:
    """An account made through the pages, signed in; returns its address."""
    email = email or new_address()
    register(site, email, check=False, **names)
    verify_from_mail(site, email, password, check=False)
    return email


def sign_out(site, *, check: bool = True) -> None:
    page = site.page
    page.get_by_role("banner").get_by_role("button", name="Sign out").click()
    expect(heading(page, "You are signed out")).to_be_visible()
    if check:
        site.check("signed out")


def sign_in(site, email: str, password: str, *, check: bool = True, expect_success: bool = True) -> None:
    """Identifier first: e-mail, Next, then password, Sign in."""
    page = site.page
    if not re.search(r"/login/?$", site.path()):
        site.goto("/login/")
    expect(heading(page, "Sign in to continue")).to_be_visible()
    if check:
        site.check("identify")
    page.get_by_label("E-mail", exact=True).fill(email)
    page.get_by_role("button", name="Next").click()
    expect(heading(page, "Welcome back")).to_be_visible()
    expect(page.get_by_text(email)).to_be_visible()
    if check:
        site.check("password")
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    if expect_success:
        expect(heading(page, "My Account")).to_be_visible()
        expect(page.get_by_text(email)).to_be_visible()
