"""The web app as a person uses it on a phone: install, add the account with the camera, approve and deny
sign-ins (number picked among three), wrong PINs until the device locks, and the checks of every screen.

The computer is the usual test browser (``site``); the phone is a Chromium of its own at 375×812 with
touch, whose camera films the computer's QR code (tests/e2e/phone.py).
"""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from . import flows
from .conftest import _Browser
from .flows import heading
from .phone import Phone, PhoneBrowser, screenshots_dir
from .test_mobile_app import sign_in_with

PIN = "4706"


@pytest.fixture(scope="module")
def phone_browser(_browser_lifetime):
    _Browser.get()
    browser = PhoneBrowser(_Browser.playwright)
    yield browser
    browser.close()


@pytest.fixture
def phone(request, phone_browser, site):
    device = Phone(phone_browser, site.url, screenshots_dir(request))
    yield device
    device.close()


def start_adding(site, tmp_path, *, name="My phone", pin=PIN, check=False):
    """On the computer: My Account → Manage my mobile devices → Add a mobile device; returns (QR image, text)."""
    page = site.page
    site.goto("/account/mobile/add/")
    expect(heading(page, "Add a mobile device")).to_be_visible()
    page.get_by_label("Your device name").fill(name)
    page.get_by_label("Your 4-digit PIN code").fill(pin)
    page.get_by_label("Confirm your PIN code").fill(pin)
    page.get_by_role("button", name="Submit").click()
    expect(heading(page, "Scan the QR code with your app")).to_be_visible()
    if check:
        site.check("enrolment QR code opens the app")
    shot = tmp_path / f"enrol-{time.monotonic_ns()}.png"
    page.locator("#enrol-qr").screenshot(path=str(shot))
    return shot, page.locator("#enrol-payload").input_value()


def enrolled(site, phone, tmp_path, *, check=False):
    email = flows.create_account(site)
    shot, _text = start_adding(site, tmp_path, check=check)
    phone.open()
    phone.add_account_by_camera(shot, PIN)
    expect(phone.heading("Your account is ready")).to_be_visible()
    expect(heading(site.page, "Manage my mobile devices")).to_be_visible(timeout=10_000)
    return email


def deny_a_sign_in(site, phone, email):
    """The person signs in on the website with the app; the request reaches the open app, which denies it."""
    flows.sign_out(site, check=False)
    sign_in_with(site, email, "Mobile app PIN code")
    expect(phone.heading("Sign-in request")).to_be_visible(timeout=10_000)
    phone.page.get_by_role("button", name="Deny").click()
    expect(phone.heading("Denied")).to_be_visible()
    expect(heading(site.page, "Sign-in refused")).to_be_visible(timeout=10_000)


def test_install_enrol_with_the_camera_and_approve_a_sign_in(site, phone, tmp_path):
    page, app = site.page, phone.page
    # Installable: a manifest with icons, a service worker that controls /app/.
    phone.open()
    expect(phone.heading("Welcome to the Limen Authenticator")).to_be_visible()
    installable = app.evaluate("""async () => {
        const link = document.querySelector('link[rel=manifest]');
        const manifest = await (await fetch(link.href)).json();
        const registration = await navigator.serviceWorker.ready;
        const worker = registration.active;
        await new Promise((resolve) => worker.state === "activated" ? resolve()
            : worker.addEventListener("statechange", () => worker.state === "activated" && resolve()));
        return {start: manifest.start_url, display: manifest.display, icons: manifest.icons.map(i => i.sizes),
                active: registration.active.state, scope: registration.scope, secure: window.isSecureContext};
    }""")
    assert installable["start"] == "/app/" and installable["display"] == "standalone"
    assert {"192x192", "512x512"} <= set(installable["icons"]) and installable["active"] == "activated"
    assert installable["scope"] == site.url + "/app/" and installable["secure"]
    phone.check("welcome")
    # Keyboard: Tab reaches "Add an account" (focus order: skip link, app name, the button), Enter opens it.
    reached = []
    for _ in range(6):
        app.keyboard.press("Tab")
        reached.append(app.evaluate("() => document.activeElement.textContent.trim()"))
        if reached[-1] == "Add an account":
            break
    assert reached[-1] == "Add an account", reached
    app.keyboard.press("Enter")
    expect(phone.heading("Add an account")).to_be_visible()
    phone.check("add an account")
    app.get_by_role("button", name="Cancel").click()

    # The computer shows the QR code (a link to the app); the phone films it.
    email = flows.create_account(site)
    site.goto("/account/mobile/")
    expect(page.get_by_role("link", name=site.url + "/app/")).to_be_visible()
    site.check("devices, the app's address")
    shot, text = start_adding(site, tmp_path, check=True)
    assert text.startswith("limen://enrol?")
    phone.camera.show_camera(shot)
    app.get_by_role("button", name="Add an account").click()
    app.get_by_role("button", name="Scan the QR code").click()
    expect(phone.heading("Add this account?")).to_be_visible()
    phone.check("add this account")
    app.get_by_role("button", name="Add the account").click()
    expect(phone.heading("Type your PIN code")).to_be_visible()
    phone.check("enrolment PIN")
    app.get_by_label("The PIN code you chose on the website").fill("9090")
    app.get_by_label("The same PIN code again").fill("9090")
    app.get_by_role("button", name="Authenticate").click()
    expect(app.get_by_text("The PIN code is not correct. Attempts left: 4.")).to_be_visible()
    phone.check("enrolment PIN, not the website's")
    app.get_by_label("The PIN code you chose on the website").fill(PIN)
    app.get_by_label("The same PIN code again").fill(PIN)
    app.get_by_role("button", name="Authenticate").click()
    expect(phone.heading("Your account is ready")).to_be_visible()
    phone.check("account ready")
    # The website notices by itself; an e-mail confirms.
    expect(heading(page, "Manage my mobile devices")).to_be_visible(timeout=10_000)
    expect(page.get_by_role("rowheader", name="My phone")).to_be_visible()
    site.mailbox.wait_for(email, subject="A verification method was added")

    # The key cannot leave WebCrypto.
    refused = app.evaluate("""() => new Promise((resolve) => {
        const open = indexedDB.open("limen-app", 1);
        open.onsuccess = () => {
            const r = open.result.transaction("accounts").objectStore("accounts").getAll();
            r.onsuccess = async () => {
                const a = r.result[0];
                const out = {extractable: [a.privateKey.extractable, a.secretKey.extractable]};
                for (const [name, key, format] of [["device", a.privateKey, "pkcs8"], ["secret", a.secretKey, "raw"]]) {
                    try { await crypto.subtle.exportKey(format, key); out[name] = "exported"; }
                    catch (e) { out[name] = e.name; }
                }
                resolve(out);
            };
        };
    })""")
    assert refused == {"extractable": [False, False], "device": "InvalidAccessError", "secret": "InvalidAccessError"}

    app.get_by_role("button", name="Continue").click()
    expect(phone.heading(email)).to_be_visible()
    phone.check("home, one account")

    # Sign in: the open app gets the request over the live channel and shows it by itself.
    flows.sign_out(site, check=False)
    sign_in_with(site, email, "Mobile app PIN code")
    expect(heading(page, "Confirm in the mobile app")).to_be_visible()
    number = page.locator(".match-number").text_content().strip()
    expect(phone.heading("Sign-in request")).to_be_visible(timeout=10_000)
    expect(app.get_by_text("Chrome · Linux")).to_be_visible()
    phone.check("sign-in request")
    choices = app.locator(".number-choice input").evaluate_all("(nodes) => nodes.map(n => n.value)")
    assert len(choices) == 3 and number in choices
    # The wrong number: refused by the server, nothing changes.
    wrong = next(c for c in choices if c != number)
    app.locator(f".number-choice input[value='{wrong}']").check()
    app.get_by_label("Your 4-digit PIN code").fill(PIN)
    app.get_by_role("button", name="Approve", exact=True).click()
    expect(app.get_by_text("The number does not match")).to_be_visible()
    expect(app.get_by_text("If you did not try to sign in yourself, deny the request.")).to_be_visible()
    phone.check("sign-in request, wrong number")
    expect(heading(page, "Confirm in the mobile app")).to_be_visible()
    # The right number, by keyboard: the radio group, then the PIN, then Enter.
    app.locator(f".number-choice input[value='{number}']").focus()
    app.keyboard.press("Space")
    app.get_by_label("Your 4-digit PIN code").fill(PIN)
    app.get_by_label("Your 4-digit PIN code").press("Enter")
    approved = time.monotonic()
    expect(heading(page, "My Account")).to_be_visible(timeout=5_000)
    assert time.monotonic() - approved < 3
    expect(phone.heading("Approved")).to_be_visible()
    phone.check("approved")

    # Deny: the browser says so.
    app.get_by_role("button", name="Back").click()
    expect(phone.heading(email)).to_be_visible()
    deny_a_sign_in(site, phone, email)
    phone.check("denied")


def test_wrong_pins_lock_the_device_and_the_owner_is_told(site, phone, tmp_path):
    page, app = site.page, phone.page
    email = enrolled(site, phone, tmp_path)
    app.get_by_role("button", name="Continue").click()
    flows.sign_out(site, check=False)
    sign_in_with(site, email, "Mobile app PIN code")
    number = page.locator(".match-number").text_content().strip()
    expect(phone.heading("Sign-in request")).to_be_visible(timeout=10_000)
    for left in (4, 3, 2, 1):
        app.get_by_label("Or type the number").fill(number)
        app.get_by_label("Your 4-digit PIN code").fill("1357")
        app.get_by_role("button", name="Approve", exact=True).click()
        expect(app.get_by_text(f"The PIN code is not correct. Attempts left: {left}.")).to_be_visible()
    phone.check("wrong PIN")
    app.get_by_label("Or type the number").fill(number)
    app.get_by_label("Your 4-digit PIN code").fill("1357")
    app.get_by_role("button", name="Approve", exact=True).click()
    expect(phone.heading("This device is locked")).to_be_visible()
    phone.check("device locked")
    site.mailbox.wait_for(email, subject="locked")
    page.get_by_role("link", name="Use another verification method").click()
    page.get_by_label("Password only").check()
    page.get_by_label("Password", exact=True).fill(flows.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    site.goto("/account/mobile/")
    expect(page.get_by_text("Locked after wrong PIN codes")).to_be_visible()
