"""limen.ops.request_metrics: the request series docs/operations.md lists, under django-prometheus's names."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import path

from .metrics_support import Delta, value

pytestmark = pytest.mark.django_db
RESPONSES = "django_http_responses_total_by_status_view_method_total"


def _broken(request):
    raise ZeroDivisionError("a bug in a view")


urlpatterns = [path("broken/", _broken, name="broken")]


def test_a_page_is_counted_by_status_view_and_method_with_its_latency(client):
    with Delta(RESPONSES, status="200", view="signin:identify", method="GET") as counted, \
            Delta("django_http_requests_latency_seconds_by_view_method_count", view="signin:identify",
                  method="GET") as timed, \
            Delta("django_http_requests_latency_including_middlewares_seconds_count") as overall:
        client.get("/login/")
    assert (counted.value, timed.value, overall.value) == (1, 1, 1)
    assert value("django_http_requests_latency_seconds_by_view_method_sum", view="signin:identify",
                 method="GET") > 0


def test_a_page_that_does_not_exist_has_no_view_name(client):
    with Delta(RESPONSES, status="404", view="<unnamed view>", method="GET") as counted:
        assert client.get("/no-such-page/").status_code == 404
    assert counted.value == 1


def test_probes_and_scrapes_are_not_counted(client):
    with Delta("django_http_requests_latency_including_middlewares_seconds_count") as overall:
        client.get("/health/live")
        client.get("/metrics", REMOTE_ADDR="127.0.0.1")
    assert overall.value == 0


def test_an_unhandled_exception_is_counted_by_type_and_view(settings):
    settings.ROOT_URLCONF = __name__
    with Delta("django_http_exceptions_total_by_type_total", type="ZeroDivisionError") as by_type, \
            Delta("django_http_exceptions_total_by_view_total", view="broken") as by_view, \
            Delta(RESPONSES, status="500", view="broken", method="POST") as answered:
        assert Client(raise_request_exception=False).post("/broken/").status_code == 500
    assert (by_type.value, by_view.value, answered.value) == (1, 1, 1)


def test_importing_the_middleware_needs_no_metrics_directory(tmp_path):
    """Django's checks import the middleware in every command (`limen migrate`); in multi-process mode
    a series without labels opens its file when it is made, so nothing is made at import."""
    import subprocess
    import sys

    gone = tmp_path / "removed-metrics-directory"
    code = "import limen.ops.request_metrics as m; assert m._metrics is None; print('imported')"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                            env={"PROMETHEUS_MULTIPROC_DIR": str(gone), "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0 and "imported" in result.stdout, result.stderr
