"""Time from approval in the app to the browser moving on (PIN push sign-in).

Each round: a browser signs in with "Mobile app PIN code" (the request is
created), opens the status long poll exactly as static/limen/mobile-wait.js
does, and the app (limen_authenticator's own client) approves. Measured:

- wake-up: from the moment the app sends its approval to the moment the
  browser's long poll answers "approved" (what the issue asks for);
- moved on: the same, plus the browser's "Continue" POST that finishes the
  sign-in (what the person sees: the next page).

Run for one gunicorn worker (the approval and the waiting browser are in the
same process: woken at once) and for two (they are often in different
processes: woken by the database poller, LIMEN_PUSH_POLL_MS).

    .venv/bin/python bench/mobile_push_latency.py --rounds 200
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from mobile_common import Browser, PIN, Server, enrol_app, summary  # noqa: E402


def run(workers: int, rounds: int, poll_ms: int) -> dict:
    from limen_authenticator import app as authenticator

    server = Server(workers=workers, threads=8, env={"LIMEN_PUSH_POLL_MS": str(poll_ms)}).start()
    try:
        email = "bench@example.org"
        server.create_user(email)
        state = Path(tempfile.mkdtemp()) / "state.json"
        account = enrol_app(server, email, state)
        wake, moved = [], []
        for _ in range(rounds):
            browser = Browser(server)
            browser.sign_in(email, "mobile_app_pin")
            browser.http.get(server.url + "/login/mobile/", timeout=10)  # sends the request to the app
            result = {}

            def poll():
                result["state"] = browser.status("pending")
                result["woke"] = time.perf_counter()

            thread = threading.Thread(target=poll)
            thread.start()
            request = authenticator.find_request([account], None)
            time.sleep(0.05)  # the long poll is open and waiting, as in a real browser
            sent = time.perf_counter()
            authenticator.approve(request, PIN)
            thread.join(30)
            assert result.get("state") == "approved", result
            response = browser.continue_()
            done = time.perf_counter()
            assert response.url.endswith("/account/"), response.url
            wake.append((result["woke"] - sent) * 1000)
            moved.append((done - sent) * 1000)
        return {"workers": workers, "poll_ms": poll_ms, "wake": wake, "moved": moved}
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--poll-ms", type=int, default=250)
    args = parser.parse_args()
    for workers in (1, 2):
        result = run(workers, args.rounds, args.poll_ms)
        print(f"workers={workers} LIMEN_PUSH_POLL_MS={args.poll_ms}")
        print(f"  approval -> long poll answers 'approved': {summary(result['wake'])}")
        print(f"  approval -> next page loaded (Continue): {summary(result['moved'])}", flush=True)


if __name__ == "__main__":
    main()
