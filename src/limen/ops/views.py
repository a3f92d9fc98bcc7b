"""/metrics: the Prometheus text, to allowed networks and the bearer token only (access.py)."""

from __future__ import annotations

from django.http import HttpResponse, JsonResponse

from . import access, exposition
from .errors import MetricsRefused, TokenRequired


def metrics(request):
    try:
        access.check(request)
    except MetricsRefused as refusal:
        response = JsonResponse({"error": refusal.code}, status=refusal.status)
        if isinstance(refusal, TokenRequired):
            response["WWW-Authenticate"] = 'Bearer realm="metrics"'
    else:
        response = HttpResponse(exposition.scrape(), content_type=exposition.CONTENT_TYPE)
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
