"""Refusals of the operations endpoints. Their answers are for machines (a Prometheus server,
a load balancer): a status and a stable code, no sentence to translate."""

from __future__ import annotations

from limen.core.errors import LimenError


class MetricsRefused(LimenError):
    code = "forbidden"
    status = 403


class NotFromAllowedNetwork(MetricsRefused):
    """The caller's address is outside LIMEN_METRICS_ALLOWED_NETWORKS, or cannot be known."""


class TokenRequired(MetricsRefused):
    """LIMEN_METRICS_TOKEN is set and the request's bearer token is missing or wrong."""

    code = "unauthorized"
    status = 401
