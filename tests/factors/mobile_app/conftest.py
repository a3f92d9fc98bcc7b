"""Fixtures: signed device API calls, enrolled devices in one line, sign-ins waiting for the app."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pytest
from django.test import Client

from limen.core import clock
from limen_authenticator.keys import DeviceKey
from limen_protocol import b64, pin as pin_protocol, signing

from tests.conftest import DEFAULT_PASSWORD
from tests.support import pages

API = "/mobile/api/v1"
PIN = "4706"


class Api:
    """Calls the device API the way an app does: signed, timestamped, one nonce per call."""

    def __init__(self):
        self.http = Client()

    def call(self, method: str, path: str, *, key: DeviceKey | None = None, device_id: str | None = None,
             body=None, raw: bytes | None = None, nonce: str | None = None, timestamp: int | None = None,
             sign_path: str | None = None, sign_body: bytes | None = None, headers: dict | None = None,
             omit: tuple = ()):
        if not path.startswith("/"):
            path = f"{API}/{path}"
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else b"")
        ts = int(clock.now().timestamp()) if timestamp is None else timestamp
        nonce = nonce or signing.new_nonce()
        sent = {"Limen-Timestamp": str(ts), "Limen-Nonce": nonce}
        if device_id:
            sent["Limen-Device"] = device_id
        if key is not None:
            canonical = signing.canonical_request(method=method, path=sign_path or path, device_id=device_id,
                                                  timestamp=ts, nonce=nonce,
                                                  body=data if sign_body is None else sign_body)
            sent["Limen-Signature"] = key.sign(canonical)
        sent.update(headers or {})
        for name in omit:
            sent.pop(name, None)
        response = self.http.generic(method, path, data=data, content_type="application/json", headers=sent)
        response.sent_headers = sent
        return response


def error_code(response) -> str:
    return response.json()["error"]["code"]


@dataclass
class Phone:
    """An enrolled device as the app holds it."""

    api: Api
    key: DeviceKey
    device_id: str
    secret: bytes
    pin: str
    user: object
    hint: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def model(self):
        from limen.factors.mobile_app.models import MobileDevice

        return MobileDevice.objects.get(public_id=self.device_id)

    def call(self, method: str, path: str, **kwargs):
        kwargs.setdefault("key", self.key)
        kwargs.setdefault("device_id", self.device_id)
        return self.api.call(method, path, **kwargs)

    def pending(self) -> list[dict]:
        response = self.call("GET", "challenges")
        assert response.status_code == 200, response.content
        return response.json()["challenges"]

    def answer(self, challenge: dict, decision: str = "approve", *, pin: str | None = None,
               number: str | None = None, **kwargs):
        number = challenge["number"] if number is None else number
        body = {"decision": decision, "number": number}
        if decision == "approve":
            context = pin_protocol.answer_context(challenge["id"], "approve", number)
            body["pin_proof"] = b64.encode(pin_protocol.proof_from_pin(self.secret, pin or self.pin, context))
        return self.call("POST", f"challenges/{challenge['id']}/answer", body=body, **kwargs)

    def otp(self, challenge: str, pin: str | None = None) -> str:
        from limen_protocol import OCRA_SUITE, ocra

        return ocra.compute(OCRA_SUITE, self.secret, question=challenge,
                            pin_hash=pin_protocol.ocra_pin_hash(pin or self.pin))


def scan(api: Api, token: str, key: DeviceKey | None = None, **kwargs):
    key = key or DeviceKey.generate()
    body = {"token": token, "public_key": key.public_key(), "algorithm": "ES256", "app": "tests"}
    return key, api.call("POST", "enrolments", key=key, body=body, **kwargs)


def confirm(api: Api, key: DeviceKey, scanned: dict, pin: str, *, enrolment_id: str | None = None):
    secret = b64.decode(scanned["device_secret"])
    proof = pin_protocol.proof_from_pin(secret, pin, pin_protocol.enrolment_context(scanned["device_id"]))
    return api.call("POST", "enrolments/confirm", key=key, device_id=scanned["device_id"],
                    body={"enrolment_id": enrolment_id or scanned["enrolment_id"], "pin_proof": b64.encode(proof)})


@pytest.fixture
def api(db):
    return Api()


@pytest.fixture
def start_enrolment(db):
    from limen.factors.mobile_app.services import enrolment

    def start(user, *, pin: str = PIN, name: str = "My phone"):
        return enrolment.start(user=user, name=name, pin=pin)

    return start


@pytest.fixture
def make_phone(api, start_enrolment):
    """make_phone(user) -> an active device, enrolled through the real API."""

    def build(user, *, pin: str = PIN, name: str = "My phone") -> Phone:
        _record, token = start_enrolment(user, pin=pin, name=name)
        key, response = scan(api, token)
        assert response.status_code == 201, response.content
        scanned = response.json()
        confirmed = confirm(api, key, scanned, pin)
        assert confirmed.status_code == 200, confirmed.content
        return Phone(api=api, key=key, device_id=scanned["device_id"], secret=b64.decode(scanned["device_secret"]),
                     pin=pin, user=user, hint=scanned["account"]["hint"])

    return build


@pytest.fixture
def phone(make_phone, user):
    return make_phone(user)


def sign_in(client, user, method: str, next_url: str | None = None):
    """Identifier, then password with ``method`` chosen; returns the response (a redirect to the factor)."""
    return pages.sign_in(client, user, method=method, next_url=next_url)


@pytest.fixture
def live_db(transactional_db):
    """A database that other threads (a waiting request, the live server) see: committed writes.

    tests/conftest.py lets the audit table be flushed after such a test.
    """
    return None
