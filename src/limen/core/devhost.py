"""Development only (LIMEN_DEBUG): one name for this machine, the host of LIMEN_BASE_URL.

In development Limen answers at 127.0.0.1, localhost and [::1] alike, but its
cookies, the security-key relying party and the demo applications all use the
host of LIMEN_BASE_URL (localhost by default). A page opened at another of
these names would get cookies of its own and refuse security keys, so a GET
there is sent to the same page at LIMEN_BASE_URL's host. Off in production.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpResponseRedirect

LOOPBACK_NAMES = {"127.0.0.1", "localhost", "::1"}


class LoopbackAliasRedirectMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        base = urlsplit(settings.BASE_URL)
        self.base = base if settings.DEBUG and base.hostname in LOOPBACK_NAMES else None

    def __call__(self, request):
        if self.base is not None and request.method in {"GET", "HEAD"}:
            try:
                asked = urlsplit("//" + request.META.get("HTTP_HOST", ""))
                name, port = asked.hostname, asked.port or (443 if request.is_secure() else 80)
            except ValueError:
                name = port = None
            base_port = self.base.port or (443 if self.base.scheme == "https" else 80)
            if name in LOOPBACK_NAMES and name != self.base.hostname and port == base_port:
                return HttpResponseRedirect(f"{self.base.scheme}://{self.base.netloc}{request.get_full_path()}")
        return self.get_response(request)
