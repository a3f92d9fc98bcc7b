"""The API a back-office system uses: a token per application, and every bad input refused without change."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from limen.access import tokens
from limen.access.models import AccessRequest, Status
from limen.audit.models import AuditEvent

from .conftest import code_in

pytestmark = pytest.mark.django_db
BASE = "/api/access/v1"


@pytest.fixture
def api(access_policy):
    _token, value = tokens.create(access_policy, "HR system")
    return Api(value)


class Api:
    def __init__(self, token: str):
        self.token, self.http = token, Client()

    def _auth(self, token):
        return {"HTTP_AUTHORIZATION": f"Bearer {self.token if token is None else token}"} if token != "" else {}

    def get(self, path, token=None, **query):
        return self.http.get(BASE + path, query, **self._auth(token))

    def post(self, path, body=None, token=None, content_type="application/json", raw=None):
        data = raw if raw is not None else (json.dumps(body) if body is not None else "")
        return self.http.post(BASE + path, data, content_type=content_type, **self._auth(token))


def test_list_and_read_the_pending_requests(api, pending):
    response = api.get("/requests")
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    body = response.json()
    assert body["application"] == "Pension Fund" and body["status"] == "pending"
    [item] = body["requests"]
    assert item["id"] == str(pending.public_id) and item["status"] == "pending"
    assert item["fields"]["personnelNumber"] == "12345678"
    assert item["person"] == {"uid": str(pending.user.uid), "email": pending.user.email, "firstName": "Ada",
                              "lastName": "Lovelace"}
    assert api.get(f"/requests/{pending.public_id}").json() == item
    assert api.get("/requests", status="active").json()["requests"] == []


def test_approve_through_the_api(api, pending, outbox):
    response = api.post(f"/requests/{pending.public_id}/approve")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "code_sent" and response.json()["codeExpires"]
    assert code_in(outbox.last(pending.user.email).body)
    event = AuditEvent.objects.get(event="access.approved")
    assert event.data["via"] == "api" and event.data["by"].startswith("API token HR system")
    again = api.post(f"/requests/{pending.public_id}/approve")
    assert again.status_code == 409 and again.json()["error"] == "already_decided"


def test_refuse_needs_a_reason(api, pending, outbox):
    for body, status, error in (
            (None, 400, "reason_required"), ({"reason": ""}, 400, "reason_required"),
            ({"reason": "x" * 1001}, 400, "reason_invalid"), ({"reason": "bad\x00"}, 400, "reason_invalid"),
            ({"reason": 12}, 400, "reason_invalid"), ({"reason": "ok", "extra": 1}, 400, "invalid_body"),
            (["reason"], 400, "invalid_body")):
        response = api.post(f"/requests/{pending.public_id}/refuse", body)
        assert (response.status_code, response.json()["error"]) == (status, error), (body, response.content)
    assert api.post(f"/requests/{pending.public_id}/refuse", raw="{not json").json()["error"] == "invalid_body"
    assert api.post(f"/requests/{pending.public_id}/refuse", raw="reason=x",
                    content_type="application/x-www-form-urlencoded").status_code == 415
    assert AccessRequest.objects.get(pk=pending.pk).status == Status.PENDING
    response = api.post(f"/requests/{pending.public_id}/refuse", {"reason": "Unknown personnel number."})
    assert response.status_code == 200 and response.json()["status"] == "refused"
    assert response.json()["reason"] == "Unknown personnel number."
    assert "Unknown personnel number." in outbox.last(pending.user.email).body


def test_resend_and_revoke(api, approved, signed_in_client, outbox):
    found, code = approved
    response = api.post(f"/requests/{found.public_id}/resend-code")
    assert response.status_code == 200
    fresh = code_in(outbox.last(found.user.email).body)
    assert fresh != code
    assert signed_in_client.post("/access/pension-fund/code/", {"code": fresh}).status_code == 200
    assert api.post(f"/requests/{found.public_id}/resend-code").json()["error"] == "no_code_to_send"
    response = api.post(f"/requests/{found.public_id}/revoke", {"reason": "Deceased, per pension records."})
    assert response.status_code == 200 and response.json()["status"] == "revoked"
    assert api.post(f"/requests/{found.public_id}/revoke", {"reason": "again"}).status_code == 409


def test_no_token_or_a_bad_one_is_refused(api, pending):
    for token in ("", "nonsense", api.token + "x", api.token.split(".")[0] + ".wrong", "x" * 500):
        response = api.get("/requests", token=token)
        assert response.status_code == 401, token
        assert response["WWW-Authenticate"].startswith('Bearer realm="Limen"')
        assert response.json()["error"] in {"token_required", "invalid_token"}
    response = api.http.get(BASE + "/requests", HTTP_AUTHORIZATION="Basic " + api.token)
    assert response.status_code == 401
    response = api.post(f"/requests/{pending.public_id}/approve", token="nonsense")
    assert response.status_code == 401 and AccessRequest.objects.get(pk=pending.pk).status == Status.PENDING


def test_a_revoked_token_no_longer_works(api, access_policy, pending):
    token = access_policy.tokens.get()
    assert tokens.revoke(token)
    assert api.get("/requests").status_code == 401
    assert AuditEvent.objects.filter(event="access.token_revoked").exists()


def test_a_token_of_another_application_sees_nothing_of_this_one(pending, other_policy):
    _token, value = tokens.create(other_policy, "Library system")
    other = Api(value)
    assert other.get("/requests").json()["requests"] == []
    response = other.get(f"/requests/{pending.public_id}")
    assert response.status_code == 404 and response.json()["error"] == "request_not_found"
    for action, body in (("approve", None), ("refuse", {"reason": "no"}), ("revoke", {"reason": "no"}),
                         ("resend-code", None)):
        response = other.post(f"/requests/{pending.public_id}/{action}", body)
        assert response.status_code == 404, action
    assert AccessRequest.objects.get(pk=pending.pk).status == Status.PENDING


def test_unknown_status_action_and_request(api, pending):
    response = api.get("/requests", status="lost")
    assert response.status_code == 400 and response.json() == {
        "error": "invalid_status", "field": "status",
        "message": "status is one of: pending, code_sent, active, refused, revoked, withdrawn."}
    assert api.post(f"/requests/{pending.public_id}/delete").status_code == 404
    assert api.get("/requests/00000000-0000-0000-0000-000000000000").status_code == 404
    assert api.http.get(f"{BASE}/requests/{pending.public_id}/approve").status_code == 405


def test_failed_authentications_are_limited_per_address(api, settings):
    settings.ACCESS_API_FAILURES_PER_IP = 3
    for _ in range(3):
        assert api.get("/requests", token="bad.token").status_code == 401
    response = api.get("/requests")  # even the right token, for a while
    assert response.status_code == 429 and response.json()["error"] == "rate_limited"


def test_the_token_is_stored_only_as_a_keyed_hash(access_policy):
    token, value = tokens.create(access_policy, "Pension records")
    public_id, secret = value.split(".")
    assert token.public_id == public_id and secret not in token.digest and len(secret) >= 40
    assert tokens.authenticate(value) == token
    assert AuditEvent.objects.get(event="access.token_created").data["token"] == public_id
