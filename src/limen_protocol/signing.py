"""Canonical device API requests.

Every call from a device carries four headers::

    Limen-Device:     the device id (absent on the enrolment call, whose key is in the body)
    Limen-Timestamp:  Unix time in whole seconds
    Limen-Nonce:      16 to 64 characters of base64url, never used twice
    Limen-Signature:  base64url ECDSA P-256 signature (raw r||s) of the canonical request

The canonical request is these lines joined by a newline, UTF-8 encoded::

    limen-device-request-v1
    METHOD
    /path?query            (exactly as sent on the request line)
    device id, or "-"      (enrolment)
    timestamp
    nonce
    hex SHA-256 of the body (of the empty string when there is none)

The server accepts a timestamp within its clock-skew window (60 s by default)
and remembers each nonce until the window has passed, so a captured request
cannot be sent again.
"""

from __future__ import annotations

import hashlib
import re
import secrets

DOMAIN = "limen-device-request-v1"

HEADER_DEVICE = "Limen-Device"
HEADER_TIMESTAMP = "Limen-Timestamp"
HEADER_NONCE = "Limen-Nonce"
HEADER_SIGNATURE = "Limen-Signature"

NONCE_MIN, NONCE_MAX = 16, 64
DEVICE_ID_MAX = 64
NO_DEVICE = "-"

_NONCE = re.compile(r"^[A-Za-z0-9_-]{%d,%d}$" % (NONCE_MIN, NONCE_MAX))
_DEVICE_ID = re.compile(r"^[A-Za-z0-9_-]{1,%d}$" % DEVICE_ID_MAX)


def new_nonce() -> str:
    return secrets.token_urlsafe(18)  # 24 characters


def valid_nonce(nonce: str) -> bool:
    return bool(_NONCE.match(nonce or ""))


def valid_device_id(device_id: str) -> bool:
    return bool(_DEVICE_ID.match(device_id or ""))


def body_hash(body: bytes) -> str:
    return hashlib.sha256(body or b"").hexdigest()


def canonical_request(*, method: str, path: str, device_id: str | None, timestamp: int | str, nonce: str,
                      body: bytes = b"") -> bytes:
    lines = [DOMAIN, method.upper(), path, device_id or NO_DEVICE, str(int(timestamp)), nonce, body_hash(body)]
    return "\n".join(lines).encode("utf-8")
