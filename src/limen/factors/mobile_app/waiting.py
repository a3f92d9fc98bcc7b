"""How a view waits for a change (the app's long poll, the browser's status polls).

A view does its usual work (authentication, parameters: everything that can refuse the request)
and then calls ``respond(request, check=..., keys=..., timeout=..., render=...)``:

- under `limen serve` (limen.server.bridge marks the request), the answer is a ``Deferred``
  response: the view's thread is free at once, and the event loop waits (aiohub.py) until
  ``check()`` returns something truthy after a wake-up on one of ``keys``, or ``timeout`` seconds
  pass, or the client leaves; then ``render(result)`` makes the answer, in a thread, and it is
  sent with the headers the middleware put on the deferred response;
- under a WSGI server (`limen run`, tests' client), the thread waits (channel.wait_until), as
  before.

Either way the client sees the same answer. ``check`` and ``render`` run outside the request
later: they must not keep the request (or anything large) alive.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any, Callable

from django.conf import settings
from django.http import HttpResponse

from limen.server.bridge import ASYNC_WAITS

from . import channel
from .aiohub import GONE, hub
from .errors import ServerBusy

BUSY_RETRY_SECONDS = 5


@dataclass(frozen=True)
class Answer:
    status: int
    content_type: str
    body: bytes


class Deferred(HttpResponse):
    """A response whose body is made after the wait, by the asynchronous server."""

    def __init__(self, *, check: Callable[[], Any], keys: list[str], timeout: float,
                 render: Callable[[Any], HttpResponse]):
        super().__init__(b"", content_type="application/json")
        self.deferred_wait = self  # what limen.server.bridge looks for
        self._check, self._keys, self._timeout, self._render = check, keys, timeout, render

    async def complete(self, disconnected: asyncio.Future) -> Answer | None:
        result = await hub.wait(self._keys, self._check, self._timeout, disconnected)
        if result is GONE:
            return None
        response = await hub.run(self._render, result)
        return Answer(response.status_code, response["Content-Type"], response.content)


def deferring(request) -> bool:
    return bool(request.META.get(ASYNC_WAITS))


def respond(request, *, check: Callable[[], Any], keys: list[str], timeout: float,
            render: Callable[[Any], HttpResponse]) -> HttpResponse:
    if timeout > 0 and deferring(request):
        if hub.waiting() >= settings.MAX_WAITS:
            raise ServerBusy()
        return Deferred(check=check, keys=keys, timeout=timeout, render=render)
    return render(channel.wait_until(check, keys, timeout))


def busy_response(response: HttpResponse) -> HttpResponse:
    """``response`` (503) with the Retry-After that a full server asks of its clients."""
    response["Retry-After"] = str(BUSY_RETRY_SECONDS)
    return response
