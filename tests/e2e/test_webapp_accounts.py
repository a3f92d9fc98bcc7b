"""Several accounts in one app, on two Limen servers ("Switch account"); renaming the device from the app;
"Forgot PIN code" (a new PIN chosen on the website after another factor, the app re-keys); unlinking."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.support import a11y

from . import flows
from .conftest import Site
from .flows import heading
from .phone import Phone, screenshots_dir
from .test_mobile_app import App, sign_in_with
from .test_webapp import PIN, phone_browser, start_adding  # noqa: F401 (fixture)

NEW_PIN = "3816"


def approve(phone, site, email, pin):
    page, app = site.page, phone.page
    sign_in_with(site, email, "Mobile app PIN code")
    number = page.locator(".match-number").text_content().strip()
    expect(phone.heading("Sign-in request")).to_be_visible(timeout=10_000)
    app.get_by_label("Or type the number").fill(number)
    app.get_by_label("Your 4-digit PIN code").fill(pin)
    app.get_by_role("button", name="Approve", exact=True).click()


def test_two_servers_switch_rename_forgot_pin_and_unlink(request, site, phone_browser, make_server, browser,  # noqa: F811
                                                         mailbox, tmp_path):
    second_server = make_server("second")
    # Its own context: cookies ignore the port, and both servers are at 127.0.0.1.
    other_context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-GB")
    a11y.serve_axe(other_context)
    other = other_context.new_page()
    other.limen_problems = []
    second = Site(other, second_server, mailbox, screenshots_dir(request))
    phone = Phone(phone_browser, site.url, screenshots_dir(request))
    app = phone.page
    try:
        email = flows.create_account(site)
        _shot, text = start_adding(site, tmp_path)
        phone.open()
        phone.add_account_by_paste(text, PIN)
        app.get_by_role("button", name="Continue").click()
        other_email = flows.create_account(second)
        _shot, other_text = start_adding(second, tmp_path, name="Work phone")
        app.get_by_role("button", name="Add an account").click()
        app.get_by_label("Or paste the QR code as text").fill(other_text)
        app.get_by_role("button", name="Continue").click()
        expect(app.get_by_text("This code is for another server")).to_be_visible()
        phone.check("account on another server")
        app.get_by_role("button", name="Add the account").click()
        app.get_by_label("The PIN code you chose on the website").fill(PIN)
        app.get_by_label("The same PIN code again").fill(PIN)
        app.get_by_role("button", name="Authenticate").click()
        app.get_by_role("button", name="Continue").click()

        # Switch account.
        expect(phone.heading(other_email)).to_be_visible()
        phone.check("home, two accounts")
        app.get_by_label("Switch account").select_option(label=f"{email} ({site.url.removeprefix('http://')})")
        expect(phone.heading(email)).to_be_visible()

        # Requests of both servers reach the open app.
        flows.sign_out(second, check=False)
        approve(phone, second, other_email, PIN)
        expect(heading(other, "My Account")).to_be_visible(timeout=5_000)
        app.get_by_role("button", name="Back").click()

        # Rename the device from the app; the website shows the new name.
        app.get_by_role("button", name="Account and device settings").click()
        expect(phone.heading(email)).to_be_visible()
        phone.check("account settings")
        app.get_by_role("button", name="Rename this device").click()
        app.get_by_label("New name").fill("Grandma's tablet")
        app.get_by_role("button", name="Save").click()
        expect(app.get_by_text("Grandma's tablet")).to_be_visible()
        site.goto("/account/mobile/")
        expect(site.page.get_by_role("rowheader", name="Grandma's tablet")).to_be_visible()

        # Forgot PIN. The person signs in with another factor (a second device: the reference app on a
        # computer, added after a step-up with the phone), chooses a new PIN on the website; the app scans
        # the QR code and re-keys; the old PIN no longer works.
        laptop = App(tmp_path / "laptop" / "state.json")
        app.get_by_role("button", name="Back").click()
        site.page.get_by_role("link", name="Add a mobile device").click()
        expect(heading(site.page, "Extra verification needed")).to_be_visible()
        site.page.get_by_role("button", name="Continue").click()
        number = site.page.locator(".match-number").text_content().strip()
        expect(phone.heading("Sign-in request")).to_be_visible(timeout=10_000)
        app.get_by_label("Or type the number").fill(number)
        app.get_by_label("Your 4-digit PIN code").fill(PIN)
        app.get_by_role("button", name="Approve", exact=True).click()
        expect(heading(site.page, "Add a mobile device")).to_be_visible(timeout=5_000)
        app.get_by_role("button", name="Back").click()
        _shot, laptop_text = start_adding(site, tmp_path, name="Laptop")
        laptop.run("enrol", "--payload", laptop_text, "--pin-stdin", stdin=PIN + "\n")
        expect(site.page.get_by_role("rowheader", name="Laptop")).to_be_visible(timeout=10_000)
        flows.sign_out(site, check=False)
        sign_in_with(site, email, "Mobile app PIN code")
        site.page.get_by_label("Laptop").check()
        site.page.get_by_role("button", name="Send the request").click()
        expect(heading(site.page, "Confirm in the mobile app")).to_be_visible()
        laptop.run("approve", "--pin-stdin", "--yes", stdin=PIN + "\n")
        expect(heading(site.page, "My Account")).to_be_visible(timeout=5_000)
        site.goto("/account/mobile/")
        site.page.get_by_role("link", name="Forgot PIN code (Grandma's tablet)").click()
        expect(heading(site.page, "New PIN code for “Grandma's tablet”")).to_be_visible()
        site.check("forgot PIN, new PIN")
        site.page.get_by_label("Your 4-digit PIN code").fill(NEW_PIN)
        site.page.get_by_label("Confirm your PIN code").fill(NEW_PIN)
        site.page.get_by_role("button", name="Submit").click()
        expect(heading(site.page, "Scan the QR code with your app")).to_be_visible()
        site.check("forgot PIN, QR code")
        rekey = site.page.locator("#enrol-payload").input_value()
        app.get_by_role("button", name="Account and device settings").click()
        app.get_by_role("button", name="Forgot PIN code").click()
        expect(phone.heading("Forgot PIN code")).to_be_visible()
        phone.check("forgot PIN")
        app.get_by_role("button", name="Scan the QR code").click()
        app.get_by_label("Or paste the QR code as text").fill(rekey)
        app.get_by_role("button", name="Continue").click()
        app.get_by_role("button", name="Add the account").click()
        app.get_by_label("The PIN code you chose on the website").fill(NEW_PIN)
        app.get_by_label("The same PIN code again").fill(NEW_PIN)
        app.get_by_role("button", name="Authenticate").click()
        expect(phone.heading("Your new PIN code works")).to_be_visible()
        phone.check("new PIN works")
        expect(heading(site.page, "Manage my mobile devices")).to_be_visible(timeout=10_000)
        expect(site.page.get_by_role("rowheader")).to_have_count(2)
        expect(site.page.get_by_role("rowheader", name="Grandma's tablet")).to_be_visible()
        app.get_by_role("button", name="Continue").click()
        flows.sign_out(site, check=False)
        sign_in_with(site, email, "Mobile app PIN code")
        site.page.get_by_label("Grandma's tablet").check()
        site.page.get_by_role("button", name="Send the request").click()
        number = site.page.locator(".match-number").text_content().strip()
        expect(phone.heading("Sign-in request")).to_be_visible(timeout=10_000)
        app.get_by_label("Or type the number").fill(number)
        app.get_by_label("Your 4-digit PIN code").fill(PIN)
        app.get_by_role("button", name="Approve", exact=True).click()
        expect(app.get_by_text("The PIN code is not correct.")).to_be_visible()  # the old PIN
        app.get_by_label("Your 4-digit PIN code").fill(NEW_PIN)
        app.get_by_role("button", name="Approve", exact=True).click()
        expect(heading(site.page, "My Account")).to_be_visible(timeout=5_000)
        app.get_by_role("button", name="Back").click()

        # Unlink the other server's account: its website no longer lists the device.
        app.get_by_label("Switch account").select_option(label=f"{other_email} ({second_server.url.removeprefix('http://')})")
        # The home screen is redrawn for the chosen account once storage answers; a click before that would
        # open the previous account's settings (and unlink that one).
        expect(phone.heading(other_email)).to_be_visible()
        app.get_by_role("button", name="Account and device settings").click()
        expect(phone.heading(other_email)).to_be_visible()
        app.get_by_role("button", name="Unlink this device").click()
        expect(phone.heading("Unlink this device?")).to_be_visible()
        expect(app.get_by_text(other_email)).to_be_visible()
        phone.check("unlink")
        app.get_by_role("button", name="Unlink", exact=True).click()
        expect(phone.heading(email)).to_be_visible()
        expect(app.get_by_label("Switch account")).to_have_count(0)
        second.goto("/account/mobile/")
        expect(other.get_by_text("You have no mobile device yet.")).to_be_visible()
    finally:
        phone.close()
        other_context.close()
