"""A Web Push receiver for the tests: it plays a browser's push service (unreachable here).

It accepts what Limen posts to a subscription's endpoint, checks the VAPID
authorisation (RFC 8292: an ES256 JWT for this origin, not expired, signed by
the key it names) and decrypts the body with the subscription's keys
(RFC 8291, aes128gcm, through ``http_ece``). The test then hands the plain
message to the app's service worker, as a push service would.
"""

from __future__ import annotations

import base64
import json
import os
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Delivery:
    at: float
    path: str
    headers: dict
    claims: dict
    message: dict


@dataclass
class PushReceiver:
    deliveries: list = field(default_factory=list)
    refusals: list = field(default_factory=list)

    def __post_init__(self):
        self.private_key = ec.generate_private_key(ec.SECP256R1())
        self.auth = os.urandom(16)
        self.p256dh = b64(self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint))
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                try:
                    delivery = receiver.accept(self.path, dict(self.headers), body)
                except AssertionError as problem:
                    receiver.refusals.append(str(problem))
                    self.send_response(400)
                    self.end_headers()
                    return
                receiver.deliveries.append(delivery)
                self.send_response(201)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.endpoint = self.origin + "/push/subscription-1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def subscription(self) -> dict:
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": b64(self.auth)}}

    def accept(self, path: str, headers: dict, body: bytes) -> Delivery:
        arrived = time.monotonic()
        headers = {k.lower(): v for k, v in headers.items()}
        assert headers.get("content-encoding") == "aes128gcm", headers
        assert int(headers.get("ttl", "-1")) >= 0
        scheme, _, params = headers.get("authorization", "").partition(" ")
        assert scheme.lower() == "vapid", "not a VAPID authorisation"
        fields = dict(part.strip().split("=", 1) for part in params.split(","))
        token, public = fields["t"], unb64(fields["k"])
        head, claims_b64, signature = token.split(".")
        assert json.loads(unb64(head)) == {"typ": "JWT", "alg": "ES256"} or json.loads(unb64(head))["alg"] == "ES256"
        raw = unb64(signature)
        key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), public)
        key.verify(encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big")),
                   f"{head}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))  # raises if forged
        claims = json.loads(unb64(claims_b64))
        assert claims["aud"] == self.origin, claims
        assert time.time() < claims["exp"] <= time.time() + 24 * 3600, claims
        assert claims["sub"].startswith(("mailto:", "https:")), claims
        plain = http_ece.decrypt(body, private_key=self.private_key, auth_secret=self.auth, version="aes128gcm")
        return Delivery(at=arrived, path=path, headers=headers, claims={**claims, "k": fields["k"]},
                        message=json.loads(plain))

    def wait(self, count: int = 1, timeout: float = 15) -> list[Delivery]:
        deadline = time.monotonic() + timeout
        while len(self.deliveries) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(self.deliveries) >= count, f"{len(self.deliveries)} pushes arrived; refused: {self.refusals}"
        return self.deliveries

    def close(self):
        self.server.shutdown()
        self.server.server_close()
