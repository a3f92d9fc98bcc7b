"""Recovery codes and PANIC in the browser."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from .steps import account, add_phone, heading, mail, register_key, sign_in, sign_in_with_sms, sign_out, sms_code


def test_recovery_codes(factors_site, outbox):
    site = factors_site
    page = site.page
    email = account(site, "recovery")
    sign_in(site, email)
    page.get_by_role("link", name="Manage my recovery codes").click()
    expect(page.get_by_text("first add a verification method")).to_be_visible()
    site.check("recovery codes: another method first")

    add_phone(site, email)
    sign_out(site)
    sign_in_with_sms(site, outbox, email)
    page.get_by_role("link", name="Manage my recovery codes").click()
    site.check("recovery codes: none yet")
    page.get_by_role("link", name="Create recovery codes").click()
    site.check("recovery codes: create")
    page.get_by_role("button", name="Create recovery codes").click()
    expect(heading(page, "Your recovery codes")).to_be_visible()
    site.check("recovery codes: shown once")
    shown = page.locator(".recovery-codes code").all_inner_texts()
    assert len(shown) == 10 and all(re.fullmatch(r"[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{2}", c) for c in shown)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the codes (.txt)").click()
    assert download.value.suggested_filename == "recovery-codes.txt"
    text = open(download.value.path(), encoding="utf-8").read()
    assert all(code in text for code in shown) and email in text
    page.get_by_role("button", name="I have saved my codes").click()
    expect(page.get_by_text("You have 10 unused recovery codes.")).to_be_visible()
    site.goto("/account/recovery-codes/show/")
    expect(page.get_by_text("shown only once")).to_be_visible()
    assert "Recovery codes" in mail(site, email, "A verification method was added")

    # Lost the phone: sign in with a code; a wrong one and a reused one are refused.
    sign_out(site)
    sign_in(site, email, method="Recovery code")
    expect(heading(page, "Type a recovery code")).to_be_visible()
    site.check("recovery code sign-in")
    page.get_by_label("Recovery code").fill("aaaa-bbbb-cc")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.locator("#id_code_error")).to_contain_text("not correct")
    site.check("recovery code: wrong")
    page.get_by_label("Recovery code").fill(shown[0].upper().replace("-", " "))
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(heading(page, "My Account")).to_be_visible()
    sign_out(site)
    sign_in(site, email, method="Recovery code")
    page.get_by_label("Recovery code").fill(shown[0])
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.locator("#id_code_error")).to_contain_text("already been used")

    # Few left: a warning on the page and by e-mail.
    for code in shown[1:7]:
        page.get_by_label("Recovery code").fill(code)
        page.get_by_role("button", name="Sign in", exact=True).click()
        expect(heading(page, "My Account")).to_be_visible()
        sign_out(site)
        sign_in(site, email, method="Recovery code")
    page.get_by_label("Recovery code").fill(shown[7])
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_text("You have 2 unused recovery codes left")).to_be_visible()
    site.check("recovery codes: few left")
    assert "3 unused recovery codes" in mail(site, email, "recovery codes left")
    assert "2 unused recovery codes" in mail(site, email, "recovery codes left")


def test_panic_and_the_first_new_factor(factors_site, outbox, virtual_authenticator):
    site = factors_site
    page = site.page
    email = account(site, "panic")
    virtual_authenticator("usb", resident=False)
    sign_in(site, email)
    register_key(site, kind="Security key", name="Lost key", button="Use my security key")
    expect(page.get_by_text("is registered")).to_be_visible()
    add_phone(site, email)

    # The phone and the key are lost: password only, then PANIC.
    sign_out(site)
    sign_in(site, email, method="Password only")
    expect(heading(page, "My Account")).to_be_visible()
    page.get_by_role("link", name="Delete all my devices and eID (PANIC)").click()
    expect(heading(page, "Delete all my devices and eID (PANIC)")).to_be_visible()
    expect(page.get_by_text("Security Key or Trusted Platform (1)")).to_be_visible()
    expect(page.get_by_text("Mobile Phone + SMS (1)")).to_be_visible()
    site.check("PANIC: confirm")
    page.get_by_role("button", name="Yes, delete all my devices and eID").click()
    expect(page.get_by_text("have been removed")).to_be_visible()
    site.check("PANIC: done")
    body = mail(site, email, "All verification methods were removed")
    assert "Security Key or Trusted Platform" in body and "Mobile Phone + SMS" in body

    # The first new factor waits for the link sent to the account's e-mail address.
    page.get_by_role("link", name="Manage my mobile phone numbers").click()
    page.get_by_role("link", name="Add a mobile phone number").click()
    expect(heading(page, "Check your e-mail")).to_be_visible()
    site.check("after PANIC: check your e-mail")
    link = site.mailbox.wait_for(email, subject="Confirm your new verification method").link_to(
        "/account/methods/confirm/")
    site.goto(link)
    expect(heading(page, "Add a new verification method")).to_be_visible()
    site.check("after PANIC: confirm the link")
    page.get_by_role("button", name="Confirm").click()
    expect(heading(page, "Add a mobile phone number")).to_be_visible()
    page.get_by_label("Mobile phone number").fill("+46701234567")
    page.get_by_role("button", name="Add", exact=True).click()
    page.get_by_label("Code from the SMS").fill(sms_code(outbox, site, "+46701234567"))
    page.get_by_role("button", name="Finalise").click()
    expect(page.get_by_text("is registered")).to_be_visible()

    site.goto(link)
    expect(page.get_by_text("already been used")).to_be_visible()
