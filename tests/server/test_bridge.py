"""limen.server.bridge under uvicorn, with small WSGI applications: what each request's thread does
with its response, served by a real server on a real socket."""

from __future__ import annotations

import contextvars
import logging
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


def test_the_access_line_sees_the_context_of_the_request_thread():
    def app(environ, start_response):
        request_name.set(environ["PATH_INFO"])
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    seen: list[str] = []
    bridge = WsgiBridge(app, threads=2, access_line=lambda *_: seen.append(request_name.get()))
    with AsyncServer(app=bridge) as server:
        for path in ("/first", "/second"):
            assert requests.get(server.url + path, timeout=5).text == "ok"
    assert seen == ["/first", "/second"]


class Lines:
    """An access_line that keeps what it is given: (path, status, body bytes, seconds)."""

    def __init__(self):
        self.lines: list[tuple[str, int, int, float]] = []
        self.written = threading.Event()

    def __call__(self, scope, status, size, seconds):
        self.lines.append((scope["path"], status, size, seconds))
        self.written.set()


def test_each_response_gets_one_access_line_with_its_duration_and_size_once_written():
    def app(environ, start_response):
        if environ["PATH_INFO"] == "/slow":
            threading.Event().wait(0.2)
        start_response("201 Created", [("Content-Type", "text/plain")])
        return [b"abc", b"", b"defg"]

    lines = Lines()
    with AsyncServer(app=WsgiBridge(app, threads=2, access_line=lines)) as server:
        assert requests.get(server.url + "/quick", timeout=5).status_code == 201
        assert requests.post(server.url + "/slow", data=b"x" * 10, timeout=5).status_code == 201
        head = requests.head(server.url + "/quick", timeout=5)
        assert head.status_code == 201 and head.content == b""
    (quick, status, size, seconds), slow, headed = lines.lines
    assert (quick, status, size) == ("/quick", 201, 7) and 0 < seconds < 0.2
    assert slow[:3] == ("/slow", 201, 7) and 0.2 <= slow[3] < 5
    assert headed[:3] == ("/quick", 201, 0)  # the body the application made is not sent in answer to HEAD


def test_refusals_made_by_the_bridge_have_their_access_line_too(monkeypatch):
    from limen.server import bridge

    monkeypatch.setattr(bridge, "BODY_TIMEOUT", 0.3)
    lines = Lines()
    with AsyncServer(app=WsgiBridge(lambda environ, start_response: [], threads=1, access_line=lines)) as server:
        too_large = requests.post(server.url + "/big", headers={"Content-Length": str(bridge.MAX_BODY + 1)},
                                  data=b"", timeout=5)
        assert too_large.status_code == 413
        with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
            sock.sendall(b"POST /slow-body HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nab")
            assert sock.recv(1000).startswith(b"HTTP/1.1 408")
    assert [line[:3] for line in lines.lines] == [("/big", 413, len(b"Request too large\n")),
                                                  ("/slow-body", 408, len(b"Request timeout\n"))]
    assert lines.lines[1][3] >= 0.3  # from the head to the refusal, the body's wait included


def test_a_deferred_wait_has_its_access_line_when_its_answer_is_written():
    class Answer:
        status, content_type, body = 200, "application/json", b'{"waited": true}'

    class Deferred:
        async def complete(self, disconnected):
            import asyncio

            await asyncio.sleep(0.2)
            return Answer()

    class Waiting(list):
        deferred_wait = Deferred()

        def close(self):
            pass

    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain"), ("X-Kept", "yes")])
        return Waiting([b"not this"])

    lines = Lines()
    with AsyncServer(app=WsgiBridge(app, threads=1, access_line=lines)) as server:
        got = requests.get(server.url + "/wait", timeout=5)
    assert (got.json(), got.headers["X-Kept"]) == ({"waited": True}, "yes")
    ((path, status, size, seconds),) = lines.lines
    assert (path, status, size) == ("/wait", 200, len(Answer.body)) and seconds >= 0.2


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


def test_an_application_that_raises_gets_the_bridges_500_with_its_access_line(caplog):
    def app(environ, start_response):
        if environ["PATH_INFO"] == "/no-status":
            return [b"never started"]
        start_response("200 OK", [("Content-Type", "text/plain")])
        return iter_then_fail()

    def iter_then_fail():
        yield b"half"
        raise RuntimeError("a streamed body broke")

    lines = Lines()
    with caplog.at_level("ERROR"), AsyncServer(app=WsgiBridge(app, threads=1, access_line=lines)) as server:
        for path in ("/stream", "/no-status"):
            got = requests.get(server.url + path, timeout=5)
            assert (got.status_code, got.text, got.headers["Cache-Control"]) == (500, "Server Error (500)\n",
                                                                                  "no-store")
    body = len(b"Server Error (500)\n")
    assert [line[:3] for line in lines.lines] == [("/stream", 500, body), ("/no-status", 500, body)]
    failures = [r for r in caplog.records if r.levelname == "ERROR"]
    logged = ("limen.server", "the application failed before it answered")
    assert [(r.name, r.getMessage()) for r in failures] == [logged, logged]
    assert "a streamed body broke" in failures[0].exc_text and "start_response" in failures[1].exc_text


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


def test_the_workers_own_refusals_have_an_access_line(monkeypatch):
    """431 for a head over 64 KiB, 408 for half a head: no method or path was read, the rest is known."""
    from limen.server import worker

    monkeypatch.setattr(worker, "HEADER_TIMEOUT", 0.4)
    lines: list[logging.LogRecord] = []
    kept = logging.Handler()
    kept.emit = lines.append
    with serve(lambda e, s: [], written_first=lambda: False) as server:
        access = logging.getLogger("uvicorn.access")  # uvicorn's own config does not propagate it
        monkeypatch.setattr(access, "handlers", [*access.handlers, kept])
        monkeypatch.setattr(access, "level", logging.INFO)
        with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
            sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"y" * 70_000 + b"\r\n\r\n")
            assert sock.recv(1000).startswith(b"HTTP/1.1 431")
        with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
            sock.sendall(b"GET /half HTTP/1.1\r\nHost: x\r\n")
            assert sock.recv(1000).startswith(b"HTTP/1.1 408")
            port = sock.getsockname()[1]
        with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:  # says nothing: no answer,
            assert sock.recv(1000) == b""  # and no line
    assert [(r.args[1:], r.timing[1]) for r in lines] == [(("-", "-", "1.1", 431), 0), (("-", "-", "1.1", 408), 0)]
    assert lines[1].args[0] == f"127.0.0.1:{port}" and 0.3 <= lines[1].timing[0] / 1000 < 5  # from its first byte


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
