"""Security keys, trusted platforms and passkeys in Chromium, with its virtual authenticators.

A USB security key (CTAP2, PIN as user verification, no discoverable
credentials) and a platform authenticator (internal, user verification,
discoverable credentials: passkeys).
"""

from __future__ import annotations

from playwright.sync_api import expect

from .steps import account, heading, open_message, press, register_key, sign_in, sign_out

NO_AUTOFILL = "PublicKeyCredential.isConditionalMediationAvailable = () => Promise.resolve(false);"


def test_security_key_register_use_twice_and_clone(factors_server, factors_page, factors_check, outbox,
                                                    virtual_authenticator):
    page, server, check = factors_page, factors_server, factors_check
    email = account(server, "key")
    key = virtual_authenticator("usb", resident=False)
    sign_in(page, server, email)
    expect(heading(page, "My Account")).to_be_visible()
    page.get_by_role("link", name="Manage my security keys and trusted platforms").click()
    expect(heading(page, "Manage my security keys and trusted platforms")).to_be_visible()
    check("security keys: none yet")

    register_key(page, server, kind="Security key", name="Blue key", button="Use my security key", check=check)
    expect(page.get_by_text("“Blue key” is registered.")).to_be_visible()
    expect(page.get_by_role("cell", name="Blue key", exact=True)).to_be_visible()
    check("security keys: one")
    assert len(key.credentials()) == 1
    mail = open_message(outbox, server, email, "A verification method was added")
    assert "Security key: Blue key" in mail

    # The same key once more: the account has a factor now, so first prove it (step-up)...
    page.goto(server.url + "/account/security-keys/add/")
    expect(heading(page, "Extra verification needed")).to_be_visible()
    page.get_by_label("Security Key or Trusted Platform").check()
    page.get_by_role("button", name="Continue").click()
    expect(heading(page, "Security Key or Trusted Platform")).to_be_visible()
    check("step-up with the security key")
    press(page, "Use my security key or device")
    expect(heading(page, "Register a security key or trusted platform")).to_be_visible()
    # ...then the browser itself refuses the key it already holds for this account.
    register_key(page, server, kind="Security key", name="Blue key again", button="Use my security key")
    expect(page.get_by_text("already registered to your account")).to_be_visible()
    check("the same key twice")
    page.goto(server.url + "/account/security-keys/")
    expect(page.get_by_role("cell", name="Blue key again", exact=True)).to_have_count(0)

    sign_out(page)
    sign_in(page, server, email, method="Security Key or Trusted Platform")
    expect(heading(page, "Security Key or Trusted Platform")).to_be_visible()
    check("second factor: security key")
    press(page, "Use my security key or device")
    expect(heading(page, "My Account")).to_be_visible()

    # A copy of the key: same private key, but its counter is behind the one Limen saw.
    key.set_sign_count(key.credentials()[0], 0)
    sign_out(page)
    sign_in(page, server, email, method="Security Key or Trusted Platform")
    press(page, "Use my security key or device")
    expect(page.get_by_text("its signature counter went backwards")).to_be_visible()
    check("possible clone refused")
    mail = open_message(outbox, server, email, "may have been copied")
    assert "Blue key" in mail and "counter" in mail


def test_trusted_platform_is_a_passkey(factors_server, factors_page, factors_check, outbox, virtual_authenticator,
                                       factors_context):
    page, server, check = factors_page, factors_server, factors_check
    email = account(server, "platform")
    device = virtual_authenticator("internal", resident=True, uv=True)
    sign_in(page, server, email)
    register_key(page, server, kind="Trusted platform", name="My laptop", button="Use this device", check=check)
    expect(page.get_by_text("“My laptop” is registered.")).to_be_visible()
    expect(page.get_by_text("Passkey: signs in without a password")).to_be_visible()
    assert device.credentials()[0]["isResidentCredential"] is True

    # Autofill (conditional mediation): the browser offers the passkey in the e-mail field.
    sign_out(page)
    page.bring_to_front()
    page.goto(server.url + "/login/")
    expect(heading(page, "My Account")).to_be_visible()
    expect(page.get_by_text(email)).to_be_visible()

    # A browser without passkey autofill: the button.
    sign_out(page)
    page.add_init_script(NO_AUTOFILL)
    page.goto(server.url + "/login/")
    expect(page.get_by_role("button", name="Sign in with a passkey")).to_be_visible()
    check("sign-in page with the passkey button")
    press(page, "Sign in with a passkey")
    expect(heading(page, "My Account")).to_be_visible()

    # The device cannot check it is the owner (no fingerprint, no PIN): refused, with a message.
    sign_out(page)
    device.set_user_verified(False)
    page.goto(server.url + "/login/")
    press(page, "Sign in with a passkey")
    expect(page.get_by_text("Nothing was done")).to_be_visible()
    check("passkey without user verification")
    expect(heading(page, "Sign in to continue")).to_be_visible()


def test_manage_rename_and_remove(factors_server, factors_page, factors_check, outbox, virtual_authenticator):
    page, server, check = factors_page, factors_server, factors_check
    email = account(server, "manage")
    virtual_authenticator("usb", resident=False)
    sign_in(page, server, email)
    register_key(page, server, kind="Security key", name="Old name", button="Use my security key")
    expect(page.get_by_text("is registered")).to_be_visible()
    page.get_by_role("link", name="Rename Old name").click()   # right after registering: same session, MEDIUM not
    if page.get_by_role("heading", level=1, name="Extra verification needed").is_visible():
        page.get_by_role("button", name="Continue").click()
        press(page, "Use my security key or device")
    expect(heading(page, "Rename “Old name”")).to_be_visible()
    check("rename")
    page.get_by_label("Name").fill("")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Give it a name").first).to_be_visible()
    check("rename with an empty name")
    page.get_by_label("Name").fill("New name")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("cell", name="New name", exact=True)).to_be_visible()
    page.get_by_role("link", name="Remove New name").click()
    expect(heading(page, "Remove “New name”?")).to_be_visible()
    check("remove")
    page.get_by_role("button", name="Remove").click()
    expect(page.get_by_text("You have not registered a security key")).to_be_visible()
    mail = open_message(outbox, server, email, "was removed")
    assert "New name" in mail
