"""How many waiting app connections (long polls of the built-in push channel) one server process holds.

One gunicorn worker (gthread) with T threads. N apps, each an enrolled device
with its own key, open GET /mobile/api/v1/challenges/wait and wait. Then, with
all of them waiting:

- a person signs in to an ordinary page (GET /login/): is it still served, and how fast?
- a sign-in request is sent to the last device: how long until its waiting app has it?
- the worker's resident memory and thread count.

A waiting request holds one worker thread for up to LIMEN_PUSH_WAIT_SECONDS
(gthread has no way to park a request), so N may approach T but not pass it;
the run with N > T shows what happens then.

    .venv/bin/python bench/mobile_waiting_connections.py --threads 64 256 1000
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import requests  # noqa: E402

from mobile_common import Browser, Server  # noqa: E402

CREATE_DEVICES = r"""
import json, sys
from limen.accounts.models import User
from limen.factors.mobile_app import sealing
from limen.factors.mobile_app.models import DeviceStatus, MobileDevice
from limen_protocol import pin
secret = b"k" * 32
sealed = sealing.seal(sealing.DeviceSecrets(key=secret, verifier=pin.verifier(secret, "4706"), pin_hash=pin.ocra_pin_hash("4706")))
out = []
for i, key in enumerate(json.load(sys.stdin)):
    email = f"app{i}@example.org"
    user = User.objects.filter(email=email).first() or User.objects.create_user(email, None, first_name="A", last_name="B", email_verified=True)
    if i == 0:
        user.set_password("Correct-Horse-42"); user.save()
    device = MobileDevice.objects.create(user=user, name=f"app {i}", status=DeviceStatus.ACTIVE, public_key=key, sealed=sealed)
    out.append(device.public_id)
print(json.dumps(out))
"""


def proc_status(pid: int) -> dict:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in {"VmRSS", "Threads"}:
            fields[key] = value.strip()
    return fields


def run(threads: int, apps: int, hold: float) -> dict:
    from limen_authenticator.client import Client
    from limen_authenticator.keys import DeviceKey

    server = Server(workers=1, threads=threads, env={"LIMEN_PUSH_WAIT_SECONDS": "120"}).start()
    try:
        keys = [DeviceKey.generate() for _ in range(apps)]
        ids = json.loads(server.limen("shell", "--no-imports", "-c", CREATE_DEVICES,
                                      stdin=json.dumps([k.public_key() for k in keys])).strip().splitlines()[-1])
        worker = server.worker_pids()[0]
        idle = proc_status(worker)
        results: dict[int, tuple[float, list]] = {}
        errors: list[str] = []

        def wait(i: int) -> None:
            client = Client(server.url, keys[i], ids[i], timeout=hold + 60)
            try:
                found = client.call("GET", f"challenges/wait?timeout={int(hold) + 30}")["challenges"]
                results[i] = (time.perf_counter(), found)
            except Exception as exc:  # noqa: BLE001 - reported
                errors.append(f"{type(exc).__name__}: {exc}")

        # Device 0 belongs to the person who will sign in; it starts waiting last.
        waiters = [threading.Thread(target=wait, args=(i,), daemon=True) for i in range(1, apps)]
        for t in waiters:
            t.start()
            time.sleep(0.002)
        time.sleep(3)
        last = threading.Thread(target=wait, args=(0,), daemon=True)
        last.start()
        time.sleep(2)
        loaded = proc_status(worker)
        returned_early = len(results)

        probe = []
        for _ in range(5):
            start = time.perf_counter()
            try:
                ok = requests.get(server.url + "/login/", timeout=5).status_code == 200
            except requests.RequestException:
                ok = False
            probe.append((time.perf_counter() - start) * 1000 if ok else float("inf"))

        browser = Browser(server)
        wake = None
        try:
            browser.http.get(server.url + "/login/", timeout=5)
            browser.sign_in("app0@example.org", "mobile_app_pin")
            sent = time.perf_counter()
            browser.http.get(server.url + "/login/mobile/", timeout=5)  # creates the request
            last.join(10)
            if 0 in results and results[0][1]:
                wake = (results[0][0] - sent) * 1000
        except (requests.RequestException, AttributeError) as exc:
            errors.append(f"sign-in during the load: {type(exc).__name__}")
        if errors:
            log = (server.data_dir / "server.log").read_text(errors="replace").splitlines()
            errors.insert(0, "server log: " + " | ".join(line for line in log if "Error" in line or "error" in line)[-600:])
        return {
            "threads": threads, "apps": apps, "returned_before_probe": returned_early,
            "probe_ms": probe, "wake_ms": wake, "idle": idle, "loaded": loaded, "errors": errors[:5],
            "error_count": len(errors),
        }
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, nargs="+", default=[64, 256, 1000])
    parser.add_argument("--over", type=int, default=16, help="also run with this many apps more than threads")
    parser.add_argument("--hold", type=float, default=90)
    args = parser.parse_args()
    for threads in args.threads:
        for apps in (threads - 8, threads + args.over):
            r = run(threads, apps, args.hold)
            probe = [p for p in r["probe_ms"] if p != float("inf")]
            print(f"threads={threads} waiting apps={apps}: returned early {r['returned_before_probe']}, "
                  f"errors {r['error_count']}; GET /login/ "
                  + (f"{statistics.median(probe):.0f} ms median ({len(probe)}/5 served)" if probe else "NOT served")
                  + "; new request reached the last app in "
                  + (f"{r['wake_ms']:.0f} ms" if r["wake_ms"] is not None else "— (not delivered)")
                  + f"; worker RSS {r['idle'].get('VmRSS')} idle -> {r['loaded'].get('VmRSS')} waiting, "
                  f"threads {r['loaded'].get('Threads')}", flush=True)
            if r["errors"]:
                print("   e.g.", r["errors"][:2], flush=True)


if __name__ == "__main__":
    main()
