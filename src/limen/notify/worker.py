"""A background thread that retries the outbox (and registered jobs), started by `limen run` and `limen serve`.

Other areas add their own periodic jobs with ``register`` (CAS logout
requests, OpenID Connect back-channel logouts, clean-ups); each round runs
them after the outbox, each isolated from the others' failures.
"""

from __future__ import annotations

import logging
import threading
import time

from django.db import close_old_connections

log = logging.getLogger("limen.notify")

_jobs: list[tuple[object, float]] = []
_last_run: dict[object, float] = {}


def register(job, *, every: float = 0) -> None:
    """Run ``job()`` in every worker round, or at most once per ``every`` seconds."""
    if all(existing is not job for existing, _ in _jobs):
        _jobs.append((job, every))


def run_jobs() -> None:
    """One round of the registered jobs (the worker thread and `limen deliver` call this)."""
    for job, every in list(_jobs):
        if every and time.monotonic() - _last_run.get(job, float("-inf")) < every:
            continue
        _last_run[job] = time.monotonic()
        try:
            close_old_connections()
            job()
        except Exception:  # keep the other jobs running; the next round retries
            log.exception("worker job %s failed", getattr(job, "__qualname__", job))
        finally:
            close_old_connections()


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
        run_jobs()


def start(interval: float = 15.0) -> threading.Event:
    stop = threading.Event()
    threading.Thread(target=_loop, args=(stop, interval), name="limen-outbox", daemon=True).start()
    return stop
