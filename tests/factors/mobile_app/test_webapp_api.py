"""The device API calls of the web app: Web Push subscriptions, biometric approval, rename, CORS, and
"Forgot PIN" re-keying a device."""

from __future__ import annotations

import json

import pytest

from limen.core import clock
from limen.factors.mobile_app import webpush
from limen.factors.mobile_app.internal import webpush_lib
from limen.factors.mobile_app.models import DeviceCredential, MobileDevice, PushSubscription, VapidKey
from limen.factors.mobile_app.services import challenges, devices, enrolment
from limen.notify.models import OutboxMessage, Status
from limen_protocol import b64, pin as pin_protocol
from tests.factors.webauthn.authenticator import SoftAuthenticator

from .conftest import PIN, confirm, error_code, scan

P256DH = "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM"
AUTH = "tBHItJI5svbpez7KI4CCXg"


@pytest.fixture
def push_service(settings):
    settings.WEBPUSH_ENDPOINTS = ["https://push.example.eu/"]
    return "https://push.example.eu/send/abc"


def subscribe(phone, endpoint, **keys):
    return phone.call("PUT", "device/push", body={"endpoint": endpoint, "keys": {"p256dh": P256DH, "auth": AUTH, **keys}})


def test_a_subscription_is_stored_per_device_and_only_for_allowed_push_services(phone, push_service, settings):
    assert subscribe(phone, push_service).status_code == 200
    assert subscribe(phone, push_service + "2").status_code == 200  # replaced, one per device
    assert list(PushSubscription.objects.values_list("endpoint", flat=True)) == [push_service + "2"]
    for endpoint in ("https://internal.example.eu/send", "http://push.example.eu/send", "https://push.example.eu.evil/x",
                     "https://user:pw@push.example.eu/x", "file:///etc/passwd"):
        response = subscribe(phone, endpoint)
        assert response.status_code == 400 and error_code(response) == "invalid_field", endpoint
    assert error_code(subscribe(phone, push_service, p256dh="AAAA")) == "invalid_field"
    assert phone.call("GET", "device").json()["push"] is True
    assert phone.call("DELETE", "device/push").status_code == 204
    assert not PushSubscription.objects.exists()


def test_wildcard_push_service_hosts(settings):
    settings.WEBPUSH_ENDPOINTS = ["https://*.notify.windows.com/", "http://127.0.0.1:9000/"]
    assert webpush.endpoint_allowed("https://wns2-par02p.notify.windows.com/w/?token=x")
    assert not webpush.endpoint_allowed("https://notify.windows.com.evil.eu/w")
    assert webpush.endpoint_allowed("http://127.0.0.1:9000/push/1")
    assert not webpush.endpoint_allowed("http://127.0.0.1:9001/push/1")


def test_a_sign_in_request_queues_a_push_without_secrets(phone, push_service, monkeypatch):
    subscribe(phone, push_service)
    sent = []
    monkeypatch.setattr(webpush_lib, "send", lambda sub, data, **kw: sent.append((sub, data, kw)) or 201)
    challenge = challenges.create(user=phone.user, device=phone.model, application="Europass")
    row = OutboxMessage.objects.get(channel="webpush")
    assert row.expires == challenge.expires and row.recipient == push_service
    assert json.loads(row.body) == {"type": "signin_request", "device": phone.device_id, "request": challenge.public_id}
    assert challenge.number not in row.body.replace(challenge.public_id, "").replace(phone.device_id, "")
    webpush.send(row)
    subscription, data, options = sent[0]
    assert subscription.endpoint == push_service and options["subject"].startswith("mailto:")
    assert "BEGIN PRIVATE KEY" in options["private_key_pem"] and 0 < options["ttl"] <= 120
    key = VapidKey.objects.get()
    assert "PRIVATE" not in key.sealed_private_key and key.public_key == webpush.public_key()


def test_a_gone_subscription_is_forgotten(phone, push_service, monkeypatch):
    subscribe(phone, push_service)

    def gone(*args, **kwargs):
        raise webpush_lib.PushFailed("gone", status=410)

    monkeypatch.setattr(webpush_lib, "send", gone)
    challenges.create(user=phone.user, device=phone.model, application="Europass")
    row = OutboxMessage.objects.get(channel="webpush")
    from limen.notify import queue

    queue.deliver([row.pk])
    row.refresh_from_db()
    assert row.status == Status.FAILED and not PushSubscription.objects.exists()


def test_subscriptions_go_with_the_device_unlink_removal_and_panic(make_phone, user, push_service):
    for remove in (lambda p: p.call("DELETE", "device"), lambda p: devices.remove(p.model, by="owner"),
                   lambda p: devices.remove_all(user)):
        phone = make_phone(user)
        subscribe(phone, push_service)
        assert PushSubscription.objects.filter(device__public_id=phone.device_id).exists()
        remove(phone)
        assert not PushSubscription.objects.filter(device__public_id=phone.device_id).exists()


def test_rename_from_the_app(phone):
    response = phone.call("PATCH", "device", body={"name": "  Kitchen tablet "})
    assert response.status_code == 200 and response.json()["name"] == "Kitchen tablet"
    assert error_code(phone.call("PATCH", "device", body={"name": " "})) == "invalid_field"
    assert error_code(phone.call("PATCH", "device", body={"name": "x" * 51})) == "field_too_long"


def test_cors_preflight_and_headers(phone):
    response = phone.api.http.options("/mobile/api/v1/challenges", HTTP_ORIGIN="https://other.example.eu",
                                      HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET")
    assert response.status_code == 204 and response["Access-Control-Allow-Origin"] == "*"
    assert "Limen-Signature" in response["Access-Control-Allow-Headers"]
    assert phone.call("GET", "device")["Access-Control-Allow-Origin"] == "*"


# --- biometric approval ----------------------------------------------------------------------

@pytest.fixture
def fingerprint(settings):
    return SoftAuthenticator(origin=settings.WEBAUTHN_ORIGIN, rp_id=settings.WEBAUTHN_RP_ID, attachment="platform",
                             transports=["internal"])


def register(phone, key, pin=PIN):
    challenge = b64.encode(pin_protocol.biometric_registration_challenge(phone.device_id))
    credential = key.create({"challenge": challenge, "rp": {"id": key.rp_id}, "user": {"id": b64.encode(b"u" * 16)}})
    proof = pin_protocol.proof_from_pin(phone.secret, pin, pin_protocol.biometric_context(phone.device_id,
                                                                                           credential["rawId"]))
    return phone.call("PUT", "device/biometric", body={"credential": credential, "pin_proof": b64.encode(proof)})


def assertion(key, context):
    return key.get({"challenge": b64.encode(pin_protocol.assertion_challenge(context)), "rpId": key.rp_id})


def test_biometric_approval_is_verified_by_the_server(phone, fingerprint):
    challenge = challenges.create(user=phone.user, device=phone.model, application="Europass")
    item = phone.pending()[0]
    context = pin_protocol.answer_context(item["id"], "approve", item["number"])
    no_credential = phone.call("POST", f"challenges/{item['id']}/answer", body={
        "decision": "approve", "number": item["number"], "assertion": {"response": {}}})
    assert error_code(no_credential) == "biometric_not_set"

    stranger = SoftAuthenticator(origin=fingerprint.origin, rp_id=fingerprint.rp_id, attachment="platform")
    assert error_code(register(phone, stranger, pin="9999")) == "wrong_pin"  # the PIN is needed to turn it on
    assert error_code(phone.call("POST", f"challenges/{item['id']}/answer", body={
        "decision": "approve", "number": item["number"], "assertion": assertion(stranger, context)})) == "biometric_not_set"
    assert register(phone, fingerprint).status_code == 200
    assert phone.call("GET", "device").json()["biometric"] is True

    other_request = pin_protocol.answer_context("another", "approve", item["number"])
    for bad in (assertion(fingerprint, other_request), {"response": {}}, "text"):
        refused = phone.call("POST", f"challenges/{item['id']}/answer",
                             body={"decision": "approve", "number": item["number"], "assertion": bad})
        assert refused.status_code in {400, 403} and error_code(refused) in {"biometric_refused", "invalid_field"}
    challenge.refresh_from_db()
    assert challenge.status == "pending" and phone.model.failed_pins == 0  # refused assertions count no PIN

    approved = phone.call("POST", f"challenges/{item['id']}/answer",
                          body={"decision": "approve", "number": item["number"], "assertion": assertion(fingerprint, context)})
    assert approved.status_code == 200 and approved.json()["status"] == "approved", approved.content
    assert DeviceCredential.objects.get().sign_count >= 1
    assert phone.call("DELETE", "device/biometric").status_code == 204
    assert not DeviceCredential.objects.exists()


# --- Forgot PIN -------------------------------------------------------------------------------

def test_forgot_pin_re_keys_the_device(phone, api, user):
    old = phone.model
    record, token = enrolment.start(user=user, name=old.name, pin="3816", replaces=old)
    key, response = scan(api, token)
    scanned = response.json()
    assert response.status_code == 201 and scanned["replaces"] == phone.device_id
    assert confirm(api, key, scanned, PIN).status_code == 403  # the old PIN is not the new one
    assert confirm(api, key, scanned, "3816").status_code == 200
    assert not MobileDevice.objects.filter(pk=old.pk).exists()
    new = MobileDevice.objects.get(user=user)
    assert new.public_id == scanned["device_id"] and new.name == old.name and new.is_active
    assert error_code(phone.call("GET", "device")) == "unknown_device"  # the old key no longer works
    record.refresh_from_db()
    assert record.status == "done" and record.replaces_id is None
