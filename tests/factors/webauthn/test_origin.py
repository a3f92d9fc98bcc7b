"""Which public addresses let browsers use security keys and passkeys (limen.factors.webauthn.origin)."""

from __future__ import annotations

import pytest

from limen.factors.webauthn import origin


@pytest.mark.parametrize("url", ["http://localhost:8000", "http://localhost", "http://login.localhost:8000",
                                 "https://login.example.org", "https://login.example.org:8443"])
def test_addresses_where_webauthn_works(url):
    assert origin.check(url) is None


@pytest.mark.parametrize(("url", "instead"), [
    ("http://127.0.0.1:8000", "http://localhost:8000"),   # what `make run` printed: an IP is never an RP ID
    ("http://[::1]:8010", "http://localhost:8010"),
    ("https://192.0.2.10", None),                         # not even over https
    ("http://0.0.0.0:8000", None),
])
def test_ip_addresses_never_work(url, instead):
    problem = origin.check(url)
    assert problem.code == "ip_address" and problem.instead == instead
    assert "host name" in problem.reason


def test_plain_http_elsewhere_than_localhost_is_not_a_secure_context():
    problem = origin.check("http://limen.lan:8000")
    assert problem.code == "not_secure" and "https" in problem.reason and problem.instead is None
