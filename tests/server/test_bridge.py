"""limen.server.bridge under uvicorn, with small WSGI applications: what each request's thread does
with its response, served by a real server on a real socket."""

from __future__ import annotations

import contextvars
import socket
import threading

import pytest
import requests

from limen.server.bridge import WsgiBridge
from tests.support.async_server import AsyncServer

request_name: contextvars.ContextVar[str] = contextvars.ContextVar("request_name", default="")


class Response:
    """A WSGI response whose close() records when it ran and may wait for a signal first."""

    def __init__(self, body: bytes, *, hold: threading.Event | None = None):
        self.body, self.hold, self.closed = body, hold, threading.Event()

    def __iter__(self):
        return iter([self.body])

    def close(self):
        if self.hold is not None:
            self.hold.wait(10)
        self.closed.set()


def serve(app, *, written_first):
    return AsyncServer(app=WsgiBridge(app, threads=2, written_first=written_first))


def test_a_response_with_work_after_it_is_written_before_the_work_runs():
    client_has_it = threading.Event()
    responses: list[Response] = []

    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])
        responses.append(Response(b"answer", hold=client_has_it))  # close() is the work after the response
        return responses[-1]

    with serve(app, written_first=lambda: True) as server:
        answer = requests.get(server.url + "/", timeout=5)  # would time out if close() ran first
        assert answer.text == "answer" and not responses[0].closed.is_set()
        client_has_it.set()
        assert responses[0].closed.wait(5)


def test_without_work_after_it_the_response_is_still_answered_and_closed():
    responses: list[Response] = []

    def app(environ, start_response):
        start_response("201 Created", [("Content-Type", "text/plain"), ("X-Test", "yes")])
        responses.append(Response(environ["wsgi.input"].read() or b"empty"))
        return responses[-1]

    with serve(app, written_first=lambda: False) as server:
        got = requests.get(server.url + "/", timeout=5)
        assert (got.status_code, got.text, got.headers["X-Test"]) == (201, "empty", "yes")
        got = requests.post(server.url + "/", data=b"x" * 70_000, timeout=5)  # a body, read in several parts
        assert got.status_code == 201 and got.content == b"x" * 70_000
        assert all(r.closed.wait(5) for r in responses)


def test_the_access_line_sees_the_context_of_the_request_thread(caplog):
    def app(environ, start_response):
        request_name.set(environ["PATH_INFO"])
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    seen: list[str] = []

    class Spy(WsgiBridge):
        async def __call__(self, scope, receive, send):
            async def spying_send(message):
                if message["type"] == "http.response.start":
                    seen.append(request_name.get())  # where uvicorn writes its access line
                await send(message)
            await super().__call__(scope, receive, spying_send)

    with AsyncServer(app=Spy(app, threads=2)) as server:
        for path in ("/first", "/second"):
            assert requests.get(server.url + path, timeout=5).text == "ok"
    assert seen == ["/first", "/second"]


def test_an_application_error_is_a_500_and_the_thread_serves_on():
    calls: list[str] = []

    def app(environ, start_response):
        calls.append(environ["PATH_INFO"])
        if environ["PATH_INFO"] == "/boom":
            raise RuntimeError("broken view")
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"fine"]

    with serve(app, written_first=lambda: False) as server:
        assert requests.get(server.url + "/boom", timeout=5).status_code == 500
        for _ in range(4):  # both threads of the pool
            assert requests.get(server.url + "/ok", timeout=5).text == "fine"
    assert calls.count("/ok") == 4


@pytest.mark.parametrize("head", [b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nab",
                                  b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab"])
def test_a_declared_body_is_waited_for_not_skipped(head):
    seen: list[bytes] = []

    def app(environ, start_response):
        seen.append(environ["wsgi.input"].read())
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"read"]

    with serve(app, written_first=lambda: False) as server, \
            socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.sendall(head)
        sock.settimeout(0.5)
        with pytest.raises(socket.timeout):  # the application has not run on half a body
            sock.recv(100)
        sock.sendall(b"cde" if b"Content-Length" in head else b"cde\r\n0\r\n\r\n")
        sock.settimeout(5)
        assert sock.recv(1000).startswith(b"HTTP/1.1 200")
    assert seen == [b"abcde"]


def test_a_large_body_sent_with_its_head_is_not_taken_for_a_large_head():
    """The worker refuses heads over 64 KiB (431); a body arriving in the same read is not head."""

    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [str(len(environ["wsgi.input"].read())).encode()]

    body = b"x" * 200_000
    with serve(app, written_first=lambda: False) as server, \
            socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 200000\r\n\r\n" + body)
        answer = b""
        while not answer.endswith(b"\r\n0\r\n\r\n"):  # chunked: the application gave no length
            chunk = sock.recv(1000)
            assert chunk, answer
            answer += chunk
        assert answer.startswith(b"HTTP/1.1 200") and b"\r\n200000\r\n" in answer
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"y" * 70_000 + b"\r\n\r\n")
        assert sock.recv(1000).startswith(b"HTTP/1.1 431")


def test_a_body_that_stops_coming_ends_with_408_and_the_application_never_runs(monkeypatch):
    from limen.server import bridge

    monkeypatch.setattr(bridge, "BODY_TIMEOUT", 0.5)
    ran: list[str] = []

    def app(environ, start_response):
        ran.append(environ["PATH_INFO"])
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ran"]

    with serve(app, written_first=lambda: False) as server, \
            socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.sendall(b"POST /slow HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nab")
        assert sock.recv(1000).startswith(b"HTTP/1.1 408")
    assert ran == []


def test_a_cancelled_request_does_not_hold_its_thread_waiting_for_a_write():
    """If the request's task is cancelled (shutdown) while its thread works, the thread that must wait
    for the write is let go at once instead of after WRITE_TIMEOUT."""
    import asyncio
    import time

    from limen.server import bridge

    let_go: list[float] = []
    building = threading.Event()

    def app(environ, start_response):
        building.set()
        time.sleep(0.3)  # the task is cancelled meanwhile
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"late"]

    the_bridge = WsgiBridge(app, threads=1, written_first=lambda: True)

    def call(*args):
        started = time.monotonic()
        bridge.WsgiBridge._call_app(the_bridge, *args)
        let_go.append(time.monotonic() - started)

    the_bridge._call_app = call

    async def scenario() -> None:
        async def never(message):
            raise AssertionError("nothing is written for a cancelled request")

        task = asyncio.ensure_future(the_bridge._http(
            {"type": "http", "method": "GET", "path": "/", "query_string": b"", "http_version": "1.1",
             "headers": []}, None, never))
        while not building.is_set():
            await asyncio.sleep(0.01)
        task.cancel()
        await asyncio.sleep(0.6)

    asyncio.run(scenario())
    the_bridge.pool.shutdown(wait=True)
    assert len(let_go) == 1 and let_go[0] < 5  # not WRITE_TIMEOUT (60 s)


def test_an_application_that_never_calls_start_response_is_a_500():
    def app(environ, start_response):
        return [b"no status"]

    with serve(app, written_first=lambda: True) as server:
        assert requests.get(server.url + "/", timeout=5).status_code == 500
