"""Device secrets at rest: sealed with limen.core.crypto (AES-GCM), never stored in clear."""

from __future__ import annotations

import json
from dataclasses import dataclass

from limen.core import crypto
from limen_protocol import b64

PURPOSE = "factors_mobile_app.device-secrets"


@dataclass(frozen=True)
class DeviceSecrets:
    key: bytes  # K: the device secret, also the OCRA key
    verifier: bytes  # V = HMAC(K, PIN)
    pin_hash: bytes  # P = SHA-1(PIN), OCRA's PSHA1 input


def seal(value: DeviceSecrets) -> str:
    data = {"k": b64.encode(value.key), "v": b64.encode(value.verifier), "p": b64.encode(value.pin_hash)}
    return crypto.encrypt(json.dumps(data).encode(), purpose=PURPOSE)


def unseal(token: str) -> DeviceSecrets:
    data = json.loads(crypto.decrypt(token, purpose=PURPOSE))
    return DeviceSecrets(key=b64.decode(data["k"]), verifier=b64.decode(data["v"]), pin_hash=b64.decode(data["p"]))
