"""What a person sees when something is not right: clear messages, nothing changed."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .flows import PASSWORD, choose_password, create_account, fill_registration, heading, new_address, register, sign_in

pytestmark = pytest.mark.e2e


def test_wrong_password_gets_a_generic_error(site):
    email = create_account(site)
    site.page.context.clear_cookies()

    sign_in(site, email, "Not-The-Password-1", check=False, expect_success=False)
    summary = site.page.get_by_role("alert")
    expect(summary).to_contain_text("Please correct the following:")
    expect(summary).to_contain_text("The e-mail address or the password is not correct.")
    expect(site.page.get_by_label("Password", exact=True)).to_have_value("")
    site.check("password, wrong")

    # An address without an account gets the very same words.
    site.goto("/login/?switch=1")
    sign_in(site, new_address("nobody"), "Not-The-Password-1", check=False, expect_success=False)
    expect(site.page.get_by_role("alert")).to_contain_text("The e-mail address or the password is not correct.")

    sign_in(site, email, PASSWORD, check=False)


def test_registration_form_explains_bad_input(site):
    page = site.page
    site.goto("/register/")

    page.get_by_role("button", name="Create an account").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Enter your first name.")
    expect(summary).to_contain_text("Please confirm that you have read the privacy statement.")
    site.check("register, empty")

    email = new_address("mismatch")
    fill_registration(page, first="Ada", last="Lovelace", email=email, confirm="someone.else@example.org")
    page.get_by_role("button", name="Create an account").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Please correct the following:")
    expect(summary).to_contain_text("The two e-mail addresses are not the same.")
    # The focus is on the field to correct (the summary, an alert, is still read out).
    expect(page.get_by_label("Confirm e-mail")).to_be_focused()
    # What was typed is kept.
    expect(page.get_by_label("First name")).to_have_value("Ada")
    expect(page.get_by_label("E-mail", exact=True)).to_have_value(email)
    site.check("register, e-mails differ")
    # The summary's link takes the person to the field.
    page.get_by_label("First name").focus()
    summary.get_by_role("link").first.click()
    expect(page.get_by_label("Confirm e-mail")).to_be_focused()

    fill_registration(page, first="Ada", last="Lovelace", email="ada.example.org", privacy=False)
    page.get_by_role("button", name="Create an account").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter a valid e-mail address, such as name@example.org.")
    site.check("register, malformed e-mail")

    site.mailbox.assert_nothing_new_for(email, within=0.5)


def test_used_verification_link_explains_itself_and_offers_a_new_one(site):
    page = site.page
    email = new_address("twice")
    register(site, email, check=False)
    first = site.mailbox.wait_for(email, subject="Choose your")

    # Registering again (the first mail seemed lost) sends a fresh link and retires the first.
    register(site, email, check=False)
    second = site.mailbox.wait_for(email, subject="Choose your")
    assert first.link != second.link

    site.goto(first.link_to("/verify/"))
    expect(heading(page, "This link cannot be used")).to_be_visible()
    expect(page.get_by_text("This link has already been used. You can ask for a new one below.")).to_be_visible()
    site.check("token problem (verification link used)")

    # Sent empty by mistake: the form comes back with the reason.
    page.get_by_role("button", name="Send a new link").click()
    expect(heading(page, "Get a new link")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("Enter your e-mail address.")
    site.check("resend verification, empty")

    page.get_by_label("E-mail", exact=True).fill(email)
    page.get_by_role("button", name="Send a new link").click()
    expect(heading(page, "Check your e-mail")).to_be_visible()
    site.check("link sent (new verification link)")
    third = site.mailbox.wait_for(email, subject="Choose your")

    site.goto(third.link_to("/verify/"))
    choose_password(site, PASSWORD, title="Choose your password", check=False)
    expect(heading(page, "My Account")).to_be_visible()

    # Once the password is chosen, the link says so and points to sign-in.
    site.goto(third.link_to("/verify/"))
    expect(page.get_by_text("This link has already been used.")).to_be_visible()
    page.get_by_role("main").get_by_role("link", name="Sign in").click()
    expect(heading(page, "My Account")).to_be_visible()  # still signed in: SSO


def test_made_up_link_is_refused(site):
    site.goto("/verify/not-a-real-token/")
    expect(heading(site.page, "This link cannot be used")).to_be_visible()
    expect(site.page.get_by_text("This link is not valid.")).to_be_visible()
    site.check("token problem (invalid link)")


def test_development_outbox_shows_the_mails_sent(site):
    """LIMEN_DEV_OUTBOX=1: the footer links to the list of sent mails (development only)."""
    email = new_address("outbox")
    register(site, email, check=False)
    site.mailbox.wait_for(email)
    site.page.get_by_role("contentinfo").get_by_role("link", name="Development outbox").click()
    expect(site.page.get_by_text(email).first).to_be_visible()
    site.check("development outbox")
    site.page.get_by_role("link", name="Choose your Limen password").first.click()
    expect(site.page.get_by_text("/verify/").first).to_be_visible()
    site.check("development outbox message")
