"""Enrolment over the device API: the happy path and every bad input."""

import pytest

from limen.audit.models import AuditEvent
from limen.core import clock
from limen.factors.mobile_app.models import DeviceStatus, Enrolment, EnrolmentStatus, MobileDevice
from limen_authenticator.keys import DeviceKey

from .conftest import PIN, confirm, error_code, scan


def test_scan_then_confirm_activates_the_device_and_mails_the_owner(api, user, start_enrolment, outbox):
    record, token = start_enrolment(user, name="Work phone")
    key, response = scan(api, token)
    assert response.status_code == 201
    data = response.json()
    assert data["device_name"] == "Work phone" and data["account"]["email"] == user.email
    assert data["ocra_suite"] == "OCRA-1:HOTP-SHA256-8:QN08-PSHA1" and len(data["device_secret"]) == 43
    device = MobileDevice.objects.get(public_id=data["device_id"])
    assert device.status == DeviceStatus.PENDING and device.public_key == key.public_key()
    assert Enrolment.objects.get(pk=record.pk).status == EnrolmentStatus.SCANNED
    assert outbox.last() is None or "added" not in outbox.last().subject

    response = confirm(api, key, data, PIN)
    assert response.status_code == 200 and response.json()["status"] == "active"
    device.refresh_from_db()
    assert device.status == DeviceStatus.ACTIVE
    assert Enrolment.objects.get(pk=record.pk).status == EnrolmentStatus.DONE
    assert "Work phone" in outbox.last(user.email).body
    assert AuditEvent.objects.filter(user=user, event="factor.added", data__method="mobile_app").exists()


def test_secrets_are_sealed_at_rest(api, user, start_enrolment):
    record, token = start_enrolment(user)
    _key, response = scan(api, token)
    secret = response.json()["device_secret"]
    device = MobileDevice.objects.get(public_id=response.json()["device_id"])
    assert secret not in device.sealed and secret not in record.sealed and PIN not in device.sealed


def test_unknown_token(api, user):
    _key, response = scan(api, "x" * 43)
    assert response.status_code == 404 and error_code(response) == "enrolment_invalid"
    assert not MobileDevice.objects.exists()


def test_expired_token_changes_nothing(api, user, start_enrolment):
    record, token = start_enrolment(user)
    clock.advance(seconds=301)
    _key, response = scan(api, token)
    assert response.status_code == 410 and error_code(response) == "enrolment_expired"
    assert not MobileDevice.objects.exists()
    assert Enrolment.objects.get(pk=record.pk).status == EnrolmentStatus.WAITING


def test_token_works_once(api, user, start_enrolment):
    _record, token = start_enrolment(user)
    _key, first = scan(api, token)
    assert first.status_code == 201
    _key2, second = scan(api, token)
    assert second.status_code == 409 and error_code(second) == "enrolment_used"
    assert MobileDevice.objects.count() == 1


def test_a_new_qr_code_cancels_the_previous_one(api, user, start_enrolment):
    _old, old_token = start_enrolment(user)
    _new, _new_token = start_enrolment(user)
    _key, response = scan(api, old_token)
    assert error_code(response) == "enrolment_used"


def test_signature_must_be_by_the_key_in_the_body(api, user, start_enrolment):
    record, token = start_enrolment(user)
    claimed, thief = DeviceKey.generate(), DeviceKey.generate()
    body = {"token": token, "public_key": claimed.public_key(), "algorithm": "ES256"}
    response = api.call("POST", "enrolments", key=thief, body=body)
    assert response.status_code == 401 and error_code(response) == "bad_signature"
    assert Enrolment.objects.get(pk=record.pk).status == EnrolmentStatus.WAITING  # still usable by the owner
    _key, ok = scan(api, token)
    assert ok.status_code == 201


def test_replayed_enrolment_request(api, user, start_enrolment):
    _record, token = start_enrolment(user)
    key, first = scan(api, token, nonce="n" * 24)
    assert first.status_code == 201
    _key, again = scan(api, token, key=key, nonce="n" * 24)
    assert again.status_code == 401 and error_code(again) == "replayed"


@pytest.mark.parametrize("body,field", [
    ({"public_key": "AAAA", "algorithm": "ES256"}, "token"),
    ({"token": "t" * 43, "algorithm": "ES256"}, "public_key"),
    ({"token": "t" * 43, "public_key": "AAAA", "algorithm": "ES256"}, "public_key"),
    ({"token": "t" * 43, "public_key": None, "algorithm": "RS256"}, "public_key"),
    ({"token": 42, "public_key": "AAAA", "algorithm": "ES256"}, "token"),
])
def test_invalid_fields(api, body, field):
    response = api.call("POST", "enrolments", body=body)
    assert response.status_code == 400 and error_code(response) == "invalid_field"
    assert response.json()["error"]["field"] == field


def test_wrong_algorithm(api):
    key = DeviceKey.generate()
    response = api.call("POST", "enrolments", key=key,
                        body={"token": "t" * 43, "public_key": key.public_key(), "algorithm": "RS256"})
    assert error_code(response) == "invalid_field" and response.json()["error"]["field"] == "algorithm"


@pytest.mark.parametrize("raw", [b"{not json", b"[1, 2]", b'"text"', b"\xff\xfe", b"", b"[" * 8000])
def test_malformed_json(api, raw):
    response = api.call("POST", "enrolments", raw=raw)
    assert response.status_code == 400 and error_code(response) == "malformed_json"


@pytest.mark.parametrize("field,length", [("token", 101), ("public_key", 101), ("app", 101)])
def test_over_long_fields(api, user, start_enrolment, field, length):
    _record, token = start_enrolment(user)
    key = DeviceKey.generate()
    body = {"token": token, "public_key": key.public_key(), "algorithm": "ES256", field: "x" * length}
    response = api.call("POST", "enrolments", key=key, body=body)
    assert response.status_code == 400 and error_code(response) == "field_too_long"
    assert not MobileDevice.objects.exists()


def test_payload_too_large(api):
    response = api.call("POST", "enrolments", raw=b"{" + b" " * 9000 + b"}")
    assert response.status_code == 413 and error_code(response) == "payload_too_large"


def test_confirm_with_the_wrong_pin_counts_and_fails_after_five(api, user, start_enrolment, outbox):
    record, token = start_enrolment(user)
    key, response = scan(api, token)
    scanned = response.json()
    for left in [4, 3, 2, 1]:
        wrong = confirm(api, key, scanned, "9137")
        assert wrong.status_code == 403 and error_code(wrong) == "pin_mismatch"
        assert wrong.json()["error"]["attempts_left"] == left
        assert MobileDevice.objects.get(public_id=scanned["device_id"]).status == DeviceStatus.PENDING
    last = confirm(api, key, scanned, "9137")
    assert error_code(last) == "pin_mismatch" and last.json()["error"]["attempts_left"] == 0
    assert Enrolment.objects.get(pk=record.pk).status == EnrolmentStatus.FAILED
    assert not MobileDevice.objects.exists()
    # The right PIN now comes too late: the device is gone.
    late = confirm(api, key, scanned, PIN)
    assert late.status_code == 401 and error_code(late) == "unknown_device"


def test_confirm_with_the_enrolment_of_another_account(api, make_user, start_enrolment):
    alice, bob = make_user(), make_user()
    _a, token_a = start_enrolment(alice)
    b_record, token_b = start_enrolment(bob)
    key_a, scanned_a = scan(api, token_a)
    _key_b, scanned_b = scan(api, token_b)
    response = confirm(api, key_a, scanned_a.json(), PIN, enrolment_id=scanned_b.json()["enrolment_id"])
    assert response.status_code == 403 and error_code(response) == "enrolment_mismatch"
    assert MobileDevice.objects.get(public_id=scanned_a.json()["device_id"]).status == DeviceStatus.PENDING
    assert Enrolment.objects.get(pk=b_record.pk).status == EnrolmentStatus.SCANNED
    assert not MobileDevice.objects.filter(user=bob, status=DeviceStatus.ACTIVE).exists()


def test_confirm_after_expiry(api, user, start_enrolment):
    _record, token = start_enrolment(user)
    key, scanned = scan(api, token)
    clock.advance(seconds=301)
    response = confirm(api, key, scanned.json(), PIN)
    assert response.status_code == 410 and error_code(response) == "enrolment_expired"
    assert not MobileDevice.objects.filter(status=DeviceStatus.ACTIVE).exists()


def test_confirm_twice(api, user, start_enrolment):
    _record, token = start_enrolment(user)
    key, scanned = scan(api, token)
    assert confirm(api, key, scanned.json(), PIN).status_code == 200
    again = confirm(api, key, scanned.json(), PIN)
    # The device is active now, so the pending-only call no longer knows it.
    assert again.status_code == 401 and error_code(again) == "unknown_device"


def test_a_pending_device_cannot_answer_requests(api, user, start_enrolment):
    _record, token = start_enrolment(user)
    key, scanned = scan(api, token)
    response = api.call("GET", "challenges", key=key, device_id=scanned.json()["device_id"])
    assert response.status_code == 401 and error_code(response) == "unknown_device"


def test_device_limit(api, make_phone, user, start_enrolment, settings):
    settings.MOBILE_MAX_DEVICES = 1
    make_phone(user)
    from limen.factors.mobile_app.errors import TooManyDevices

    with pytest.raises(TooManyDevices):
        start_enrolment(user)
