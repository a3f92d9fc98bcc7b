"""The access requests API for a back-office system (documented in openapi.py and docs/access-requests.md).

Every call carries ``Authorization: Bearer <token>``; a token acts for one
application and sees only that application's requests (another's request is
simply not found). Answers are JSON; errors are ``{"error": code, "message":
text, "field": name}`` with the status of the domain error.
"""

from __future__ import annotations

import json
import logging

from django.conf import settings
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST
from django.utils.translation import gettext as _

from limen.core import ratelimit
from limen.core.errors import LimenError
from limen.core.net import client_ip

from . import decisions, openapi, tokens
from .errors import RequestNotFound
from .models import AccessRequest, ApiToken, Status

log = logging.getLogger("limen.access")
MAX_BODY = 10_000
ACTIONS = {"approve", "refuse", "resend-code", "revoke"}


def _answer(data: dict, status: int = 200, **headers) -> JsonResponse:
    response = JsonResponse(data, status=status)
    response["Cache-Control"] = "no-store"
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def _error(code: str, message, status: int, field: str | None = None, **headers) -> JsonResponse:
    return _answer({"error": code, "message": str(message), "field": field}, status, **headers)


def _from(error: LimenError) -> JsonResponse:
    return _error(error.code, error.message, error.status, error.field)


def failure_limit() -> ratelimit.Limit:
    return ratelimit.Limit("access-api-auth", settings.ACCESS_API_FAILURES_PER_IP, settings.RATE_LIMIT_WINDOW_SECONDS)


def _authenticated(request) -> ApiToken | JsonResponse:
    ip = client_ip(request)
    challenge = {"WWW_Authenticate": f'Bearer realm="{settings.SITE_NAME}"'}
    if ratelimit.exceeded(failure_limit(), ip):
        return _error("rate_limited", _("Too many failed authentications from your address; wait and try again."),
                      429, Retry_After=str(ratelimit.retry_after(failure_limit())))
    scheme, _sep, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return _error("token_required", _("Send the application's API token: Authorization: Bearer <token>."), 401,
                      **challenge)
    token = tokens.authenticate(value.strip())
    if token is None:
        ratelimit.hit(failure_limit(), ip)
        log.info("access API: token refused from %s", ip)
        return _error("invalid_token", _("This token is not valid, or has been revoked."), 401,
                      WWW_Authenticate=f'Bearer realm="{settings.SITE_NAME}", error="invalid_token"')
    return token


def serialize(found: AccessRequest) -> dict:
    person = found.user
    return {
        "id": str(found.public_id), "status": found.status, "application": found.policy.app_name,
        "person": {"uid": str(person.uid), "email": person.email, "firstName": person.first_name,
                   "lastName": person.last_name},
        "fields": found.values, "submitted": found.submitted.isoformat(),
        "decided": found.decided.isoformat() if found.decided else None, "decidedBy": found.decided_by or None,
        "reason": found.reason or None, "codeSent": found.code_sent.isoformat() if found.code_sent else None,
        "codeExpires": found.code_expires.isoformat() if found.code_expires else None,
        "codeLocked": found.code_locked, "activated": found.activated.isoformat() if found.activated else None,
        "ended": found.ended.isoformat() if found.ended else None,
    }


def _find(token: ApiToken, pk) -> AccessRequest:
    found = AccessRequest.objects.select_related("policy", "user").filter(public_id=pk, policy=token.policy).first()
    if found is None:
        raise RequestNotFound()
    return found


@require_GET
def document(request):
    response = _answer(openapi.document())
    response["Access-Control-Allow-Origin"] = "*"
    return response


@csrf_exempt
@never_cache
@require_GET
def list_requests(request):
    token = _authenticated(request)
    if isinstance(token, JsonResponse):
        return token
    status = request.GET.get("status", Status.PENDING)
    if status not in Status.values or len(request.GET.getlist("status")) > 1:
        message = _("status is one of: %(values)s.") % {"values": ", ".join(Status.values)}
        return _error("invalid_status", message, 400, "status")
    found = AccessRequest.objects.filter(policy=token.policy, status=status).select_related("policy", "user") \
        .order_by("submitted")[:500]
    return _answer({"application": token.policy.app_name, "status": status,
                    "requests": [serialize(r) for r in found]})


@csrf_exempt
@never_cache
@require_GET
def get_request(request, pk):
    token = _authenticated(request)
    if isinstance(token, JsonResponse):
        return token
    try:
        return _answer(serialize(_find(token, pk)))
    except LimenError as error:
        return _from(error)


def _reason(request) -> str | JsonResponse:
    if len(request.body) > MAX_BODY:
        return _error("body_too_large", _("The body is too large."), 413)
    if not request.body:
        return ""
    if request.content_type != "application/json":
        return _error("invalid_body", _("Send a JSON object (Content-Type: application/json)."), 415)
    try:
        body = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        return _error("invalid_body", _("The body is not valid JSON."), 400)
    if not isinstance(body, dict) or set(body) - {"reason"}:
        return _error("invalid_body", _('The body is an object with at most a "reason".'), 400)
    reason = body.get("reason", "")
    if not isinstance(reason, str):
        return _error("reason_invalid", _("reason is a text."), 400, "reason")
    return reason


@csrf_exempt
@require_POST
def decide(request, pk, action: str):
    token = _authenticated(request)
    if isinstance(token, JsonResponse):
        return token
    if action not in ACTIONS:
        message = _("The action is one of: %(values)s.") % {"values": ", ".join(sorted(ACTIONS))}
        return _error("unknown_action", message, 404)
    reason = _reason(request) if action in {"refuse", "revoke"} else ""  # the others take no body
    if isinstance(reason, JsonResponse):
        return reason
    decider = decisions.Decider(label=f"API token {token.name} ({token.public_id})"[:254], via="api",
                                policy=token.policy)
    try:
        found = _find(token, pk)
        if action == "approve":
            found = decisions.approve(found, decider, request=request)
        elif action == "refuse":
            found = decisions.refuse(found, decider, reason, request=request)
        elif action == "resend-code":
            found = decisions.resend_code(found, decider, request=request)
        else:
            found = decisions.revoke(found, decider, reason, request=request)
    except LimenError as error:
        return _from(error)
    return _answer(serialize(found))
