"""PANIC: remove every second factor after a password-only sign-in; the first new one needs an e-mailed link."""

import re

import pytest

from limen.audit.events import Event
from limen.audit.models import AuditEvent
from limen.core import clock
from limen.signin.methods import registry
from limen.factors.panic import services
from limen.factors.panic.errors import LinkExpired, LinkForAnotherAccount, LinkUsed, ResendTooSoon
from limen.factors.panic.models import EnrolmentHold
from limen.factors.recovery.models import RecoveryCode
from limen.factors.sms.models import PhoneNumber
from limen.factors.webauthn.models import WebAuthnCredential
from limen.notify.models import OutboxMessage

pytestmark = pytest.mark.django_db


@pytest.fixture
def equipped(user, add_phone, softkey, add_key, add_recovery_codes):
    """An account with a phone number, two security keys and recovery codes."""
    add_phone(user)
    add_key(user, softkey(), name="Key one")
    add_key(user, softkey(attachment="platform"), name="Laptop")
    add_recovery_codes(user)
    return user


def _confirmation_link(outbox, user) -> str:
    message = OutboxMessage.objects.filter(recipient=user.email, kind="panic_confirm").order_by("-id").first()
    assert message is not None
    return re.search(r"https?://\S+", message.body).group(0)


def test_panic_is_reachable_after_a_password_only_signin(signed_in_client, equipped):
    page = signed_in_client.get("/account/")
    assert "Delete all my devices and eID (PANIC)" in page.content.decode()
    page = signed_in_client.get("/account/panic/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Security Key or Trusted Platform (2)" in text and "Mobile Phone + SMS (1)" in text
    assert "Recovery code (10)" in text


def test_panic_removes_every_factor_mails_and_audits(signed_in_client, equipped, outbox):
    user = equipped
    response = signed_in_client.post("/account/panic/", follow=True)
    assert "have been removed" in response.content.decode()
    assert not PhoneNumber.objects.filter(user=user).exists()
    assert not WebAuthnCredential.objects.filter(user=user).exists()
    assert not RecoveryCode.objects.filter(user=user).exists()
    assert not registry.has_second_factor(user)
    event = AuditEvent.objects.get(user=user, event=Event.PANIC)
    assert event.data["removed"] == {"webauthn": 2, "sms": 1, "recovery_code": 10}
    mail = outbox.last(user.email)
    assert mail.kind == "panic_done"
    assert "Security Key or Trusted Platform" in mail.body and "Mobile Phone + SMS" in mail.body
    assert "/password/lost/" in mail.body
    assert signed_in_client.get("/account/").status_code == 200  # the session goes on


def test_panic_calls_every_registered_factor(user, monkeypatch):
    from limen.signin.methods import Descriptor, Method
    from limen.signin.models import Level

    class Elsewhere(Method):
        descriptor = Descriptor(key="elsewhere", strength="EIDAS", level=Level.MEDIUM, amr=("eid", "mfa"),
                                label="Another branch's method")
        removed = []

        def available_for(self, user):
            return False

        def remove_all(self, user):
            self.removed.append(user.pk)
            return 3

    factor = Elsewhere()
    monkeypatch.setitem(registry._methods, factor.key, factor)
    assert services.panic(user)["elsewhere"] == 3 and factor.removed == [user.pk]


def test_panic_needs_a_post_and_csrf(user):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.post("/login/", {"email": user.email})
    assert strict.post("/account/panic/").status_code in {302, 403}
    assert not EnrolmentHold.objects.exists()


def test_after_panic_the_first_new_factor_needs_the_emailed_link(signed_in_client, equipped, outbox):
    client, user = signed_in_client, equipped
    client.post("/account/panic/")
    response = client.get("/account/phones/add/")
    assert response.status_code == 302 and response.url.startswith("/account/methods/confirm/?next=")
    page = client.get(response.url).content.decode()
    assert "Check your e-mail" in page and user.email in page
    link = _confirmation_link(outbox, user)
    assert client.post("/account/phones/add/", {"number": "+46701234567"}).status_code == 302
    assert not OutboxMessage.objects.filter(channel="sms").exists()  # nothing sent while on hold
    path = link.split("localhost:8000", 1)[1]
    confirm = client.get(path)
    assert confirm.status_code == 200 and "Confirm" in confirm.content.decode()
    assert EnrolmentHold.objects.get(user=user).released is None  # a GET (a mail scanner) changes nothing
    response = client.post(path)
    assert response.status_code == 302 and response.url == "/account/phones/add/"
    assert client.get("/account/phones/add/").status_code == 200
    response = client.post(path)
    assert response.status_code == 400 and "already been used" in response.content.decode()
    assert AuditEvent.objects.filter(user=user, event=Event.PANIC_RELEASED).count() == 1


def test_a_stolen_password_alone_cannot_use_the_link_of_another_account(client, make_user, equipped, outbox):
    owner = equipped
    services.panic(owner)
    services.send_link(owner)
    link = _confirmation_link(outbox, owner)
    thief = make_user()
    client.post("/login/", {"email": thief.email})
    client.post("/login/password/", {"password": "Correct-Horse-42"})
    path = link.split("localhost:8000", 1)[1]
    response = client.post(path)
    assert response.status_code == 400 and "belongs to another account" in response.content.decode()
    assert EnrolmentHold.objects.get(user=owner).released is None


def test_the_link_asks_to_sign_in_first(client, equipped, outbox):
    services.panic(equipped)
    services.send_link(equipped)
    path = _confirmation_link(outbox, equipped).split("localhost:8000", 1)[1]
    response = client.get(path)
    assert response.status_code == 302 and response.url.startswith("/login/?next=%2Faccount%2Fmethods%2Fconfirm%2F")


def test_expired_and_bogus_links(signed_in_client, equipped, outbox, settings):
    settings.PANIC_LINK_TTL = 600
    services.panic(equipped)
    services.send_link(equipped)
    path = _confirmation_link(outbox, equipped).split("localhost:8000", 1)[1]
    clock.advance(seconds=settings.PANIC_LINK_TTL + 1)
    response = signed_in_client.post(path)
    assert response.status_code == 400 and "expired" in response.content.decode()
    assert signed_in_client.get("/account/methods/confirm/nonsense/").status_code == 400
    with pytest.raises(LinkExpired):
        services.release(path.rstrip("/").rsplit("/", 1)[1], equipped)


def test_resend_is_throttled_and_replaces_the_link(signed_in_client, equipped, outbox):
    services.panic(equipped)
    services.send_link(equipped)
    first = _confirmation_link(outbox, equipped)
    with pytest.raises(ResendTooSoon):
        services.send_link(equipped, force=True)
    response = signed_in_client.post("/account/methods/confirm/", follow=True)
    assert "less than a minute ago" in response.content.decode()
    clock.advance(seconds=61)
    response = signed_in_client.post("/account/methods/confirm/", follow=True)
    assert "We have sent you a new link" in response.content.decode()
    second = _confirmation_link(outbox, equipped)
    assert first != second
    assert signed_in_client.post(first.split("localhost:8000", 1)[1]).status_code == 400
    assert signed_in_client.post(second.split("localhost:8000", 1)[1]).status_code == 302


def test_visiting_the_hold_page_twice_sends_one_link(signed_in_client, equipped):
    services.panic(equipped)
    signed_in_client.get("/account/methods/confirm/")
    signed_in_client.get("/account/methods/confirm/")
    assert OutboxMessage.objects.filter(kind="panic_confirm").count() == 1


def test_release_is_for_the_owner_only(equipped, make_user):
    services.panic(equipped)
    hold = services.send_link(equipped)
    assert hold is not None
    with pytest.raises(LinkForAnotherAccount):
        services.release(_token_from_outbox(equipped), make_user())
    services.release(_token_from_outbox(equipped), equipped)
    with pytest.raises(LinkUsed):
        services.release(_token_from_outbox(equipped), equipped)


def _token_from_outbox(user):
    message = OutboxMessage.objects.filter(recipient=user.email, kind="panic_confirm").order_by("-id").first()
    return re.search(r"/account/methods/confirm/([^/\s]+)/", message.body).group(1)


def test_without_panic_there_is_no_hold(signed_in_client):
    assert signed_in_client.get("/account/phones/add/").status_code == 200
    assert signed_in_client.get("/account/methods/confirm/").url == "/account/"


def test_panic_with_nothing_to_remove(signed_in_client):
    response = signed_in_client.post("/account/panic/", follow=True)
    assert "nothing to remove" in response.content.decode()
