"""Web Push end to end: Limen signs (VAPID) and encrypts (RFC 8291) a push for the app's subscription; a real
receiver started here (a browser's push service is out of reach) checks and decrypts it; the message is
handed to the app's service worker (DevTools' ServiceWorker.deliverPushMessage), which shows a notification
that opens the request. The app, closed, then approves it."""

from __future__ import annotations

import json
import time

import pytest
from playwright.sync_api import expect

from tests.support.push_receiver import PushReceiver

from . import flows
from .conftest import Site, _Browser
from .flows import heading
from .phone import Phone, PhoneBrowser, screenshots_dir
from .test_mobile_app import sign_in_with
from .test_webapp import PIN, start_adding

FAKE_SUBSCRIPTION = """(subscription) => {
  // No browser push service is reachable here: the subscription points at the test's receiver.
  const made = {endpoint: subscription.endpoint, expirationTime: null, options: {userVisibleOnly: true},
                getKey: () => null, toJSON: () => subscription, unsubscribe: async () => true};
  PushManager.prototype.subscribe = async function () { return made; };
  PushManager.prototype.getSubscription = async function () { return made; };
}"""


@pytest.fixture
def receiver():
    box = PushReceiver()
    yield box
    box.close()


def test_a_push_reaches_the_closed_app_and_opens_the_request(request, make_server, page, mailbox, receiver):
    server = make_server("webpush", LIMEN_WEBPUSH_ENDPOINTS=receiver.origin + "/push/")
    site = Site(page, server, mailbox, screenshots_dir(request))
    _Browser.get()
    phones = PhoneBrowser(_Browser.playwright)
    phone = Phone(phones, server.url, screenshots_dir(request))
    try:
        phone.context.grant_permissions(["camera", "notifications"], origin=server.url)
        phone.context.add_init_script(f"({FAKE_SUBSCRIPTION})({json.dumps(receiver.subscription())})")
        email = flows.create_account(site)
        _shot, text = start_adding(site, _tmp(site))
        phone.open()
        phone.add_account_by_paste(text, PIN)
        expect(phone.heading("Your account is ready")).to_be_visible()
        phone.page.get_by_role("button", name="Turn on notifications").click()
        expect(phone.page.get_by_text("Notifications are on.")).to_be_visible()
        phone.check("notifications on")
        phone.page.close()  # the app is closed: only a push can reach it

        flows.sign_out(site, check=False)
        started = time.monotonic()
        sign_in_with(site, email, "Mobile app PIN code")
        expect(heading(page, "Confirm in the mobile app")).to_be_visible()
        delivery = receiver.wait(1)[0]
        print(f"sign-in to push received: {(delivery.at - started) * 1000:.0f} ms")
        message = delivery.message
        assert message["type"] == "signin_request" and set(message) == {"type", "device", "request"}
        number = page.locator(".match-number").text_content().strip()
        assert number not in json.dumps(message).replace(message["device"], "").replace(message["request"], "")
        assert delivery.headers.get("urgency") == "high" and delivery.claims["k"]

        # The push service hands the message to the browser's service worker.
        probe = phone.new_page()
        probe.goto(server.url + "/login/")
        cdp = phone.context.new_cdp_session(probe)
        registrations, versions = {}, {}
        cdp.on("ServiceWorker.workerRegistrationUpdated",
               lambda event: registrations.update({r["scopeURL"]: r["registrationId"] for r in event["registrations"]
                                                   if not r.get("isDeleted")}))
        cdp.on("ServiceWorker.workerVersionUpdated",
               lambda event: versions.update({v["versionId"]: v for v in event["versions"]}))
        cdp.send("ServiceWorker.enable")

        def app_worker_active() -> bool:
            scope = registrations.get(server.url + "/app/")
            return any(v["registrationId"] == scope and v["status"] == "activated" for v in versions.values())

        deadline = time.monotonic() + 20
        while not app_worker_active() and time.monotonic() < deadline:
            probe.wait_for_timeout(50)
        cdp.send("ServiceWorker.deliverPushMessage", {
            "origin": server.url, "registrationId": registrations[server.url + "/app/"], "data": json.dumps(message)})
        notifications, deadline = [], time.monotonic() + 20  # the worker may have to start first
        while not notifications and time.monotonic() < deadline:
            probe.wait_for_timeout(50)
            notifications = probe.evaluate("""() => navigator.serviceWorker.getRegistration('/app/')
                .then((r) => r.getNotifications()).then((list) => list.map((n) => ({title: n.title, body: n.body,
                 tag: n.tag, url: n.data && n.data.url})))""")
        # Said on failure: where the push could have gone instead (an app window it took for visible?).
        seen = {"registrations": registrations, "pages": [p.url for p in phone.context.pages],
                "versions": [(v["registrationId"], v["status"], v["runningStatus"]) for v in versions.values()]}
        assert notifications and notifications[0]["title"] == "Sign-in request", (notifications, seen)
        assert notifications[0]["tag"] == message["request"] and number not in notifications[0]["body"]

        # Opening it shows the request; approving it clears it and the browser moves on.
        phone.page = phone.new_page()
        phone.page.goto(server.url + notifications[0]["url"])
        expect(phone.heading("Sign-in request")).to_be_visible()
        phone.page.get_by_label("Or type the number").fill(number)
        phone.page.get_by_label("Your 4-digit PIN code").fill(PIN)
        phone.page.get_by_role("button", name="Approve", exact=True).click()
        expect(heading(page, "My Account")).to_be_visible(timeout=5_000)
        expect(phone.heading("Approved")).to_be_visible()
        assert probe.evaluate("""() => navigator.serviceWorker.getRegistration('/app/')
            .then((r) => r.getNotifications()).then((list) => list.length)""") == 0

        # A push for a request already answered opens nothing to approve, and says so.
        phone.page.close()
        phone.page = phone.new_page()
        phone.page.goto(server.url + notifications[0]["url"])
        expect(phone.heading("Nothing to approve")).to_be_visible()
        phone.check("push for an answered request")
    finally:
        phone.close()
        phones.close()


def _tmp(site):
    path = site.shots / "tmp"
    path.mkdir(parents=True, exist_ok=True)
    return path
