"""Work that runs once the response has gone to the client.

Sending an e-mail, or deciding what to send, must not make the answer to a
request slower for one address than for another: a stranger would learn from
the delay whether the address has an account. ``call(fn)`` inside a request
keeps ``fn`` until the server has written the response (Django's
``request_finished``, sent when the WSGI server closes the response), then
runs it in the same thread. Outside a request (management commands, the
outbox worker) ``fn`` runs at once. ``cleanup(fn)`` runs ``fn`` at the same point, after that work, without
making the server write the response first (``pending``): for quick housekeeping such as unbinding the
request id, so that a request that left no work frees its thread as soon as its answer is handed over.

Durability is not this module's job: callers store their work first (the
outbox, notify.deferred) and use this only to start it early; the outbox
worker picks up whatever a crash left behind.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from django.core.signals import request_finished

log = logging.getLogger("limen.core")

_state = threading.local()


def call(fn: Callable[[], object]) -> None:
    """Run ``fn`` after the current response is sent, or now if there is no request."""
    pending = getattr(_state, "pending", None)
    if pending is None:
        fn()
    else:
        pending.append(fn)


def cleanup(fn: Callable[[], object]) -> None:
    """Run ``fn`` when the response is closed, after the work of ``call``. Unlike that work, it does not
    make the server hold the thread until the response is written (``pending``): it must be quick and
    reveal nothing, e.g. unbinding the request id. Outside a request ``fn`` runs at once."""
    cleanups = getattr(_state, "cleanups", None)
    if cleanups is None:
        fn()
    else:
        cleanups.append(fn)


def pending() -> bool:
    """Whether this thread's request left work for after its response (the server then writes the
    response before it runs the work: limen.server.bridge)."""
    return bool(getattr(_state, "pending", None))


def run_pending(**_signal_kwargs) -> None:
    """Run what this thread's request left for after its response, then its clean-ups (each isolated
    from the others)."""
    pending, _state.pending = getattr(_state, "pending", None), None
    cleanups, _state.cleanups = getattr(_state, "cleanups", None), None
    for fn in [*(pending or ()), *(cleanups or ())]:
        try:
            fn()
        except Exception:  # the response is gone; the stored work is retried by the worker
            log.exception("work after the response failed: %s", getattr(fn, "__qualname__", fn))


class AfterResponseMiddleware:
    """Opens this thread's list of work for after the response; ``request_finished`` runs it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        _state.pending, _state.cleanups = [], []
        return self.get_response(request)


request_finished.connect(run_pending, dispatch_uid="limen.core.after_response")
