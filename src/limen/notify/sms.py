"""SMS gateways, chosen by LIMEN_SMS_URL.

- ``console:`` (development): the message is only logged; with the
  development outbox on, it is readable on /dev/outbox/.
- ``https://...``: a generic HTTP gateway. The URL (and, for POST, the body
  in LIMEN_SMS_BODY) is a template with the placeholders {to} (+46701234567),
  {to_digits} (46701234567), {text} and {sender}; values are URL-encoded in
  the URL, and encoded for the body's content type. Credentials: user and
  password in the URL or LIMEN_SMS_USERNAME/LIMEN_SMS_PASSWORD (HTTP Basic),
  or LIMEN_SMS_TOKEN (Authorization: Bearer). Any answer other than 2xx is a
  failure: the outbox keeps the message and tries again later.
"""

from __future__ import annotations

import base64
import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import quote, quote_plus, unquote, urlsplit, urlunsplit

from django.conf import settings

log = logging.getLogger("limen.notify")


class SmsGatewayError(Exception):
    """The gateway did not accept the message (the outbox retries)."""


class ConsoleGateway:
    name = "console"

    def send(self, to: str, text: str) -> None:
        # Not the text: it carries a code. The development outbox page shows it.
        log.info("SMS to %s (development gateway, not sent; the text is on the development outbox page)", to)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # a 3xx is an answer we do not follow (it could leave https)


@dataclass
class HttpGateway:
    url: str
    method: str = "POST"
    body: str = ""
    content_type: str = "application/x-www-form-urlencoded"
    username: str = ""
    password: str = ""
    token: str = ""
    sender: str = ""
    timeout: int = 10
    name = "http"

    def __post_init__(self):
        parts = urlsplit(self.url)
        if parts.username is not None:
            self.username = self.username or unquote(parts.username)
            self.password = self.password or unquote(parts.password or "")
            self.url = urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))

    def _values(self, to: str, text: str) -> dict[str, str]:
        return {"{to}": to, "{to_digits}": to.lstrip("+"), "{text}": text, "{sender}": self.sender}

    @staticmethod
    def _fill(template: str, values: dict[str, str], encode) -> str:
        for placeholder, value in values.items():
            template = template.replace(placeholder, encode(value))
        return template

    def _body_encoder(self):
        kind = self.content_type.split(";")[0].strip().lower()
        if kind == "application/json":
            return lambda value: json.dumps(value)[1:-1]
        if kind == "application/x-www-form-urlencoded":
            return quote_plus
        return lambda value: value

    def request(self, to: str, text: str) -> urllib.request.Request:
        values = self._values(to, text)
        url = self._fill(self.url, values, lambda value: quote(value, safe=""))
        data = None
        headers = {"User-Agent": "Limen SMS"}
        if self.method == "POST":
            data = self._fill(self.body, values, self._body_encoder()).encode("utf-8")
            headers["Content-Type"] = self.content_type
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        elif self.username:
            pair = f"{self.username}:{self.password}".encode()
            headers["Authorization"] = "Basic " + base64.b64encode(pair).decode()
        return urllib.request.Request(url, data=data, method=self.method, headers=headers)

    def send(self, to: str, text: str) -> None:
        opener = urllib.request.build_opener(_NoRedirects)
        try:
            with opener.open(self.request(to, text), timeout=self.timeout) as response:
                response.read(65536)
                status = response.status
        except urllib.error.HTTPError as error:  # never echo the URL: it may carry credentials
            raise SmsGatewayError(f"the SMS gateway answered HTTP {error.code}") from None
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise SmsGatewayError(f"the SMS gateway could not be reached: {type(reason).__name__}") from None
        if not 200 <= status < 300:
            raise SmsGatewayError(f"the SMS gateway answered HTTP {status}")


def gateway():
    """The gateway the settings choose (read at each call, so tests can change settings)."""
    if settings.SMS_URL == "console:":
        return ConsoleGateway()
    return HttpGateway(
        url=settings.SMS_URL, method=settings.SMS_METHOD, body=settings.SMS_BODY,
        content_type=settings.SMS_CONTENT_TYPE, username=settings.SMS_USERNAME, password=settings.SMS_PASSWORD,
        token=settings.SMS_TOKEN, sender=settings.SMS_SENDER, timeout=settings.SMS_TIMEOUT,
    )
