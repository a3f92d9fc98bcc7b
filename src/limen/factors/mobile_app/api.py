"""The device API (JSON, /mobile/api/v1/): thin views over the services.

Every call but the OpenAPI description is signed (services/apiauth.py);
errors are JSON ``{"error": {"code": ..., "message": ...}}`` with a stable
code. openapi.json beside this file describes every call.
"""

from __future__ import annotations

import json
import re
from functools import wraps
from pathlib import Path

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from limen.core import ratelimit
from limen.core.net import client_ip
from limen_protocol import KEY_ALGORITHM, OCRA_SUITE, b64, payloads
from limen_protocol import pin as pin_protocol

from . import channel, waiting
from .errors import (ApiNotFound, DeviceLocked, FieldTooLong, InvalidField, MalformedJson, MethodNotAllowed,
                     MobileError, PayloadTooLarge, TooManyRequests)
from .internal import keys
from .models import DeviceCredential, DeviceStatus, MobileDevice, PushSubscription
from .services import apiauth, challenges, devices, enrolment

MAX_BODY = 8 * 1024
MAX_SEEN = 20
_PUBLIC_ID = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
OPENAPI_FILE = Path(__file__).with_name("openapi.json")


def auth_failure_limit() -> ratelimit.Limit:
    return ratelimit.Limit("mobile-api-auth-ip", 60, settings.RATE_LIMIT_WINDOW_SECONDS)


def error_response(error: MobileError) -> JsonResponse:
    payload = {"code": error.code, "message": str(error.message)}
    payload.update({k: v for k, v in error.params.items() if isinstance(v, (int, str))})
    response = JsonResponse({"error": payload}, status=error.status)
    if error.status == 429:
        response["Retry-After"] = str(settings.RATE_LIMIT_WINDOW_SECONDS)
    elif error.status == 503:
        waiting.busy_response(response)
    return response


CORS_HEADERS = {
    # The web app served by one Limen server may hold accounts of another: it calls this API from its own
    # origin. Signatures authenticate every call, never cookies, so any origin may call.
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Headers": "Content-Type, Limen-Device, Limen-Timestamp, Limen-Nonce, Limen-Signature",
    "Access-Control-Max-Age": "600",
}


def _no_store(response):
    response["Cache-Control"] = "no-store"
    for name, value in CORS_HEADERS.items():
        response[name] = value
    return response


def endpoint(*methods: str):
    """JSON in and out, stable error codes, no CSRF (signatures instead), no caching."""

    def decorate(view):
        @csrf_exempt
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method == "OPTIONS" and request.headers.get("Access-Control-Request-Method"):
                response = HttpResponse(status=204)  # a browser's CORS preflight
                response["Access-Control-Allow-Methods"] = ", ".join(methods)
                return _no_store(response)
            try:
                if request.method not in methods:
                    raise MethodNotAllowed()
                if ratelimit.exceeded(auth_failure_limit(), client_ip(request)):
                    raise TooManyRequests()
                length = request.META.get("CONTENT_LENGTH") or "0"
                if not length.isdigit() or int(length) > MAX_BODY:
                    raise PayloadTooLarge()
                body = request.body
                if len(body) > MAX_BODY:
                    raise PayloadTooLarge()
                response = view(request, body, *args, **kwargs)
            except MobileError as error:
                if error.status == 401:
                    ratelimit.hit(auth_failure_limit(), client_ip(request))
                response = error_response(error)
            return _no_store(response)

        return wrapper

    return decorate


def _json(body: bytes) -> dict:
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):  # "[[[[…" nested deeper than Python recurses
        raise MalformedJson() from None
    if not isinstance(data, dict):
        raise MalformedJson()
    return data


def _text(data: dict, name: str, *, max_length: int, required: bool = True) -> str:
    value = data.get(name)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value):
        raise InvalidField(name)
    if len(value) > max_length:
        raise FieldTooLong(name)
    if any(not ch.isprintable() for ch in value):
        raise InvalidField(name)
    return value


def _bytes(data: dict, name: str, *, length: int, required: bool = True) -> bytes | None:
    text = _text(data, name, max_length=4 * length, required=required)
    if not text:
        return None
    try:
        return b64.decode(text, length=length)
    except ValueError:
        raise InvalidField(name) from None


# --- enrolment -------------------------------------------------------------------------------

@endpoint("POST")
def enrolments(request, body):
    data = _json(body)
    token = _text(data, "token", max_length=payloads.TOKEN_MAX)
    public_key = _text(data, "public_key", max_length=100)
    algorithm = _text(data, "algorithm", max_length=16)
    app_label = _text(data, "app", max_length=100, required=False)
    if algorithm != KEY_ALGORITHM:
        raise InvalidField("algorithm")
    if not keys.valid_public_key(public_key, algorithm):
        raise InvalidField("public_key")
    apiauth.authenticate_new_key(request, body, public_key)
    device, key, record = enrolment.scan(token=token, public_key=public_key, algorithm=algorithm,
                                         app_label=app_label, request=request)
    user = device.user
    return JsonResponse({
        "device_id": device.public_id,
        "device_name": device.name,
        "device_secret": b64.encode(key),
        "enrolment_id": record.public_id,
        "expires": record.expires.isoformat(),
        "server": settings.BASE_URL,
        "site_name": settings.SITE_NAME,
        "account": {"email": user.email, "name": user.get_full_name(), "hint": payloads.account_hint(str(user.uid))},
        "ocra_suite": OCRA_SUITE,
        "pin_attempts": settings.MOBILE_PIN_ATTEMPTS,
        "replaces": record.replaces.public_id if record.replaces_id else None,
    }, status=201)


@endpoint("POST")
def enrolment_confirm(request, body):
    device = apiauth.authenticate_device(request, body, statuses=(DeviceStatus.PENDING,))
    data = _json(body)
    enrolment_id = _text(data, "enrolment_id", max_length=32)
    proof = _bytes(data, "pin_proof", length=pin_protocol.PROOF_LENGTH)
    device = enrolment.confirm(device=device, enrolment_id=enrolment_id, proof=proof, request=request)
    return JsonResponse({"device_id": device.public_id, "status": "active"})


# --- the device itself -----------------------------------------------------------------------

def _describe(device) -> dict:
    return {
        "device_id": device.public_id, "name": device.name, "account": device.user.email,
        "added": device.created.isoformat(), "last_used": device.last_used.isoformat() if device.last_used else None,
        "locked": device.is_locked, "pin_attempts_left": max(0, settings.MOBILE_PIN_ATTEMPTS - device.failed_pins),
        "push": PushSubscription.objects.filter(device=device).exists(),
        "biometric": DeviceCredential.objects.filter(device=device).exists(),
    }


@endpoint("GET", "DELETE", "PATCH")
def device(request, body):
    current = apiauth.authenticate_device(request, body, statuses=(DeviceStatus.ACTIVE, DeviceStatus.PENDING))
    if request.method == "DELETE":
        devices.remove(current, by="app", request=request)
        return HttpResponse(status=204)
    if request.method == "PATCH":  # rename, from the app
        name = _text(_json(body), "name", max_length=MobileDevice.NAME_MAX).strip()
        if not name:
            raise InvalidField("name")
        current = devices.rename(user=current.user, public_id=current.public_id, name=name, request=request)
    return JsonResponse(_describe(current))


# --- sign-in requests ------------------------------------------------------------------------

def _active_unlocked(request, body):
    current = apiauth.authenticate_device(request, body)
    if current.is_locked:
        raise DeviceLocked()
    return current


@endpoint("GET")
def challenge_list(request, body):
    current = _active_unlocked(request, body)
    return JsonResponse({"challenges": [challenges.serialise(c) for c in challenges.pending_for(current)]})


@endpoint("GET")
def challenge_wait(request, body):
    """Long poll: answers as soon as a request is pending that is not in ``seen`` (ids the app already
    has), or after ``timeout`` seconds with none."""
    current = _active_unlocked(request, body)
    raw = request.GET.get("timeout", str(settings.PUSH_WAIT_SECONDS))
    if not raw.isascii() or not raw.isdigit() or len(raw) > 4:
        raise InvalidField("timeout")
    timeout = min(int(raw), settings.PUSH_WAIT_SECONDS)
    seen_raw = request.GET.get("seen", "")
    items = [item for item in seen_raw.split(",") if item]
    if len(seen_raw) > MAX_SEEN * 33 or len(items) > MAX_SEEN or not all(_PUBLIC_ID.match(i) for i in items):
        raise InvalidField("seen")
    seen = set(items)
    device_pk = current.pk

    def new_requests():
        return [c for c in challenges.pending_for(device_pk) if c.public_id not in seen]

    def answer(pending):
        return JsonResponse({"challenges": [challenges.serialise(c) for c in pending]})

    return waiting.respond(request, check=new_requests, keys=[channel.device_key(device_pk)], timeout=timeout,
                           render=answer)


@endpoint("POST")
def challenge_answer(request, body, challenge_id: str):
    current = apiauth.authenticate_device(request, body)
    data = _json(body)
    decision = _text(data, "decision", max_length=16)
    if decision not in {challenges.APPROVE, challenges.DENY}:
        raise InvalidField("decision")
    number = _text(data, "number", max_length=2)
    assertion = data.get("assertion") if decision == challenges.APPROVE else None
    proof = _bytes(data, "pin_proof", length=pin_protocol.PROOF_LENGTH,
                   required=decision == challenges.APPROVE and assertion is None)
    answered = challenges.answer(device=current, challenge_id=challenge_id[:64], decision=decision, number=number,
                                 proof=proof, request=request, assertion=assertion)
    return JsonResponse({"id": answered.public_id, "status": answered.status})


# --- description and fallbacks ---------------------------------------------------------------

def openapi(request):
    response = HttpResponse(OPENAPI_FILE.read_bytes(), content_type="application/json")
    response["Access-Control-Allow-Origin"] = "*"
    return response


@endpoint("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
def not_found(request, body, rest: str = ""):
    raise ApiNotFound()
