"""The one module that imports py_webauthn (``webauthn`` on PyPI).

Everything else in Limen speaks in plain bytes, strings and the small
dataclasses below, so the library can be swapped (e.g. for Yubico's fido2)
by rewriting this file only.

Checks made here, on top of the library's:
- the origin and ceremony type of clientDataJSON, first, so that a response
  made for another site gets its own error (WrongOrigin);
- the signature counter: the library is given 0 so that it verifies the
  signature without judging the counter; this module then compares the
  counters *after* the signature is known to be good, so that only a real
  authenticator's answer can raise CounterWentBackwards (no one can flag a
  key as cloned with a forged response).
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
from dataclasses import dataclass, field

from webauthn import (generate_authentication_options, generate_registration_options, options_to_json,
                      verify_authentication_response, verify_registration_response)
from webauthn.helpers import generate_challenge
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (AttestationConveyancePreference, AuthenticatorAttachment,
                                      AuthenticatorSelectionCriteria, AuthenticatorTransport,
                                      PublicKeyCredentialDescriptor, PublicKeyCredentialHint,
                                      ResidentKeyRequirement, UserVerificationRequirement)

log = logging.getLogger("limen.factors.webauthn")

MAX_RESPONSE_CHARS = 64 * 1024
KNOWN_TRANSPORTS = {t.value for t in AuthenticatorTransport}


class InvalidResponse(Exception):
    """The browser's answer cannot be verified (malformed, wrong challenge, bad signature, ...)."""


class WrongOrigin(InvalidResponse):
    """The answer was made for another site (origin) or another relying party ID."""


class UserNotVerified(InvalidResponse):
    """The authenticator did not verify the person (PIN, fingerprint, face)."""


class CounterWentBackwards(InvalidResponse):
    def __init__(self, stored: int, received: int):
        super().__init__(f"signature counter {received} is not above {stored}")
        self.stored, self.received = stored, received


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def from_b64url(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError, TypeError):
        raise InvalidResponse("not base64url") from None


def new_challenge() -> bytes:
    return generate_challenge()


@dataclass
class Registered:
    credential_id: bytes
    public_key: bytes
    sign_count: int
    aaguid: str
    fmt: str
    user_verified: bool
    backed_up: bool
    multi_device: bool
    transports: list[str] = field(default_factory=list)
    attachment: str | None = None  # "platform" | "cross-platform" | None (not reported)
    discoverable: bool | None = None  # credProps.rk, when the browser reports it


@dataclass
class Asserted:
    credential_id: bytes
    user_handle: bytes | None


@dataclass
class Verified:
    sign_count: int
    user_verified: bool
    backed_up: bool


def _descriptors(credentials) -> list[PublicKeyCredentialDescriptor]:
    out = []
    for credential_id, transports in credentials:
        kinds = [AuthenticatorTransport(t) for t in (transports or []) if t in KNOWN_TRANSPORTS]
        out.append(PublicKeyCredentialDescriptor(id=credential_id, transports=kinds or None))
    return out


def registration_options(*, rp_id: str, rp_name: str, user_handle: bytes, user_name: str, display_name: str,
                         exclude: list[tuple[bytes, list[str]]], platform: bool, timeout_ms: int,
                         challenge: bytes | None = None) -> tuple[str, bytes]:
    """Options for navigator.credentials.create() as JSON, and the challenge to remember."""
    options = generate_registration_options(
        rp_id=rp_id, rp_name=rp_name, user_id=user_handle, user_name=user_name, user_display_name=display_name,
        challenge=challenge or new_challenge(), timeout=timeout_ms,
        attestation=AttestationConveyancePreference.NONE,
        authenticator_selection=AuthenticatorSelectionCriteria(
            authenticator_attachment=AuthenticatorAttachment.PLATFORM if platform
            else AuthenticatorAttachment.CROSS_PLATFORM,
            resident_key=ResidentKeyRequirement.PREFERRED,
            user_verification=UserVerificationRequirement.REQUIRED,
        ),
        exclude_credentials=_descriptors(exclude),
        hints=[PublicKeyCredentialHint.CLIENT_DEVICE if platform else PublicKeyCredentialHint.SECURITY_KEY],
    )
    data = json.loads(options_to_json(options))
    data["extensions"] = {"credProps": True}
    return json.dumps(data), options.challenge


def authentication_options(*, rp_id: str, allow: list[tuple[bytes, list[str]]] | None, timeout_ms: int,
                           challenge: bytes | None = None) -> tuple[str, bytes]:
    """Options for navigator.credentials.get(); ``allow=None`` for a passkey (discoverable credential)."""
    options = generate_authentication_options(
        rp_id=rp_id, challenge=challenge or new_challenge(), timeout=timeout_ms,
        allow_credentials=_descriptors(allow or []),
        user_verification=UserVerificationRequirement.REQUIRED,
    )
    return options_to_json(options), options.challenge


def _load(response: str | dict) -> dict:
    if isinstance(response, str):
        if len(response) > MAX_RESPONSE_CHARS:
            raise InvalidResponse("response too large")
        try:
            response = json.loads(response)
        except (ValueError, TypeError):
            raise InvalidResponse("response is not JSON") from None
    if not isinstance(response, dict) or not isinstance(response.get("response"), dict):
        raise InvalidResponse("response is not a credential")
    return response


def _check_client_data(data: dict, *, ceremony: str, origin: str) -> None:
    raw = data["response"].get("clientDataJSON")
    if not isinstance(raw, str):
        raise InvalidResponse("clientDataJSON missing")
    try:
        client = json.loads(from_b64url(raw))
    except (ValueError, UnicodeDecodeError):
        raise InvalidResponse("clientDataJSON is not JSON") from None
    if not isinstance(client, dict) or client.get("type") != ceremony:
        raise InvalidResponse("wrong ceremony type")
    if client.get("origin") != origin:
        raise WrongOrigin(f"origin {str(client.get('origin'))[:100]!r}")
    if client.get("crossOrigin") is True:
        raise WrongOrigin("made inside a frame of another site")


def verify_registration(response: str | dict, *, challenge: bytes, rp_id: str, origin: str) -> Registered:
    data = _load(response)
    _check_client_data(data, ceremony="webauthn.create", origin=origin)
    try:
        verified = verify_registration_response(
            credential=data, expected_challenge=challenge, expected_rp_id=rp_id, expected_origin=origin,
            require_user_verification=False,
        )
    except WebAuthnException as error:
        if "RP ID" in str(error):
            raise WrongOrigin(str(error)) from None
        raise InvalidResponse(str(error)) from None
    except Exception as error:  # malformed CBOR, keys, ... inside the library
        log.info("registration response rejected: %s: %s", type(error).__name__, error)
        raise InvalidResponse(type(error).__name__) from None
    if not verified.user_verified:
        raise UserNotVerified("user verification flag not set")
    transports = data["response"].get("transports")
    transports = [t for t in transports if t in KNOWN_TRANSPORTS] if isinstance(transports, list) else []
    attachment = data.get("authenticatorAttachment")
    extensions = data.get("clientExtensionResults") or {}
    props = extensions.get("credProps") if isinstance(extensions, dict) else None
    discoverable = props.get("rk") if isinstance(props, dict) and isinstance(props.get("rk"), bool) else None
    return Registered(
        credential_id=verified.credential_id, public_key=verified.credential_public_key,
        sign_count=verified.sign_count, aaguid=str(verified.aaguid),
        fmt=str(getattr(verified.fmt, "value", verified.fmt)),
        user_verified=verified.user_verified, backed_up=verified.credential_backed_up,
        multi_device=getattr(verified.credential_device_type, "value", "") == "multi_device",
        transports=transports[:8],
        attachment=attachment if attachment in {"platform", "cross-platform"} else None,
        discoverable=discoverable,
    )


def read_assertion(response: str | dict) -> Asserted:
    """Which credential answered (and the user handle it carries), before verifying anything."""
    data = _load(response)
    raw_id = data.get("rawId") or data.get("id")
    if not isinstance(raw_id, str) or not raw_id:
        raise InvalidResponse("credential id missing")
    handle = data["response"].get("userHandle")
    return Asserted(credential_id=from_b64url(raw_id),
                    user_handle=from_b64url(handle) if isinstance(handle, str) and handle else None)


def verify_assertion(response: str | dict, *, challenge: bytes, rp_id: str, origin: str, public_key: bytes,
                     stored_sign_count: int) -> Verified:
    data = _load(response)
    _check_client_data(data, ceremony="webauthn.get", origin=origin)
    try:
        verified = verify_authentication_response(
            credential=data, expected_challenge=challenge, expected_rp_id=rp_id, expected_origin=origin,
            credential_public_key=public_key, credential_current_sign_count=0, require_user_verification=False,
        )
    except WebAuthnException as error:
        if "RP ID" in str(error):
            raise WrongOrigin(str(error)) from None
        raise InvalidResponse(str(error)) from None
    except Exception as error:
        log.info("authentication response rejected: %s: %s", type(error).__name__, error)
        raise InvalidResponse(type(error).__name__) from None
    if not verified.user_verified:
        raise UserNotVerified("user verification flag not set")
    received = verified.new_sign_count
    if (received > 0 or stored_sign_count > 0) and received <= stored_sign_count:
        raise CounterWentBackwards(stored_sign_count, received)
    return Verified(sign_count=received, user_verified=verified.user_verified,
                    backed_up=verified.credential_backed_up)
