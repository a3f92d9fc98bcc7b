"""/health/live and /health/ready: 200 or 503, a small JSON body, never cached, no session work."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

from limen.core import clock
from limen.notify.models import OutboxMessage, Status

pytestmark = pytest.mark.django_db

READY_CHECKS = {"database", "cache", "migrations", "delivery_queue"}


def _body(response) -> dict:
    assert response["Content-Type"] == "application/json"
    return json.loads(response.content)


def _not_cached_and_no_session(response):
    assert "no-store" in response["Cache-Control"]
    assert not response.cookies  # no session, CSRF or language cookie
    assert "Cookie" not in response.get("Vary", "")


def test_liveness_needs_nothing_but_the_process(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/health/live")
    assert response.status_code == 200
    assert _body(response) == {"status": "ok"}
    _not_cached_and_no_session(response)


def test_readiness_when_everything_works(client):
    response = client.get("/health/ready")
    assert response.status_code == 200, response.content
    assert _body(response) == {"status": "ok", "checks": dict.fromkeys(READY_CHECKS, "ok")}
    _not_cached_and_no_session(response)


@pytest.mark.parametrize("path", ["/health/live", "/health/ready", "/health/live/"])
def test_probes_answer_whatever_the_host_and_scheme(client, settings, path):
    """Kubernetes probes an instance by its pod address, over plain http: no host check, no https redirect."""
    settings.SECURE_SSL_REDIRECT = True
    response = client.get(path, HTTP_HOST="10.42.0.17:8000")
    assert response.status_code == 200


def test_head_works_and_other_methods_do_not(client):
    assert client.head("/health/ready").status_code == 200
    assert client.post("/health/ready").status_code == 405


def test_not_ready_while_a_migration_is_missing(client):
    recorder = MigrationRecorder(connection)
    last = recorder.migration_qs.filter(app="signin").order_by("-id").first()
    recorder.record_unapplied(last.app, last.name)
    try:
        response = client.get("/health/ready")
    finally:
        recorder.record_applied(last.app, last.name)
    assert response.status_code == 503
    body = _body(response)
    assert body["status"] == "unavailable"
    assert body["checks"]["migrations"] == "failing"
    assert body["checks"]["database"] == "ok"
    _not_cached_and_no_session(response)


def _stuck_message(age_seconds: int) -> OutboxMessage:
    created = clock.now() - dt.timedelta(seconds=age_seconds)
    return OutboxMessage.objects.create(created=created, recipient="someone@example.org", subject="s", body="b",
                                        status=Status.PENDING, next_attempt=clock.now())


def test_not_ready_while_the_delivery_queue_is_stuck(client, settings):
    settings.HEALTH_QUEUE_MAX_AGE = 600
    _stuck_message(300)
    assert client.get("/health/ready").status_code == 200
    _stuck_message(900)
    response = client.get("/health/ready")
    assert response.status_code == 503
    assert _body(response)["checks"]["delivery_queue"] == "failing"


def test_the_queue_can_be_left_out(client, settings):
    settings.HEALTH_QUEUE_MAX_AGE = 0
    _stuck_message(10 * 24 * 3600)
    response = client.get("/health/ready")
    assert response.status_code == 200
    assert "delivery_queue" not in _body(response)["checks"]


def test_not_ready_when_the_cache_fails_and_nothing_sensitive_is_said(client, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache",
                                   "LOCATION": "no_such_cache_table"}}
    response = client.get("/health/ready")
    assert response.status_code == 503
    body = _body(response)
    assert body["checks"]["cache"] == "failing"
    # Only names and states: no error text, table, path, host, version or setting.
    assert set(body) == {"status", "checks"}
    assert set(body["checks"].values()) <= {"ok", "failing"}
    text = response.content.decode()
    for leak in ("no_such_cache_table", "table", "sqlite", "Error", settings.DATABASES["default"]["NAME"]):
        assert leak not in text


def test_not_ready_when_redis_does_not_answer(client, settings):
    from tests.support.ports import free_port

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
                                   "OPTIONS": {"socket_connect_timeout": 1.0, "socket_timeout": 1.0}}}
    response = client.get("/health/ready")
    assert response.status_code == 503
    assert _body(response)["checks"] == {"database": "ok", "cache": "failing", "migrations": "ok",
                                         "delivery_queue": "ok"}
