"""Operators: lists of security keys, phone numbers and PANIC holds; removing for a person; PANIC for an account."""

import pytest
from django.test import Client

from limen.audit.events import Event
from limen.audit.models import AuditEvent
from limen.signin.methods import registry
from limen.factors.panic.models import EnrolmentHold
from limen.factors.sms.models import PhoneNumber
from limen.factors.webauthn.models import WebAuthnCredential
from tests.conftest import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator_client(make_user):
    operator = make_user(email="olive@example.org", is_staff=True, is_superuser=True)
    client = Client()
    client.post("/login/", {"email": operator.email})
    assert client.post("/login/password/", {"password": DEFAULT_PASSWORD}).status_code == 302
    return client


def test_lists_show_the_factors(operator_client, user, add_phone, softkey, add_key):
    add_phone(user)
    add_key(user, softkey(), name="Blue key")
    page = operator_client.get("/admin/factors_webauthn/webauthncredential/").content.decode()
    assert "Blue key" in page and "YubiKey 5 Series with NFC" in page
    page = operator_client.get("/admin/factors_sms/phonenumber/").content.decode()
    assert "+46 70 123 45 67" in page
    assert operator_client.get("/admin/factors_panic/enrolmenthold/").status_code == 200


def test_remove_a_lost_key_for_a_person(operator_client, user, softkey, add_key, outbox):
    key = add_key(user, softkey(), name="Lost key")
    response = operator_client.post("/admin/factors_webauthn/webauthncredential/",
                                    {"action": "remove_credentials", "_selected_action": [key.pk]})
    assert response.status_code == 302
    assert not WebAuthnCredential.objects.exists()
    assert outbox.last(user.email).kind == "factor_removed"


def test_remove_a_number_for_a_person(operator_client, user, add_phone, outbox):
    phone = add_phone(user)
    operator_client.post("/admin/factors_sms/phonenumber/", {"action": "remove_numbers", "_selected_action": [phone.pk]})
    assert not PhoneNumber.objects.exists()
    assert outbox.last(user.email).kind == "factor_removed"


def test_panic_for_an_account(operator_client, user, add_phone, softkey, add_key, outbox):
    add_phone(user)
    add_key(user, softkey())
    operator_client.post("/admin/accounts/user/", {"action": "panic_accounts", "_selected_action": [user.pk]})
    assert not registry.has_second_factor(user)
    assert EnrolmentHold.objects.filter(user=user, released__isnull=True).exists()
    assert AuditEvent.objects.get(event=Event.PANIC, user=user).data["operator"] == "olive@example.org"
    assert outbox.last(user.email).kind == "panic_done"


def test_no_direct_deletion(operator_client, user, softkey, add_key):
    key = add_key(user, softkey())
    assert operator_client.post(f"/admin/factors_webauthn/webauthncredential/{key.pk}/delete/",
                                {"post": "yes"}).status_code == 403
    assert WebAuthnCredential.objects.filter(pk=key.pk).exists()
