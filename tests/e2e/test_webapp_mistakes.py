"""Bad input in the web app: each gets a clear message and changes nothing (no account is added).

Unreadable or foreign QR codes, another kind of Limen code, a newer version, an expired enrolment, the camera
refused, a server without https or out of reach, no network, and the browser clearing the app's storage.
And a person who does not wait: a slow phone, leaving the camera running, leaving before an answer comes."""

from __future__ import annotations

import subprocess
from urllib.parse import quote

import segno
from playwright.sync_api import expect

from . import flows
from .flows import heading
from .held import Held
from .phone import Phone, screenshots_dir
from .test_mobile_app import sign_in_with
from .test_webapp import PIN, enrolled, phone, phone_browser, start_adding  # noqa: F401 (fixtures)


def paste(phone, text):
    app = phone.page
    app.get_by_label("Or paste the QR code as text").fill(text)
    app.get_by_role("button", name="Continue").click()


def test_codes_the_app_cannot_use(site, phone, tmp_path):  # noqa: F811
    app = phone.page
    phone.open()
    app.get_by_role("button", name="Add an account").click()
    # Another site's QR code, filmed by the camera: said, and the camera keeps looking.
    segno.make("https://shop.example.com/offer?id=42").save(str(tmp_path / "foreign.png"), scale=10, border=4)
    phone.camera.show_camera(tmp_path / "foreign.png")
    app.get_by_role("button", name="Scan the QR code").click()
    expect(app.get_by_text("This QR code is not one of ours.")).to_be_visible()
    phone.check("foreign QR code")
    app.get_by_role("button", name="Cancel").click()
    app.get_by_role("button", name="Add an account").click()

    good = "limen://enrol?v=1&server=" + quote(site.url, safe="") + "&token=" + "a" * 43
    cases = [
        ("WIFI:S:home;T:WPA;P:secret;;", "This QR code is not one of ours."),
        (good[:good.index("&token=") + 12], "This QR code could not be read completely."),
        (good.replace("v=1", "v=2"), "This QR code needs a newer version of the app."),
        ("limen://otp?v=1&server=" + quote(site.url, safe="") + "&account=0123456789abcdef&challenge=12345678",
         "This QR code is for a one-time password, not for adding an account."),
        (good.replace(quote(site.url, safe=""), quote("http://login.example.eu", safe="")),
         "without a secure (https) connection"),
    ]
    for text, message in cases:
        paste(phone, text)
        expect(app.get_by_text(message)).to_be_visible()
    phone.check("a code the app refuses")
    # A server that does not answer (nothing listens there), and a token it does not know.
    paste(phone, good.replace(quote(site.url, safe=""), quote("http://127.0.0.1:9", safe="")))
    app.get_by_role("button", name="Add the account").click()
    expect(app.get_by_text("No connection to the server.")).to_be_visible()
    phone.check("server out of reach")
    app.get_by_role("button", name="Cancel").click()
    app.get_by_role("button", name="Add an account").click()
    paste(phone, good)
    app.get_by_role("button", name="Add the account").click()
    expect(app.get_by_text("This QR code is not valid.")).to_be_visible()
    assert phone.idb_accounts() == 0


def test_expired_enrolment_offline_and_camera_refused(site, phone, phone_browser, tmp_path, request):  # noqa: F811
    app = phone.page
    flows.create_account(site)
    _shot, text = start_adding(site, tmp_path)
    phone.open()
    app.get_by_role("button", name="Add an account").click()
    # No network: said, nothing sent.
    phone.context.set_offline(True)
    paste(phone, text)
    app.get_by_role("button", name="Add the account").click()
    expect(app.get_by_text("No connection to the server.")).to_be_visible()
    phone.check("offline when the network is needed")
    phone.context.set_offline(False)
    # The QR code expired meanwhile (the operator's clock moves on: the enrolment is made old).
    code = ("from datetime import timedelta; from limen.core import clock; "
            "from limen.factors.mobile_app.models import Enrolment; "
            "Enrolment.objects.update(expires=clock.now() - timedelta(seconds=1))")
    subprocess.run(site.server._limen("shell", "-c", code), env=site.server.env, cwd=site.server.data_dir,
                   check=True, capture_output=True, timeout=60)
    app.get_by_role("button", name="Add the account").click()
    expect(app.get_by_text("This QR code has expired.")).to_be_visible()
    phone.check("expired enrolment")
    assert phone.idb_accounts() == 0

    # The camera refused: explained, and the paste box is offered.
    refused = Phone(phone_browser, site.url, screenshots_dir(request), camera=False, name="no-camera")
    try:
        refused.open()
        refused.page.get_by_role("button", name="Add an account").click()
        refused.page.get_by_role("button", name="Scan the QR code").click()
        expect(refused.page.get_by_text("The app may not use the camera.")).to_be_visible()
        expect(refused.page.get_by_label("Or paste the QR code as text")).to_be_focused()
        refused.check("camera refused")
    finally:
        refused.close()


def test_storage_cleared_by_the_browser(site, phone, tmp_path):  # noqa: F811
    page, app = site.page, phone.page
    email = enrolled(site, phone, tmp_path)
    app.get_by_role("button", name="Continue").click()
    app.evaluate("() => new Promise((resolve) => { const r = indexedDB.deleteDatabase('limen-app'); "
                 "r.onsuccess = r.onerror = r.onblocked = () => resolve(); })")
    app.reload()
    expect(app.get_by_text("The browser has removed this app's keys")).to_be_visible()
    expect(app.get_by_text(email)).to_be_visible()
    phone.check("storage cleared")
    # The website lists the old device, to be removed (with another verification method, or by the support desk).
    site.goto("/account/mobile/")
    expect(page.get_by_role("link", name="Remove My phone")).to_be_visible()
    app.get_by_role("button", name="I understand").click()
    expect(phone.heading("Welcome to the Limen Authenticator")).to_be_visible()
    expect(app.get_by_text("The browser has removed")).to_have_count(0)



# A slow phone: every IndexedDB open answers after DELAY ms, and the page counts what is in flight.
SLOW_STORAGE = """(() => {
  const delay = %d;
  const state = window.__storage = { opened: 0, busy: 0, quietSince: performance.now() };
  const open = IDBFactory.prototype.open;
  IDBFactory.prototype.open = function (...args) {
    const request = open.apply(this, args);
    let handler = null;
    state.opened += 1;
    state.busy += 1;
    Object.defineProperty(request, "onsuccess", { get: () => handler, set: (fn) => { handler = fn; } });
    request.addEventListener("success", (event) => setTimeout(() => {
      state.busy -= 1;
      state.quietSince = performance.now();
      if (handler) handler.call(request, event);
    }, delay));
    return request;
  };
})();"""


def test_a_slow_phone_keeps_the_screen_the_person_chose(site, phone):  # noqa: F811
    # The app re-reads its accounts after it opened (what waits now); when storage is slow, that late read
    # must not put the welcome screen back over "Add an account", which the person chose meanwhile.
    app = phone.page
    phone.context.add_init_script(SLOW_STORAGE % 700)
    phone.open()
    expect(phone.heading("Welcome to the Limen Authenticator")).to_be_visible()
    # Opening, the app reads its accounts to draw the welcome and to start the live channel (reads 1, 2), again
    # to ask each server what waits and to start the channel (3, 4), and once answered it draws the home
    # screen again from a fresh read (5). The person taps during that last read.
    app.wait_for_function("() => window.__storage.opened >= 5 && window.__storage.busy > 0")
    app.get_by_role("button", name="Add an account").click()
    expect(phone.heading("Add an account")).to_be_visible()
    # Every storage read has answered and none started for a second: whatever the app meant to show, it has.
    app.wait_for_function("() => window.__storage.busy === 0 && performance.now() - window.__storage.quietSince > 1000")
    expect(phone.heading("Add an account")).to_be_visible()
    expect(app.get_by_role("button", name="Scan the QR code")).to_be_visible()



# The page keeps every camera stream it opens, to tell whether it is still filming; the browser takes
# window.__cameraDelay ms to give the camera (the time a person takes to allow it).
CAMERA_WATCH = """(() => {
  window.__streams = [];
  window.__cameraDelay = 0;
  const open = MediaDevices.prototype.getUserMedia;
  MediaDevices.prototype.getUserMedia = async function (...args) {
    await new Promise((resolve) => setTimeout(resolve, window.__cameraDelay));
    const stream = await open.apply(this, args);
    window.__streams.push(stream);
    return stream;
  };
})();"""
FILMING = "() => window.__streams.map((s) => s.getVideoTracks()[0].readyState)"


def test_leaving_the_scanner_turns_the_camera_off(site, phone):  # noqa: F811
    app = phone.page
    phone.camera.blank_camera()  # nothing to read: the camera keeps looking
    phone.context.add_init_script(CAMERA_WATCH)
    phone.open()
    app.get_by_role("button", name="Add an account").click()
    app.get_by_role("button", name="Scan the QR code").click()
    app.wait_for_function(f"() => ({FILMING})().join() === 'live'")
    # A second tap starts again with one camera, not two, and the view shows the new one.
    app.get_by_role("button", name="Scan the QR code").click()
    app.wait_for_function(f"() => ({FILMING})().join() === 'ended,live'")
    assert app.evaluate("() => document.querySelector('.scanner video').srcObject === window.__streams[1]")
    expect(app.locator(".scanner")).to_be_visible()
    # The phone's back button, while the camera films: it stops filming.
    app.go_back()
    expect(phone.heading("Welcome to the Limen Authenticator")).to_be_visible()
    app.wait_for_function(f"() => ({FILMING})().join() === 'ended,ended'")
    # Leaving while the browser is still asking for the camera: the camera it then gives is turned off.
    app.evaluate("() => { window.__cameraDelay = 1500; }")
    app.get_by_role("button", name="Add an account").click()
    app.get_by_role("button", name="Scan the QR code").click()
    app.go_back()
    expect(phone.heading("Welcome to the Limen Authenticator")).to_be_visible()
    app.wait_for_function("() => window.__streams.length === 3", timeout=10_000)
    app.wait_for_function(f"() => ({FILMING})().join() === 'ended,ended,ended'")


def test_an_answer_that_comes_late_does_not_cover_the_next_screen(site, phone, tmp_path):  # noqa: F811
    page, app = site.page, phone.page
    email = enrolled(site, phone, tmp_path)
    app.get_by_role("button", name="Continue").click()
    expect(phone.heading(email)).to_be_visible()
    held = Held(app)
    held.hold(r"^POST .*/answer$")  # the app's answer waits until the test lets it go
    flows.sign_out(site, check=False)
    sign_in_with(site, email, "Mobile app PIN code")
    number = page.locator(".match-number").text_content().strip()
    expect(phone.heading("Sign-in request")).to_be_visible(timeout=10_000)
    app.locator(f".number-choice input[value='{number}']").check()
    app.get_by_label("Your 4-digit PIN code").fill(PIN)
    app.get_by_role("button", name="Approve", exact=True).click()
    held.wait_held()
    # Not waiting for the answer, the person opens the one-time password screen; then the answer goes.
    app.evaluate("() => { window.location.hash = '#otp'; }")
    expect(phone.heading("One-time password")).to_be_visible()
    held.release()
    # The approval still counts: the browser goes on...
    expect(heading(page, "My Account")).to_be_visible(timeout=10_000)
    held.settled()
    # ...but the screen the person chose stays.
    expect(phone.heading("One-time password")).to_be_visible()
    expect(phone.heading("Approved")).to_have_count(0)
    app.get_by_role("button", name="Cancel").click()
    expect(phone.heading(email)).to_be_visible()
    expect(app.get_by_text("No sign-in request is waiting.")).to_be_visible()
