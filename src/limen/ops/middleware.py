"""The operations endpoints, answered before the rest of the middleware; request metrics.

Probes and scrapes come from load balancers and Prometheus many times a minute, often with
an internal address as their Host: they need no session, no CSRF token, no language and
no host check, and must not be redirected to https. ``OpsEndpointsMiddleware`` sits near
the top of MIDDLEWARE and answers them itself.
"""

from __future__ import annotations

from asgiref.sync import async_to_sync
from django.http import HttpResponseNotAllowed

from . import health, views

ROUTES = {
    "/health/live": async_to_sync(health.live),
    "/health/ready": async_to_sync(health.ready),
    "/metrics": views.metrics,
}


class OpsEndpointsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        view = ROUTES.get(request.path_info.rstrip("/"))
        if view is None:
            return self.get_response(request)
        if request.method not in {"GET", "HEAD"}:
            return HttpResponseNotAllowed(["GET", "HEAD"])
        return view(request)
