"""Sign in with Mobile Phone + SMS: choose or type a registered number, receive a code, type it."""

import pytest

from limen.audit.events import Event
from limen.audit.models import AuditEvent
from limen.core import clock
from limen.factors.sms.models import PhoneNumber
from limen.notify.models import OutboxMessage
from tests.factors.conftest import session_strengths, start_signin

pytestmark = pytest.mark.django_db


def test_choose_a_number_and_type_the_code(client, user, add_phone, sms_code):
    add_phone(user)
    add_phone(user, "+33612345678")
    response = start_signin(client, user, "sms")
    assert response.url == "/login/sms/"
    page = client.get("/login/sms/").content.decode()
    assert "+46 70 ••• •• 67" in page and "+33 6 1• •• •• 78" in page
    assert "+46 70 123 45 67" not in page  # masked until proved
    second = PhoneNumber.objects.get(number="+33612345678")
    response = client.post("/login/sms/", {"phone": second.pk})
    assert response.url == "/login/sms/code/"
    assert OutboxMessage.objects.filter(channel="sms", recipient="+33612345678").count() == 1
    page = client.get("/login/sms/code/").content.decode()
    assert "+33 6 1• •• •• 78" in page
    response = client.post("/login/sms/code/", {"code": sms_code("+33612345678").replace("-", "")})
    assert response.status_code == 302 and response.url == "/account/"
    assert session_strengths(client) == ["PASSWORD_SMS"]
    second.refresh_from_db()
    assert second.last_used is not None


def test_type_the_number(client, user, add_phone, sms_code):
    add_phone(user)
    start_signin(client, user, "sms")
    response = client.post("/login/sms/", {"typed": "+46 70 123 45 67"})
    assert response.url == "/login/sms/code/"
    client.post("/login/sms/code/", {"code": sms_code()})
    assert session_strengths(client) == ["PASSWORD_SMS"]


def test_a_number_that_is_not_registered_is_refused(client, user, add_phone):
    add_phone(user)
    start_signin(client, user, "sms")
    response = client.post("/login/sms/", {"typed": "+33612345678"})
    assert response.status_code == 400 and "not registered to your account" in response.content.decode()
    response = client.post("/login/sms/", {"typed": "0701234567"})
    assert "international form" in response.content.decode()
    assert not OutboxMessage.objects.filter(channel="sms").exists()


def test_another_accounts_number_cannot_be_chosen(client, user, make_user, add_phone):
    add_phone(user)
    foreign = add_phone(make_user(), "+33612345678")
    start_signin(client, user, "sms")
    response = client.post("/login/sms/", {"phone": foreign.pk})
    assert response.status_code == 400
    assert not OutboxMessage.objects.filter(channel="sms").exists()


def test_wrong_expired_reused_and_too_many_codes(client, user, add_phone, sms_code, settings):
    add_phone(user)
    start_signin(client, user, "sms")
    client.post("/login/sms/", {"typed": "+46701234567"})
    response = client.post("/login/sms/code/", {"code": "AAA-AAA-AAA"})
    assert response.status_code == 400 and "This code is not correct" in response.content.decode()
    for _ in range(settings.SMS_MAX_ATTEMPTS - 2):
        client.post("/login/sms/code/", {"code": "AAA-AAA-AAA"})
    response = client.post("/login/sms/code/", {"code": "AAA-AAA-AAA"})
    assert "Too many wrong codes" in response.content.decode()
    response = client.post("/login/sms/code/", {"code": sms_code()})
    assert "Too many wrong codes" in response.content.decode()
    assert not session_strengths(client)
    assert AuditEvent.objects.filter(user=user, event=Event.FACTOR_FAILED).count() == settings.SMS_MAX_ATTEMPTS
    # a new code (after the resend wait) works, once
    clock.advance(seconds=settings.SMS_RESEND_SECONDS)
    response = client.post("/login/sms/resend/", follow=True)
    assert "We have sent you a new code" in response.content.decode()
    clock.advance(minutes=5, seconds=1)
    response = client.post("/login/sms/code/", {"code": sms_code()})
    assert "This code has expired" in response.content.decode()


def test_a_reused_code_is_refused(client, user, add_phone, sms_code, settings):
    add_phone(user)
    start_signin(client, user, "sms")
    client.post("/login/sms/", {"typed": "+46701234567"})
    code = sms_code()
    client.post("/login/sms/code/", {"code": code})
    client.post("/logout/")
    start_signin(client, user, "sms")
    response = client.post("/login/sms/code/", {"code": code})
    assert "This code has already been used" in response.content.decode()
    assert not session_strengths(client)


def test_resend_is_throttled(client, user, add_phone):
    add_phone(user)
    start_signin(client, user, "sms")
    client.post("/login/sms/", {"typed": "+46701234567"})
    response = client.post("/login/sms/resend/", follow=True)
    assert "less than 60 seconds ago" in response.content.decode()
    assert OutboxMessage.objects.filter(channel="sms").count() == 1


def test_step_up_with_sms(signed_in_client, add_phone, sms_code):
    client, user = signed_in_client, signed_in_client.user
    add_phone(user)
    response = client.post("/login/step-up/?next=/account/", {"method": "sms"})
    assert response.url == "/login/sms/"
    client.post("/login/sms/", {"typed": "+46701234567"})
    response = client.post("/login/sms/code/", {"code": sms_code()})
    assert response.status_code == 302
    assert session_strengths(client) == ["PASSWORD", "PASSWORD_SMS"]


def test_code_page_without_pending_signin(client):
    response = client.get("/login/sms/code/")
    assert response.status_code == 302 and response.url == "/login/"


def test_too_many_wrong_codes_answer_429_like_every_other_limit(client, user, add_phone, settings):
    """One error mapping: "too many attempts" is 429 on every method's page (it was 400 here)."""
    add_phone(user)
    start_signin(client, user, "sms")
    client.post("/login/sms/", {"typed": "+46701234567"})
    for _ in range(settings.SMS_MAX_ATTEMPTS - 1):
        assert client.post("/login/sms/code/", {"code": "AAA-AAA-AAA"}).status_code == 400
    response = client.post("/login/sms/code/", {"code": "AAA-AAA-AAA"})
    assert response.status_code == 429 and "Too many wrong codes" in response.content.decode()


def test_a_code_sent_before_a_key_rotation_still_works_during_it(client, user, add_phone, sms_code,
                                                                  encryption_keys):
    from limen.factors.sms.models import SmsCode
    from tests.support.keys import new_key

    add_phone(user)
    start_signin(client, user, "sms")
    client.post("/login/sms/", {"typed": "+46701234567"})
    assert ":" not in SmsCode.objects.get(user=user).digest  # made with the key of before (legacy)
    encryption_keys(f"2026-11:{new_key()},legacy")  # the operator prepends a new key and restarts
    response = client.post("/login/sms/code/", {"code": sms_code()})
    assert response.status_code == 302 and session_strengths(client) == ["PASSWORD_SMS"]

    client.post("/logout/")
    start_signin(client, user, "sms")
    client.post("/login/sms/", {"typed": "+46701234567"})
    assert SmsCode.objects.filter(user=user).latest("created").digest.startswith("2026-11:")
    client.post("/login/sms/code/", {"code": sms_code()})
    assert session_strengths(client) == ["PASSWORD_SMS"]
