"""Core pages and headers: home, error pages, security headers."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from limen.core import views

pytestmark = pytest.mark.django_db


def test_home_sends_strangers_to_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == "/login/"


def test_home_sends_signed_in_people_to_my_account(signed_in_client):
    assert signed_in_client.get("/")["Location"] == "/account/"


def test_strict_csp_on_our_pages(client):
    policy = client.get("/login/")["Content-Security-Policy"]
    for directive in ("default-src 'self'", "script-src 'self'", "form-action 'self'", "frame-ancestors 'none'",
                      "object-src 'none'", "base-uri 'none'"):
        assert directive in policy
    assert "unsafe-inline" not in policy


def test_other_headers(client):
    response = client.get("/privacy/")
    assert response["Permissions-Policy"] == "camera=(), microphone=(), geolocation=()"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "Cache-Control" not in response or response["Cache-Control"] != "no-store"


@pytest.mark.parametrize("path", ["/login/", "/login/password/", "/register/", "/password/lost/",
                                  "/verify/abc/", "/account/"])
def test_sign_in_and_account_pages_are_not_cached(client, path):
    assert client.get(path)["Cache-Control"] == "no-store"


@pytest.mark.parametrize("handler,status", [
    (views.bad_request, 400),
    (views.page_not_found, 404),
    (views.server_error, 500),
])
def test_error_pages_render(handler, status):
    request = RequestFactory().get("/x")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    response = handler(request) if handler is views.server_error else handler(request, None)
    assert response.status_code == status
    assert b"<html" in response.content


def test_csrf_failure_page(client):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post("/login/", {"email": "a@example.org"})
    assert response.status_code == 403
    assert "The form has expired" in response.content.decode()


def test_the_site_has_an_icon(client):
    page = client.get("/login/").content.decode()
    assert '<link rel="icon" href="/static/limen/icon.svg" type="image/svg+xml">' in page
    # /favicon.ico, which browsers ask for by themselves, answers with the same icon.
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"] == "/static/limen/icon.svg"
    icon = client.get("/static/limen/icon.svg")
    assert icon.status_code == 200 and icon["Content-Type"].startswith("image/svg+xml")
    assert b"<svg" in b"".join(icon.streaming_content)
