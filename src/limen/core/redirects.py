"""Leaving Limen for another site (an application, an upstream eID provider).

Chromium applies the page's CSP ``form-action 'self'`` to every redirect that
follows a form submission, so a 302 to another site after one of our own forms
(e.g. password -> /oidc/authorize -> application) is blocked. When the
navigation started on one of our pages, ``leave`` therefore renders a short
page that continues by itself (an immediate meta refresh, with a link). A
navigation that came from elsewhere (the usual single sign-on case) gets a
plain redirect. CAS does the same for its tickets (cas/views.py).
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponseRedirect
from django.shortcuts import render


def started_here(request) -> bool:
    if request.headers.get("Sec-Fetch-Site") == "same-origin":
        return True
    return request.headers.get("Referer", "").startswith(settings.BASE_URL + "/")


def leave(request, url: str, *, destination: str = ""):
    """Send the browser to ``url`` (already validated by the caller) on another site."""
    if started_here(request):
        response = render(request, "core/continue.html", {"url": url, "destination": destination})
    else:
        response = HttpResponseRedirect(url)
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response
