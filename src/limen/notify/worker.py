"""A background thread that retries the outbox, started by `limen run` and `limen serve`."""

from __future__ import annotations

import logging
import threading

from django.db import close_old_connections

log = logging.getLogger("limen.notify")


def _loop(stop: threading.Event, interval: float) -> None:
    from .outbox import deliver_due

    while not stop.wait(interval):
        try:
            close_old_connections()
            deliver_due()
        except Exception:  # keep the worker alive; the next round retries
            log.exception("outbox worker round failed")
        finally:
            close_old_connections()


def start(interval: float = 15.0) -> threading.Event:
    stop = threading.Event()
    threading.Thread(target=_loop, args=(stop, interval), name="limen-outbox", daemon=True).start()
    return stop
