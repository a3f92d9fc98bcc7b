"""A background thread that retries the outbox (and registered jobs), started by `limen run` and `limen serve`."""

from __future__ import annotations

import logging
import threading

from django.db import close_old_connections

log = logging.getLogger("limen.notify")


_jobs: list = []


def register(job) -> None:
    """Add a callable run in every round after the outbox (e.g. CAS logout requests)."""
    if job not in _jobs:
        _jobs.append(job)


def _loop(stop: threading.Event, interval: float) -> None:
    from .outbox import deliver_due

    while not stop.wait(interval):
        for job in [deliver_due, *_jobs]:
            try:
                close_old_connections()
                job()
            except Exception:  # keep the worker alive; the next round retries
                log.exception("worker job %s failed", getattr(job, "__qualname__", job))
            finally:
                close_old_connections()


def start(interval: float = 15.0) -> threading.Event:
    stop = threading.Event()
    threading.Thread(target=_loop, args=(stop, interval), name="limen-outbox", daemon=True).start()
    return stop
