"""Device API calls of the web app (JSON, signed like every call; see api.py and openapi.json):

- ``PUT /device/push`` ``{endpoint, keys: {p256dh, auth}}``: where Web Push reaches this device (the
  browser's PushSubscription); ``DELETE`` forgets it.
- ``PUT /device/biometric`` ``{credential, pin_proof}``: a platform credential (fingerprint, face) that
  may approve in place of the PIN; ``DELETE`` turns it off.
"""

from __future__ import annotations

from django.http import HttpResponse, JsonResponse

from limen_protocol import pin as pin_protocol

from . import webpush
from .api import _bytes, _json, _text, endpoint
from .errors import InvalidField
from .models import PushSubscription
from .services import apiauth, biometric


@endpoint("PUT", "DELETE")
def push_subscription(request, body):
    current = apiauth.authenticate_device(request, body)
    if request.method == "DELETE":
        webpush.unsubscribe(current)
        return HttpResponse(status=204)
    data = _json(body)
    endpoint_url = _text(data, "endpoint", max_length=PushSubscription.ENDPOINT_MAX)
    keys = data.get("keys")
    if not isinstance(keys, dict):
        raise InvalidField("keys")
    webpush.subscribe(current, endpoint=endpoint_url, p256dh=_text(keys, "p256dh", max_length=100),
                      auth=_text(keys, "auth", max_length=40))
    return JsonResponse({"push": True})


@endpoint("PUT", "DELETE")
def biometric_credential(request, body):
    current = apiauth.authenticate_device(request, body)
    if request.method == "DELETE":
        biometric.remove(current, request=request)
        return HttpResponse(status=204)
    data = _json(body)
    credential = data.get("credential")
    if not isinstance(credential, dict):
        raise InvalidField("credential")
    proof = _bytes(data, "pin_proof", length=pin_protocol.PROOF_LENGTH)
    biometric.register(current, response=credential, proof=proof, request=request)
    return JsonResponse({"biometric": True})
