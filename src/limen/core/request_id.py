"""The request id: one value that ties together every log line and audit event of a request.

Behind a trusted reverse proxy (the same condition under which ``core.net.client_ip``
believes X-Forwarded-For) the proxy's ``X-Request-ID`` is kept, so that its access log
and Limen's lines can be joined; from anyone else the header is ignored, like a forged
X-Forwarded-For. A value that is too long or has unexpected characters is replaced too.
The id is sent back in the response's ``X-Request-ID`` header and held in a context
variable that the log filter (``core.logs``) and the audit trail read.
"""

from __future__ import annotations

import contextvars
import re
import uuid

from . import after_response
from .net import behind_trusted_proxy

HEADER = "X-Request-ID"
# nginx's $request_id (32 hex digits), UUIDs, base64url and dotted trace ids fit; quotes,
# spaces, control characters and anything longer do not (they would end up in every log line).
VALID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{7,127}")

_current: contextvars.ContextVar[str | None] = contextvars.ContextVar("limen_request_id", default=None)


def current() -> str | None:
    """The id of the request being handled in this context, or None outside requests."""
    return _current.get()


def new() -> str:
    return uuid.uuid4().hex


def valid(value: str) -> bool:
    return bool(VALID.fullmatch(value))


def from_request(request) -> str:
    """The proxy's id when the request came through a trusted proxy and the id is well-formed, else a new one."""
    offered = request.META.get("HTTP_X_REQUEST_ID", "")
    if offered and behind_trusted_proxy(request) and valid(offered):
        return offered
    return new()


def bind(value: str | None) -> None:
    _current.set(value)


class RequestIdMiddleware:
    """Gives each request its id, returns it in ``X-Request-ID``, and keeps it for the request's
    log lines, including those of the work run after the response (``core.after_response``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = from_request(request)
        bind(request.request_id)
        response = self.get_response(request)
        response[HEADER] = request.request_id
        after_response.cleanup(lambda: bind(None))  # after the work queued by the view
        return response
