"""The only place the CAS server calls out: proxy callbacks and logout requests.

Certificates and host names are always verified for https; redirects are
never followed (a callback must answer 200 itself).
"""

from __future__ import annotations

import ssl
import urllib.error
import urllib.request
from urllib.parse import urlencode

from django.conf import settings

USER_AGENT = "Limen-CAS/1"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def _opener():
    return urllib.request.build_opener(urllib.request.HTTPSHandler(context=ssl.create_default_context()),
                                       _NoRedirect())


class CallError(Exception):
    """The other side could not be reached or did not answer with success."""

    def __init__(self, message: str, *, status: int | None = None):
        super().__init__(message)
        self.status = status


def _call(request: urllib.request.Request, timeout: float | None) -> int:
    try:
        with _opener().open(request, timeout=timeout or settings.CAS_HTTP_TIMEOUT) as response:
            response.read(65536)
            return response.status
    except urllib.error.HTTPError as error:
        raise CallError(f"HTTP {error.code}", status=error.code) from None
    except (urllib.error.URLError, OSError, ValueError) as error:
        reason = getattr(error, "reason", error)
        raise CallError(f"{type(reason).__name__}: {reason}"[:300]) from None


def get(url: str, params: dict, *, timeout: float | None = None) -> int:
    separator = "&" if "?" in url else "?"
    request = urllib.request.Request(url + separator + urlencode(params), headers={"User-Agent": USER_AGENT})
    return _call(request, timeout)


def post_form(url: str, data: dict, *, timeout: float | None = None) -> int:
    request = urllib.request.Request(
        url, data=urlencode(data).encode(), method="POST",
        headers={"User-Agent": USER_AGENT, "Content-Type": "application/x-www-form-urlencoded"},
    )
    return _call(request, timeout)
