"""Back-channel endpoints skip the browser middleware (limen.core.channels), and nothing else changes."""

import json

import pytest
from django.core import checks
from django.http import HttpResponse
from django.test import Client
from django.urls import include, path, re_path

from limen.core import channels, ratelimit
from limen.core.channels import backchannel, backchannel_paths, check_browser_middleware

BACKCHANNEL = {"/cas/validate", "/cas/serviceValidate", "/cas/proxyValidate", "/cas/proxy",
               "/cas/p3/serviceValidate", "/cas/p3/proxyValidate", "/oidc/token", "/oidc/introspect",
               "/oidc/revoke", "/oidc/userinfo", "/oidc/jwks", "/.well-known/openid-configuration",
               "/.well-known/oauth-authorization-server"}


def test_the_back_channel_endpoints_are_exactly_the_server_to_server_ones():
    assert backchannel_paths() == BACKCHANNEL


def test_only_plain_routes_to_marked_views_count():
    @backchannel
    def marked(request):
        return HttpResponse()

    def ordinary(request):
        return HttpResponse()

    patterns = [
        path("a/", include([path("b", marked), path("c", ordinary), path("d/<int:n>", marked)])),
        re_path(r"^e/$", marked),
        path("f", marked),
    ]
    assert backchannel_paths(patterns) == {"/a/b", "/f"}


@pytest.mark.django_db
def test_a_validation_sets_no_cookie_and_keeps_the_security_headers(client):
    response = client.get("/cas/p3/serviceValidate", {"service": "https://app.example.org/", "ticket": "ST-x"})
    assert response.status_code == 200 and b"authenticationFailure" in response.content
    assert not response.cookies
    assert "Cookie" not in response.get("Vary", "") and "Accept-Language" not in response.get("Vary", "")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response.wsgi_request.backchannel is True
    assert not hasattr(response.wsgi_request, "session") and not hasattr(response.wsgi_request, "user")


@pytest.mark.django_db
def test_pages_keep_sessions_and_csrf():
    browser = Client(enforce_csrf_checks=True)
    page = browser.get("/login/")
    assert page.wsgi_request.backchannel is False and hasattr(page.wsgi_request, "session")
    assert "csrftoken" in page.cookies
    assert browser.post("/login/", {"email": "someone@example.org"}).status_code == 403


@pytest.mark.django_db
def test_a_back_channel_answer_is_in_the_default_language_whatever_came_before(client):
    query = {"service": "https://app.example.org/", "ticket": "not-a-ticket"}
    english = client.get("/cas/p3/serviceValidate", query).content
    assert b"malformed" in english
    client.cookies["limen_language"] = "fr"
    assert client.get("/login/").wsgi_request.LANGUAGE_CODE == "fr"  # this thread's language is now French
    assert client.get("/cas/p3/serviceValidate", query, HTTP_ACCEPT_LANGUAGE="fr").content == english


@pytest.mark.django_db
def test_domain_errors_are_still_mapped_on_back_channel_endpoints(client, monkeypatch):
    def unavailable(*args, **kwargs):
        raise ratelimit.LimitsUnavailable()

    monkeypatch.setattr(ratelimit, "exceeded", unavailable)
    response = client.post("/oidc/token", {"grant_type": "authorization_code", "code": "x"},
                           HTTP_AUTHORIZATION="Basic YTpi")
    assert response.status_code == 503
    assert json.loads(response.content)["error"] == "limits_unavailable"
    assert response["Retry-After"] and response["Cache-Control"] == "no-store"
    assert response["X-Frame-Options"] == "DENY"


def test_the_browser_middleware_must_be_somewhere(settings):
    assert check_browser_middleware() == []
    settings.BROWSER_MIDDLEWARE = [m for m in settings.BROWSER_MIDDLEWARE if "csrf" not in m]
    assert [e.id for e in check_browser_middleware()] == ["limen.E001"]
    settings.BROWSER_MIDDLEWARE = list(reversed(channels.REQUIRED))
    assert [e.id for e in check_browser_middleware()] == ["limen.E002"]
    assert all(isinstance(e, checks.Error) for e in check_browser_middleware())
