"""What we know about the caller: safe redirects, client IP, user agent."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from limen.core.net import MAX_USER_AGENT, client_ip, safe_next, user_agent

DEFAULT = "/account/"


@pytest.fixture
def request_():
    return RequestFactory().get("/login/")


@pytest.mark.parametrize("candidate", ["/account/", "/account/activity/?page=2", "/admin/accounts/user/#top", "/"])
def test_same_site_paths_are_followed(request_, candidate):
    assert safe_next(request_, candidate, DEFAULT) == candidate


@pytest.mark.parametrize("candidate", [
    "https://evil.example/",
    "http://evil.example",
    "//evil.example",
    "//evil.example/account/",
    "/\\evil.example",
    "\\\\evil.example",
    "\\/evil.example",
    "/\t/evil.example",
    " //evil.example",
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "https://testserver/account/",  # even our own host: only paths are followed
    "account/",  # relative paths are not paths on this site
    "evil.example",
    "",
    None,
    "/" + "a" * 2001,
])
def test_anything_else_is_dropped(request_, candidate):
    assert safe_next(request_, candidate, DEFAULT) == DEFAULT


def test_client_ip_ignores_forwarded_for_without_trusted_proxies(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert client_ip(request) == "10.0.0.5"


def test_client_ip_behind_one_trusted_proxy_takes_the_last_hop(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # The client forged the first entry; the proxy appended the real address.
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7")
    assert client_ip(request) == "203.0.113.7"


def test_client_ip_behind_two_proxies(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1",
                                   HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7, 10.0.0.2")
    assert client_ip(request) == "203.0.113.7"


def test_client_ip_with_too_few_hops_falls_back_to_remote_addr(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert client_ip(request) == "10.0.0.1"


def test_client_ip_unknown_when_missing():
    request = RequestFactory().get("/")
    request.META.pop("REMOTE_ADDR", None)
    assert client_ip(request) == "unknown"


def test_user_agent_drops_control_characters_and_is_bounded():
    request = RequestFactory().get("/", HTTP_USER_AGENT="Browser/1.0\r\nX-Injected: 1\x00" + "x" * 1000)
    ua = user_agent(request)
    assert "\r" not in ua and "\n" not in ua and "\x00" not in ua
    assert ua.startswith("Browser/1.0X-Injected: 1")
    assert len(ua) == MAX_USER_AGENT


def test_user_agent_missing_is_empty():
    request = RequestFactory().get("/")
    assert user_agent(request) == ""
