"""Register, use, rename and remove security keys, trusted platforms and passkeys.

The challenge of each ceremony is created here and kept by the caller (the
view keeps it in the session, see state.py); every verification takes it
back and it is never accepted twice.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from limen.notify import notices
from limen.audit.events import Event
from limen.audit.service import record
from limen.core import clock, ratelimit
from limen.core.net import client_ip
from limen.factors import notices as factor_notices

from .errors import (AccountDisabled, AlreadyRegistered, InvalidResponse, NotThisAccount, PossibleClone,
                     RegisteredElsewhere, TooManyAttempts, UnknownCredential, UserNotVerified, WrongOrigin)
from .internal import webauthn_lib as lib
from .models import Kind, WebAuthnCredential, WebAuthnUser

METHOD = "webauthn"
LABEL = _("Security key or trusted platform")


def _timeout_ms() -> int:
    return settings.WEBAUTHN_TIMEOUT_SECONDS * 1000


def credentials_of(user):
    return WebAuthnCredential.objects.filter(user=user)


def user_handle(user) -> bytes:
    entry = WebAuthnUser.objects.filter(user=user).first()
    if entry is None:
        try:
            with transaction.atomic():
                entry = WebAuthnUser.objects.create(user=user, handle=secrets.token_bytes(32))
        except IntegrityError:  # created by a parallel request
            entry = WebAuthnUser.objects.get(user=user)
    return bytes(entry.handle)


def _descriptors(queryset) -> list[tuple[bytes, list[str]]]:
    return [(lib.from_b64url(c.credential_id), list(c.transports or [])) for c in queryset]


def failure_limit() -> ratelimit.Limit:
    return ratelimit.Limit("webauthn-failures", 10, 15 * 60)


def _check_limit(subject: str) -> None:
    if ratelimit.exceeded(failure_limit(), subject):
        raise TooManyAttempts(retry_after=ratelimit.retry_after(failure_limit()))


def _translate(error: lib.InvalidResponse):
    if isinstance(error, lib.WrongOrigin):
        return WrongOrigin()
    if isinstance(error, lib.UserNotVerified):
        return UserNotVerified()
    return InvalidResponse()


# -- registration ----------------------------------------------------------------

def registration_options(user, *, kind: str) -> tuple[str, bytes]:
    """(options JSON for navigator.credentials.create(), challenge to keep)."""
    return lib.registration_options(
        rp_id=settings.WEBAUTHN_RP_ID, rp_name=settings.WEBAUTHN_RP_NAME, user_handle=user_handle(user),
        user_name=user.email, display_name=user.get_full_name() or user.email,
        exclude=_descriptors(credentials_of(user)), platform=kind == Kind.PLATFORM, timeout_ms=_timeout_ms(),
    )


def register(user, *, response: str, challenge: bytes, name: str, kind: str, request=None) -> WebAuthnCredential:
    try:
        result = lib.verify_registration(response, challenge=challenge, rp_id=settings.WEBAUTHN_RP_ID,
                                         origin=settings.WEBAUTHN_ORIGIN)
    except lib.InvalidResponse as error:
        record(Event.FACTOR_FAILED, user=user, request=request, method=METHOD, stage="register",
               reason=type(error).__name__)
        raise _translate(error) from None
    credential_id = lib.b64url(result.credential_id)
    owner = WebAuthnCredential.objects.filter(credential_id=credential_id).values_list("user_id", flat=True).first()
    if owner is not None:
        raise AlreadyRegistered() if owner == user.pk else RegisteredElsewhere()
    if result.attachment == "platform":
        kind = Kind.PLATFORM
    elif result.attachment == "cross-platform":
        kind = Kind.SECURITY_KEY
    try:
        with transaction.atomic():
            credential = WebAuthnCredential.objects.create(
                user=user, name=name, kind=kind, credential_id=credential_id, public_key=result.public_key,
                sign_count=result.sign_count, aaguid=result.aaguid, transports=result.transports,
                attestation_format=result.fmt, discoverable=result.discoverable, backed_up=result.backed_up,
                created=clock.now(),
            )
    except IntegrityError:
        raise AlreadyRegistered() from None
    record(Event.FACTOR_ADDED, user=user, request=request, method=METHOD, name=name, kind=kind,
           aaguid=result.aaguid, model=credential.model_name)
    factor_notices.factor_added(user, method=Kind(kind).label, name=name, request=request)
    return credential


# -- authentication --------------------------------------------------------------

def authentication_options(user=None) -> tuple[str, bytes]:
    """For a second factor (the person's credentials allowed), or for a passkey (``user=None``)."""
    allow = _descriptors(credentials_of(user)) if user is not None else None
    return lib.authentication_options(rp_id=settings.WEBAUTHN_RP_ID, allow=allow, timeout_ms=_timeout_ms())


def _verify(credential: WebAuthnCredential, response: str, challenge: bytes, *, request, passwordless: bool):
    user = credential.user
    try:
        verified = lib.verify_assertion(
            response, challenge=challenge, rp_id=settings.WEBAUTHN_RP_ID, origin=settings.WEBAUTHN_ORIGIN,
            public_key=bytes(credential.public_key), stored_sign_count=credential.sign_count,
        )
    except lib.CounterWentBackwards as error:
        _flag_clone(credential, error, request=request)
        raise PossibleClone() from None
    except lib.InvalidResponse as error:
        ratelimit.hit(failure_limit(), str(user.pk))
        record(Event.FACTOR_FAILED, user=user, request=request, method=METHOD, name=credential.name,
               reason=type(error).__name__, passwordless=passwordless)
        raise _translate(error) from None
    WebAuthnCredential.objects.filter(pk=credential.pk).update(
        sign_count=verified.sign_count, last_used=clock.now(), backed_up=verified.backed_up)
    ratelimit.clear(failure_limit(), str(user.pk))
    return credential


def _flag_clone(credential: WebAuthnCredential, error: lib.CounterWentBackwards, *, request) -> None:
    now = clock.now()
    WebAuthnCredential.objects.filter(pk=credential.pk).update(clone_suspected=now)
    record(Event.WEBAUTHN_POSSIBLE_CLONE, user=credential.user, request=request, method=METHOD,
           name=credential.name, stored_count=error.stored, received_count=error.received)
    notices.send(credential.user, "webauthn_possible_clone", name=credential.name,
                 ip=client_ip(request) if request is not None else "",
                 manage_url=notices.absolute(_manage_path()))


def verify_second_factor(user, *, response: str, challenge: bytes, request=None) -> WebAuthnCredential:
    """After the password: the answer must come from one of *this* person's credentials."""
    _check_limit(str(user.pk))
    try:
        asserted = lib.read_assertion(response)
    except lib.InvalidResponse:
        ratelimit.hit(failure_limit(), str(user.pk))
        record(Event.FACTOR_FAILED, user=user, request=request, method=METHOD, reason="malformed")
        raise InvalidResponse() from None
    credential = credentials_of(user).filter(credential_id=lib.b64url(asserted.credential_id)).first()
    if credential is None:
        ratelimit.hit(failure_limit(), str(user.pk))
        record(Event.FACTOR_FAILED, user=user, request=request, method=METHOD, reason="not_this_account")
        raise NotThisAccount()
    return _verify(credential, response, challenge, request=request, passwordless=False)


def passkey_ip_limit() -> ratelimit.Limit:
    return ratelimit.Limit("passkey-ip", 30, 15 * 60)


def verify_passkey(*, response: str, challenge: bytes, request=None) -> WebAuthnCredential:
    """Sign in without a password: the credential says who it is, its user handle must agree."""
    ip = client_ip(request) if request is not None else ""
    if ip and ratelimit.exceeded(passkey_ip_limit(), ip):
        raise TooManyAttempts(retry_after=ratelimit.retry_after(passkey_ip_limit()))
    try:
        asserted = lib.read_assertion(response)
    except lib.InvalidResponse:
        if ip:
            ratelimit.hit(passkey_ip_limit(), ip)
        raise InvalidResponse() from None
    credential = WebAuthnCredential.objects.select_related("user") \
        .filter(credential_id=lib.b64url(asserted.credential_id)).first()
    if credential is None:
        if ip:
            ratelimit.hit(passkey_ip_limit(), ip)
        raise UnknownCredential()
    user = credential.user
    if asserted.user_handle is None or asserted.user_handle != user_handle(user):
        if ip:
            ratelimit.hit(passkey_ip_limit(), ip)
        record(Event.FACTOR_FAILED, user=user, request=request, method=METHOD, reason="user_handle_mismatch",
               passwordless=True)
        raise NotThisAccount()
    if not user.is_active:
        record(Event.SIGNIN_REFUSED_DISABLED, user=user, request=request, method=METHOD)
        raise AccountDisabled()
    _check_limit(str(user.pk))
    try:
        return _verify(credential, response, challenge, request=request, passwordless=True)
    except InvalidResponse:
        if ip:
            ratelimit.hit(passkey_ip_limit(), ip)
        raise


# -- managing ------------------------------------------------------------------------

def rename(user, credential_id: int, name: str, *, request=None) -> WebAuthnCredential | None:
    credential = credentials_of(user).filter(pk=credential_id).first()
    if credential is None:
        return None
    old = credential.name
    credential.name = name
    credential.save(update_fields=["name"])
    record(Event.FACTOR_RENAMED, user=user, request=request, method=METHOD, name=name, old_name=old)
    return credential


def remove(user, credential_id: int, *, request=None) -> WebAuthnCredential | None:
    credential = credentials_of(user).filter(pk=credential_id).first()
    if credential is None:
        return None
    credential.delete()
    record(Event.FACTOR_REMOVED, user=user, request=request, method=METHOD, name=credential.name,
           kind=credential.kind)
    factor_notices.factor_removed(user, method=Kind(credential.kind).label, name=credential.name, request=request)
    return credential


def remove_all(user) -> int:
    return credentials_of(user).delete()[0]


def _manage_path() -> str:
    return reverse("factors_webauthn:manage")
