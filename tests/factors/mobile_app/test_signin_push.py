"""Sign in with "Mobile app PIN code": the browser waits, the app approves or denies."""

import pytest

from limen.audit.models import AuditEvent
from limen.core import clock
from limen.factors.mobile_app.models import ChallengeStatus, PushChallenge
from limen.signin.sessions import SESSION_KEY

from .conftest import error_code, sign_in


@pytest.fixture
def waiting(client, phone):
    """A browser between password and app, with one request sent."""
    response = sign_in(client, phone.user, "mobile_app_pin")
    assert response.status_code == 302 and response["Location"] == "/login/mobile/"
    page = client.get("/login/mobile/")
    assert page.status_code == 200
    return client


def _status(client, known=""):
    return client.get(f"/login/mobile/status/?known={known}").json()["state"]


def test_methods_are_listed_only_for_accounts_with_a_device(client, make_user, make_phone):
    plain = make_user()
    client.post("/login/", {"email": plain.email})
    assert "Mobile app PIN code" not in client.get("/login/password/").content.decode()
    equipped = make_user()
    make_phone(equipped)
    client.post("/login/", {"email": equipped.email})
    page = client.get("/login/password/").content.decode()
    assert "Mobile app PIN code" in page and "Mobile app QR code" in page


def test_approve_signs_in_with_the_mobile_app_strength(waiting, phone):
    page = waiting.get("/login/mobile/").content.decode()
    challenge = phone.pending()[0]
    assert challenge["number"] in page and "My phone" in page
    assert challenge["application"] and challenge["account"] == phone.user.email
    response = phone.answer(challenge)
    assert response.status_code == 200 and response.json()["status"] == "approved"
    assert _status(waiting, "pending") == "approved"
    done = waiting.post("/login/mobile/", {"action": "continue"})
    assert done.status_code == 302 and done["Location"] == "/account/"
    assert waiting.session[SESSION_KEY]["strengths"] == ["PASSWORD_MOBILE_APP"]
    assert waiting.session[SESSION_KEY]["level"] == 20
    assert PushChallenge.objects.get(public_id=challenge["id"]).status == ChallengeStatus.USED
    assert AuditEvent.objects.filter(user=phone.user, event="mobile.signin_approved").exists()
    assert phone.model.last_used is not None


def test_the_browser_status_waits_and_wakes(waiting, phone):
    import time

    challenge = phone.pending()[0]
    start = time.monotonic()
    assert waiting.get("/login/mobile/status/?known=pending&wait=1").json()["state"] == "pending"
    assert time.monotonic() - start >= 0.9
    phone.answer(challenge)
    start = time.monotonic()
    assert waiting.get("/login/mobile/status/?known=pending&wait=5").json()["state"] == "approved"
    assert time.monotonic() - start < 1


def test_continue_before_approval_does_not_sign_in(waiting, phone):
    response = waiting.post("/login/mobile/", {"action": "continue"})
    assert response.status_code == 409
    assert "not been approved" in response.content.decode()
    assert SESSION_KEY not in waiting.session


def test_an_approval_is_used_once(waiting, phone, client):
    challenge = phone.pending()[0]
    phone.answer(challenge)
    assert waiting.post("/login/mobile/", {"action": "continue"}).status_code == 302
    again = phone.answer(challenge)
    assert again.status_code == 409 and error_code(again) == "challenge_answered"


def test_deny_ends_the_attempt_and_is_recorded(waiting, phone):
    challenge = phone.pending()[0]
    response = phone.answer(challenge, "deny")
    assert response.json()["status"] == "denied"
    assert _status(waiting, "pending") == "denied"
    page = waiting.get("/login/mobile/")
    assert page.status_code == 403 and "denied" in page.content.decode()
    assert SESSION_KEY not in waiting.session
    # The attempt is over: the page sends the person back to the start.
    assert waiting.get("/login/mobile/")["Location"] == "/login/"
    assert AuditEvent.objects.filter(user=phone.user, event="mobile.signin_denied").exists()


def test_wrong_pin_is_counted_and_locks_after_five(waiting, phone, outbox):
    challenge = phone.pending()[0]
    for left in [4, 3, 2, 1]:
        response = phone.answer(challenge, pin="9137")
        assert response.status_code == 403 and error_code(response) == "wrong_pin"
        assert response.json()["error"]["attempts_left"] == left
    assert PushChallenge.objects.get(public_id=challenge["id"]).status == ChallengeStatus.PENDING
    fifth = phone.answer(challenge, pin="9137")
    assert fifth.status_code == 423 and error_code(fifth) == "device_locked"
    assert phone.model.is_locked
    assert "locked" in outbox.last(phone.user.email).subject
    assert AuditEvent.objects.filter(user=phone.user, event="mobile.device_locked").count() == 1
    assert AuditEvent.objects.filter(user=phone.user, event="mobile.wrong_pin").count() == 5
    # The right PIN no longer helps, and nothing else changed.
    right = phone.answer(challenge)
    assert error_code(right) == "device_locked"
    assert PushChallenge.objects.get(public_id=challenge["id"]).status == ChallengeStatus.PENDING
    assert error_code(phone.call("GET", "challenges")) == "device_locked"
    assert phone.call("GET", "device").json()["locked"] is True


def test_a_right_pin_resets_the_count(waiting, phone, client):
    challenge = phone.pending()[0]
    for _ in range(3):
        phone.answer(challenge, pin="9137")
    phone.answer(challenge)
    assert phone.model.failed_pins == 0


def test_operator_unlock(waiting, phone, make_user, client):
    from django.test import Client

    challenge = phone.pending()[0]
    for _ in range(5):
        phone.answer(challenge, pin="9137")
    operator = make_user(is_staff=True, is_superuser=True)
    admin = Client()
    admin.force_login(operator)
    response = admin.post("/admin/factors_mobile_app/mobiledevice/",
                          {"action": "unlock_devices", "_selected_action": [phone.model.pk]})
    assert response.status_code == 302
    assert not phone.model.is_locked
    assert AuditEvent.objects.filter(user=phone.user, event="mobile.device_unlocked").exists()
    assert phone.answer(challenge).status_code == 200


def test_expired_request(waiting, phone):
    challenge = phone.pending()[0]
    clock.advance(seconds=121)
    response = phone.answer(challenge)
    assert response.status_code == 410 and error_code(response) == "challenge_expired"
    assert phone.pending() == []
    assert _status(waiting, "pending") == "expired"
    page = waiting.get("/login/mobile/").content.decode()
    assert "expired" in page
    # A new request can be sent from the page.
    assert waiting.post("/login/mobile/", {"action": "send"}).status_code == 302
    assert len(phone.pending()) == 1 and phone.pending()[0]["id"] != challenge["id"]


def test_a_new_request_replaces_the_old_one(waiting, phone):
    old = phone.pending()[0]
    waiting.post("/login/mobile/", {"action": "send"})
    assert [c["id"] for c in phone.pending()] != [old["id"]]
    assert error_code(phone.answer(old)) == "challenge_expired"


def test_request_of_another_account(waiting, phone, make_user, make_phone):
    stranger = make_phone(make_user())
    challenge = phone.pending()[0]
    response = stranger.answer(challenge, pin=stranger.pin)
    assert response.status_code == 404 and error_code(response) == "challenge_not_found"
    assert PushChallenge.objects.get(public_id=challenge["id"]).status == ChallengeStatus.PENDING
    assert stranger.model.failed_pins == 0


def test_request_sent_to_another_device_of_the_same_account(client, make_phone, user):
    first, second = make_phone(user, name="Phone"), make_phone(user, name="Tablet")
    sign_in(client, user, "mobile_app_pin")
    page = client.get("/login/mobile/").content.decode()
    assert "Which device" in page and "Tablet" in page
    assert first.pending() == [] and second.pending() == []
    client.post("/login/mobile/", {"action": "send", "device": second.device_id})
    assert first.pending() == []
    challenge = second.pending()[0]
    assert error_code(first.answer(challenge)) == "challenge_not_found"
    assert second.answer(challenge).status_code == 200


def test_choosing_a_device_that_is_not_yours(client, make_phone, user, make_user):
    make_phone(user, name="Phone"), make_phone(user, name="Tablet")
    other = make_phone(make_user())
    sign_in(client, user, "mobile_app_pin")
    response = client.post("/login/mobile/", {"action": "send", "device": other.device_id})
    assert response.status_code == 400 and "Choose one of the devices" in response.content.decode()
    assert other.pending() == []


@pytest.mark.parametrize("body,code,field", [
    ({"decision": "maybe", "number": "12"}, "invalid_field", "decision"),
    ({"decision": "approve", "number": "12"}, "invalid_field", "pin_proof"),
    ({"decision": "approve", "number": "12", "pin_proof": "AAAA"}, "invalid_field", "pin_proof"),
    ({"decision": "deny", "number": "123"}, "field_too_long", "number"),
    ({"decision": "deny" * 5, "number": "12"}, "field_too_long", "decision"),
    ({"decision": "deny"}, "invalid_field", "number"),
])
def test_bad_answers(waiting, phone, body, code, field):
    challenge = phone.pending()[0]
    response = phone.call("POST", f"challenges/{challenge['id']}/answer", body=body)
    assert response.status_code == 400 and error_code(response) == code
    assert response.json()["error"]["field"] == field
    assert PushChallenge.objects.get(public_id=challenge["id"]).status == ChallengeStatus.PENDING
    assert phone.model.failed_pins == 0


def test_malformed_json_answer(waiting, phone):
    challenge = phone.pending()[0]
    response = phone.call("POST", f"challenges/{challenge['id']}/answer", raw=b'{"decision": ')
    assert response.status_code == 400 and error_code(response) == "malformed_json"
    assert PushChallenge.objects.get(public_id=challenge["id"]).status == ChallengeStatus.PENDING


def test_number_mismatch(waiting, phone):
    challenge = phone.pending()[0]
    wrong = "10" if challenge["number"] != "10" else "11"
    response = phone.answer(challenge, number=wrong)
    assert response.status_code == 400 and error_code(response) == "number_mismatch"
    assert PushChallenge.objects.get(public_id=challenge["id"]).status == ChallengeStatus.PENDING


def test_unknown_request(phone):
    response = phone.answer({"id": "x" * 22, "number": "12"}, "deny")
    assert response.status_code == 404 and error_code(response) == "challenge_not_found"


def test_long_poll_returns_pending_requests_at_once_and_times_out_empty(waiting, phone):
    import time

    response = phone.call("GET", "challenges/wait?timeout=5")
    assert len(response.json()["challenges"]) == 1
    phone.answer(phone.pending()[0], "deny")
    start = time.monotonic()
    response = phone.call("GET", "challenges/wait?timeout=1")
    assert response.json()["challenges"] == [] and time.monotonic() - start >= 0.9
    assert error_code(phone.call("GET", "challenges/wait?timeout=soon")) == "invalid_field"


def test_push_requests_are_rate_limited(client, phone, settings):
    settings.MOBILE_REQUESTS_PER_WINDOW = 3
    sign_in(client, phone.user, "mobile_app_pin")
    client.get("/login/mobile/")
    client.post("/login/mobile/", {"action": "send"})
    client.post("/login/mobile/", {"action": "send"})
    response = client.post("/login/mobile/", {"action": "send"})
    assert response.status_code == 429 and "Too many" in response.content.decode()


def test_no_pending_signin(client, phone):
    assert client.get("/login/mobile/")["Location"] == "/login/"
    assert client.get("/login/mobile/status/").json()["state"] == "none"


def test_a_wrong_method_in_the_flow(client, phone):
    sign_in(client, phone.user, "mobile_app_qr")
    assert client.get("/login/mobile/")["Location"] == "/login/"


def test_the_waiting_page_works_without_javascript_and_has_no_inline_script(waiting, phone):
    page = waiting.get("/login/mobile/").content.decode()
    assert 'name="action" value="continue"' in page
    assert "<script>" not in page and "mobile-wait.js" in page
    assert "style=" not in page


def test_step_up_with_the_mobile_app(client, phone):
    sign_in(client, phone.user, "password")
    assert client.session[SESSION_KEY]["strengths"] == ["PASSWORD"]
    page = client.get("/login/step-up/?next=/account/&level=MEDIUM")
    assert "Mobile app PIN code" in page.content.decode()
    response = client.post("/login/step-up/?next=/account/", {"method": "mobile_app_pin", "next": "/account/"})
    assert response["Location"] == "/login/mobile/"
    client.get("/login/mobile/")
    phone.answer(phone.pending()[0])
    response = client.post("/login/mobile/", {"action": "continue"})
    assert response.status_code == 302
    assert client.session[SESSION_KEY]["strengths"] == ["PASSWORD", "PASSWORD_MOBILE_APP"]
    assert client.session[SESSION_KEY]["level"] == 20


def test_removing_a_device_cancels_its_requests(waiting, phone):
    from limen.factors.mobile_app.services import devices

    devices.remove(phone.model)
    assert waiting.get("/login/mobile/status/?known=pending").json()["state"] == "none"


def _through(client, url: str) -> str:
    """An application sends the person to sign in: the sign-in page's ``next``."""
    from urllib.parse import parse_qs, urlsplit

    response = client.get(url)
    assert response.status_code == 302 and urlsplit(response["Location"]).path == "/login/", response
    return parse_qs(urlsplit(response["Location"]).query)["next"][0]


def test_the_request_names_the_cas_application(client, phone):
    from limen.cas import registry

    registry.register(name="Europass", url_pattern="https://europass.example.org/", level="MEDIUM")
    next_url = _through(client, "/cas/login?service=https%3A%2F%2Feuropass.example.org%2Fprofile%2F")
    sign_in(client, phone.user, "mobile_app_pin", next_url=next_url)
    client.get("/login/mobile/")
    assert phone.pending()[0]["application"] == "Europass"


def test_the_request_names_the_openid_connect_application(client, phone):
    """Not the host of its redirect URI: the name the operator registered, from the transaction."""
    from urllib.parse import urlencode

    from limen.oidc import clients

    app = clients.register(name="Pension fund", redirect_uris=["http://127.0.0.1:9/callback"])
    query = urlencode({"response_type": "code", "client_id": app.client.client_id, "scope": "openid",
                       "redirect_uri": "http://127.0.0.1:9/callback", "code_challenge": "x" * 43,
                       "code_challenge_method": "S256"})
    next_url = _through(client, "/oidc/authorize?" + query)
    sign_in(client, phone.user, "mobile_app_pin", next_url=next_url)
    client.get("/login/mobile/")
    assert phone.pending()[0]["application"] == "Pension fund"


def test_a_sign_in_no_application_asked_for_names_limen(client, phone, settings):
    """A next URL is not an application: its parameters are never read (factors know no protocol)."""
    sign_in(client, phone.user, "mobile_app_pin", next_url="/cas/login?service=https%3A%2F%2Fother.example.net%2F")
    client.get("/login/mobile/")
    assert phone.pending()[0]["application"] == settings.SITE_NAME


def test_long_poll_waits_for_requests_the_app_has_not_seen(waiting, phone):
    import time

    challenge = phone.pending()[0]
    start = time.monotonic()
    response = phone.call("GET", f"challenges/wait?timeout=1&seen={challenge['id']}")
    assert response.json()["challenges"] == [] and time.monotonic() - start >= 0.9
    waiting.post("/login/mobile/", {"action": "send"})  # a new request replaces the old one
    response = phone.call("GET", f"challenges/wait?timeout=5&seen={challenge['id']}")
    assert [c["id"] for c in response.json()["challenges"]] != [challenge["id"]]
    assert len(response.json()["challenges"]) == 1
    for bad in ["x" * 40, ",".join(["abc"] * 21), "a.b"]:
        assert error_code(phone.call("GET", f"challenges/wait?timeout=0&seen={bad}")) == "invalid_field"
