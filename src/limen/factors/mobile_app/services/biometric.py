"""Unlock with the device's biometrics: a platform credential (WebAuthn, user verification required)
made on the phone for one device, registered over the signed device API with a PIN proof.

An approval signed by that credential is accepted in place of the PIN proof.
Its WebAuthn challenge is derived from the same context as a PIN proof
(``limen_protocol.pin.assertion_challenge``: this request, this decision,
this number), so one assertion answers one request; the origin and the
relying party are this server's, as for every WebAuthn credential here. The
server verifies every such approval: there is no local-only bypass.

Registering needs the PIN (a proof bound to the credential): whoever holds
the phone without the PIN cannot put their own fingerprint in its place.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction

from limen.audit.events import Event
from limen.audit.service import record
from limen.factors.webauthn.internal import webauthn_lib
from limen_protocol import b64
from limen_protocol import pin as pin_protocol

from .. import sealing
from ..errors import BiometricNotSet, BiometricRefused, DeviceLocked, InvalidField, WrongPin
from ..models import DeviceCredential, MobileDevice
from . import devices


def _raw_id(response: dict) -> str:
    raw = response.get("rawId") if isinstance(response, dict) else None
    if not isinstance(raw, str) or not 16 <= len(raw) <= 1400:
        raise InvalidField("credential")
    return raw


def register(device: MobileDevice, *, response: dict, proof: bytes, request=None) -> DeviceCredential:
    """Turn on biometric unlock for ``device``: the PIN proves the owner, WebAuthn proves the credential."""
    if device.is_locked:
        raise DeviceLocked()
    raw_id = _raw_id(response)
    verifier = sealing.unseal(device.sealed).verifier
    if not pin_protocol.check_proof(verifier, pin_protocol.biometric_context(device.public_id, raw_id), proof):
        left = devices.wrong_pin(device, request=request, context="biometric")
        if left == 0:
            raise DeviceLocked()
        raise WrongPin(attempts_left=left)
    try:
        registered = webauthn_lib.verify_registration(
            response, challenge=pin_protocol.biometric_registration_challenge(device.public_id),
            rp_id=settings.WEBAUTHN_RP_ID, origin=settings.WEBAUTHN_ORIGIN)
    except webauthn_lib.InvalidResponse:
        raise BiometricRefused() from None
    if b64.encode(registered.credential_id) != raw_id:
        raise BiometricRefused()
    with transaction.atomic():
        DeviceCredential.objects.filter(device=device).delete()
        credential = DeviceCredential.objects.create(device=device, credential_id=registered.credential_id,
                                                     public_key=registered.public_key,
                                                     sign_count=registered.sign_count)
    devices.touch(device)
    record(Event.MOBILE_BIOMETRIC_ENABLED, user=device.user, request=request, device=device.public_id)
    return credential


def remove(device: MobileDevice, *, request=None) -> bool:
    removed = DeviceCredential.objects.filter(device=device).delete()[0] > 0
    if removed:
        record(Event.MOBILE_BIOMETRIC_DISABLED, user=device.user, request=request, device=device.public_id)
    return removed


def verify_approval(device: MobileDevice, *, context: bytes, assertion, request=None) -> None:
    """Raises unless ``assertion`` is this device's credential approving exactly ``context``."""
    credential = DeviceCredential.objects.filter(device=device).first()
    if credential is None:
        raise BiometricNotSet()
    if not isinstance(assertion, dict):
        raise InvalidField("assertion")
    try:
        asserted = webauthn_lib.read_assertion(assertion)
        if asserted.credential_id != bytes(credential.credential_id):
            raise webauthn_lib.InvalidResponse("another credential")
        verified = webauthn_lib.verify_assertion(
            assertion, challenge=pin_protocol.assertion_challenge(context), rp_id=settings.WEBAUTHN_RP_ID,
            origin=settings.WEBAUTHN_ORIGIN, public_key=bytes(credential.public_key),
            stored_sign_count=credential.sign_count)
    except webauthn_lib.InvalidResponse as error:
        record(Event.MOBILE_API_REJECTED, user=device.user, request=request, device=device.public_id,
               reason="biometric", detail=type(error).__name__)
        raise BiometricRefused() from None
    DeviceCredential.objects.filter(pk=credential.pk).update(sign_count=verified.sign_count)
