"""Who may read /metrics: callers from LIMEN_METRICS_ALLOWED_NETWORKS (default: this machine)
and, when LIMEN_METRICS_TOKEN is set, only with ``Authorization: Bearer <token>``.

The caller's address is the one ``core.net.client_ip`` trusts: behind the operator's trusted
proxies, the client the proxies name; otherwise the connection's address. A request that
carries forwarding headers the operator has not declared a proxy for is refused: either it
is forged, or an undeclared proxy makes every visitor look like the proxy's own address.
"""

from __future__ import annotations

import hmac
from ipaddress import IPv4Address, IPv6Address, ip_address

from django.conf import settings

from limen.core.net import behind_trusted_proxy, client_ip

from .errors import NotFromAllowedNetwork, TokenRequired

FORWARDING_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_FORWARDED", "HTTP_X_REAL_IP")


def caller_address(request) -> IPv4Address | IPv6Address | None:
    if behind_trusted_proxy(request):
        raw = client_ip(request)
    elif any(request.META.get(header) for header in FORWARDING_HEADERS):
        return None
    else:
        raw = request.META.get("REMOTE_ADDR", "")
    try:
        address = ip_address(raw.strip().strip("[]"))
    except ValueError:
        return None
    if isinstance(address, IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def allowed_network(address) -> bool:
    return address is not None and any(address in network for network in settings.METRICS_ALLOWED_NETWORKS)


def bearer_token(request) -> str:
    scheme, _, value = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""


def check(request) -> None:
    """Raises NotFromAllowedNetwork (403) or TokenRequired (401)."""
    if not allowed_network(caller_address(request)):
        raise NotFromAllowedNetwork()
    expected = settings.METRICS_TOKEN
    if expected and not hmac.compare_digest(bearer_token(request).encode(), expected.encode()):
        raise TokenRequired()
