"""In development, 127.0.0.1 and [::1] lead to the host of LIMEN_BASE_URL (limen.core.devhost)."""

from __future__ import annotations

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from limen.core.devhost import LoopbackAliasRedirectMiddleware


def middleware(settings, *, debug=True, base="http://localhost:8000"):
    settings.DEBUG, settings.BASE_URL = debug, base
    return LoopbackAliasRedirectMiddleware(lambda request: HttpResponse("page"))


@pytest.mark.parametrize("host", ["127.0.0.1:8000", "[::1]:8000"])
def test_another_name_of_this_machine_goes_to_the_base_url(settings, host):
    response = middleware(settings)(RequestFactory().get("/account/security-keys/?x=1", HTTP_HOST=host))
    assert response.status_code == 302 and response["Location"] == "http://localhost:8000/account/security-keys/?x=1"


@pytest.mark.parametrize(("host", "method"), [
    ("localhost:8000", "get"),        # already there
    ("127.0.0.1:9000", "get"),        # another port: another server
    ("127.0.0.1:8000", "post"),       # a form is never redirected
    ("login.example.org", "get"),
])
def test_what_is_left_alone(settings, host, method):
    response = middleware(settings)(getattr(RequestFactory(), method)("/login/", HTTP_HOST=host))
    assert response.content == b"page"


def test_off_in_production_and_for_other_base_urls(settings):
    request = RequestFactory().get("/login/", HTTP_HOST="127.0.0.1:8000")
    assert middleware(settings, debug=False)(request).content == b"page"
    assert middleware(settings, base="https://login.example.org")(request).content == b"page"
