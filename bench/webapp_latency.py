"""The web app (PWA) in Chromium: time from approval in the app to the browser moving on, and from sign-in to
the Web Push notification reaching the push service.

One server (`limen serve`, 2 gunicorn workers), two headless Chromiums on this machine: a computer that signs
in with *Mobile app PIN code* through the pages, and a phone (375×812) holding the web app, enrolled by pasting
the QR code's text, open on its home screen (its live channel, the long poll, receives the request). Its Web
Push subscription points at a receiver in this process (tests/support/push_receiver.py: VAPID checked, message
decrypted), as no browser push service is reachable here. Per round:

- sign-in → push received: from the click on *Sign in* (password page, PIN push chosen) to the receiver having
  the decrypted message (the server queues it, its delivery thread encrypts, signs and posts it);
- approval → browser moved on: from the click on *Approve* in the app (number typed, PIN typed) to the
  computer's page having loaded My Account (WebCrypto proof, signed request, the browser's long poll woken,
  its Continue POST and the next page).

    .venv/bin/python bench/webapp_latency.py --rounds 50
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from mobile_common import PASSWORD, PIN, Server, summary  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from limen_protocol import payloads  # noqa: E402
from tests.support.push_receiver import PushReceiver  # noqa: E402

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
FAKE_SUBSCRIPTION = """(s) => { const m = {endpoint: s.endpoint, toJSON: () => s, getKey: () => null};
  PushManager.prototype.subscribe = async () => m; PushManager.prototype.getSubscription = async () => m; }"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=50)
    args = parser.parse_args()
    receiver = PushReceiver()
    server = Server(workers=2, threads=8, env={"LIMEN_WEBPUSH_ENDPOINTS": receiver.origin + "/push/"}).start()
    email = "bench@example.org"
    pushed, moved = [], []
    try:
        server.create_user(email)
        payload = payloads.enrolment_uri(server.url, server.enrolment_token(email))
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            phone = browser.new_context(viewport={"width": 375, "height": 812}, has_touch=True, is_mobile=True)
            phone.grant_permissions(["notifications"], origin=server.url)
            phone.add_init_script(f"({FAKE_SUBSCRIPTION})({json.dumps(receiver.subscription())})")
            app = phone.new_page()
            app.goto(server.url + "/app/")
            app.get_by_role("button", name="Add an account").click()
            app.get_by_label("Or paste the QR code as text").fill(payload)
            app.get_by_role("button", name="Continue").click()
            app.get_by_role("button", name="Add the account").click()
            app.get_by_label("The PIN code you chose on the website").fill(PIN)
            app.get_by_label("The same PIN code again").fill(PIN)
            app.get_by_role("button", name="Authenticate").click()
            app.get_by_role("button", name="Turn on notifications").click()
            app.get_by_text("Notifications are on.").wait_for()
            app.get_by_role("button", name="Continue").click()
            for _ in range(args.rounds):
                computer = browser.new_context()
                page = computer.new_page()
                page.goto(server.url + "/login/")
                page.get_by_label("E-mail", exact=True).fill(email)
                page.get_by_role("button", name="Next").click()
                page.get_by_label("Mobile app PIN code").check()
                page.get_by_label("Password", exact=True).fill(PASSWORD)
                before = len(receiver.deliveries)
                started = time.monotonic()
                page.get_by_role("button", name="Sign in").click()
                delivery = receiver.wait(before + 1)[before]
                pushed.append((delivery.at - started) * 1000)
                number = page.locator(".match-number").text_content().strip()
                app.get_by_role("heading", name="Sign-in request").wait_for(timeout=15_000)
                app.get_by_label("Or type the number").fill(number)
                app.get_by_label("Your 4-digit PIN code").fill(PIN)
                started = time.perf_counter()
                app.get_by_role("button", name="Approve", exact=True).click()
                page.wait_for_url(server.url + "/account/", timeout=15_000, wait_until="load")
                moved.append((time.perf_counter() - started) * 1000)
                app.get_by_role("button", name="Back").click()
                computer.close()
            browser.close()
    finally:
        server.stop()
        receiver.close()
    print(f"rounds: {args.rounds}")
    print(f"sign-in -> push received by the push service: {summary(pushed)}")
    print(f"approval in the web app -> browser moved on (My Account loaded): {summary(moved)}")


if __name__ == "__main__":
    main()
