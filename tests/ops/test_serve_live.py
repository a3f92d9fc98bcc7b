"""`limen serve` as an operator runs it: two gunicorn workers, JSON logs, metrics added up across
workers (prometheus-client's multiprocess mode), readiness that follows the database."""

from __future__ import annotations

import json
import os
import shutil
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.oidc.live import Browser
from tests.support.limen_server import LimenServer

# One server for the module, on one xdist worker (with --dist loadgroup): two servers writing
# to one log file would mix their lines.
pytestmark = pytest.mark.xdist_group("ops-serve-live")

EMAIL, PASSWORD = "grace.hopper@example.org", "Correct-Horse-42"
JSON_KEYS = {"time", "level", "logger", "message", "instance", "pid", "request_id"}
# Access lines: uvicorn's under the async worker (the default), gunicorn's under --server sync.
ACCESS_LOGGERS = {"uvicorn.access", "gunicorn.access"}


@pytest.fixture(scope="module")
def server():
    with LimenServer(name=f"ops-{os.getpid()}", email_url="memory:", workers=2,
                     env={"LIMEN_INSTANCE": "limen-test-7"}) as running:
        running.manage("shell", "-c", "from limen.accounts.models import User; "
                                      f"User.objects.create_user({EMAIL!r}, {PASSWORD!r}, email_verified=True)")
        yield running


def get(server, path: str, headers: dict | None = None) -> tuple[int, object, bytes]:
    """Status, headers (looked up case-insensitively: the async worker sends them in lower case), body."""
    request = urllib.request.Request(server.url + path, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def served_lines(server) -> list[dict]:
    """The server's lines since `limen serve` started: every one must be a JSON object."""
    text = server.log_path.read_text()
    lines = text[text.index("$ limen serve"):].splitlines()[1:]
    parsed = []
    for line in lines:
        entry = json.loads(line)  # one JSON object per line, nothing else
        assert JSON_KEYS <= set(entry), entry
        parsed.append(entry)
    return parsed


def samples(server, name: str) -> dict[tuple, float]:
    status, _, body = get(server, "/metrics")
    assert status == 200
    found = {}
    for family in text_string_to_metric_families(body.decode()):
        for sample in family.samples:
            if sample.name == name:
                found[tuple(sorted(sample.labels.items()))] = sample.value
    return found


def test_metrics_add_up_across_workers(server):
    key = (("method", "GET"), ("status", "200"), ("view", "signin:identify"))
    name = "django_http_responses_total_by_status_view_method_total"
    before = samples(server, name).get(key, 0)
    sent, pids = 0, set()
    with ThreadPoolExecutor(max_workers=6) as pool:
        while len(pids) < 2 and sent < 300:  # (a worker gunicorn restarts is a third pid)
            statuses = list(pool.map(lambda _: get(server, "/login/")[0], range(12)))
            assert statuses == [200] * 12
            sent += 12
            time.sleep(0.2)  # the access lines are written after the responses
            pids = {line["pid"] for line in served_lines(server)
                    if line["logger"] in ACCESS_LOGGERS and line["http"]["path"] == "/login/"}
    assert len(pids) >= 2, "the requests did not reach both workers"
    # Whichever worker answers the scrape, it reports both workers' requests.
    for _ in range(6):
        assert samples(server, name)[key] == before + sent


def test_json_lines_carry_the_request_id_and_no_secrets(server):
    browser = Browser()
    response = browser.post_form(server.url + "/login/", {"email": EMAIL})
    assert response.status_code == 302
    response = browser.post_form(server.url + "/login/password/", {"password": "Wrong-Password-9"})
    request_id = response.headers["X-Request-ID"]
    time.sleep(0.3)
    lines = served_lines(server)
    mine = [line for line in lines if line["request_id"] == request_id]
    loggers = {line["logger"] for line in mine}
    assert "limen.audit" in loggers and loggers & ACCESS_LOGGERS, mine
    (access,) = [line for line in mine if line["logger"] in ACCESS_LOGGERS]  # one: the bridge's, not uvicorn's too
    assert access["http"]["path"] == "/login/password/"
    assert access["http"]["status"] == response.status_code
    # Written once the response was: how long it took, and its body's size.
    assert access["http"]["bytes"] == len(response.content) > 0
    assert 0 < access["http"]["duration_ms"] < 30_000
    audit = next(line for line in mine if line.get("event") == "signin.failed")
    assert isinstance(audit["account"], int)
    assert {line["instance"] for line in lines} == {"limen-test-7"}
    text = server.log_path.read_text()
    assert EMAIL not in text and "Wrong-Password-9" not in text
    counted = samples(server, "limen_signins_total")
    assert counted[(("method", "password"), ("outcome", "failed"))] >= 1


def test_a_request_id_from_an_untrusted_caller_is_replaced(server):
    forged = "forged-request-id-0001"
    _, headers, _ = get(server, "/health/live", {"X-Request-ID": forged, "X-Forwarded-For": "10.0.0.1"})
    assert headers["X-Request-ID"] != forged


def test_readiness_follows_the_database(server):
    """The SQLite file replaced by a directory: new connections fail, as with a database server that
    went away. Readiness turns 503 (liveness stays 200), and back to 200 once the file is back."""
    database = Path(server.data_dir) / "limen.sqlite3"
    aside = database.with_name("limen.sqlite3.aside")

    def ready_status(expected: int) -> int:
        deadline = time.monotonic() + 20
        while True:
            status, headers, body = get(server, "/health/ready")
            if status == expected or time.monotonic() > deadline:
                return status, headers, body
            time.sleep(0.2)

    assert ready_status(200)[0] == 200
    database.rename(aside)
    database.mkdir()
    try:
        status, headers, body = ready_status(503)
        assert status == 503
        assert json.loads(body)["status"] == "unavailable"
        assert json.loads(body)["checks"]["database"] == "failing"
        assert "no-store" in headers["Cache-Control"]
        assert get(server, "/health/live")[0] == 200
    finally:
        shutil.rmtree(database)
        aside.rename(database)
    status, _, body = ready_status(200)
    assert status == 200, body
