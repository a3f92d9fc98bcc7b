"""PIN verifier and proofs: the PIN itself never leaves the app (nor is it stored by the server).

At enrolment the server draws a 32-byte device secret ``K``. From the PIN
the person chose in the browser it derives

    verifier V = HMAC-SHA256(K, "limen-pin-v1:" + PIN)
    pin hash P = SHA-1(PIN)                     (RFC 6287's PSHA1 input to OCRA)

keeps them encrypted, and forgets the PIN. The app receives ``K`` once and
keeps it; it never stores the PIN. To prove the PIN it recomputes ``V`` from
the typed PIN and sends ``HMAC-SHA256(V, context)``, where the context names
what is being approved, so a proof is good for exactly one answer.
"""

from __future__ import annotations

import hashlib
import hmac
import re

from . import PIN_LENGTH

_PIN = re.compile(r"^[0-9]{%d}$" % PIN_LENGTH)

PROOF_LENGTH = 32
SECRET_LENGTH = 32


def valid_pin(pin: str) -> bool:
    return bool(_PIN.match(pin or ""))


def verifier(device_secret: bytes, pin: str) -> bytes:
    return hmac.new(device_secret, b"limen-pin-v1:" + pin.encode("ascii"), hashlib.sha256).digest()


def ocra_pin_hash(pin: str) -> bytes:
    """P in the OCRA data input: SHA-1 of the PIN's digits, as RFC 6287 defines PSHA1."""
    return hashlib.sha1(pin.encode("ascii")).digest()


def enrolment_context(device_id: str) -> bytes:
    return f"limen-enrol-v1\n{device_id}".encode()


def answer_context(challenge_id: str, decision: str, number: str) -> bytes:
    return f"limen-answer-v1\n{challenge_id}\n{decision}\n{number}".encode()


def on_mobile_context(request_id: str, decision: str) -> bytes:
    """An "On Mobile" sign-in (the app on the same phone as the browser) approved or denied."""
    return f"limen-onmobile-v1\n{request_id}\n{decision}".encode()


def biometric_context(device_id: str, credential_id: str) -> bytes:
    """Registering a platform credential (fingerprint, face) for a device: proved with the PIN once."""
    return f"limen-biometric-v1\n{device_id}\n{credential_id}".encode()


def assertion_challenge(context: bytes) -> bytes:
    """The WebAuthn challenge of an approval made with the device's biometrics instead of the PIN:
    bound to the same context as a PIN proof (this request, this decision, this number), so an
    assertion is good for one answer only, and the request id is drawn by the server."""
    return hashlib.sha256(b"limen-assertion-v1\n" + context).digest()


def biometric_registration_challenge(device_id: str) -> bytes:
    return hashlib.sha256(f"limen-biometric-registration-v1\n{device_id}".encode()).digest()


def proof(verifier_value: bytes, context: bytes) -> bytes:
    return hmac.new(verifier_value, context, hashlib.sha256).digest()


def proof_from_pin(device_secret: bytes, pin: str, context: bytes) -> bytes:
    return proof(verifier(device_secret, pin), context)


def check_proof(verifier_value: bytes, context: bytes, candidate: bytes) -> bool:
    return hmac.compare_digest(proof(verifier_value, context), candidate)
