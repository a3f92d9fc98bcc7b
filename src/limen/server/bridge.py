"""Django's WSGI application served by an asyncio server, with waits that hold no thread.

Every request runs the WSGI application (Django, its middleware, its views:
unchanged) in a pool of threads, exactly once, as under gunicorn's gthread
worker: the thread builds the response, hands it to the event loop to be
written, then closes it (Django's ``request_finished``: work kept for after
the response, database connections past their age). When the request left
work for after its response (``written_first``), the thread first waits until
the response is written, so that the work cannot delay it (an e-mail for a
known address must not make its answer later than a stranger's); otherwise it
closes at once. Each request crosses between the loop and the pool twice (a
job handed to a thread, its answer handed back): per request this is the
cheapest part of the server, and it was three crossings and two futures more.

A view that must wait for something (the mobile app's long poll, a browser
waiting for an approval) returns a response carrying a ``deferred_wait``
(limen.factors.mobile_app.waiting). Its thread is then free at once; the
loop awaits the wait (a wake-up, the client leaving, or the deadline) and
only then asks the deferred object for the final answer, which is written
with the headers the middleware already put on the response. While it waits,
a request costs a few kilobytes and holds neither a thread nor a database
connection.

Bad input: bodies larger than MAX_BODY are refused (413); a body that does
not arrive within BODY_TIMEOUT seconds ends the connection (408).

Every response the bridge writes gets its access line (``access_line``) once it is written, with
how long the request took and how many bytes its body had: uvicorn's own line, written when the
response starts, knows neither (limen.server.worker keeps it only for the answers uvicorn makes itself).
"""

from __future__ import annotations

import asyncio
import contextvars
import io
import logging
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Awaitable, Callable, Protocol

log = logging.getLogger("limen.server")

MAX_BODY = 4 * 1024 * 1024  # Limen takes forms and JSON, no uploads: far above Django's own 2.5 MB limit
BODY_TIMEOUT = 30.0
WRITE_TIMEOUT = 60.0  # how long a thread waits for its response to be written before closing it anyway
ASYNC_WAITS = "limen.async_waits"  # environ key: views may defer their wait (see module docstring)

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict]]
Send = Callable[[dict], Awaitable[None]]
# The bridge's own 500, as Django's: when the application raised instead of answering, or a wait failed.
SERVER_ERROR = ("500 Internal Server Error", [("Content-Type", "text/plain"), ("Cache-Control", "no-store")],
                b"Server Error (500)\n")
AccessLine = Callable[[Scope, int, int, float], None]  # scope, status, body bytes, seconds since it began


class Answer(Protocol):
    status: int
    content_type: str
    body: bytes


class DeferredWait(Protocol):
    """What a deferred response carries (limen.factors.mobile_app.waiting.Deferred)."""

    async def complete(self, disconnected: asyncio.Future) -> Answer | None:
        """Wait, then the final answer; None when the client left meanwhile (``disconnected`` is done)."""


def build_environ(scope: Scope, body: bytes) -> dict:
    """A WSGI environ for an ASGI HTTP scope, as gunicorn would build it."""
    environ = {
        "REQUEST_METHOD": scope["method"],
        "SCRIPT_NAME": scope.get("root_path", "").encode("utf8").decode("latin1"),
        "PATH_INFO": scope["path"].encode("utf8").decode("latin1"),
        "QUERY_STRING": scope["query_string"].decode("latin1"),
        "SERVER_PROTOCOL": f"HTTP/{scope['http_version']}",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": scope.get("scheme", "http"),
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        ASYNC_WAITS: True,
    }
    server = scope.get("server") or ("localhost", 80)
    environ["SERVER_NAME"], environ["SERVER_PORT"] = server[0], str(server[1] or 0)
    client = scope.get("client")
    if client:
        environ["REMOTE_ADDR"], environ["REMOTE_PORT"] = client[0], str(client[1])
    for raw_name, raw_value in scope["headers"]:
        name = raw_name.decode("latin1")
        if name == "content-length":
            key = "CONTENT_LENGTH"
        elif name == "content-type":
            key = "CONTENT_TYPE"
        else:
            if "_" in name:  # like gunicorn: X_Forwarded_For must not pass for X-Forwarded-For
                continue
            key = "HTTP_" + name.upper().replace("-", "_")
        value = raw_value.decode("latin1")
        environ[key] = f"{environ[key]},{value}" if key in environ else value
    return environ


def in_every_thread(pool: ThreadPoolExecutor, fn: Callable[[], Any], timeout: float = 10.0) -> None:
    """Run ``fn`` once in each thread ``pool`` has started (e.g. to close their database connections)."""
    count = len(getattr(pool, "_threads", ()))
    if not count:
        return
    barrier = threading.Barrier(count)

    def once() -> None:
        try:
            fn()
        finally:
            try:
                barrier.wait(timeout)  # hold this thread until every other one has taken its turn
            except threading.BrokenBarrierError:
                pass

    for future in [pool.submit(once) for _ in range(count)]:
        future.result(timeout + 1)


def close_database_connections() -> None:
    from django.db import connections

    connections.close_all()


def _without_body(scope: Scope) -> bool:
    """A request that declares no body (most GETs): nothing to read, no timer to arm."""
    for name, value in scope["headers"]:
        if name == b"content-length":
            return value == b"0"
        if name == b"transfer-encoding":
            return False
    return True


async def _disconnection(receive: Receive) -> None:
    """Returns when the client has gone (a body not read before, e.g. a GET's empty one, is skipped)."""
    while (await receive())["type"] != "http.disconnect":
        pass


def _started(started: list) -> list:
    if not started:
        raise RuntimeError("the application returned without calling start_response")
    return started


def _answer(loop: asyncio.AbstractEventLoop, future: asyncio.Future, result, error: BaseException | None = None
            ) -> bool:
    """From the request's thread: settle ``future`` in the loop; False (logged) if the loop is gone."""
    try:
        loop.call_soon_threadsafe(_settle, future, result, error)
        return True
    except RuntimeError:  # the loop is closed (the worker is stopping)
        log.warning("a request answered after its worker's loop closed", exc_info=error)
        return False


def _settle(future: asyncio.Future, result, error: BaseException | None) -> None:
    if future.done():  # the request's task was cancelled (shutdown): nothing will be written
        if error is not None:
            log.warning("a cancelled request failed", exc_info=error)
        elif result[-1] is not None:
            result[-1].set()  # a thread waiting for the write: there will be none
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)


def _encoded(headers: list[tuple[str, str]]) -> list[tuple[bytes, bytes]]:
    return [(name.lower().encode("latin1"), value.encode("latin1")) for name, value in headers]


class WsgiBridge:
    """An ASGI application running a WSGI application in ``threads`` threads.

    ``written_first()``, asked in the request's thread once the response is built: whether it must be
    written before the response is closed (see the module)."""

    def __init__(self, app: Callable, *, threads: int, on_shutdown: Callable[[], Awaitable[None]] | None = None,
                 written_first: Callable[[], bool] = lambda: True, access_line: AccessLine | None = None):
        self.app = app
        self.pool = ThreadPoolExecutor(max(1, threads), thread_name_prefix="limen-wsgi")
        self.on_shutdown = on_shutdown
        self.written_first = written_first
        self.access_line = access_line

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "http":
            await self._http(scope, receive, send)
        elif kind == "lifespan":
            await self._lifespan(receive, send)
        else:  # websocket: Limen has none
            await send({"type": "websocket.close", "code": 1000})

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self.on_shutdown is not None:
                    await self.on_shutdown()
                await asyncio.get_running_loop().run_in_executor(
                    None, in_every_thread, self.pool, close_database_connections)
                self.pool.shutdown(wait=False)
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _respond(self, scope: Scope, started: float, send: Send, status: str, headers: list[tuple[str, str]],
                       body: bytes, context: contextvars.Context | None = None) -> None:
        """Writes the response, then its access line, in ``context`` when given (the request thread's: its
        id). Entering that context costs the same however many variables it holds; setting each in the
        task's, as for a wait, was a tenth of the loop's share of a request."""
        code = int(status[:3])
        await send({"type": "http.response.start", "status": code, "headers": _encoded(headers)})
        await send({"type": "http.response.body", "body": body})
        if self.access_line is not None:
            sent = 0 if scope["method"] == "HEAD" else len(body)  # the server sends no body in answer to HEAD
            if context is None:
                self.access_line(scope, code, sent, time.perf_counter() - started)
            else:
                context.run(self.access_line, scope, code, sent, time.perf_counter() - started)

    async def _read_body(self, scope: Scope, started: float, receive: Receive, send: Send) -> bytes | None:
        declared = next((v for k, v in scope["headers"] if k == b"content-length"), b"0")
        if declared.isdigit() and int(declared) > MAX_BODY:
            await self._respond(scope, started, send, "413 Payload Too Large",
                                [("Content-Type", "text/plain"), ("Connection", "close")], b"Request too large\n")
            return None
        chunks, size = [], 0
        while True:
            try:
                async with asyncio.timeout(BODY_TIMEOUT):  # no task per message, as wait_for made
                    message = await receive()
            except TimeoutError:
                await self._respond(scope, started, send, "408 Request Timeout",
                                    [("Content-Type", "text/plain"), ("Connection", "close")], b"Request timeout\n")
                return None
            if message["type"] == "http.disconnect":
                return None
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > MAX_BODY:
                await self._respond(scope, started, send, "413 Payload Too Large",
                                    [("Content-Type", "text/plain"), ("Connection", "close")], b"Request too large\n")
                return None
            if chunk:
                chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        body = b"" if _without_body(scope) else await self._read_body(scope, started, receive, send)
        if body is None:
            return
        loop = asyncio.get_running_loop()
        answered = loop.create_future()
        try:
            self.pool.submit(self._call_app, build_environ(scope, body), loop, answered)
            status, headers, payload, context, written = await answered
        except Exception:  # noqa: BLE001 - not Django's own 500 (it makes those): the bridge's answer
            log.exception("the application failed before it answered")
            await self._respond(scope, started, send, *SERVER_ERROR)
            return
        try:
            if isinstance(payload, bytes):
                await self._respond(scope, started, send, status, headers, payload, context)
            else:
                for var, value in context.items():  # the wait's lines carry the request's id
                    var.set(value)
                await self._finish(scope, started, (status, headers, payload), receive, send)
        finally:
            if written is not None:
                written.set()  # written, failed or cancelled: the thread need not wait any longer

    def _call_app(self, environ: dict, loop: asyncio.AbstractEventLoop, answered: asyncio.Future) -> None:
        """In a pool thread: the whole WSGI request; its answer handed to the loop, then close(). Only a
        response with work after it hands over an event, and waits until the loop has written it."""
        started: list = []
        chunks: list[bytes] = []

        def start_response(status, headers, exc_info=None):
            if exc_info is not None and started:
                raise exc_info[1].with_traceback(exc_info[2])
            started[:] = [status, headers]
            return chunks.append

        iterable = None
        try:
            iterable = self.app(environ, start_response)
            waiting = getattr(iterable, "deferred_wait", None)
            if waiting is not None:
                context = contextvars.copy_context()  # before close(): its work unbinds the request id
                # Closed before the loop waits: the wait holds no thread and no request state.
                iterable, response = None, iterable
                response.close()
                _answer(loop, answered, (*_started(started), waiting, context, None))
                return
            for chunk in iterable:
                if chunk:
                    chunks.append(chunk)
            written = threading.Event() if self.written_first() else None
            handed = _answer(loop, answered, (*_started(started), b"".join(chunks), contextvars.copy_context(),
                                              written))
            if written is not None and handed:
                written.wait(WRITE_TIMEOUT)
        except BaseException as error:  # noqa: BLE001 - raised in the loop, as run_in_executor would
            _answer(loop, answered, None, error)
        finally:
            close = getattr(iterable, "close", None)
            if close is not None:
                try:
                    close()
                except Exception:  # noqa: BLE001 - the answer is gone; the work after it failed
                    log.exception("closing the response failed")

    async def _finish(self, scope: Scope, started: float, deferred: tuple, receive: Receive, send: Send) -> None:
        status, headers, waiting = deferred
        loop = asyncio.get_running_loop()
        disconnected = loop.create_future()
        watcher = asyncio.ensure_future(_disconnection(receive))
        watcher.add_done_callback(lambda _t: disconnected.done() or disconnected.set_result(True))
        try:
            answer = await waiting.complete(disconnected)
        except Exception:  # noqa: BLE001 - as Django would: logged, and a bare 500
            log.exception("a deferred wait failed")
            await self._respond(scope, started, send, *SERVER_ERROR)
            return
        finally:
            watcher.cancel()
        if answer is None:
            return
        kept = [(k, v) for k, v in headers if k.lower() not in {"content-length", "content-type"}]
        await self._respond(scope, started, send, f"{answer.status} ", [*kept, ("Content-Type", answer.content_type),
                                                                        ("Content-Length", str(len(answer.body)))],
                            answer.body)
