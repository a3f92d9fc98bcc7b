"""Durable work for after the response: decided and sent once the person has their answer.

A password reset, a registration or a new verification link sends a
different e-mail, or none, depending on whether the address has an account.
Doing that work inside the request would make the answer slower for one kind
of address than for the other. Instead the request stores a job (the same
single INSERT for every address) and answers; the job runs right after the
response (limen.core.after_response) and, if that fails or the process dies,
the outbox worker retries it with back-off.

    @deferred.handler("accounts.password_reset")
    def send_reset(*, email, ip="", user_agent=""): ...

    deferred.defer("accounts.password_reset", email=email, ip=ip, user_agent=ua)

A handler runs in one transaction with the removal of its job, so a failed
attempt leaves nothing half done. Parameters must be JSON values.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import transaction
from django.db.models import F

from limen.core import after_response, clock

from .models import DeferredJob
from .outbox import MAX_ATTEMPTS, backoff

log = logging.getLogger("limen.notify")

_handlers: dict[str, Callable[..., None]] = {}


def handler(kind: str):
    """Register the function that does the work of jobs of ``kind``."""
    def register(fn: Callable[..., None]) -> Callable[..., None]:
        _handlers[kind] = fn
        return fn
    return register


def defer(kind: str, **params) -> DeferredJob:
    """Store a job and run it after the current response (now, outside a request)."""
    if kind not in _handlers:
        raise LookupError(f"no handler for deferred jobs of kind {kind!r}")
    now = clock.now()
    job = DeferredJob.objects.create(kind=kind, params=params, created=now, next_attempt=now)
    after_response.call(lambda: run(job.pk))
    return job


def claim(job: DeferredJob) -> bool:
    """Take the next attempt of ``job`` as read: the update matches for one caller only, and
    pushes the next try into the future in case this process dies before finishing. Only a due
    attempt can be taken: a caller that reads the job just after another claimed it (the outbox
    worker beside the run after the response) must not start a second attempt while the first runs."""
    now = clock.now()
    return bool(DeferredJob.objects.filter(pk=job.pk, attempts=job.attempts, next_attempt__lte=now).update(
        attempts=F("attempts") + 1, next_attempt=now + backoff(job.attempts + 1)))


def run(pk: int) -> bool:
    """One attempt at a job; True when it is done. Concurrent callers: one attempt wins."""
    job = DeferredJob.objects.filter(pk=pk).first()
    if job is None:
        return False
    attempt = job.attempts + 1
    if not claim(job):
        return False
    try:
        with transaction.atomic():
            _handlers[job.kind](**job.params)
            DeferredJob.objects.filter(pk=pk).delete()
    except Exception as exc:  # keep the job (or give up on it); the worker retries
        error = f"{type(exc).__name__}: {exc}"[:500]
        if attempt >= MAX_ATTEMPTS or job.kind not in _handlers:
            log.error("deferred job %s (%s) given up after %s attempts: %s", pk, job.kind, attempt, error)
            DeferredJob.objects.filter(pk=pk).delete()
        else:
            log.warning("deferred job %s (%s) failed (attempt %s): %s", pk, job.kind, attempt, error)
            DeferredJob.objects.filter(pk=pk).update(last_error=error)
        return False
    return True


def run_due(limit: int = 100) -> int:
    """Run every job whose next attempt is due; returns how many were done."""
    due = DeferredJob.objects.filter(next_attempt__lte=clock.now()).order_by("next_attempt", "id")
    return sum(1 for pk in due.values_list("pk", flat=True)[:limit] if run(pk))
