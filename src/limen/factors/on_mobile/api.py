"""The app's side of "On Mobile", in the device API (signed like every call; openapi.json of mobile_app):

- ``GET /mobile/api/v1/on-mobile/{id}``: the request, for the app to show;
- ``POST /mobile/api/v1/on-mobile/{id}/answer`` ``{decision, handover, pin_proof | assertion}``.
"""

from __future__ import annotations

from django.http import JsonResponse

from limen.factors.mobile_app.api import _bytes, _json, _text, endpoint
from limen.factors.mobile_app.errors import DeviceLocked, InvalidField
from limen.factors.mobile_app.services import apiauth
from limen_protocol import pin as pin_protocol

from . import services


@endpoint("GET")
def details(request, body, request_id: str):
    device = apiauth.authenticate_device(request, body)
    if device.is_locked:
        raise DeviceLocked()
    return JsonResponse(services.serialise(services.details(device, request_id)))


@endpoint("POST")
def answer(request, body, request_id: str):
    device = apiauth.authenticate_device(request, body)
    data = _json(body)
    decision = _text(data, "decision", max_length=16)
    if decision not in {services.APPROVE, services.DENY}:
        raise InvalidField("decision")
    handover = _text(data, "handover", max_length=100)
    assertion = data.get("assertion") if decision == services.APPROVE else None
    proof = _bytes(data, "pin_proof", length=pin_protocol.PROOF_LENGTH,
                   required=decision == services.APPROVE and assertion is None)
    item = services.answer(device=device, request_id=request_id, decision=decision, handover=handover, proof=proof,
                           assertion=assertion, request=request)
    return JsonResponse({"id": item.public_id, "status": item.status})
