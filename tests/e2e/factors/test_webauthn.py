"""Security keys, trusted platforms and passkeys in Chromium, with its virtual authenticators.

A USB security key (CTAP2, PIN as user verification, no discoverable
credentials) and a platform authenticator (internal, user verification,
discoverable credentials: passkeys).
"""

from __future__ import annotations

from playwright.sync_api import expect

from .steps import account, heading, mail, press, register_key, sign_in, sign_out

NO_AUTOFILL = "PublicKeyCredential.isConditionalMediationAvailable = () => Promise.resolve(false);"


def test_security_key_register_use_twice_and_clone(factors_site, virtual_authenticator):
    site = factors_site
    page = site.page
    email = account(site, "key")
    key = virtual_authenticator("usb", resident=False)
    sign_in(site, email)
    expect(heading(page, "My Account")).to_be_visible()
    page.get_by_role("link", name="Manage my security keys and trusted platforms").click()
    expect(heading(page, "Manage my security keys and trusted platforms")).to_be_visible()
    site.check("security keys: none yet")

    register_key(site, kind="Security key", name="Blue key", button="Use my security key", check=True)
    expect(page.get_by_text("“Blue key” is registered.")).to_be_visible()
    expect(page.get_by_role("rowheader", name="Blue key", exact=True)).to_be_visible()
    site.check("security keys: one")
    assert len(key.credentials()) == 1
    assert "Security key: Blue key" in mail(site, email, "A verification method was added")

    # The same key once more: the account has a factor now, so first prove it (step-up)...
    site.goto("/account/security-keys/add/")
    expect(heading(page, "Extra verification needed")).to_be_visible()
    # Limen's own page, not an application: the page says so.
    expect(page.get_by_text("Before you make this change to your account, prove that it is you")).to_be_visible()
    expect(page.get_by_role("main")).not_to_contain_text("application")
    site.check("step-up before a change to the account")
    page.get_by_label("Security Key or Trusted Platform").check()
    page.get_by_role("button", name="Continue").click()
    expect(heading(page, "Security Key or Trusted Platform")).to_be_visible()
    site.check("step-up with the security key")
    press(page, "Use my security key or device")
    expect(heading(page, "Register a security key or trusted platform")).to_be_visible()
    # ...then the browser itself refuses the key it already holds for this account.
    register_key(site, kind="Security key", name="Blue key again", button="Use my security key")
    expect(page.get_by_text("already registered to your account")).to_be_visible()
    site.check("the same key twice")
    site.goto("/account/security-keys/")
    expect(page.get_by_role("rowheader", name="Blue key again", exact=True)).to_have_count(0)

    sign_out(site)
    sign_in(site, email, method="Security Key or Trusted Platform")
    expect(heading(page, "Security Key or Trusted Platform")).to_be_visible()
    site.check("second factor: security key")
    press(page, "Use my security key or device")
    expect(heading(page, "My Account")).to_be_visible()

    # A copy of the key: same private key, but its counter is behind the one Limen saw.
    key.set_sign_count(key.credentials()[0], 0)
    sign_out(site)
    sign_in(site, email, method="Security Key or Trusted Platform")
    press(page, "Use my security key or device")
    expect(page.get_by_text("its signature counter went backwards")).to_be_visible()
    site.check("possible clone refused")
    body = mail(site, email, "may have been copied")
    assert "Blue key" in body and "counter" in body


def test_trusted_platform_is_a_passkey(factors_site, virtual_authenticator):
    site = factors_site
    page = site.page
    email = account(site, "platform")
    device = virtual_authenticator("internal", resident=True, uv=True)
    sign_in(site, email)
    register_key(site, kind="Trusted platform", name="My laptop", button="Use this device", check=True)
    expect(page.get_by_text("“My laptop” is registered.")).to_be_visible()
    expect(page.get_by_text("Passkey: signs in without a password")).to_be_visible()
    assert device.credentials()[0]["isResidentCredential"] is True

    # Autofill (conditional mediation): the browser offers the passkey in the e-mail field.
    sign_out(site)
    page.bring_to_front()
    site.goto("/login/")
    expect(heading(page, "My Account")).to_be_visible()
    expect(page.get_by_text(email)).to_be_visible()

    # A browser without passkey autofill: the button.
    sign_out(site)
    page.add_init_script(NO_AUTOFILL)
    site.goto("/login/")
    expect(page.get_by_role("button", name="Sign in with a passkey")).to_be_visible()
    site.check("sign-in page with the passkey button")
    press(page, "Sign in with a passkey")
    expect(heading(page, "My Account")).to_be_visible()

    # The device cannot check it is the owner (no fingerprint, no PIN): refused, with a message.
    sign_out(site)
    device.set_user_verified(False)
    site.goto("/login/")
    press(page, "Sign in with a passkey")
    expect(page.get_by_text("Nothing was done")).to_be_visible()
    site.check("passkey without user verification")
    expect(heading(page, "Sign in to continue")).to_be_visible()


def test_manage_rename_and_remove(factors_site, virtual_authenticator):
    site = factors_site
    page = site.page
    email = account(site, "manage")
    virtual_authenticator("usb", resident=False)
    sign_in(site, email)
    register_key(site, kind="Security key", name="Old name", button="Use my security key")
    expect(page.get_by_text("is registered")).to_be_visible()
    mail(site, email, "A verification method was added")
    page.get_by_role("link", name="Rename Old name").click()
    # Changing a factor needs one in this session: the key itself.
    expect(heading(page, "Extra verification needed")).to_be_visible()
    page.get_by_role("button", name="Continue").click()
    press(page, "Use my security key or device")
    expect(heading(page, "Rename “Old name”")).to_be_visible()
    site.check("rename")
    page.get_by_label("Name").fill("")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#id_name_error")).to_contain_text("Give it a name")
    site.check("rename with an empty name")
    page.get_by_label("Name").fill("New name")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("rowheader", name="New name", exact=True)).to_be_visible()
    page.get_by_role("link", name="Remove New name").click()
    expect(heading(page, "Remove “New name”?")).to_be_visible()
    site.check("remove")
    page.get_by_role("button", name="Remove").click()
    expect(page.get_by_text("You have not registered a security key")).to_be_visible()
    assert "New name" in mail(site, email, "was removed")
