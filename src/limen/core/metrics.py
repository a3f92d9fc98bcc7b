"""Limen's own Prometheus metrics: the catalogue, and one function per thing counted.

Areas call these functions where things happen (a ticket issued, a push approved);
sign-in outcomes and lockouts are counted from the audit trail (limen.ops.audit_metrics).
Every label takes its value from a short fixed list, whatever the caller passes (anything
else becomes ``other``): no account, address, client or service ever becomes a label,
so the number of series stays small. The list with meanings is in docs/operations.md.

Under `limen serve` the values live in prometheus-client's multiprocess files (one per
gunicorn worker, PROMETHEUS_MULTIPROC_DIR) and the endpoint adds them up; values read
from the database at scrape time (queue backlog, active sessions) are collectors in
limen.ops.collectors.
"""

from __future__ import annotations

from collections.abc import Collection

from prometheus_client import Counter, Histogram

OTHER = "other"

SIGNIN_OUTCOMES = ("succeeded", "failed", "refused_locked", "refused_disabled", "rate_limited")
LOCKOUT_KINDS = ("account", "mobile_device")
PUSH_OUTCOMES = ("sent", "approved", "denied", "expired")
CAS_TICKET_KINDS = ("ST", "PT", "PGT")
CAS_VALIDATION_OUTCOMES = (
    "success", "INVALID_REQUEST", "INVALID_TICKET_SPEC", "UNAUTHORIZED_SERVICE_PROXY", "INVALID_PROXY_CALLBACK",
    "INVALID_TICKET", "INVALID_SERVICE", "INTERNAL_ERROR", "UNAUTHORIZED_SERVICE",
    "INSUFFICIENT_AUTHENTICATION_LEVEL", "INVALID_STRENGTH",
)
OIDC_GRANTS = ("authorization_code", "refresh_token")
OIDC_OUTCOMES = ("issued", "invalid_request", "invalid_client", "invalid_grant", "unauthorized_client",
                 "unsupported_grant_type", "invalid_scope", "server_error")

SIGNINS = Counter(
    "limen_signins", "Sign-in steps by method and outcome: a completed sign-in (or step-up) counts as "
    "succeeded for the method that completed it; every refused password or second factor counts once.",
    ["method", "outcome"])
LOCKOUTS = Counter("limen_lockouts", "Accounts locked after wrong passwords, mobile devices after wrong PINs.",
                   ["kind"])
PUSH_REQUESTS = Counter("limen_push_requests", "Sign-in requests sent to the mobile app, and what became of them.",
                        ["outcome"])
PUSH_ANSWER_SECONDS = Histogram(
    "limen_push_answer_seconds", "Time from sending a sign-in request to the mobile app to its answer.",
    ["decision"], buckets=(1, 2, 3, 5, 7.5, 10, 15, 20, 30, 45, 60, 90, 120, 300))
CAS_TICKETS = Counter("limen_cas_tickets_issued", "CAS tickets issued, by kind.", ["kind"])
CAS_VALIDATIONS = Counter("limen_cas_validations", "CAS ticket validations by outcome (the CAS error code).",
                          ["outcome"])
OIDC_TOKENS = Counter("limen_oidc_token_requests", "OpenID Connect token endpoint answers by grant and outcome.",
                      ["grant", "outcome"])


def _one_of(value: str, allowed) -> str:
    return value if value in allowed else OTHER


def signin(method: str, outcome: str, *, methods: Collection[str] = ("password",)) -> None:
    """``methods``: the method keys that may be labels (the caller knows the registry)."""
    SIGNINS.labels(method=_one_of(method, methods), outcome=_one_of(outcome, SIGNIN_OUTCOMES)).inc()


def lockout(kind: str) -> None:
    LOCKOUTS.labels(kind=_one_of(kind, LOCKOUT_KINDS)).inc()


def push(outcome: str, *, answered_after: float | None = None) -> None:
    """A push request sent, expired, or answered (approved/denied) ``answered_after`` seconds after it was sent."""
    outcome = _one_of(outcome, PUSH_OUTCOMES)
    PUSH_REQUESTS.labels(outcome=outcome).inc()
    if answered_after is not None and outcome in {"approved", "denied"}:
        PUSH_ANSWER_SECONDS.labels(decision=outcome).observe(max(answered_after, 0.0))


def cas_ticket(kind: str) -> None:
    CAS_TICKETS.labels(kind=_one_of(kind, CAS_TICKET_KINDS)).inc()


def cas_validation(outcome: str) -> None:
    CAS_VALIDATIONS.labels(outcome=_one_of(outcome, CAS_VALIDATION_OUTCOMES)).inc()


def oidc_token(grant: str, outcome: str) -> None:
    OIDC_TOKENS.labels(grant=_one_of(grant, OIDC_GRANTS), outcome=_one_of(outcome, OIDC_OUTCOMES)).inc()
