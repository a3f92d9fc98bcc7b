"""Operators register applications with `limen cas_service` and in the admin site."""

import json

import pytest
from django.core.management import CommandError, call_command

from limen.audit.models import AuditEvent
from limen.cas.models import LogoutRequest, Service
from limen.core import clock
from limen.notify.models import Status


def run(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command("cas_service", *args, stdout=out)
    return out.getvalue()


def test_add_list_update_remove(db):
    out = run("add", "--name", "Europass", "--url-pattern", "https://europass.example.org/",
              "--attributes", "email,firstName", "--level", "MEDIUM", "--slo-url", "https://europass.example.org/slo")
    assert out.startswith("Registered Europass")
    service = Service.objects.get(name="Europass")
    assert (service.attributes, service.level, service.slo_url) == (["email", "firstName"], 20,
                                                                   "https://europass.example.org/slo")
    assert run("add", "--name", "Europass", "--url-pattern", "https://europass.example.org/",
               "--attributes", "all").startswith("Updated Europass")
    rows = json.loads(run("list", "--json"))
    assert rows[0]["name"] == "Europass" and "assuranceLevel" in rows[0]["attributes"]
    assert "pattern: https://europass.example.org/" in run("list")
    assert run("remove", "--name", "Europass").startswith("Removed")
    assert not Service.objects.exists()
    assert AuditEvent.objects.filter(event="cas.service_saved").count() == 2
    assert AuditEvent.objects.filter(event="cas.service_removed").count() == 1


@pytest.mark.parametrize("args", [
    ["add", "--name", "X", "--url-pattern", "not a url"],
    ["add", "--name", "X", "--url-pattern", "https://x.example.org/", "--attributes", "password"],
    ["add", "--name", "X", "--url-pattern", "https://x.example.org/", "--level", "TOP"],
    ["add", "--name", "X", "--url-pattern", "https://x.example.org/", "--slo-url", "mailto:x@example.org"],
    ["add", "--name", "X", "--url-pattern", "^(", ],
    ["remove", "--name", "Nobody"],
])
def test_bad_input_is_refused_with_a_message(db, args):
    with pytest.raises(CommandError):
        run(*args)
    assert not Service.objects.exists()


@pytest.fixture
def operator_client(client, make_user):
    operator = make_user(is_staff=True, is_superuser=True)
    client.force_login(operator)
    return client


def test_admin_registers_an_application(operator_client):
    response = operator_client.post("/admin/cas/service/add/", {
        "name": "RCAM", "url_pattern": "https://rcam.example.org/", "attributes": ["email", "lastName"],
        "level": "20", "slo_url": "", "proxy_callback_pattern": "", "response_layout": "eulogin", "enabled": "on",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    service = Service.objects.get(name="RCAM")
    assert service.attributes == ["email", "lastName"] and service.level == 20
    assert service.response_layout == "eulogin"
    assert AuditEvent.objects.filter(event="cas.service_saved", data__service="RCAM").exists()


def test_admin_refuses_a_bad_pattern(operator_client):
    response = operator_client.post("/admin/cas/service/add/", {
        "name": "RCAM", "url_pattern": "rcam.example.org", "level": "10",
    })
    assert response.status_code == 200 and b"Enter an http or https URL" in response.content
    assert not Service.objects.exists()


def test_admin_retries_a_logout_request(operator_client):
    """Logout requests are rows of the one delivery queue: its admin retries them."""
    now = clock.now()
    row = LogoutRequest.objects.create(channel=LogoutRequest.CHANNEL, subject="RCAM", recipient="https://rcam.example.org/",
                                       payload={"session_index": "ST-x"}, body="<x/>", created=now, next_attempt=now,
                                       status=Status.FAILED)
    operator_client.post("/admin/notify/outboxmessage/", {"action": "retry_now", "_selected_action": [row.pk]})
    row.refresh_from_db()
    assert row.status == Status.PENDING
