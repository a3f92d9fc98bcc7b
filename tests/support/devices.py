"""Build verification methods in one line (fixtures for every test directory, from tests/conftest.py).

    phone = add_phone(user)                       # a registered number
    code = sms_code()                             # the code of the newest SMS, as the phone shows it
    key = softkey(); add_key(user, key)           # a registered security key (real WebAuthn verification)
    codes = add_recovery_codes(user)              # a set of recovery codes, returned in clear
    device = add_mobile_device(user)              # a mobile device row, as the list pages see it (no keys)
    link = add_eid_link(user)                     # a linked eID at a (made-up) national provider
    client = sign_in_with_sms(client, user)       # full sign-in: password, SMS code from the outbox
"""

from __future__ import annotations

import json
import re

import pytest

from tests.factors.webauthn.authenticator import SoftAuthenticator
from tests.support.pages import sign_in

SMS_CODE = re.compile(r"\b([A-HJ-NP-Z2-9]{3}-[A-HJ-NP-Z2-9]{3}-[A-HJ-NP-Z2-9]{3})\b")


@pytest.fixture
def add_phone(db):
    from limen.core import clock
    from limen.factors.sms.models import PhoneNumber

    def build(user, number: str = "+46701234567") -> PhoneNumber:
        return PhoneNumber.objects.create(user=user, number=number, added=clock.now())

    return build


@pytest.fixture
def sms_code(db):
    """The code of the newest SMS sent to ``number`` (from the outbox, as the phone would show it)."""
    from limen.notify.models import OutboxMessage

    def read(number: str = "+46701234567") -> str:
        message = OutboxMessage.objects.filter(channel="sms", recipient=number).order_by("-id").first()
        assert message is not None, f"no SMS to {number}"
        match = SMS_CODE.search(message.body)
        assert match, message.body
        return match.group(1)

    return read


@pytest.fixture
def softkey(settings):
    def build(**options) -> SoftAuthenticator:
        return SoftAuthenticator(origin=settings.WEBAUTHN_ORIGIN, rp_id=settings.WEBAUTHN_RP_ID, **options)

    return build


@pytest.fixture
def add_key(db):
    """Register ``key`` for ``user`` through the service, with a real verification."""
    from limen.factors.webauthn import services
    from limen.factors.webauthn.models import Kind

    def build(user, key: SoftAuthenticator, *, name: str = "Blue key", kind: str = Kind.SECURITY_KEY):
        options, challenge = services.registration_options(user, kind=kind)
        return services.register(user, response=json.dumps(key.create(json.loads(options))),
                                 challenge=challenge, name=name, kind=kind)

    return build


@pytest.fixture
def add_recovery_codes(db):
    from limen.core import clock
    from limen.factors.recovery import codes as recovery
    from limen.factors.recovery.models import RecoveryCode

    def build(user, count: int = 10) -> list[str]:
        fresh = [recovery.new_code() for _ in range(count)]
        RecoveryCode.objects.bulk_create(RecoveryCode(user=user, digest=recovery.digest(recovery.normalise(c)),
                                                      created=clock.now()) for c in fresh)
        return fresh

    return build


@pytest.fixture
def sign_in_with_sms(add_phone, sms_code):
    """A client signed in with Mobile Phone + SMS (level MEDIUM), through the pages."""

    def run(client, user, number: str = "+46701234567"):
        from limen.factors.sms.models import PhoneNumber

        phone = PhoneNumber.objects.filter(user=user, number=number).first() or add_phone(user, number)
        sign_in(client, user, method="sms")
        response = client.post("/login/sms/", {"phone": phone.pk})
        assert response.status_code == 302, response.content.decode()[:2000]
        response = client.post("/login/sms/code/", {"code": sms_code(number)})
        assert response.status_code == 302 and response.url == "/account/", response.content.decode()[:2000]
        client.user = user
        return client

    return run


@pytest.fixture
def add_mobile_device(db):
    """A device row as the pages list it; it cannot answer sign-in requests (for that: make_phone in
    tests/factors/mobile_app)."""
    from limen.factors.mobile_app.models import DeviceStatus, MobileDevice

    def build(user, name: str = "My phone"):
        return MobileDevice.objects.create(user=user, name=name, status=DeviceStatus.ACTIVE, public_key="-",
                                           sealed="")

    return build


@pytest.fixture
def add_eid_link(db):
    from limen.core import clock
    from limen.factors.eid.models import EidLink, UpstreamProvider

    def build(user, provider: str = "Test national eID", subject: str | None = None):
        slug = provider.lower().replace(" ", "-")[:40]
        upstream, _created = UpstreamProvider.objects.get_or_create(
            slug=slug, defaults={"name": provider, "issuer": f"https://{slug}.example.org", "client_id": "limen"})
        return EidLink.objects.create(user=user, provider=upstream, issuer=upstream.issuer,
                                      subject=subject or f"subject-{user.pk}", created=clock.now())

    return build
