"""The web app when an answer comes after the person has left the screen that asked (docs/mobile-app.md,
"Screens follow the person, not the network"): what was sent still counts, its result screen does not cover
the screen the person went to, the home screen behind is redrawn when an account came or went, and On Mobile
asks no further account once the person has left.

Each answer is held until the test lets it go (tests/e2e/held.py), so the person has certainly left first;
``settled()`` then says when the app has done all it does with the answer, so that "not shown" is checked
after the moment the old code showed it, without guessing a delay."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from playwright.sync_api import expect

from . import flows
from .conftest import Site
from .flows import heading
from .held import Held
from .phone import Phone, screenshots_dir
from .test_on_mobile import platform_authenticator, platform_authenticator_reported
from .test_webapp import PIN, deny_a_sign_in, phone, phone_browser, start_adding  # noqa: F401 (fixtures)

WELCOME = "Welcome to the Limen Authenticator"

# What the app keeps of each account (the store's own fields, nothing secret).
STORED = """() => new Promise((resolve, reject) => {
  const open = indexedDB.open("limen-app", 1);
  open.onerror = () => reject(open.error);
  open.onsuccess = () => {
    const read = open.result.transaction("accounts").objectStore("accounts").getAll();
    read.onsuccess = () => {
      open.result.close();
      resolve(read.result.sort((a, b) => a.added - b.added).map((a) => ({ email: a.email, server: a.server,
        hint: a.hint, deviceName: a.deviceName, biometric: Boolean(a.biometric) })));
    };
  };
})"""


def stored(phone) -> list[dict]:
    return phone.page.evaluate(STORED)


def go(phone, fragment: str) -> None:
    """The person opens another screen by a link into the app (a notification, the home screen's icon)."""
    phone.page.evaluate("(hash) => { window.location.hash = hash; }", fragment)


def leave_for_the_one_time_password(phone, held) -> None:
    """With an answer held, the person opens the one-time password screen; the answer then comes, and that
    screen stays."""
    held.wait_held()
    go(phone, "#otp")
    expect(phone.heading("One-time password")).to_be_visible()
    held.release()
    held.settled()
    expect(phone.heading("One-time password")).to_be_visible()


def up_to_the_pin(site, phone, tmp_path, *, name: str = "My phone") -> str:
    """A new person on the website starts adding a device; the app takes its QR code as text and is left on
    the PIN screen with the PIN typed twice, "Authenticate" not pressed yet. Returns the address."""
    app = phone.page
    email = flows.create_account(site)
    _shot, text = start_adding(site, tmp_path, name=name)
    app.get_by_role("button", name="Add an account").click()
    app.get_by_label("Or paste the QR code as text").fill(text)
    app.get_by_role("button", name="Continue").click()
    app.get_by_role("button", name="Add the account").click()
    expect(phone.heading("Type your PIN code")).to_be_visible()
    app.get_by_label("The PIN code you chose on the website").fill(PIN)
    app.get_by_label("The same PIN code again").fill(PIN)
    return email


def add_account(site, phone, tmp_path, *, name: str = "My phone") -> str:
    """Adds a new person's account to the app (signed out on the website first); back on the app's home."""
    if site.page.get_by_role("banner").get_by_role("button", name="Sign out").count():
        flows.sign_out(site, check=False)
    email = up_to_the_pin(site, phone, tmp_path, name=name)
    phone.page.get_by_role("button", name="Authenticate").click()
    expect(phone.heading("Your account is ready")).to_be_visible()
    phone.page.get_by_role("button", name="Continue").click()
    expect(phone.heading(email)).to_be_visible()
    # The website's waiting page reloads onto the device list when it sees the device: let it land before
    # the next step navigates that page (otherwise the two navigations race).
    expect(heading(site.page, "Manage my mobile devices")).to_be_visible(timeout=15_000)
    return email


def test_on_mobile_asks_no_further_account_once_left(site, phone, tmp_path):  # noqa: F811
    app = phone.page
    phone.open()
    add_account(site, phone, tmp_path)
    last = add_account(site, phone, tmp_path)
    # The sign-in page of this phone left a request's secret for the app; neither account knows the request.
    server = stored(phone)[0]["server"]
    request = "0123456789abcdef0123456789abcdef"
    app.evaluate("""([id, server]) => localStorage.setItem("limen-app:handover:" + id,
        JSON.stringify({ secret: "s".repeat(32), server, expires: Date.now() + 600000 }))""", [request, server])
    held = Held(app)
    asked = r"^GET .*/on-mobile/"
    # Staying on the screen: the app asks with each account in turn, then says nothing waits.
    held.hold(asked)
    held.release()
    go(phone, f"#on-mobile={request}")
    expect(phone.heading("Nothing to approve")).to_be_visible()
    held.settled()
    assert len(held.held()) == 2
    app.get_by_role("button", name="Back").click()
    expect(phone.heading(last)).to_be_visible()
    # Leaving while the first account's answer is on its way: the second account is not asked.
    held.hold(asked)
    go(phone, f"#on-mobile={request}")
    held.wait_held()
    app.go_back()
    expect(phone.heading(last)).to_be_visible()
    held.release()
    held.settled()
    assert len(held.held()) == 1, held.held()
    expect(phone.heading(last)).to_be_visible()
    expect(phone.heading("Nothing to approve")).to_have_count(0)


def test_an_enrolment_confirmed_late_keeps_the_account_not_the_screen(site, phone, tmp_path):  # noqa: F811
    page, app = site.page, phone.page
    phone.open()
    held = Held(app)
    confirm = r"^POST .*/enrolments/confirm$"
    first = up_to_the_pin(site, phone, tmp_path)
    held.hold(confirm)
    app.get_by_role("button", name="Authenticate").click()
    held.wait_held()
    # The person goes back to the start before the server has answered...
    app.go_back()
    expect(phone.heading(WELCOME)).to_be_visible()
    held.release()
    # ...the server confirmed the device: the app keeps it, and the home screen behind now shows it.
    expect(phone.heading(first)).to_be_visible()
    held.settled()
    expect(phone.heading(first)).to_be_visible()
    expect(phone.heading("Your account is ready")).to_have_count(0)
    assert [a["email"] for a in stored(phone)] == [first]
    expect(heading(page, "Manage my mobile devices")).to_be_visible(timeout=10_000)
    # The open app listens for the new account's requests: a sign-in with it reaches the app by itself.
    deny_a_sign_in(site, phone, first)
    app.get_by_role("button", name="Back").click()

    # Another account; this time the person opens the one-time password screen meanwhile: it stays.
    second = up_to_the_pin(site, phone, tmp_path, name="My other phone")
    held.hold(confirm)
    app.get_by_role("button", name="Authenticate").click()
    leave_for_the_one_time_password(phone, held)
    expect(phone.heading("Your account is ready")).to_have_count(0)
    assert [a["email"] for a in stored(phone)] == [first, second]
    app.get_by_role("button", name="Cancel").click()
    expect(phone.heading(second)).to_be_visible()  # the account just added is the current one


def test_a_one_time_password_made_late_does_not_cover_the_next_screen(site, phone, tmp_path):  # noqa: F811
    app = phone.page
    phone.open()
    email = add_account(site, phone, tmp_path)
    account = stored(phone)[0]
    code = f"limen://otp?v=1&server={quote(account['server'], safe='')}&account={account['hint']}&challenge=12345678"
    app.get_by_role("button", name="Scan a QR code for a one-time password").click()
    app.get_by_label("Or paste the QR code as text").fill(code)
    app.get_by_role("button", name="Continue").click()
    expect(phone.heading("Type your PIN code")).to_be_visible()
    app.get_by_label("Your 4-digit PIN code").fill(PIN)
    held = Held(app)
    held.hold(r"^crypto\.digest SHA-1$")  # the PIN's hash, the first step of the code (RFC 6287, PSHA1)
    app.get_by_role("button", name="Show the code").click()
    held.wait_held()
    app.go_back()
    expect(phone.heading(email)).to_be_visible()
    held.release()
    held.settled()
    expect(phone.heading(email)).to_be_visible()
    expect(app.get_by_role("button", name="Scan a QR code for a one-time password")).to_be_visible()
    expect(phone.heading("Your one-time password")).to_have_count(0)


@pytest.fixture(scope="module")
def local_server(make_server):
    """A server at localhost: WebAuthn (the phone's fingerprint) needs a domain name."""
    return make_server("late-answers", host="localhost")


def test_settings_answered_late_do_not_cover_the_next_screen(request, local_server, page, mailbox,
                                                              phone_browser, tmp_path):  # noqa: F811
    site = Site(page, local_server, mailbox, screenshots_dir(request))
    phone = Phone(phone_browser, local_server.url, screenshots_dir(request))
    app = phone.page
    try:
        platform_authenticator(app)
        phone.open()
        first = add_account(site, phone, tmp_path)
        add_account(site, phone, tmp_path)  # the current account: the one the settings below are for
        platform_authenticator_reported(app)
        held = Held(app)

        def settings():
            app.get_by_role("button", name="Account and device settings").click()
            expect(app.get_by_role("button", name="Rename this device")).to_be_visible()

        def leave_and_come_back():
            leave_for_the_one_time_password(phone, held)
            app.get_by_role("button", name="Cancel").click()

        # Rename: the new name is kept, the account screen does not come back over the next one.
        settings()
        app.get_by_role("button", name="Rename this device").click()
        app.get_by_label("New name").fill("Kitchen tablet")
        held.hold(r"^PATCH .*/device$")
        app.get_by_role("button", name="Save").click()
        leave_and_come_back()
        assert stored(phone)[1]["deviceName"] == "Kitchen tablet"

        # Fingerprint on, then off: each counts, neither covers the next screen.
        settings()
        app.get_by_role("button", name="Unlock with fingerprint or face").click()
        app.get_by_label("Your 4-digit PIN code").fill(PIN)
        held.hold(r"^PUT .*/device/biometric$")
        app.get_by_role("button", name="Turn on").click()
        leave_and_come_back()
        assert stored(phone)[1]["biometric"]
        settings()
        held.hold(r"^DELETE .*/device/biometric$")
        app.get_by_role("button", name="Stop unlocking with fingerprint or face").click()
        leave_and_come_back()
        assert not stored(phone)[1]["biometric"]

        # Unlink, the person elsewhere: the account is gone, the screen stays.
        settings()
        app.get_by_role("button", name="Unlink this device").click()
        held.hold(r"^DELETE .*/device$")
        app.get_by_role("button", name="Unlink", exact=True).click()
        leave_and_come_back()
        assert [a["email"] for a in stored(phone)] == [first]
        expect(phone.heading(first)).to_be_visible()
        site.goto("/account/mobile/")  # the second person's devices: the website removed it too
        expect(page.get_by_text("You have no mobile device yet.")).to_be_visible()

        # Unlink, the person back home meanwhile: home is drawn again, without the account.
        settings()
        app.get_by_role("button", name="Unlink this device").click()
        held.hold(r"^DELETE .*/device$")
        app.get_by_role("button", name="Unlink", exact=True).click()
        held.wait_held()
        go(phone, "#home")
        expect(phone.heading(first)).to_be_visible()
        expect(app.get_by_role("button", name="Account and device settings")).to_be_visible()
        held.release()
        expect(phone.heading(WELCOME)).to_be_visible()
        held.settled()
        assert stored(phone) == []
    finally:
        phone.close()
