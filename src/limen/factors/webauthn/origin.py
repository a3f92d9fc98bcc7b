"""Can browsers use security keys and passkeys at a given public address (LIMEN_BASE_URL)?

WebAuthn needs a secure context (https, or http on localhost) and a relying
party ID, the host of LIMEN_BASE_URL, that is a domain name: an IP address is
never accepted, not even 127.0.0.1. Chromium then says "this page does not
seem to be the real site", Firefox "the operation is insecure". This module
knows those rules, without Django, so that `limen run` and `limen demo` can
check an address before they start.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit

LOCAL_NAMES = ("localhost",)


@dataclass(frozen=True)
class Unusable:
    """Why WebAuthn cannot work at an address, and a working address to use instead (if there is an obvious one)."""

    code: str  # "ip_address" or "not_secure"
    reason: str
    instead: str | None = None


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _is_local_name(host: str) -> bool:
    return host in LOCAL_NAMES or host.endswith(".localhost")


def check(base_url: str) -> Unusable | None:
    """None when security keys and passkeys work at ``base_url``; else why not."""
    parts = urlsplit(base_url)
    host = (parts.hostname or "").lower()
    port = f":{parts.port}" if parts.port else ""
    local = f"http://localhost{port}"
    if _is_ip(host):
        loopback = ipaddress.ip_address(host).is_loopback
        return Unusable("ip_address", f"{host} is an IP address, and browsers accept security keys and passkeys "
                                      "only for a host name",
                        instead=local if loopback and parts.scheme == "http" else None)
    if parts.scheme == "https" or _is_local_name(host):
        return None
    return Unusable("not_secure", f"{base_url} is plain http, and browsers accept security keys and passkeys only "
                                  "over https, or over http at localhost")
