"""Where the development servers listen (`limen run`, `limen demo`), and the address they announce.

The default host is ``localhost``, not ``127.0.0.1``: browsers allow security
keys and passkeys (WebAuthn) only in a secure context and for a relying-party
ID that is a host name, never an IP address, so ``http://localhost:8000`` is
the one plain-http address where every sign-in method works.

An address is ``HOST:PORT`` or only ``PORT`` (the default host then).
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_HOST = "localhost"
DEFAULT_PORT = 8000


class AddressError(ValueError):
    """Not HOST:PORT or PORT."""

    code = "bad_address"


@dataclass(frozen=True)
class Address:
    host: str  # as typed: localhost, 127.0.0.1, [::1], login.test
    port: int

    @property
    def hostport(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def url(self) -> str:
        return f"http://{self.hostport}"


def parse(text: str | None, *, default_port: int = DEFAULT_PORT) -> Address:
    """``"8010"`` → localhost:8010, ``"127.0.0.1:8010"`` as given, nothing → localhost:<default_port>."""
    text = (text or "").strip()
    if not text:
        return Address(DEFAULT_HOST, default_port)
    host, colon, port = text.rpartition(":")
    if not colon:
        host, port = "", text
    if not port.isascii() or not port.isdigit() or not 0 < int(port) < 65536:
        raise AddressError(f"{text!r} is not an address: give PORT or HOST:PORT, e.g. 8010 or localhost:8010")
    if host.startswith("[") != host.endswith("]") or (":" in host and not host.startswith("[")):
        raise AddressError(f"{text!r}: write an IPv6 address in brackets, e.g. [::1]:8010")
    return Address(host or DEFAULT_HOST, int(port))
