"""Every device API call is signed by the device key, fresh, and impossible to replay."""

import json

import pytest

from limen.audit.models import AuditEvent
from limen.core import clock
from limen_authenticator.keys import DeviceKey

from .conftest import error_code


def test_a_signed_call_works(phone):
    response = phone.call("GET", "device")
    assert response.status_code == 200
    assert response.json()["device_id"] == phone.device_id and response.json()["locked"] is False
    assert response["Cache-Control"] == "no-store"


@pytest.mark.parametrize("header", ["Limen-Device", "Limen-Timestamp", "Limen-Nonce", "Limen-Signature"])
def test_missing_headers(phone, header):
    response = phone.call("GET", "device", omit=(header,))
    assert response.status_code == 401 and error_code(response) == "unauthenticated"


@pytest.mark.parametrize("headers", [
    {"Limen-Timestamp": "soon"}, {"Limen-Timestamp": "1" * 13}, {"Limen-Nonce": "short"},
    {"Limen-Nonce": "has spaces in the nonce"}, {"Limen-Signature": "x" * 201},
])
def test_malformed_headers(phone, headers):
    response = phone.call("GET", "device", headers=headers)
    assert response.status_code == 401 and error_code(response) == "unauthenticated"


def test_signature_by_another_key(phone):
    response = phone.call("GET", "device", key=DeviceKey.generate())
    assert response.status_code == 401 and error_code(response) == "bad_signature"
    assert AuditEvent.objects.filter(user=phone.user, event="mobile.api_rejected",
                                     data__reason="bad_signature").exists()


def test_garbage_signature(phone):
    response = phone.call("GET", "device", headers={"Limen-Signature": "AAAA"})
    assert response.status_code == 401 and error_code(response) == "bad_signature"


def test_signature_covers_the_path_and_the_body(phone):
    response = phone.call("GET", "device", sign_path="/mobile/api/v1/challenges")
    assert error_code(response) == "bad_signature"
    response = phone.call("GET", "challenges/wait?timeout=0", sign_path="/mobile/api/v1/challenges/wait?timeout=25")
    assert error_code(response) == "bad_signature"
    response = phone.call("POST", "challenges/abc/answer", body={"decision": "deny", "number": "12"},
                          sign_body=json.dumps({"decision": "deny", "number": "13"}).encode())
    assert error_code(response) == "bad_signature"


def test_signature_covers_the_device_id(make_phone, user, make_user):
    mine, other = make_phone(user), make_phone(make_user())
    # My signature, presented as the other device: refused.
    response = mine.call("GET", "device", device_id=other.device_id)
    assert error_code(response) == "bad_signature"


def test_replayed_request(phone):
    first = phone.call("GET", "device", nonce="N" * 24)
    assert first.status_code == 200
    again = phone.api.http.generic("GET", "/mobile/api/v1/device", headers=first.sent_headers)
    assert again.status_code == 401 and error_code(again) == "replayed"
    assert AuditEvent.objects.filter(user=phone.user, event="mobile.api_rejected", data__reason="replayed").exists()


def test_replayed_answer_changes_nothing(phone, client):
    from .conftest import sign_in

    sign_in(client, phone.user, "mobile_app_pin")
    client.get("/login/mobile/")
    challenge = phone.pending()[0]
    deny = phone.answer(challenge, "deny", nonce="R" * 24)
    assert deny.status_code == 200
    again = phone.answer(challenge, "deny", nonce="R" * 24)
    assert error_code(again) == "replayed"


@pytest.mark.parametrize("offset", [-61, 61, -3600])
def test_stale_timestamp(phone, offset):
    now = int(clock.now().timestamp())
    response = phone.call("GET", "device", timestamp=now + offset)
    assert response.status_code == 401 and error_code(response) == "stale_timestamp"


def test_timestamp_within_the_window(phone):
    now = int(clock.now().timestamp())
    assert phone.call("GET", "device", timestamp=now - 50).status_code == 200
    assert phone.call("GET", "device", timestamp=now + 50).status_code == 200


def test_unknown_device(api):
    key = DeviceKey.generate()
    response = api.call("GET", "device", key=key, device_id="nope-nope-nope")
    assert response.status_code == 401 and error_code(response) == "unknown_device"
    response = api.call("GET", "device", key=key, device_id="bad id!")
    assert error_code(response) == "unknown_device"


def test_disabled_account(phone):
    type(phone.user).objects.filter(pk=phone.user.pk).update(is_active=False)
    assert error_code(phone.call("GET", "device")) == "unknown_device"


def test_failed_authentications_are_rate_limited_per_ip(api):
    key = DeviceKey.generate()
    for _ in range(60):
        api.call("GET", "device", key=key, device_id="unknown-device")
    response = api.call("GET", "device", key=key, device_id="unknown-device")
    assert response.status_code == 429 and error_code(response) == "rate_limited"
    assert response["Retry-After"]


def test_unknown_call_and_wrong_method(phone):
    response = phone.call("GET", "nothing/here")
    assert response.status_code == 404 and error_code(response) == "not_found"
    response = phone.call("POST", "device")
    assert response.status_code == 405 and error_code(response) == "method_not_allowed"


def test_error_messages_follow_accept_language(api):
    response = api.call("GET", "device", headers={"Accept-Language": "fr"}, omit=("Limen-Signature",))
    assert error_code(response) == "unauthenticated" and response.json()["error"]["message"]


def test_unlink_from_the_app(phone, outbox):
    response = phone.call("DELETE", "device")
    assert response.status_code == 204
    from limen.factors.mobile_app.models import MobileDevice

    assert not MobileDevice.objects.filter(public_id=phone.device_id).exists()
    assert "removed" in outbox.last(phone.user.email).subject
    assert "unlinked from the app" in outbox.last(phone.user.email).body
    assert error_code(phone.call("GET", "device")) == "unknown_device"
