"""`limen serve` (its asynchronous worker, in a subprocess) under waiting connections and bad clients.

With a few hundred apps waiting, thousands of clients that leave in the middle of a wait, never
read their answer, send half a request or connect and say nothing must not leak the server's
memory or file descriptors (/proc/<worker>/fd); the waits still answer, and an approval made by
another process (`limen shell`) still wakes the waiting app.

Two rounds of 1 000 bad clients here (the first warms up, the second is measured), to stay near a
minute on 2 cores; bench/mobile_waiting_connections.py --bad-clients 10000 runs the same cycles at
the benchmark's scale.
"""

from __future__ import annotations

import json
import resource
import socket
import subprocess
import time
from pathlib import Path

import pytest

from limen_authenticator.keys import DeviceKey
from limen_protocol import signing

from tests.support.limen_server import LimenServer

API = "/mobile/api/v1"
WAITING = 200
BAD_CYCLES = 1000
HEADER_TIMEOUT = 2

CREATE_DEVICES = """
from limen.accounts.models import User
from limen.factors.mobile_app import sealing
from limen.factors.mobile_app.models import DeviceStatus, MobileDevice
from limen_protocol import pin
secret = b"k" * 32
sealed = sealing.seal(sealing.DeviceSecrets(key=secret, verifier=pin.verifier(secret, "4706"),
                                            pin_hash=pin.ocra_pin_hash("4706")))
result = []
for i, key in enumerate({keys!r}):
    user = User.objects.create_user(f"app{{i}}@example.org", None, email_verified=True)
    result.append(MobileDevice.objects.create(user=user, name=f"app {{i}}", status=DeviceStatus.ACTIVE,
                                              public_key=key, sealed=sealed).public_id)
"""

NEW_REQUEST = """
from limen.factors.mobile_app.models import MobileDevice
from limen.factors.mobile_app.services import challenges
device = MobileDevice.objects.get(public_id={device!r})
result = challenges.create(user=device.user, device=device, application="From another process").public_id
"""


def request_bytes(key: DeviceKey, device_id: str, path: str) -> bytes:
    ts, nonce = int(time.time()), signing.new_nonce()
    signature = key.sign(signing.canonical_request(method="GET", path=path, device_id=device_id, timestamp=ts,
                                                   nonce=nonce, body=b""))
    return (f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nLimen-Device: {device_id}\r\nLimen-Timestamp: {ts}\r\n"
            f"Limen-Nonce: {nonce}\r\nLimen-Signature: {signature}\r\n\r\n").encode()


def worker_of(server: LimenServer) -> int:
    out = subprocess.run(["pgrep", "-P", str(server.process.pid)], capture_output=True, text=True).stdout.split()
    assert len(out) == 1, out
    return int(out[0])


def open_files(pid: int) -> int:
    return len(list(Path(f"/proc/{pid}/fd").iterdir()))


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def settle(pid: int, at_least: float, limit: float = 60) -> None:
    """Wait ``at_least`` seconds, then until the worker has been idle for a second (its backlog done)."""
    time.sleep(at_least)
    deadline = time.monotonic() + limit
    before = cpu_ticks(pid)
    while time.monotonic() < deadline:
        time.sleep(1.0)
        now = cpu_ticks(pid)
        if now - before <= 5:  # under 50 ms of CPU in that second: nothing queued any more
            return
        before = now


def answer_of(sock: socket.socket, timeout: float) -> dict:
    sock.settimeout(timeout)
    data = b""
    while b"\r\n\r\n" not in data or len(data.split(b"\r\n\r\n", 1)[1]) < _length(data):
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200"), head[:200]
    return json.loads(body)


def _length(data: bytes) -> int:
    for line in data.split(b"\r\n\r\n", 1)[0].split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return int(line.split(b":")[1])
    return 1 << 30


def bad_clients(port: int, key: DeviceKey, device_id: str, cycles: int) -> list[socket.socket]:
    """Four kinds of bad client in turn; returns the sockets left open (to close after the check)."""
    left_open = []
    for i in range(cycles):
        sock = socket.create_connection(("127.0.0.1", port))
        kind = i % 4
        if kind == 0:  # starts a wait, then leaves at once
            sock.sendall(request_bytes(key, device_id, f"{API}/challenges/wait?timeout=60"))
            sock.close()
        elif kind == 1:  # half a request head, then silence (the server's head timeout ends it)
            sock.sendall(b"GET /login/ HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Half: ")
            left_open.append(sock)
        elif kind == 2:  # asks for a page and never reads the answer
            sock.sendall(b"GET /login/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            left_open.append(sock)
        else:  # connects and leaves without a word
            sock.close()
    return left_open


@pytest.fixture(scope="module")
def serving():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, 8192)), hard))
    server = LimenServer(name="bad-clients", email_url="memory:", workers=1,
                         env={"LIMEN_HEADER_TIMEOUT": str(HEADER_TIMEOUT), "LIMEN_PUSH_WAIT_SECONDS": "120",
                              "LIMEN_PUSH_POLL_MS": "100", "LIMEN_LOG_LEVEL": "WARNING"})
    server.start()
    try:
        yield server
    finally:
        server.stop()


def test_bad_clients_under_waiting_connections_leak_nothing(serving):
    keys = [DeviceKey.generate() for _ in range(WAITING + 1)]
    ids = serving.python(CREATE_DEVICES.format(keys=[k.public_key() for k in keys]))
    worker = worker_of(serving)
    waiting = []
    for key, device_id in zip(keys[:WAITING], ids[:WAITING]):
        sock = socket.create_connection(("127.0.0.1", serving.port))
        sock.sendall(request_bytes(key, device_id, f"{API}/challenges/wait?timeout=110"))
        waiting.append(sock)
    bad_key, bad_id = keys[WAITING], ids[WAITING]

    def round_of_bad_clients() -> tuple[int, int, float]:
        started = time.monotonic()
        left_open = bad_clients(serving.port, bad_key, bad_id, BAD_CYCLES)
        spent = time.monotonic() - started
        settle(worker, HEADER_TIMEOUT + 3)  # the head and keep-alive timeouts close what is left
        time.sleep(HEADER_TIMEOUT + 2)  # and what was answered last
        files, rss = open_files(worker), rss_kib(worker)
        for sock in left_open:
            sock.close()
        return files, rss, spent

    # The first round warms up (allocator arenas, caches, the peak of a thousand requests at once);
    # the second, with the same peak, must leave the process as it found it.
    files_before, rss_before, _ = round_of_bad_clients()
    assert files_before >= WAITING  # the waits are held
    files_after, rss_after, spent = round_of_bad_clients()
    assert files_after <= files_before + 5, (files_before, files_after)
    assert rss_after - rss_before < 4 * 1024, (rss_before, rss_after)
    # The waits are still there and answer: a request made by another process wakes the last one.
    made = serving.python(NEW_REQUEST.format(device=ids[WAITING - 1]))
    got = answer_of(waiting[-1], timeout=10)
    assert [c["id"] for c in got["challenges"]] == [made]
    for sock in waiting:
        sock.close()
    print(f"{BAD_CYCLES} bad clients in {spent:.1f} s; worker fds {files_before} -> {files_after}, "
          f"RSS {rss_before} -> {rss_after} KiB")
