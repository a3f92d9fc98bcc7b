"""Device public keys: ECDSA P-256 (ES256), the one module importing ``cryptography`` for signatures.

Wire formats (see limen_protocol): the public key is an uncompressed SEC1
point (65 bytes), a signature is raw r||s (64 bytes), both base64url.
"""

from __future__ import annotations

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from limen_protocol import KEY_ALGORITHM, b64

PUBLIC_KEY_LENGTH = 65
SIGNATURE_LENGTH = 64


class KeyError_(ValueError):
    pass


def load_public_key(encoded: str) -> ec.EllipticCurvePublicKey:
    """Parse and validate (the point must be on the curve) a base64url public key."""
    try:
        raw = b64.decode(encoded, length=PUBLIC_KEY_LENGTH)
        return ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw)
    except (ValueError, TypeError) as exc:
        raise KeyError_(str(exc)) from None


def valid_public_key(encoded: str, algorithm: str = KEY_ALGORITHM) -> bool:
    if algorithm != KEY_ALGORITHM:
        return False
    try:
        load_public_key(encoded)
    except KeyError_:
        return False
    return True


def verify(encoded_public_key: str, signature: str, message: bytes) -> bool:
    try:
        key = load_public_key(encoded_public_key)
        raw = b64.decode(signature, length=SIGNATURE_LENGTH)
    except (KeyError_, ValueError):
        return False
    r, s = int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big")
    if not (0 < r and 0 < s):
        return False
    try:
        key.verify(encode_dss_signature(r, s), message, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return False
    return True
