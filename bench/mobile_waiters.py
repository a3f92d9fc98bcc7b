"""A fleet of mobile apps holding the device API's long poll open, on one asyncio loop in a thread.

Each app is an enrolled device with its own key; it sends GET /mobile/api/v1/challenges/wait
signed as limen-authenticator does, reads the answer, notes any new sign-in request (and the
moment it arrived), and waits again at once with the ids it has seen, as the real app does.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time

from limen_protocol import signing

API = "/mobile/api/v1"


def wait_request(key, device_id: str, timeout: int, seen: list[str]) -> bytes:
    path = f"{API}/challenges/wait?timeout={timeout}" + (f"&seen={','.join(seen[-20:])}" if seen else "")
    ts, nonce = int(time.time()), signing.new_nonce()
    signature = key.sign(signing.canonical_request(method="GET", path=path, device_id=device_id, timestamp=ts,
                                                   nonce=nonce, body=b""))
    return (f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nLimen-Device: {device_id}\r\nLimen-Timestamp: {ts}\r\n"
            f"Limen-Nonce: {nonce}\r\nLimen-Signature: {signature}\r\nConnection: close\r\n\r\n").encode()


class Fleet:
    def __init__(self, port: int, keys: list, ids: list[str], *, timeout: int):
        self.port, self.keys, self.ids, self.timeout = port, keys, ids, timeout
        self.arrived: dict[str, tuple[float, str, dict]] = {}  # request id -> (when, device id, request)
        self.answers = 0
        self.errors: list[str] = []
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True, name="app-fleet")
        self.tasks: list[asyncio.Task] = []
        self._changed = threading.Condition()

    def start(self, apps: range, *, batch: int = 250, pause: float = 0.25) -> None:
        """Start the apps numbered ``apps`` (in batches: a connection storm would only measure the backlog)."""
        if not self.thread.is_alive():
            self.thread.start()
        asyncio.run_coroutine_threadsafe(self._start(apps, batch, pause), self.loop).result()

    async def _start(self, apps: range, batch: int, pause: float) -> None:
        for first in range(apps.start, apps.stop, batch):
            for i in range(first, min(first + batch, apps.stop)):
                self.tasks.append(asyncio.ensure_future(self._app(i)))
            await asyncio.sleep(pause)

    async def _app(self, i: int) -> None:
        seen: list[str] = []
        while True:
            try:
                reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
            except OSError as error:
                self.errors.append(f"connect: {error}")
                await asyncio.sleep(1.0)
                continue
            try:
                writer.write(wait_request(self.keys[i], self.ids[i], self.timeout, seen))
                head = await reader.readuntil(b"\r\n\r\n")
                length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                               if line.lower().startswith(b"content-length:")), None)
                body = await (reader.readexactly(length) if length is not None else reader.read())
                when = time.perf_counter()
                self.answers += 1
                if not head.startswith(b"HTTP/1.1 200"):
                    self.errors.append(head.split(b"\r\n", 1)[0].decode())
                    await asyncio.sleep(5.0)
                    continue
                for challenge in json.loads(body)["challenges"]:
                    if challenge["id"] not in seen:
                        seen.append(challenge["id"])
                        with self._changed:
                            self.arrived[challenge["id"]] = (when, self.ids[i], challenge)
                            self._changed.notify_all()
            except (OSError, asyncio.IncompleteReadError, ValueError) as error:
                self.errors.append(f"{type(error).__name__}: {error}")
                await asyncio.sleep(1.0)
            finally:
                writer.close()

    def wait_for_request_to(self, device_id: str, timeout: float) -> tuple[float, dict] | None:
        """When a new request reached ``device_id``'s app, and the request (the first not yet taken); or None."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for request_id, (when, device, challenge) in list(self.arrived.items()):
                    if device == device_id:
                        del self.arrived[request_id]
                        return when, challenge
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                self._changed.wait(remaining)

    def stop(self) -> None:
        def cancel():
            for task in self.tasks:
                task.cancel()

        self.loop.call_soon_threadsafe(cancel)
        time.sleep(1.0)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
