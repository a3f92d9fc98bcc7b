"""What the QR codes carry.

Enrolment (shown in My Account while adding a device)::

    limen://enrol?v=1&server=<base URL>&token=<single-use enrolment token>

The enrolment QR code shown by the server is a link that opens the web app
with the payload in its fragment (never sent to a server)::

    <base URL>/app/#enrol=<the limen://enrol?... payload, percent-encoded>

``parse_enrolment`` reads both forms.

Offline one-time password (shown on the sign-in page)::

    limen://otp?v=1&server=<base URL>&account=<account hint>&challenge=<8 digits>

``account`` is a short hint (``account_hint``) that the app learnt at
enrolment, so an app holding several accounts picks the right secret without
the QR code showing who is signing in.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from urllib.parse import parse_qs, quote, unquote, urlencode, urlsplit

SCHEME = "limen"
VERSION = "1"
MAX_PAYLOAD = 1024
TOKEN_MAX = 100

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,%d}$" % TOKEN_MAX)
_HINT = re.compile(r"^[0-9a-f]{16}$")
_CHALLENGE = re.compile(r"^[0-9]{8}$")


class PayloadError(ValueError):
    pass


@dataclass(frozen=True)
class EnrolmentPayload:
    server: str
    token: str


@dataclass(frozen=True)
class OtpPayload:
    server: str
    account: str
    challenge: str


def account_hint(user_uid: str) -> str:
    return hashlib.sha256(f"limen-account:{user_uid}".encode()).hexdigest()[:16]


def _check_server(server: str) -> str:
    parts = urlsplit(server or "")
    if parts.scheme not in {"http", "https"} or not parts.hostname or parts.query or parts.fragment:
        raise PayloadError("the server address in the QR code is not an http(s) URL")
    return server.rstrip("/")


def enrolment_uri(server: str, token: str) -> str:
    return f"{SCHEME}://enrol?" + urlencode({"v": VERSION, "server": server, "token": token})


APP_PATH = "/app/"
APP_FRAGMENT = "enrol="


def app_link(server: str, payload: str) -> str:
    """The link a phone's camera opens: the web app, with the enrolment payload in the fragment."""
    return server.rstrip("/") + APP_PATH + "#" + APP_FRAGMENT + quote(payload, safe="")


def from_app_link(text: str) -> str:
    """The payload inside an app link, or ``text`` unchanged when it is not one."""
    text = "".join((text or "").split())
    parts = urlsplit(text)
    if parts.scheme in {"http", "https"} and parts.fragment.startswith(APP_FRAGMENT):
        return unquote(parts.fragment[len(APP_FRAGMENT):])
    return text


def otp_uri(server: str, account: str, challenge: str) -> str:
    return f"{SCHEME}://otp?" + urlencode({"v": VERSION, "server": server, "account": account,
                                           "challenge": challenge})


def _parse(text: str, kind: str) -> dict[str, str]:
    # Text pasted from a page may come wrapped over lines or with spaces around it; a payload has no
    # whitespace of its own (urlencode escapes it), so all of it is dropped.
    text = "".join((text or "").split())
    if len(text) > MAX_PAYLOAD:
        raise PayloadError("the QR code is too long to be a Limen code")
    parts = urlsplit(text)
    if parts.scheme != SCHEME:
        raise PayloadError("this is not a Limen QR code")
    if parts.netloc != kind:
        raise PayloadError(f"this Limen QR code is not for {'enrolment' if kind == 'enrol' else 'a one-time password'}")
    fields = parse_qs(parts.query, strict_parsing=True, max_num_fields=10) if parts.query else {}
    if any(len(v) != 1 for v in fields.values()):
        raise PayloadError("a field appears twice in the QR code")
    flat = {k: v[0] for k, v in fields.items()}
    if flat.get("v") != VERSION:
        raise PayloadError("this QR code needs a newer version of the app")
    return flat


def parse_enrolment(text: str) -> EnrolmentPayload:
    try:
        fields = _parse(from_app_link(text), "enrol")
    except ValueError as exc:
        raise PayloadError(str(exc)) from None
    token = fields.get("token", "")
    if not _TOKEN.match(token):
        raise PayloadError("the enrolment token in the QR code is malformed")
    return EnrolmentPayload(server=_check_server(fields.get("server", "")), token=token)


def parse_otp(text: str) -> OtpPayload:
    try:
        fields = _parse(text, "otp")
    except ValueError as exc:
        raise PayloadError(str(exc)) from None
    account, challenge = fields.get("account", ""), fields.get("challenge", "")
    if not _HINT.match(account) or not _CHALLENGE.match(challenge):
        raise PayloadError("the one-time password QR code is malformed")
    return OtpPayload(server=_check_server(fields.get("server", "")), account=account, challenge=challenge)
