"""What we know about the caller: client IP, user agent, safe redirects."""

from __future__ import annotations

from django.conf import settings
from django.utils.http import url_has_allowed_host_and_scheme

MAX_USER_AGENT = 400


def _forwarded(request) -> list[str]:
    return [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()]


def behind_trusted_proxy(request) -> bool:
    """Whether the request came through the operator's trusted proxies: what they add to the
    request (X-Forwarded-For, X-Request-ID) is believed only then."""
    hops = settings.TRUSTED_PROXY_COUNT
    return bool(hops) and len(_forwarded(request)) >= hops


def client_ip(request) -> str:
    """The caller's address; X-Forwarded-For only counts behind trusted proxies."""
    if behind_trusted_proxy(request):
        return _forwarded(request)[-settings.TRUSTED_PROXY_COUNT]
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def user_agent(request) -> str:
    ua = request.META.get("HTTP_USER_AGENT", "")
    return "".join(ch for ch in ua if ch.isprintable())[:MAX_USER_AGENT]


def safe_next(request, candidate: str | None, default: str) -> str:
    """Follow ``next`` only to a path on this site; anything else is dropped."""
    if candidate and len(candidate) <= 2000 and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ) and candidate.startswith("/") and not candidate.startswith("//"):
        return candidate
    return default


def origin(request) -> dict[str, str]:
    """Where a request came from, as JSON-ready values for work done after the response."""
    if request is None:
        return {"ip": "", "user_agent": ""}
    return {"ip": client_ip(request), "user_agent": user_agent(request)}
