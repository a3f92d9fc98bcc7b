"""An account's life as its owner sees it: register, verify, sign in and out,
lose the password, change it, change the e-mail address."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .flows import (NEW_PASSWORD, PASSWORD, THIRD_PASSWORD, choose_password, create_account, heading, new_address,
                    register, sign_in, sign_out, verify_from_mail)

pytestmark = pytest.mark.e2e


def test_register_verify_sign_out_and_sign_in_again(site):
    email = new_address("ada")
    register(site, email)

    mail = site.mailbox.wait_for(email)
    assert "Choose your Limen password" in mail.subject
    assert mail.link.startswith(site.url + "/verify/")
    assert "Hello Ada" in mail.body

    verify_from_mail_link = mail.link_to("/verify/")
    site.goto(verify_from_mail_link)
    choose_password(site, PASSWORD, title="Choose your password")
    expect(heading(site.page, "My Account")).to_be_visible()
    expect(site.page.get_by_text("Your password is set and your account is ready.")).to_be_visible()
    expect(site.page.get_by_text(f"Ada Lovelace · {email}")).to_be_visible()
    site.check("my account")

    sign_out(site)
    # Signed out for real: My Account sends to the sign-in page.
    site.goto("/account/")
    expect(heading(site.page, "Sign in to continue")).to_be_visible()

    sign_in(site, email, PASSWORD)
    site.check("my account, signed in again")


def test_lost_password_mail_link_new_password_and_sign_in(site):
    email = create_account(site, first="Grace", last="Hopper")
    sign_out(site, check=False)

    # The password page offers the way out, with the address already filled in.
    site.goto("/login/")
    site.page.get_by_label("E-mail", exact=True).fill(email)
    site.page.get_by_role("button", name="Next").click()
    site.page.get_by_role("link", name="Lost your password?").click()
    expect(heading(site.page, "Lost your password?")).to_be_visible()
    expect(site.page.get_by_label("E-mail", exact=True)).to_have_value(email)
    site.check("lost password")
    site.page.get_by_role("button", name="Send me a link").click()
    expect(heading(site.page, "Check your e-mail")).to_be_visible()
    site.check("link sent (password reset)")

    mail = site.mailbox.wait_for(email, subject="new")
    assert "Choose a new Limen password" in mail.subject
    site.goto(mail.link_to("/password/reset/"))
    choose_password(site, NEW_PASSWORD, title="Choose a new password", check_name="choose new password")
    expect(site.page.get_by_text("Your password has been changed. Sign in with the new password.")).to_be_visible()
    assert site.path() == "/login/"
    expect(site.page.get_by_label("E-mail", exact=True)).to_have_value(email)
    notice = site.mailbox.wait_for(email, subject="was changed")
    assert "password" in notice.subject.lower()

    # The old password no longer works, the new one does.
    sign_in(site, email, PASSWORD, check=False, expect_success=False)
    expect(site.page.get_by_text("The e-mail address or the password is not correct.").first).to_be_visible()
    sign_in(site, email, NEW_PASSWORD, check=False)

    # The link worked once.
    site.goto(mail.link_to("/password/reset/"))
    expect(heading(site.page, "This link cannot be used")).to_be_visible()
    expect(site.page.get_by_text("This link has already been used.")).to_be_visible()
    expect(site.page.get_by_role("link", name="Ask for a new link")).to_be_visible()
    site.check("token problem (reset link used)")


def test_change_email_confirm_by_link_and_sign_in_with_new_address(site):
    old = create_account(site, first="Katherine", last="Johnson")
    new = new_address("katherine-new")
    page = site.page

    page.get_by_role("link", name="Change my e-mail address").click()
    expect(heading(page, "Change my e-mail address")).to_be_visible()
    site.check("change email")

    # A wrong current password changes nothing and says so.
    page.get_by_label("New e-mail address", exact=True).fill(new)
    page.get_by_label("Confirm new e-mail address").fill(new)
    page.get_by_label("Current password").fill("not-my-password")
    page.get_by_role("button", name="Send the confirmation link").click()
    expect(page.get_by_role("alert")).to_contain_text("The current password is not correct.")
    site.check("change email, wrong password")

    page.get_by_label("New e-mail address", exact=True).fill(new)
    page.get_by_label("Confirm new e-mail address").fill(new)
    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_role("button", name="Send the confirmation link").click()
    expect(heading(page, "Check your e-mail")).to_be_visible()
    expect(page.get_by_text(new)).to_be_visible()
    site.check("link sent (e-mail change)")

    confirm = site.mailbox.wait_for(new, subject="Confirm your new")
    assert new in confirm.body
    site.goto(confirm.link_to("/account/email/confirm/"))
    expect(heading(page, "Confirm your new e-mail address")).to_be_visible()
    expect(page.get_by_text(new)).to_be_visible()
    site.check("confirm new email")
    page.get_by_role("button", name="Confirm").click()
    expect(heading(page, "My Account")).to_be_visible()
    expect(page.get_by_text("Your e-mail address has been changed.")).to_be_visible()
    expect(page.get_by_text(f"Katherine Johnson · {new}")).to_be_visible()

    notice = site.mailbox.wait_for(old, subject="was changed")
    assert new in notice.body and old in notice.body

    sign_out(site, check=False)
    sign_in(site, old, PASSWORD, check=False, expect_success=False)
    expect(page.get_by_text("The e-mail address or the password is not correct.").first).to_be_visible()
    sign_in(site, new, PASSWORD, check=False)


def test_my_account_pages_details_password_activity_sign_out(site):
    email = create_account(site, first="Alan", last="Turing")
    page = site.page

    page.get_by_role("link", name="My personal details").click()
    expect(heading(page, "My personal details")).to_be_visible()
    site.check("details")
    page.get_by_label("First name").fill("Alan M.")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Your details have been saved.")).to_be_visible()
    expect(page.get_by_text(f"Alan M. Turing · {email}")).to_be_visible()

    page.get_by_role("link", name="Change my password").click()
    expect(heading(page, "Change my password")).to_be_visible()
    site.check("change password")
    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_label("New password", exact=True).fill("short")
    page.get_by_label("Confirm new password").fill("short")
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("alert")).to_be_visible()
    site.check("change password, too short")
    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_label("New password", exact=True).fill(THIRD_PASSWORD)
    page.get_by_label("Confirm new password").fill(THIRD_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_text("Your password has been changed.")).to_be_visible()
    assert "password" in site.mailbox.wait_for(email, subject="was changed").subject.lower()

    page.get_by_role("link", name="My recent activity").click()
    expect(heading(page, "My recent activity")).to_be_visible()
    expect(page.get_by_text("this browser", exact=True)).to_be_visible()
    site.check("activity")

    site.goto("/logout/")
    expect(heading(page, "Sign out")).to_be_visible()
    site.check("sign out (confirm)")
    page.get_by_role("main").get_by_role("button", name="Sign out").click()
    expect(heading(page, "You are signed out")).to_be_visible()
    sign_in(site, email, THIRD_PASSWORD, check=False)


def test_privacy_statement(site):
    site.goto("/register/")
    with site.page.context.expect_page() as new_tab:
        site.page.get_by_role("main").get_by_role("link", name="privacy statement", exact=True).click()
    tab = new_tab.value
    tab.wait_for_load_state()
    assert tab.url == site.url + "/privacy/"
    tab.close()
    site.page.get_by_role("contentinfo").get_by_role("link", name="Privacy statement").click()
    expect(heading(site.page, "Privacy statement")).to_be_visible()
    site.check("privacy")
    # The test server runs on 127.0.0.1 without LIMEN_PRIVACY_CONTACT: no made-up "privacy@127.0.0.1".
    expect(site.page.get_by_text("write to the operators of this service")).to_be_visible()
    expect(site.page.get_by_role("main")).not_to_contain_text("@127.0.0.1")
