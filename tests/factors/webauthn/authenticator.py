"""A software WebAuthn authenticator for the unit tests: real keys, real signatures, real CBOR.

It answers navigator.credentials.create()/get() options the way a browser
and a security key together would, as the JSON the page's script posts.
Knobs let a test make it misbehave: another origin, no user verification,
a signature counter set back (a cloned key), a wrong key.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import struct
import uuid
from dataclasses import dataclass, field

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

UP, UV, BE, BS, AT = 0x01, 0x04, 0x08, 0x10, 0x40
YUBIKEY_5_NFC = "2fc0579f-8113-47ea-b116-bb5a8db9202a"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Credential:
    credential_id: bytes
    key: ec.EllipticCurvePrivateKey
    rp_id: str
    user_handle: bytes
    sign_count: int = 0


@dataclass
class SoftAuthenticator:
    origin: str
    rp_id: str
    aaguid: str = YUBIKEY_5_NFC
    attachment: str = "cross-platform"
    transports: list = field(default_factory=lambda: ["usb", "nfc"])
    user_verified: bool = True
    resident: bool = True
    counts: bool = True  # False: always 0, like synced passkeys
    credentials: dict = field(default_factory=dict)

    def _cose(self, key: ec.EllipticCurvePrivateKey) -> bytes:
        numbers = key.public_key().public_numbers()
        return cbor2.dumps({1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big")})

    def _client_data(self, kind: str, challenge: str, origin: str | None) -> bytes:
        return json.dumps({"type": kind, "challenge": challenge, "origin": origin or self.origin,
                           "crossOrigin": False}).encode()

    def create(self, options: dict, *, origin: str | None = None, rp_id: str | None = None,
               again: bytes | None = None) -> dict:
        """A new credential; ``again=<id>`` registers an existing one once more (a browser that ignores
        excludeCredentials)."""
        options = options if isinstance(options, dict) else json.loads(options)
        rp = rp_id or options["rp"].get("id") or self.rp_id
        if again is None:
            for excluded in options.get("excludeCredentials", []):
                if unb64url(excluded["id"]) in self.credentials:
                    raise ValueError("InvalidStateError: already registered")
            credential_id = os.urandom(32)
            key = ec.generate_private_key(ec.SECP256R1())
            self.credentials[credential_id] = Credential(credential_id, key, rp, unb64url(options["user"]["id"]))
        else:
            credential_id, key = again, self.credentials[again].key
        flags = UP | AT | (UV if self.user_verified else 0)
        auth_data = (hashlib.sha256(rp.encode()).digest() + bytes([flags]) + struct.pack(">I", 0)
                     + uuid.UUID(self.aaguid).bytes + struct.pack(">H", len(credential_id)) + credential_id
                     + self._cose(key))
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        return {
            "id": b64url(credential_id), "rawId": b64url(credential_id), "type": "public-key",
            "authenticatorAttachment": self.attachment,
            "clientExtensionResults": {"credProps": {"rk": self.resident}},
            "response": {
                "clientDataJSON": b64url(self._client_data("webauthn.create", options["challenge"], origin)),
                "attestationObject": b64url(attestation),
                "transports": list(self.transports),
            },
        }

    def get(self, options: dict, *, origin: str | None = None, rp_id: str | None = None,
            credential_id: bytes | None = None, sign_count: int | None = None, tamper: bool = False) -> dict:
        options = options if isinstance(options, dict) else json.loads(options)
        rp = rp_id or options.get("rpId") or self.rp_id
        if credential_id is None:
            allowed = [unb64url(c["id"]) for c in options.get("allowCredentials", [])]
            mine = [cid for cid in self.credentials if not allowed or cid in allowed]
            if not mine:
                raise ValueError("NotAllowedError: no credential for this site")
            credential_id = mine[0]
        credential = self.credentials[credential_id]
        if sign_count is None:
            if self.counts:
                credential.sign_count += 1
            sign_count = credential.sign_count
        flags = UP | (UV if self.user_verified else 0)
        auth_data = hashlib.sha256(rp.encode()).digest() + bytes([flags]) + struct.pack(">I", sign_count)
        client_data = self._client_data("webauthn.get", options["challenge"], origin)
        signature = credential.key.sign(auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256()))
        if tamper:
            signature = ec.generate_private_key(ec.SECP256R1()).sign(b"other", ec.ECDSA(hashes.SHA256()))
        return {
            "id": b64url(credential_id), "rawId": b64url(credential_id), "type": "public-key",
            "authenticatorAttachment": self.attachment, "clientExtensionResults": {},
            "response": {
                "clientDataJSON": b64url(client_data), "authenticatorData": b64url(auth_data),
                "signature": b64url(signature), "userHandle": b64url(credential.user_handle),
            },
        }
