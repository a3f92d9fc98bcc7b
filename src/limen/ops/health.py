"""Liveness and readiness, on django-health-check.

- ``/health/live``: the process answers. No database, no cache: a load balancer or
  Kubernetes restarts a process that stops answering this, and nothing outside the
  process should make it do so.
- ``/health/ready``: this instance can serve sign-ins: the database answers, the cache
  answers, every migration is applied, and the delivery queue is moving (its oldest
  pending message is younger than LIMEN_HEALTH_QUEUE_MAX_AGE seconds; 0 leaves the
  queue out).

Both answer 200 or 503 with a small JSON body naming each check and whether it passed,
and nothing else (no error text, versions or host names: the details go to the log).
They are never cached. ``middleware.OpsEndpointsMiddleware`` serves them before the
session, CSRF and host checks.
"""

from __future__ import annotations

import asyncio
import dataclasses
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from health_check import Cache, Database, HealthCheck
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView

from limen.core import clock
from limen.notify.queue import backlog


@dataclasses.dataclass
class Migrations(HealthCheck):
    """Every migration Limen ships is applied to the database (an instance of a newer release
    waits for `limen migrate` instead of failing requests)."""

    alias: str = "default"

    async def run(self) -> None:
        await sync_to_async(self.check)()

    def check(self) -> None:
        try:
            executor = MigrationExecutor(connections[self.alias])
            plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        except DatabaseError as error:
            raise ServiceUnavailable("database unavailable") from error
        if plan:
            raise ServiceUnavailable(f"{len(plan)} migration(s) not applied")


@dataclasses.dataclass
class DeliveryQueue(HealthCheck):
    """The delivery queue is not stuck: its oldest pending message is younger than ``max_age`` seconds."""

    max_age: int = 3600

    async def run(self) -> None:
        await sync_to_async(self.check)()

    def check(self) -> None:
        try:
            _pending, oldest = backlog()
        except DatabaseError as error:
            raise ServiceUnavailable("database unavailable") from error
        if oldest is not None and (clock.now() - oldest).total_seconds() > self.max_age:
            raise ServiceUnavailable("the oldest pending message is older than the limit")


class Probe(HealthCheckView):
    """django-health-check's view, answering in the shape load balancers and Kubernetes expect."""

    def named_checks(self) -> list[tuple[str, HealthCheck]]:
        return []

    async def get(self, request, *args, **kwargs):
        named = self.named_checks()
        with self.get_executor() as executor:
            results = await asyncio.gather(*(check.get_result(executor) for _, check in named))
        states = {name: "ok" if result.error is None else "failing" for (name, _), result in zip(named, results)}
        healthy = all(state == "ok" for state in states.values())
        body: dict = {"status": "ok" if healthy else "unavailable"}
        if states:
            body["checks"] = states
        response = JsonResponse(body, status=200 if healthy else 503)
        response["X-Content-Type-Options"] = "nosniff"
        response._has_been_logged = True  # failing checks are logged by the library, once each
        return response


class Live(Probe):
    """The process answers: no check at all."""


class Ready(Probe):
    def named_checks(self) -> list[tuple[str, HealthCheck]]:
        checks: list[tuple[str, HealthCheck]] = [
            ("database", Database()), ("cache", Cache()), ("migrations", Migrations())]
        if settings.HEALTH_QUEUE_MAX_AGE:
            checks.append(("delivery_queue", DeliveryQueue(max_age=settings.HEALTH_QUEUE_MAX_AGE)))
        return checks


live = Live.as_view()
ready = Ready.as_view()
