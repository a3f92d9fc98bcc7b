"""/metrics: readable from the configured networks only, and with the token when one is set."""

from __future__ import annotations

from ipaddress import ip_network

import pytest

from limen.ops import access

pytestmark = pytest.mark.django_db

TOKEN = "s3cret-metrics-token-0123456789"


def _is_metrics(response) -> bool:
    return response.status_code == 200 and b"# TYPE limen_signins_total counter" in response.content


def test_readable_from_this_machine_by_default(client):
    response = client.get("/metrics", REMOTE_ADDR="127.0.0.1")
    assert _is_metrics(response)
    assert response["Content-Type"].startswith("text/plain; version=")
    assert response["Cache-Control"] == "no-store"
    assert not response.cookies
    assert _is_metrics(client.get("/metrics", REMOTE_ADDR="::1"))
    assert _is_metrics(client.get("/metrics", REMOTE_ADDR="::ffff:127.0.0.1"))


@pytest.mark.parametrize("address", ["203.0.113.5", "10.0.0.1", "2001:db8::1", "", "not-an-address"])
def test_refused_from_elsewhere(client, address):
    response = client.get("/metrics", REMOTE_ADDR=address)
    assert response.status_code == 403
    assert response.json() == {"error": "forbidden"}
    assert b"limen_" not in response.content


def test_a_forged_forwarded_address_is_not_believed(client, settings):
    """No proxy declared: X-Forwarded-For is the caller's own claim."""
    settings.TRUSTED_PROXY_COUNT = 0
    response = client.get("/metrics", REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR="127.0.0.1")
    assert response.status_code == 403


@pytest.mark.parametrize("header", ["HTTP_X_FORWARDED_FOR", "HTTP_FORWARDED", "HTTP_X_REAL_IP"])
def test_an_undeclared_proxy_on_this_machine_does_not_open_the_metrics(client, settings, header):
    """nginx on the same host forwards every visitor from 127.0.0.1: without LIMEN_TRUSTED_PROXIES,
    the forwarding header shows the request is not this machine's own."""
    settings.TRUSTED_PROXY_COUNT = 0
    response = client.get("/metrics", REMOTE_ADDR="127.0.0.1", **{header: "203.0.113.5"})
    assert response.status_code == 403


def test_behind_a_trusted_proxy_the_client_address_counts(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.5").status_code == 403
    # A client that adds its own "127.0.0.1" in front: the proxy appends the real address last.
    forged = client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="127.0.0.1, 203.0.113.5")
    assert forged.status_code == 403
    assert _is_metrics(client.get("/metrics", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="127.0.0.1"))


def test_configured_networks(client, settings):
    settings.METRICS_ALLOWED_NETWORKS = (ip_network("10.20.0.0/16"), ip_network("2001:db8::/32"))
    assert _is_metrics(client.get("/metrics", REMOTE_ADDR="10.20.3.4"))
    assert _is_metrics(client.get("/metrics", REMOTE_ADDR="2001:db8::7"))
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 403
    assert client.get("/metrics", REMOTE_ADDR="10.21.0.1").status_code == 403


def test_no_networks_means_nobody(client, settings):
    settings.METRICS_ALLOWED_NETWORKS = ()
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 403


@pytest.mark.parametrize("authorization", [None, "", "Bearer", "Bearer wrong-token-0123456789",
                                           f"Basic {TOKEN}", f"Bearer {TOKEN}x", f"Bearer {TOKEN[:-1]}"])
def test_with_a_token_set_a_missing_or_wrong_token_is_refused(client, settings, authorization):
    settings.METRICS_TOKEN = TOKEN
    extra = {"HTTP_AUTHORIZATION": authorization} if authorization is not None else {}
    response = client.get("/metrics", REMOTE_ADDR="127.0.0.1", **extra)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json() == {"error": "unauthorized"}


def test_with_a_token_set_the_right_token_is_needed_and_enough_from_an_allowed_network(client, settings):
    settings.METRICS_TOKEN = TOKEN
    settings.METRICS_ALLOWED_NETWORKS = (ip_network("0.0.0.0/0"), ip_network("::/0"))
    assert _is_metrics(client.get("/metrics", REMOTE_ADDR="203.0.113.5", HTTP_AUTHORIZATION=f"Bearer {TOKEN}"))
    assert _is_metrics(client.get("/metrics", REMOTE_ADDR="203.0.113.5", HTTP_AUTHORIZATION=f"bearer  {TOKEN}"))


def test_the_token_does_not_open_the_metrics_outside_the_networks(client, settings):
    settings.METRICS_TOKEN = TOKEN
    response = client.get("/metrics", REMOTE_ADDR="203.0.113.5", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 403


def test_the_token_is_compared_in_constant_time(client, settings, monkeypatch):
    settings.METRICS_TOKEN = TOKEN
    compared = []
    real = access.hmac.compare_digest
    monkeypatch.setattr(access.hmac, "compare_digest", lambda a, b: compared.append((a, b)) or real(a, b))
    client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_AUTHORIZATION="Bearer guess")
    assert compared == [(b"guess", TOKEN.encode())]


def test_only_get_and_head(client):
    assert client.post("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 405
    assert client.head("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 200
