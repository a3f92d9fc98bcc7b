"""The mobile authenticator as a person uses it, with the reference app as the phone.

Add a device in My Account (the QR code is read from a screenshot with
zxing-cpp), enrol `limen-authenticator` through its command, then sign in with
"Mobile app PIN code" (approve, and deny) and with "Mobile app QR code" (the
offline one-time password). The browser moves on by itself after approval.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import expect

from . import flows
from .flows import heading

PIN = "4706"
AUTHENTICATOR = str(Path(sys.executable).with_name("limen-authenticator"))


class App:
    """The phone: limen-authenticator with its own state file."""

    def __init__(self, state: Path):
        self.env = {**os.environ, "LIMEN_AUTHENTICATOR_STATE": str(state)}

    def run(self, *args: str, stdin: str = "") -> str:
        done = subprocess.run([AUTHENTICATOR, *args], env=self.env, input=stdin, capture_output=True, text=True,
                              timeout=60)
        assert done.returncode == 0, f"limen-authenticator {' '.join(args)} failed:\n{done.stderr}"
        return done.stdout


def read_qr(locator, path: Path) -> str:
    locator.screenshot(path=str(path))
    found = zxingcpp.read_barcodes(Image.open(path).convert("RGB"))
    assert found, f"no QR code in the screenshot {path}"
    return found[0].text


def sign_in_with(site, email: str, method: str) -> None:
    page = site.page
    site.goto("/login/")
    page.get_by_label("E-mail", exact=True).fill(email)
    page.get_by_role("button", name="Next").click()
    expect(heading(page, "Welcome back")).to_be_visible()
    page.get_by_label(method).check()
    page.get_by_label("Password", exact=True).fill(flows.PASSWORD)
    page.get_by_role("button", name="Sign in").click()


@pytest.fixture
def app(tmp_path):
    return App(tmp_path / "phone" / "state.json")


def test_add_a_device_then_sign_in_with_pin_push_and_qr_code(site, app, tmp_path):
    page = site.page
    email = flows.create_account(site)

    # My Account → Manage my mobile devices → Add a mobile device
    page.get_by_role("link", name="Manage my mobile devices").click()
    expect(heading(page, "Manage my mobile devices")).to_be_visible()
    expect(page.get_by_text("You have no mobile device yet.")).to_be_visible()
    site.check("devices, none yet")
    page.get_by_role("link", name="Add a mobile device").click()
    expect(heading(page, "Add a mobile device")).to_be_visible()
    site.check("add a device")

    # A trivial PIN is refused with a reason.
    page.get_by_label("Your device name").fill("My Android phone")
    page.get_by_label("Your 4-digit PIN code").fill("1234")
    page.get_by_label("Confirm your PIN code").fill("1234")
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_text("The digits follow each other").first).to_be_visible()
    site.check("add a device, trivial PIN")

    page.get_by_label("Your 4-digit PIN code").fill(PIN)
    page.get_by_label("Confirm your PIN code").fill(PIN)
    page.get_by_role("button", name="Submit").click()
    expect(heading(page, "Scan the QR code with your app")).to_be_visible()
    site.check("enrolment QR code")

    # The phone scans the screen.
    payload = read_qr(page.locator("#enrol-qr"), tmp_path / "enrol-qr.png")
    # A link that opens the web app, with the enrolment in its fragment (the reference app reads it too).
    assert payload.startswith(site.url + "/app/#enrol=limen%3A%2F%2Fenrol%3F")
    enrolment = urllib.parse.unquote(payload.partition("#enrol=")[2])
    assert urllib.parse.parse_qs(urllib.parse.urlsplit(enrolment).query)["server"] == [site.url]
    out = app.run("enrol", "--qr", str(tmp_path / "enrol-qr.png"), "--pin-stdin", "--json", stdin=PIN + "\n")
    assert json.loads(out)["email"] == email

    # The page notices by itself, and the owner gets an e-mail.
    expect(heading(page, "Manage my mobile devices")).to_be_visible(timeout=10_000)
    expect(page.get_by_text("Your mobile device “My Android phone” has been added.")).to_be_visible()
    expect(page.get_by_role("rowheader", name="My Android phone")).to_be_visible()
    site.check("devices, one added")
    site.mailbox.wait_for(email, subject="A verification method was added")

    # Sign in with "Mobile app PIN code": approve in the app, the browser goes on by itself.
    flows.sign_out(site, check=False)
    sign_in_with(site, email, "Mobile app PIN code")
    expect(heading(page, "Confirm in the mobile app")).to_be_visible()
    number = page.locator(".match-number").text_content().strip()
    site.check("PIN push, waiting")
    requests = json.loads(app.run("pending", "--json"))
    assert [r["number"] for r in requests] == [number]
    assert requests[0]["browser"].startswith("Chrome")
    app.run("approve", "--pin-stdin", "--yes", stdin=PIN + "\n")
    approved = time.monotonic()
    expect(heading(page, "My Account")).to_be_visible(timeout=5_000)
    assert time.monotonic() - approved < 3

    # Deny: the attempt ends, and says so.
    flows.sign_out(site, check=False)
    sign_in_with(site, email, "Mobile app PIN code")
    expect(heading(page, "Confirm in the mobile app")).to_be_visible()
    app.run("deny")
    expect(heading(page, "Sign-in refused")).to_be_visible(timeout=5_000)
    site.check("PIN push, denied")

    # Sign in with "Mobile app QR code": the one-time password computed offline from a screenshot.
    sign_in_with(site, email, "Mobile app QR code")
    expect(heading(page, "QR code authentication")).to_be_visible()
    site.check("QR code one-time password")
    read_qr(page.locator("#otp-qr"), tmp_path / "otp-qr.png")
    code = app.run("otp", "--qr", str(tmp_path / "otp-qr.png"), "--pin-stdin", stdin=PIN + "\n").strip()
    assert len(code) == 8 and code.isdigit()
    page.get_by_label("Code generated by your app").fill(code)
    page.get_by_role("button", name="Sign in").click()
    expect(heading(page, "My Account")).to_be_visible()

    # The same code does not work twice.
    flows.sign_out(site, check=False)
    sign_in_with(site, email, "Mobile app QR code")
    page.get_by_label("Code generated by your app").fill(code)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("This code is not correct").first).to_be_visible()
    site.check("QR code, wrong code")


def test_enrol_from_the_text_copied_from_the_page(site, app, context):
    """For people who cannot scan (and screen readers): the QR code's text, labelled, with a Copy button."""
    page = site.page
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site.url)
    email = flows.create_account(site)
    site.goto("/account/mobile/add/")
    page.get_by_label("Your device name").fill("Phone without camera")
    page.get_by_label("Your 4-digit PIN code").fill(PIN)
    page.get_by_label("Confirm your PIN code").fill(PIN)
    page.get_by_role("button", name="Submit").click()
    expect(heading(page, "Scan the QR code with your app")).to_be_visible()
    field = page.get_by_label("The QR code as text")
    expect(field).to_have_attribute("readonly", "")
    assert field.input_value().startswith("limen://enrol?")
    # The clipboard takes writes from a focused document only. Once in CI (the PostgreSQL half, two
    # browsers at work) the write had not settled after 5 s: neither the message nor the fallback showed.
    page.bring_to_front()
    page.get_by_role("button", name="Copy the text").click()
    expect(page.get_by_role("status").filter(has_text="Copied. Now paste it into the app.")).to_be_visible(
        timeout=15_000)
    site.check("enrolment QR code as text, copied")
    pasted = page.evaluate("() => navigator.clipboard.readText()")
    assert pasted == field.input_value()

    # The reference app, with no image: it asks for the text, which the person pastes, then the PIN.
    out = app.run("enrol", "--pin-stdin", "--json", stdin=f"{pasted}\n{PIN}\n")
    assert json.loads(out)["email"] == email
    expect(heading(page, "Manage my mobile devices")).to_be_visible(timeout=10_000)
    expect(page.get_by_text("Your mobile device “Phone without camera” has been added.")).to_be_visible()


def test_manage_devices_and_require_a_second_factor(site, app, tmp_path):
    page = site.page
    email = flows.create_account(site)
    site.goto("/account/mobile/add/")
    page.get_by_label("Your device name").fill("Tablet")
    page.get_by_label("Your 4-digit PIN code").fill(PIN)
    page.get_by_label("Confirm your PIN code").fill(PIN)
    page.get_by_role("button", name="Submit").click()
    read_qr(page.locator("#enrol-qr"), tmp_path / "qr.png")
    app.run("enrol", "--qr", str(tmp_path / "qr.png"), "--pin", PIN)
    # The enrolment page shows "Your device has been added." and then navigates by itself to the device
    # list: wait for that list, or the next goto races with the page's own navigation (ERR_ABORTED).
    expect(heading(page, "Manage my mobile devices")).to_be_visible(timeout=10_000)
    expect(page.get_by_text("Your mobile device “Tablet” has been added.")).to_be_visible()

    # Always require a second factor.
    site.goto("/account/")
    page.get_by_role("link", name="My sign-in preferences").click()
    expect(heading(page, "My sign-in preferences")).to_be_visible()
    site.check("sign-in preferences")
    page.get_by_label("Always require a second factor when I sign in").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("A second factor is always required.")).to_be_visible()
    flows.sign_out(site, check=False)
    sign_in_with(site, email, "Password only")
    expect(page.get_by_text("Your account requires a second factor").first).to_be_visible()

    # Rename needs nothing more; removing needs the second factor of this session.
    sign_in_with(site, email, "Mobile app PIN code")
    expect(heading(page, "Confirm in the mobile app")).to_be_visible()
    app.run("approve", "--pin", PIN, "--yes")
    expect(heading(page, "My Account")).to_be_visible()
    page.get_by_role("link", name="Manage my mobile devices").click()
    page.get_by_role("link", name="Rename Tablet").click()
    site.check("rename a device")
    page.get_by_label("New name").fill("Old tablet")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("rowheader", name="Old tablet")).to_be_visible()

    # Starting to add a device and cancelling: its QR code page then says so.
    page.get_by_role("link", name="Add a mobile device").click()
    page.get_by_label("Your device name").fill("Spare")
    page.get_by_label("Your 4-digit PIN code").fill("3691")
    page.get_by_label("Confirm your PIN code").fill("3691")
    page.get_by_role("button", name="Submit").click()
    expect(heading(page, "Scan the QR code with your app")).to_be_visible()
    cancelled_url = page.url
    page.get_by_role("button", name="Cancel").click()
    expect(heading(page, "Manage my mobile devices")).to_be_visible()
    expect(page.get_by_role("rowheader", name="Spare")).to_have_count(0)
    site.goto(cancelled_url)
    expect(page.get_by_text("Adding this device was cancelled.")).to_be_visible()
    site.check("enrolment cancelled")
    page.get_by_role("link", name="Manage my mobile devices").click()

    # A second device (this session passed the first one): the sign-in then asks which one.
    phone = App(tmp_path / "phone2.json")
    page.get_by_role("link", name="Add a mobile device").click()
    page.get_by_label("Your device name").fill("Phone")
    page.get_by_label("Your 4-digit PIN code").fill("3691")
    page.get_by_label("Confirm your PIN code").fill("3691")
    page.get_by_role("button", name="Submit").click()
    read_qr(page.locator("#enrol-qr"), tmp_path / "qr2.png")
    phone.run("enrol", "--qr", str(tmp_path / "qr2.png"), "--pin", "3691")
    expect(page.get_by_role("rowheader", name="Phone", exact=True)).to_be_visible(timeout=10_000)
    flows.sign_out(site, check=False)
    sign_in_with(site, email, "Mobile app PIN code")
    expect(page.get_by_text("Which device should receive the request?")).to_be_visible()
    site.check("PIN push, choose a device")
    page.get_by_label("Phone", exact=True).check()
    page.get_by_role("button", name="Send the request").click()
    expect(heading(page, "Confirm in the mobile app")).to_be_visible()
    assert json.loads(app.run("pending", "--json")) == []  # the tablet was not asked
    phone.run("approve", "--pin", "3691", "--yes")
    expect(heading(page, "My Account")).to_be_visible()
    page.get_by_role("link", name="Manage my mobile devices").click()
    page.get_by_role("link", name="Remove Old tablet").click()
    expect(heading(page, "Remove “Old tablet”?")).to_be_visible()
    site.check("remove a device")
    page.get_by_role("button", name="Remove the device").click()
    expect(page.get_by_text("The device “Old tablet” has been removed.")).to_be_visible()
    expect(page.get_by_role("rowheader", name="Old tablet")).to_have_count(0)
    site.mailbox.wait_for(email, subject="A verification method was removed")
