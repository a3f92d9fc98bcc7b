"""On Mobile: the browser on a phone hands a sign-in to the app on the same phone; no password."""

from __future__ import annotations

import re

import pytest

from limen.factors.on_mobile.models import OnMobileRequest
from limen.signin import levels
from limen.signin.methods import registry
from limen.signin.models import Level
from limen.signin.sessions import SESSION_KEY
from limen_protocol import b64, pin as pin_protocol

from tests.factors.mobile_app.conftest import PIN, error_code


def start(client, email, next_url="/account/"):
    return client.post("/login/on-mobile/start/", {"email": email, "next": next_url})


def answer(phone, item_id, handover, decision="approve", pin=PIN, **extra):
    body = {"decision": decision, "handover": handover, **extra}
    if decision == "approve" and pin is not None:
        proof = pin_protocol.proof_from_pin(phone.secret, pin, pin_protocol.on_mobile_context(item_id, "approve"))
        body["pin_proof"] = b64.encode(proof)
    return phone.call("POST", f"on-mobile/{item_id}/answer", body=body)


def test_the_descriptor_is_passwordless_mobile_app_at_medium(db):
    method = registry.get("on_mobile")
    d = method.descriptor
    assert (d.strength, d.level, d.passwordless, d.second_factor, d.needs) == ("MOBILE_APP", Level.MEDIUM, True, False, ())
    assert set(levels.amr_of(["MOBILE_APP"])) == {
        "swk", "pin", "mfa"}
    assert registry.by_strength("MOBILE_APP") is method


def test_identify_page_offers_the_app_part(client, db):
    page = client.get("/login/").content.decode()
    assert "data-on-mobile" in page and "on_mobile/identify.js" in page and "/login/on-mobile/start/" in page


def test_sign_in_with_the_app_on_the_same_phone(client, phone, user):
    response = start(client, user.email)
    assert response.status_code == 302 and response["Location"] == "/login/on-mobile/"
    page = client.get("/login/on-mobile/")
    assert page.status_code == 200
    item, handover = page.context["item"], page.context["handover"]
    html = page.content.decode()
    assert f'data-handover="{handover}"' in html and f"#on-mobile={item.public_id}" in html
    assert handover not in f"#on-mobile={item.public_id}"  # the secret is never in the link

    details = phone.call("GET", f"on-mobile/{item.public_id}")
    assert details.status_code == 200 and details.json()["account"] == user.email
    # A link without the browser's secret (sent by someone else) cannot be approved.
    assert error_code(answer(phone, item.public_id, "not-the-secret")) == "challenge_not_found"
    assert client.get("/login/on-mobile/status/").json()["state"] == "pending"
    wrong = answer(phone, item.public_id, handover, pin="9999")
    assert error_code(wrong) == "wrong_pin" and wrong.json()["error"]["attempts_left"] == 4
    assert answer(phone, item.public_id, handover).json()["status"] == "approved"
    assert error_code(answer(phone, item.public_id, handover)) == "challenge_answered"
    assert client.get("/login/on-mobile/status/").json()["state"] == "approved"

    tx = re.search(r'name="tx" value="([0-9a-f]+)"', html).group(1)
    done = client.post("/login/on-mobile/", {"action": "continue", "tx": tx})
    assert done.status_code == 302 and done["Location"] == "/account/"
    session = client.session[SESSION_KEY]
    assert session["strengths"] == ["MOBILE_APP"] and session["level"] == Level.MEDIUM
    assert OnMobileRequest.objects.get().status == "used"


def test_deny_ends_the_attempt(client, phone, user):
    start(client, user.email)
    page = client.get("/login/on-mobile/")
    item, handover = page.context["item"], page.context["handover"]
    assert answer(phone, item.public_id, handover, decision="deny").json()["status"] == "denied"
    tx = re.search(r'name="tx" value="([0-9a-f]+)"', page.content.decode()).group(1)
    refused = client.post("/login/on-mobile/", {"action": "continue", "tx": tx})
    assert refused.status_code == 403 and SESSION_KEY not in client.session


def test_another_account_s_device_cannot_see_or_answer(client, phone, user, make_user, make_phone):
    other = make_phone(make_user())
    start(client, user.email)
    page = client.get("/login/on-mobile/")
    item, handover = page.context["item"], page.context["handover"]
    assert error_code(other.call("GET", f"on-mobile/{item.public_id}")) == "challenge_not_found"
    assert error_code(answer(other, item.public_id, handover)) == "challenge_not_found"


@pytest.mark.parametrize("email", ["nobody@example.org", ""])
def test_an_account_without_the_app_is_sent_back(client, email, user):
    response = start(client, email or user.email)
    assert response.status_code == 302 and response["Location"].startswith("/login/?")
    assert not OnMobileRequest.objects.exists()


def test_a_locked_device_cannot_approve(client, phone, user):
    start(client, user.email)
    page = client.get("/login/on-mobile/")
    item, handover = page.context["item"], page.context["handover"]
    for _ in range(4):
        answer(phone, item.public_id, handover, pin="9999")
    assert error_code(answer(phone, item.public_id, handover, pin="9999")) == "device_locked"
    assert error_code(answer(phone, item.public_id, handover)) in {"device_locked"}
