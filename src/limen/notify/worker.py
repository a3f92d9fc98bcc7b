"""A background thread that retries the delivery queue (and registered jobs), started by `limen run` and
`limen serve`.

Other areas add their own periodic jobs with ``register`` (clean-ups, session
expiry, key purges); each round runs them after the queue, each isolated from
the others' failures. Every instance runs this thread: the queue claims each
message for one process, and a periodic job takes a lease (``JobLease``, a
conditional UPDATE) so that it runs once per period across all instances.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time

from django.db import IntegrityError, close_old_connections, transaction

from limen.core import clock

from .models import JobLease

log = logging.getLogger("limen.notify")

_jobs: list[tuple[object, float]] = []
_last_run: dict[object, float] = {}


def register(job, *, every: float = 0) -> None:
    """Run ``job()`` in every worker round, or at most once per ``every`` seconds."""
    if all(existing is not job for existing, _ in _jobs):
        _jobs.append((job, every))


def lease(name: str, seconds: float) -> bool:
    """Take the job ``name`` for ``seconds``: True for one caller across every instance per period."""
    now = clock.now()
    until = now + dt.timedelta(seconds=seconds)
    if JobLease.objects.filter(name=name, until__lte=now).update(until=until):
        return True
    try:
        with transaction.atomic():
            JobLease.objects.create(name=name, until=until)
    except IntegrityError:  # another instance holds it (or just took it)
        return False
    return True


def _name(job) -> str:
    return f"{getattr(job, '__module__', '')}.{getattr(job, '__qualname__', repr(job))}"


def run_jobs() -> None:
    """One round of the registered jobs (the worker thread and `limen deliver` call this)."""
    for job, every in list(_jobs):
        if every and time.monotonic() - _last_run.get(job, float("-inf")) < every:
            continue
        _last_run[job] = time.monotonic()
        try:
            close_old_connections()
            if every and not lease(_name(job), every * 0.9):
                continue  # another instance runs it this period
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
