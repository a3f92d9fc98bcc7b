"""Waiting connections: how many mobile apps one `limen serve` worker process holds in the long poll,
at what memory per wait, how fast a sign-in request and an approval wake them, and whether other
requests keep their latency meanwhile.

Two instances share one SQLite database (and secret key): A, the one measured, with ONE worker
process; B, another instance (one worker). N apps (bench/mobile_waiters.py, each an enrolled device
with its own key) hold GET /mobile/api/v1/challenges/wait open on A and wait again as soon as they
are answered, as the app does. Then, per round:

- GET /login/ on A, sequentially: its latency, against the same before the apps came;
- sign-in requests: a browser signs in with "Mobile app PIN code" on A (same instance) or B (another
  instance); from the moment it asks for the page that sends the request to the moment the waiting
  app has it;
- approvals: the browser waits on A's status long poll; the app approves through A or B; from the
  approval sent to the browser's poll answering "approved";
- CPU-seconds used by A (all its processes) and the wall clock, and the load average.

At the end, optionally, rounds of K bad clients (a wait then gone, half a request, never reading, silent)
and A's worker's descriptors and memory after each (with --memprobe, Python's and the C allocator's
figures from inside the worker: bench/memprobe/sitecustomize.py). Rerun (from the repository root):

    .venv/bin/python bench/mobile_waiting_connections.py --waits 10000 --rounds 3 --samples 20 \\
        --bad-clients 10000 --json bench/work/waiting.json
    # a leak or the allocators? rounds of bad clients, with a report from inside the worker after each
    .venv/bin/python bench/mobile_waiting_connections.py --waits 5000 --rounds 0 --bad-clients 10000 \\
        --idle-rounds 2 --idle-seconds 30 --bad-rounds 6 --memprobe --json bench/work/bad-clients.json
    # before: gunicorn gthread, a wait holds a thread
    .venv/bin/python bench/mobile_waiting_connections.py --server sync --waits 500 --rounds 1 --samples 2
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import requests  # noqa: E402

from harness import cpu_seconds  # noqa: E402
from mobile_common import PASSWORD, PIN, Browser, Server, free_port, percentile  # noqa: E402
from mobile_waiters import Fleet, wait_request  # noqa: E402

CREATE = r"""
import json, sys
from django.contrib.auth.hashers import make_password
from limen.accounts.models import User
from limen.factors.mobile_app import sealing
from limen.factors.mobile_app.models import DeviceStatus, MobileDevice
from limen_protocol import pin
secret = b"k" * 32
sealed = sealing.seal(sealing.DeviceSecrets(key=secret, verifier=pin.verifier(secret, "4706"),
                                            pin_hash=pin.ocra_pin_hash("4706")))
keys = json.load(sys.stdin)
password = make_password(%r)
users = User.objects.bulk_create([User(email=f"app{i}@example.org", password=password, first_name="A", last_name="B",
                                       email_verified=True) for i in range(len(keys))], batch_size=2000)
users = list(User.objects.filter(email__startswith="app").order_by("id"))
devices = MobileDevice.objects.bulk_create([MobileDevice(user=u, name="app", status=DeviceStatus.ACTIVE, public_key=k,
                                                         sealed=sealed) for u, k in zip(users, keys)], batch_size=2000)
print(json.dumps([d.public_id for d in MobileDevice.objects.order_by("user_id")]))
""" % PASSWORD
SECRET = b"k" * 32


def proc(pid: int) -> dict:
    status = {k: (v.split() or [""])[0] for k, _, v in (line.partition(":") for line in
                                                        Path(f"/proc/{pid}/status").read_text().splitlines())}
    return {"rss_kib": int(status["VmRSS"]), "threads": int(status["Threads"]),
            "fds": len(os.listdir(f"/proc/{pid}/fd"))}


def worker_of(server: Server) -> int:
    return server.worker_pids()[0]


def probe(url: str, count: int) -> list[float]:
    times = []
    for _ in range(count):
        start = time.perf_counter()
        try:
            ok = requests.get(url + "/login/", timeout=10).status_code == 200
        except requests.RequestException:
            ok = False
        times.append((time.perf_counter() - start) * 1000 if ok else float("inf"))
    return times


def settle(server: Server, *, fds_at_least: int = 0, limit: float = 600) -> float:
    """Wait until A's worker holds ``fds_at_least`` descriptors (97 %: some apps are renewing their wait
    at any moment) and then until its CPU use falls under a third of a core; seconds waited."""
    start, pid = time.monotonic(), worker_of(server)
    while time.monotonic() - start < limit and proc(pid)["fds"] < fds_at_least * 0.97:
        time.sleep(1.0)
    before, quiet = cpu_seconds(server.process.pid), 0
    while time.monotonic() - start < limit and quiet < 2:
        time.sleep(1.0)
        now = cpu_seconds(server.process.pid)
        quiet = quiet + 1 if now - before < 0.33 else 0
        before = now
    return time.monotonic() - start


def approve(server: Server, key, device_id: str, challenge: dict) -> int:
    from limen_authenticator.client import Client
    from limen_protocol import b64
    from limen_protocol import pin as pin_protocol

    context = pin_protocol.answer_context(challenge["id"], "approve", challenge["number"])
    proof = b64.encode(pin_protocol.proof_from_pin(SECRET, PIN, context))
    Client(server.url, key, device_id, timeout=30).call(
        "POST", f"challenges/{challenge['id']}/answer",
        {"decision": "approve", "number": challenge["number"], "pin_proof": proof})
    return 200


def sample(a: Server, via: Server, fleet: Fleet, keys, ids, j: int) -> dict:
    """One sign-in of app j's person through ``via``: the request reaching the app; the approval the browser."""
    browser = Browser(via)
    browser.sign_in(f"app{j}@example.org", "mobile_app_pin")
    sent = time.perf_counter()
    browser.http.get(via.url + "/login/mobile/", timeout=30)  # sends the request
    got = fleet.wait_for_request_to(ids[j], timeout=30)
    if got is None:
        return {"app_ms": None, "browser_ms": None}
    app_ms = (got[0] - sent) * 1000
    result = {}

    def status():
        answer = browser.http.get(f"{a.url}/login/mobile/status/?known=pending&wait=20", timeout=40)
        result["at"] = time.perf_counter()
        result["state"] = answer.json()["state"] if answer.status_code == 200 else f"HTTP {answer.status_code}"

    waiter = threading.Thread(target=status)
    waiter.start()
    time.sleep(0.2)  # the browser's long poll is open on A
    approved = time.perf_counter()
    approve(via, keys[j], ids[j], got[1])
    answered = time.perf_counter()
    waiter.join(40)
    browser_ms = (result["at"] - approved) * 1000 if result.get("state") == "approved" else None
    return {"app_ms": app_ms, "browser_ms": browser_ms, "approve_call_ms": (answered - approved) * 1000,
            "browser_after_approve_answer_ms": (result["at"] - answered) * 1000 if browser_ms else None}


def bad_clients(port: int, key, device_id: str, cycles: int) -> list[socket.socket]:
    left_open = []
    for i in range(cycles):
        sock = socket.create_connection(("127.0.0.1", port))
        kind = i % 4
        if kind == 0:
            sock.sendall(wait_request(key, device_id, 60, []))
            sock.close()
        elif kind == 1:
            sock.sendall(b"GET /login/ HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Half: ")
            left_open.append(sock)
        elif kind == 2:
            sock.sendall(b"GET /login/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            left_open.append(sock)
        else:
            sock.close()
        if len(left_open) > 4000:  # our own descriptors
            for s in left_open:
                s.close()
            left_open.clear()
    return left_open


def memprobe(folder: Path | None, pid: int, label: str, limit: float = 120) -> dict | None:
    """Ask the worker's memory probe (bench/memprobe) for a report; None without --memprobe."""
    if folder is None:
        return None
    (folder / f"ask-{label}").touch()
    path = folder / f"{pid}-{label}.json"
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if path.exists():
            return json.loads(path.read_text())
        time.sleep(0.5)
    return {"error": "no report"}


def wait_for_hub(folder: Path | None, pid: int, waits: int, limit: float = 300) -> int | None:
    """With the probe: wait until A's hub holds 97 % of ``waits`` (a connection counted in /proc/<pid>/fd
    may still queue for a thread: under load, "CPU quiet" is not "all served"); the waits it holds."""
    if folder is None:
        return None
    deadline, n, held = time.monotonic() + limit, 0, 0
    while time.monotonic() < deadline:
        n += 1
        held = (memprobe(folder, pid, f"hub{time.monotonic_ns()}-{n}") or {}).get("hub", {}).get("waiting", 0)
        if held >= waits * 0.97:
            break
        time.sleep(1.0)
    return held


def _memory_line(probe: dict | None) -> str:
    if not probe or "gc_objects" not in probe:
        return ""
    pym, mal = probe["pymalloc"], probe["malloc"]
    line = f"; gc objects {probe['gc_objects']}, hub {probe.get('hub')}"
    if pym:  # none under tracemalloc (it wraps the allocator; sys._debugmallocstats then prints nothing)
        line += (f"; pymalloc {pym['arenas']} arenas, {pym['allocated_bytes'] >> 10} KiB in blocks, "
                 f"{(pym['available_bytes'] + pym['unused_pool_bytes']) >> 10} KiB free in them")
    line += (f"; malloc {mal['in_use_kib']} KiB in use, {mal['free_kept_kib']} KiB free kept, "
             f"{mal['mmapped_kib']} KiB mmapped")
    if "traced_kib" in probe:
        line += f"; tracemalloc {probe['traced_kib']} KiB traced"
    return line


def bad_rounds(a: Server, key, device_id: str, args, probe_dir: Path | None) -> dict:
    """``--idle-rounds`` rounds of nothing but the waits renewing (the control), then ``--bad-rounds`` rounds
    of ``--bad-clients`` bad clients; after each, A's worker's descriptors and RSS (and the probe's
    report) once the bad connections are gone and 12 s more: a leak grows every round, memory the
    allocator keeps after the first round's peak does not."""
    pid = worker_of(a)
    wait_for_hub(probe_dir, pid, args.waits, limit=120)
    before = proc(pid)
    result = {"cycles": args.bad_clients, "before": before, "probe_before": memprobe(probe_dir, pid, "before"),
              "idle_rounds": [], "rounds": []}
    print(f"before bad clients: fds {before['fds']}, RSS {before['rss_kib']} KiB{_memory_line(result['probe_before'])}",
          flush=True)
    for n in range(args.idle_rounds):
        cpu = cpu_seconds(a.process.pid)
        time.sleep(args.idle_seconds)
        held = wait_for_hub(probe_dir, pid, args.waits, limit=120)
        after = proc(pid)
        round_ = {"held": held, "cpu_s": cpu_seconds(a.process.pid) - cpu, "after": after, "load_average": os.getloadavg()[0],
                  "probe": memprobe(probe_dir, pid, f"idle{n + 1}")}
        result["idle_rounds"].append(round_)
        print(f"idle round {n + 1} ({args.idle_seconds:.0f} s, waits renewing): fds {after['fds']}, RSS "
              f"{after['rss_kib']} KiB{_memory_line(round_['probe'])}", flush=True)
    for n in range(args.bad_rounds):
        started, cpu = time.monotonic(), cpu_seconds(a.process.pid)
        left = bad_clients(a.port, key, device_id, args.bad_clients)
        sent = time.monotonic() - started
        deadline = time.monotonic() + 120  # the server's head and keep-alive timeouts close what is left
        while proc(pid)["fds"] > before["fds"] + 20 and time.monotonic() < deadline:
            time.sleep(0.5)
        time.sleep(12)
        for sock in left:
            sock.close()
        held = wait_for_hub(probe_dir, pid, args.waits, limit=120)  # compare with (nearly) all waits held
        after = proc(pid)
        round_ = {"sent_s": sent, "held": held, "wall_s": time.monotonic() - started, "cpu_s": cpu_seconds(a.process.pid) - cpu,
                  "after": after, "load_average": os.getloadavg()[0],
                  "probe": memprobe(probe_dir, pid, f"round{n + 1}")}
        result["rounds"].append(round_)
        print(f"bad round {n + 1}: {args.bad_clients} in {sent:.0f} s, fds {before['fds']} -> {after['fds']}, RSS "
              f"{before['rss_kib']} -> {after['rss_kib']} KiB{_memory_line(round_['probe'])}", flush=True)
    result["after"] = result["rounds"][-1]["after"] if result["rounds"] else before
    result["probe_trim"] = memprobe(probe_dir, pid, "trim")
    if result["probe_trim"] and "rss_after_trim_kib" in result["probe_trim"]:
        print(f"malloc_trim(0): RSS {result['probe_trim']['rss_kib']} -> {result['probe_trim']['rss_after_trim_kib']} "
              f"KiB", flush=True)
    return result


def spread(values: list[float]) -> dict:
    good = [v for v in values if v is not None and v != float("inf")]
    return {"n": len(values), "answered": len(good), "p50": percentile(good, 50) if good else None,
            "p90": percentile(good, 90) if good else None, "p99": percentile(good, 99) if good else None,
            "max": max(good) if good else None}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--waits", type=int, default=10000)
    parser.add_argument("--server", choices=("async", "sync"), default="async")
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--samples", type=int, default=20, help="sign-ins per instance per round")
    parser.add_argument("--bad-clients", type=int, default=0, help="bad clients per round (after the sign-ins)")
    parser.add_argument("--bad-rounds", type=int, default=1, help="rounds of --bad-clients, RSS and fds after each")
    parser.add_argument("--wait-seconds", type=int, default=120,
                        help="the apps' wait (timeout=, at most 120): they ask again when it ends")
    parser.add_argument("--idle-rounds", type=int, default=0, help="control: rounds with no bad client first")
    parser.add_argument("--idle-seconds", type=float, default=40.0)
    parser.add_argument("--memprobe", action="store_true",
                        help="Python objects and malloc figures from inside A's worker (bench/memprobe)")
    parser.add_argument("--tracemalloc", action="store_true", help="with --memprobe: tracemalloc in A's worker")
    parser.add_argument("--ramp-limit", type=float, default=600)
    parser.add_argument("--redis", action="store_true", help="start a redis-server; both instances use it")
    parser.add_argument("--probes", type=int, default=30, help="GET /login/ per measurement (3 with --server sync)")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    probes = args.probes if args.server == "async" else min(args.probes, 3)  # each may take its 10 s timeout
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # stop the servers on the way out
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    env = {"LIMEN_PUSH_WAIT_SECONDS": str(args.wait_seconds), "LIMEN_MAX_WAITS": str(max(10000, args.waits + 100)),
           "LIMEN_HEADER_TIMEOUT": "5",
           # A request that queues behind others on a loaded machine must not turn stale (401), then count
           # against this one IP's limit of failed device authentications (all 429 after 60)
           "LIMEN_MOBILE_CLOCK_SKEW": "600"}
    redis = None
    if args.redis:
        redis_port = free_port()
        redis = subprocess.Popen(["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "",
                                  "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        env["LIMEN_REDIS_URL"] = f"redis://127.0.0.1:{redis_port}/0"
        time.sleep(1.0)
    probe_dir = None
    env_a = dict(env)
    if args.memprobe:
        probe_dir = Path(tempfile.mkdtemp(prefix="limen-memprobe-"))
        env_a.update({"LIMEN_BENCH_MEMPROBE": str(probe_dir), "LIMEN_BENCH_TRACEMALLOC": "1" if args.tracemalloc else "0",
                      "LIMEN_BENCH_TRACEMALLOC_FRAMES": os.environ.get("LIMEN_BENCH_TRACEMALLOC_FRAMES", "1"),
                      "PYTHONPATH": f"{Path(__file__).parent / 'memprobe'}:{Path(__file__).parents[1] / 'src'}"})
    a = Server(workers=1, threads=args.threads, env=env_a, server=args.server).start()
    b = Server(workers=1, threads=4, env=env, data_dir=a.data_dir).start()
    report: dict = {"date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), "server": args.server,
                    "redis": args.redis, "memprobe": args.memprobe, "tracemalloc": args.tracemalloc,
                    "threads": args.threads, "waits": args.waits, "cores": os.cpu_count(), "rounds": []}
    fleet = None
    try:
        from limen_authenticator.keys import DeviceKey

        keys = [DeviceKey.generate() for _ in range(args.waits)]
        ids = json.loads(a.limen("shell", "--no-imports", "-c", CREATE,
                                 stdin=json.dumps([k.public_key() for k in keys])).strip().splitlines()[-1])
        pid = worker_of(a)
        report["probe_idle_ms"] = spread(probe(a.url, probes))
        report["idle"] = proc(pid)
        fleet = Fleet(a.port, keys, ids, timeout=args.wait_seconds)
        # A tenth first, to measure from a worker that has served waits (code loaded, pools and caches
        # filled); then the rest: memory per wait is the slope between the two.
        first = max(1, args.waits // 10)
        fleet.start(range(0, first))
        settle(a, fds_at_least=first, limit=args.ramp_limit)
        wait_for_hub(probe_dir, pid, first)
        report["warm"] = proc(pid)
        cpu0, wall0 = cpu_seconds(a.process.pid), time.monotonic()
        # At the pace the worker takes them: a request that queues for over a minute would carry a stale
        # timestamp (refused, and counted against this one IP's limit of failed device authentications).
        for start in range(first, args.waits, 500):
            stop = min(start + 500, args.waits)
            fleet.start(range(start, stop), batch=100, pause=0.05)
            deadline = time.monotonic() + args.ramp_limit
            while proc(pid)["fds"] - report["idle"]["fds"] < stop * 0.97 and time.monotonic() < deadline:
                time.sleep(0.2)
        waited = settle(a, fds_at_least=args.waits, limit=args.ramp_limit)
        if probe_dir is not None:
            report["hub_held"] = wait_for_hub(probe_dir, pid, args.waits, limit=args.ramp_limit)
        waited = time.monotonic() - wall0  # the whole ramp
        report["ramp"] = {"waits": args.waits - first, "wall_s": waited, "cpu_s": cpu_seconds(a.process.pid) - cpu0,
                          "load_average": os.getloadavg()[0]}
        report["loaded"] = proc(pid)
        held = report["loaded"]["fds"] - report["idle"]["fds"]
        report["held"] = held
        added = report["loaded"]["fds"] - report["warm"]["fds"]
        report["rss_per_wait_kib"] = (report["loaded"]["rss_kib"] - report["warm"]["rss_kib"]) / max(1, added)
        print(f"ramp: {held} waits held ({args.waits - first} opened in {waited:.0f} s with "
              f"{report['ramp']['cpu_s']:.1f} CPU-s); worker RSS idle {report['idle']['rss_kib'] / 1024:.0f}, "
              f"{report['warm']['fds'] - report['idle']['fds']} waits {report['warm']['rss_kib'] / 1024:.0f}, "
              f"{held} waits {report['loaded']['rss_kib'] / 1024:.0f} MiB: {report['rss_per_wait_kib']:.1f} KiB "
              f"per wait", flush=True)
        j = 0
        for r in range(args.rounds):
            cpu, wall, load = cpu_seconds(a.process.pid), time.monotonic(), os.getloadavg()[0]
            round_ = {"probe_ms": probe(a.url, probes), "same": [], "other": [], "answers_before": fleet.answers}
            for s in range(args.samples * 2):
                via, where = (a, "same") if s % 2 == 0 else (b, "other")
                j += 1
                try:
                    round_[where].append(sample(a, via, fleet, keys, ids, j % args.waits))
                except Exception as error:  # noqa: BLE001 - counted as not answered, and kept in the report
                    round_[where].append({"app_ms": None, "browser_ms": None, "error": repr(error)[:200]})
            round_.update({"cpu_s": cpu_seconds(a.process.pid) - cpu, "wall_s": time.monotonic() - wall,
                           "load_average": [load, os.getloadavg()[0]], "renewals": fleet.answers})
            report["rounds"].append(round_)
            line = [f"round {r + 1}: GET /login/ {spread(round_['probe_ms'])['p50']} ms p50"]
            for where in ("same", "other"):
                app = spread([x["app_ms"] for x in round_[where]])
                browser = spread([x["browser_ms"] for x in round_[where]])
                line.append(f"{where} instance: request->app p50 {app['p50']} p99 {app['p99']} ms, "
                            f"approval->browser p50 {browser['p50']} p99 {browser['p99']} ms")
            print("; ".join(line) + f"; CPU {round_['cpu_s']:.1f} s in {round_['wall_s']:.0f} s", flush=True)
        report["loaded_after_rounds"] = proc(pid)
        if args.bad_clients:
            report["bad_clients"] = bad_rounds(a, keys[0], ids[0], args, probe_dir)
        report["fleet_errors"] = fleet.errors[:10]
        report["fleet_error_count"] = len(fleet.errors)
    finally:
        if fleet is not None:
            fleet.stop()
        for server, name in ((a, "a"), (b, "b")):  # kept for reading: bench/work/ is not committed
            log = server.data_dir / f"server-{server.port}.log"
            if log.exists():
                (Path(__file__).parent / "work").mkdir(exist_ok=True)
                (Path(__file__).parent / "work" / f"waiting-server-{name}.log").write_bytes(log.read_bytes())
        b.stop()
        a.stop()
        if redis is not None:
            redis.terminate()
        if probe_dir is not None:
            shutil.rmtree(probe_dir, ignore_errors=True)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=1, default=str) + "\n")


if __name__ == "__main__":
    main()
