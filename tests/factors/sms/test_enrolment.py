"""My Account → Manage my mobile phone numbers: add a number, confirm it with the SMS code, remove it."""

import pytest

from limen.audit.events import Event
from limen.audit.models import AuditEvent
from limen.core import clock
from limen.signin.methods import registry
from limen.factors.sms import services
from limen.factors.sms.errors import (CodeExpired, CodeUsed, NoCodeSent, NumberAlreadyRegistered, ResendTooSoon,
                                      SmsDisabled, TooManyAttempts, TooManySms, WrongCode)
from limen.factors.sms.models import PhoneNumber, Purpose, SmsCode
from limen.notify.models import OutboxMessage

pytestmark = pytest.mark.django_db


def _sms(number="+46701234567"):
    return OutboxMessage.objects.filter(channel="sms", recipient=number).order_by("-id").first()


def test_add_a_number_and_finalise_with_the_code(signed_in_client, sms_code, outbox):
    client, user = signed_in_client, signed_in_client.user
    page = client.get("/account/phones/").content.decode()
    assert "Add a mobile phone number" in page
    response = client.post("/account/phones/add/", {"number": "+46 70 123 45 67"})
    assert response.status_code == 302 and response.url == "/account/phones/finalise/"
    message = _sms()
    assert message.subject == "SMS verification code" and sms_code() in message.body
    assert sms_code() not in message.subject
    stored = SmsCode.objects.get(user=user)
    assert sms_code() not in stored.digest and sms_code().replace("-", "") not in stored.digest
    page = client.get("/account/phones/finalise/").content.decode()
    assert "+46 70 123 45 67" in page
    response = client.post("/account/phones/finalise/", {"code": sms_code().lower()})
    assert response.status_code == 302 and response.url == "/account/phones/"
    phone = PhoneNumber.objects.get(user=user)
    assert phone.number == "+46701234567"
    assert "+46 70 123 45 67" in client.get("/account/phones/").content.decode()
    mail = outbox.last(user.email)
    assert mail.kind == "factor_added" and "+46 70 ••• •• 67" in mail.body and "Mobile phone number" in mail.body
    assert AuditEvent.objects.filter(user=user, event=Event.FACTOR_ADDED, data__method="sms").exists()


def test_several_numbers_per_account(user, sms_code):
    for number in ("+46701234567", "+33612345678"):
        services.start_enrolment(user, number)
        services.finalise_enrolment(user, sms_code(number))
    assert list(services.numbers_of(user).values_list("number", flat=True)) == ["+46701234567", "+33612345678"]


def test_a_number_without_country_code_shows_the_expected_form(signed_in_client):
    response = signed_in_client.post("/account/phones/add/", {"number": "0701234567"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "international form" in page and "+46701234567" in page
    assert not OutboxMessage.objects.filter(channel="sms").exists()


def test_a_number_registered_twice_is_refused(user, add_phone):
    add_phone(user)
    with pytest.raises(NumberAlreadyRegistered):
        services.start_enrolment(user, "+46 701 23 45 67")
    assert not OutboxMessage.objects.filter(channel="sms").exists()


def test_wrong_code_counts_an_attempt_and_changes_nothing(user, sms_code):
    services.start_enrolment(user, "+46701234567")
    with pytest.raises(WrongCode):
        services.finalise_enrolment(user, "AAA-AAA-AAA")
    with pytest.raises(WrongCode):
        services.finalise_enrolment(user, "not a code")
    assert SmsCode.objects.get(user=user).attempts == 2
    assert not PhoneNumber.objects.exists()
    services.finalise_enrolment(user, sms_code())
    assert PhoneNumber.objects.filter(user=user).count() == 1


def test_too_many_wrong_codes_kill_the_code(user, sms_code, settings):
    services.start_enrolment(user, "+46701234567")
    for _ in range(settings.SMS_MAX_ATTEMPTS - 1):
        with pytest.raises(WrongCode):
            services.finalise_enrolment(user, "AAA-AAA-AAA")
    with pytest.raises(TooManyAttempts):
        services.finalise_enrolment(user, "AAA-AAA-AAA")
    with pytest.raises(TooManyAttempts):
        services.finalise_enrolment(user, sms_code())  # even the right one
    assert not PhoneNumber.objects.exists()


def test_codes_expire(user, sms_code):
    services.start_enrolment(user, "+46701234567")
    clock.advance(minutes=5, seconds=1)
    with pytest.raises(CodeExpired):
        services.finalise_enrolment(user, sms_code())
    assert not PhoneNumber.objects.exists()


def test_codes_are_single_use(user, sms_code):
    services.start_enrolment(user, "+46701234567")
    code = sms_code()
    services.finalise_enrolment(user, code)
    with pytest.raises(CodeUsed):
        services.finalise_enrolment(user, code)
    assert PhoneNumber.objects.count() == 1


def test_resend_is_throttled_and_replaces_the_code(user, sms_code, settings):
    services.start_enrolment(user, "+46701234567")
    first = sms_code()
    with pytest.raises(ResendTooSoon):
        services.resend_enrolment(user)
    clock.advance(seconds=settings.SMS_RESEND_SECONDS)
    services.resend_enrolment(user)
    second = sms_code()
    assert OutboxMessage.objects.filter(channel="sms").count() == 2
    if first != second:
        with pytest.raises(WrongCode):
            services.finalise_enrolment(user, first)
    services.finalise_enrolment(user, second)


def test_sms_per_hour_are_capped(user, settings):
    settings.SMS_PER_HOUR = 3
    settings.SMS_RESEND_SECONDS = 0
    for _ in range(3):
        services.start_enrolment(user, "+46701234567")
    with pytest.raises(TooManySms):
        services.start_enrolment(user, "+46701234567")
    assert OutboxMessage.objects.filter(channel="sms").count() == 3


def test_finalise_page_messages(signed_in_client, sms_code):
    client = signed_in_client
    client.post("/account/phones/add/", {"number": "+46701234567"})
    response = client.post("/account/phones/finalise/", {"code": "AAA-AAA-AAA"})
    assert response.status_code == 400 and "This code is not correct" in response.content.decode()
    response = client.post("/account/phones/resend/", follow=True)
    assert "less than 60 seconds ago" in response.content.decode()
    clock.advance(minutes=6)
    response = client.post("/account/phones/finalise/", {"code": sms_code()})
    assert "This code has expired" in response.content.decode()
    response = client.post("/account/phones/resend/", follow=True)
    assert "We have sent you a new code" in response.content.decode()
    response = client.post("/account/phones/finalise/", {"code": sms_code()})
    assert response.status_code == 302


def test_finalise_without_a_code_sends_back_to_add(signed_in_client):
    response = signed_in_client.get("/account/phones/finalise/")
    assert response.status_code == 302 and response.url == "/account/phones/add/"


def test_remove_a_number(client, user, sign_in_with_sms, add_phone, outbox):
    add_phone(user, "+33612345678")
    sign_in_with_sms(client, user)
    phone = PhoneNumber.objects.get(user=user, number="+33612345678")
    page = client.get(f"/account/phones/{phone.pk}/remove/").content.decode()
    assert "+33 6 12 34 56 78" in page
    response = client.post(f"/account/phones/{phone.pk}/remove/")
    assert response.status_code == 302
    assert list(PhoneNumber.objects.filter(user=user).values_list("number", flat=True)) == ["+46701234567"]
    assert outbox.last(user.email).kind == "factor_removed"
    assert AuditEvent.objects.filter(user=user, event=Event.FACTOR_REMOVED).exists()


def test_someone_elses_number_cannot_be_removed(signed_in_client, make_user, add_phone):
    other = add_phone(make_user())
    assert signed_in_client.post(f"/account/phones/{other.pk}/remove/").status_code == 404
    assert PhoneNumber.objects.filter(pk=other.pk).exists()


def test_adding_a_second_number_needs_the_second_factor(signed_in_client, add_phone):
    add_phone(signed_in_client.user)
    response = signed_in_client.post("/account/phones/add/", {"number": "+33612345678"})
    assert response.status_code == 302 and response.url.startswith("/login/step-up/")
    assert not OutboxMessage.objects.filter(channel="sms").exists()


def test_operator_can_switch_sms_off(signed_in_client, settings, add_phone):
    settings.SMS_ENABLED = False
    user = signed_in_client.user
    add_phone(user)
    factor = registry.get("sms")
    assert not factor.available_for(user) and factor.manage_url() is None
    assert "Manage my mobile phone numbers" not in signed_in_client.get("/account/").content.decode()
    response = signed_in_client.get("/account/phones/add/")
    assert response.status_code == 403 and "switched off" in response.content.decode()
    with pytest.raises(SmsDisabled):
        services.start_enrolment(user, "+33612345678")
    assert not OutboxMessage.objects.filter(channel="sms").exists()
    signed_in_client.post("/logout/")
    signed_in_client.post("/login/", {"email": user.email})
    page = signed_in_client.get("/login/password/").content.decode()
    assert "Mobile Phone + SMS" not in page


def test_sms_text_starts_with_the_code(user, sms_code):
    services.start_enrolment(user, "+46701234567")
    body = OutboxMessage.objects.get(channel="sms").body
    assert body.startswith(sms_code()) and "5 minutes" in body


def test_purpose_codes_do_not_mix(user, add_phone, sms_code):
    add_phone(user, "+33612345678")
    services.send_signin_code(user, services.numbers_of(user).get())
    with pytest.raises(NoCodeSent):
        services.finalise_enrolment(user, sms_code("+33612345678"))
    assert SmsCode.objects.filter(purpose=Purpose.SIGNIN, used__isnull=True).count() == 1
