"""Every factor added or removed e-mails the owner, in the owner's e-mail language."""

import json

import pytest

from limen.factors.recovery import services as recovery
from limen.factors.sms import services as sms
from limen.factors.webauthn import services as webauthn
from limen.factors.webauthn.models import Kind
from limen.notify.models import OutboxMessage

pytestmark = pytest.mark.django_db


def test_added_and_removed_in_french(make_user, sms_code, outbox):
    user = make_user(email_language="fr")
    sms.start_enrolment(user, "+33612345678")
    sms_text = OutboxMessage.objects.get(channel="sms").body
    assert "est votre code Limen" in sms_text
    phone = sms.finalise_enrolment(user, sms_code("+33612345678"))
    added = outbox.last(user.email)
    assert added.subject == "Une méthode de vérification a été ajoutée à votre compte Limen"
    assert "Numéro de téléphone mobile\u00a0: +33 6 1• •• •• 78" in added.body
    sms.remove(user, phone.pk)
    removed = outbox.last(user.email)
    assert removed.subject == "Une méthode de vérification a été supprimée de votre compte Limen"
    assert removed.body.startswith("Bonjour")


def test_every_method_sends_both_notices(user, softkey, add_phone, outbox):
    key = softkey()
    options, challenge = webauthn.registration_options(user, kind=Kind.PLATFORM)
    credential = webauthn.register(user, response=json.dumps(key.create(json.loads(options))), challenge=challenge,
                                   name="Laptop", kind=Kind.PLATFORM)
    assert outbox.last(user.email).kind == "factor_added" and "Laptop" in outbox.last(user.email).body
    webauthn.remove(user, credential.pk)
    assert outbox.last(user.email).kind == "factor_removed"
    add_phone(user)
    recovery.generate(user)
    assert outbox.last(user.email).kind == "factor_added"
    assert "Recovery codes: 10 single-use codes" in outbox.last(user.email).body


def test_recovery_notice_in_french(make_user, add_phone, outbox):
    user = make_user(email_language="fr")
    add_phone(user)
    recovery.generate(user)
    assert "Codes de secours\u00a0: 10 codes à usage unique" in outbox.last(user.email).body
