"""The one module that imports pywebpush (and py_vapid): Web Push with VAPID (RFC 8292), encrypted per
RFC 8291 (aes128gcm).

Everything else speaks in strings: a VAPID key pair is a PEM private key and
the uncompressed public point in base64url (what browsers take as
``applicationServerKey``); a subscription is its endpoint and two keys.
"""

from __future__ import annotations

from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid
from pywebpush import WebPushException, webpush

from limen_protocol import b64

TIMEOUT_SECONDS = 10


class PushFailed(Exception):
    """The push service did not take the message. ``gone``: the subscription no longer exists (404/410),
    ``permanent``: trying again will not help."""

    def __init__(self, message: str, *, status: int | None = None):
        super().__init__(message)
        self.status = status
        self.gone = status in {404, 410}
        self.permanent = status is not None and 400 <= status < 500 and status not in {408, 429}


@dataclass(frozen=True)
class Subscription:
    endpoint: str
    p256dh: str
    auth: str


def new_key_pair() -> tuple[str, str]:
    """(private key PEM, public key as an uncompressed point in base64url)."""
    private = ec.generate_private_key(ec.SECP256R1())
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    return pem, public_key_of(pem)


def public_key_of(pem: str) -> str:
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    point = key.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return b64.encode(point)


def valid_client_key(p256dh: str, auth: str) -> bool:
    """A browser's subscription keys: a P-256 point (65 bytes) and a 16-byte secret."""
    try:
        point = b64.decode(p256dh, length=65)
        b64.decode(auth, length=16)
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    except ValueError:
        return False
    return True


def send(subscription: Subscription, data: str, *, private_key_pem: str, subject: str, ttl: int,
         urgency: str = "high") -> int:
    """Encrypt ``data`` for the subscription and post it to its push service; returns the HTTP status."""
    claims = {"sub": subject}
    try:
        response = webpush(
            {"endpoint": subscription.endpoint, "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth}},
            data=data, vapid_private_key=Vapid.from_pem(private_key_pem.encode()), vapid_claims=claims,
            ttl=max(0, int(ttl)), timeout=TIMEOUT_SECONDS, headers={"Urgency": urgency},
        )
    except WebPushException as error:
        status = getattr(getattr(error, "response", None), "status_code", None)
        raise PushFailed(f"push service answered {status}" if status else str(error)[:200], status=status) from None
    except Exception as error:  # connection refused, DNS, TLS: the push service is unreachable for now
        raise PushFailed(f"{type(error).__name__}: {str(error)[:200]}") from None
    return response.status_code
