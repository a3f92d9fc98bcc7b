"""`limen serve`'s access lines (a real server in a subprocess): one per response, written by the bridge
with the duration and the body's size; uvicorn's own line only for the answers uvicorn makes itself."""

from __future__ import annotations

import json
import os
import socket
import time
import urllib.error
import urllib.request

from tests.support.limen_server import LimenServer


def status_of(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def access_lines(server: LimenServer, path: str) -> list[dict]:
    text = server.log_path.read_text()
    lines = [json.loads(line) for line in text[text.index("$ limen serve"):].splitlines()[1:]]
    return [line for line in lines if line["logger"] == "uvicorn.access" and line["http"]["path"] == path]


def test_over_the_connection_limit_uvicorns_503_keeps_its_line_the_rest_get_the_bridges_and_the_workers():
    with LimenServer(name=f"access-{os.getpid()}", email_url="memory:", workers=1,
                     env={"LIMEN_MAX_CONNECTIONS": "2"}) as server:
        time.sleep(0.3)  # the start-up check's own connection has gone
        with socket.create_connection(("127.0.0.1", server.port), timeout=5):  # says nothing, counts
            assert status_of(server.url + "/health/live") == 503
        # Once the server has seen the two connections go (at once on loopback), a request is answered.
        deadline = time.monotonic() + 10
        while status_of(server.url + "/health/live") != 200:
            assert time.monotonic() < deadline
            time.sleep(0.1)
        deadline = time.monotonic() + 5
        while not any(line["http"]["status"] == 200 for line in access_lines(server, "/health/live")):
            assert time.monotonic() < deadline
            time.sleep(0.05)
        lines = access_lines(server, "/health/live")
        with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:  # the worker's own refusal
            sock.sendall(b"GET /secret?q=1 HTTP/1.1\r\nHost: x\r\nX-Big: " + b"y" * 70_000 + b"\r\n\r\n")
            assert sock.recv(1000).startswith(b"HTTP/1.1 431")
        deadline = time.monotonic() + 5
        while not access_lines(server, "-"):
            assert time.monotonic() < deadline
            time.sleep(0.05)
        (too_large,) = [line["http"] for line in access_lines(server, "-")]
    assert {k: too_large[k] for k in ("method", "status", "bytes", "remote")} == {
        "method": "-", "status": 431, "bytes": 0, "remote": "127.0.0.1"}
    assert too_large["duration_ms"] >= 0
    refused = [line["http"] for line in lines if line["http"]["status"] == 503]
    answered = [line["http"] for line in lines if line["http"]["status"] == 200]
    # uvicorn's: written as the answer starts, it knows neither the duration nor the size.
    assert refused and all((r["duration_ms"], r["bytes"]) == (None, None) for r in refused)
    # The bridge's, alone (uvicorn does not log that answer as well), once it was written.
    (ok,) = answered
    assert ok["bytes"] > 0 and 0 < ok["duration_ms"] < 10_000
    assert len(lines) == len(refused) + 1
