"""Signed calls to a Limen server's device API."""

from __future__ import annotations

import ipaddress
import json
from urllib.parse import urlsplit

import requests

from limen_protocol import API_PREFIX, signing

from . import APP_NAME
from .keys import DeviceKey


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, data: dict | None = None):
        super().__init__(f"{message} ({code})")
        self.status, self.code, self.message, self.data = status, code, message, data or {}


class NetworkError(Exception):
    pass


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_server(server: str, *, allow_http: bool = False) -> str:
    """HTTPS, except on this machine (development) or when explicitly allowed."""
    parts = urlsplit(server)
    if parts.scheme == "https":
        return server.rstrip("/")
    if parts.scheme == "http" and (allow_http or is_loopback(parts.hostname or "")):
        return server.rstrip("/")
    raise NetworkError(f"refusing to talk to {server} without HTTPS (use --allow-http only for testing)")


class Client:
    def __init__(self, server: str, key: DeviceKey, device_id: str | None = None, *, timeout: float = 15,
                 session: requests.Session | None = None):
        parts = urlsplit(server)
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.prefix = parts.path.rstrip("/") + API_PREFIX
        self.key, self.device_id, self.timeout = key, device_id, timeout
        self.http = session or requests.Session()

    def call(self, method: str, path: str, body: dict | None = None, *, timeout: float | None = None) -> dict | None:
        full_path = self.prefix + path
        data = json.dumps(body, separators=(",", ":")).encode() if body is not None else b""
        timestamp, nonce = signing_time(), signing.new_nonce()
        canonical = signing.canonical_request(method=method, path=full_path, device_id=self.device_id,
                                              timestamp=timestamp, nonce=nonce, body=data)
        headers = {
            signing.HEADER_TIMESTAMP: str(timestamp), signing.HEADER_NONCE: nonce,
            signing.HEADER_SIGNATURE: self.key.sign(canonical), "Accept": "application/json",
            "User-Agent": APP_NAME,
        }
        if self.device_id:
            headers[signing.HEADER_DEVICE] = self.device_id
        if data:
            headers["Content-Type"] = "application/json"
        try:
            response = self.http.request(method, self.origin + full_path, data=data or None, headers=headers,
                                         timeout=timeout or self.timeout, allow_redirects=False)
        except requests.RequestException as exc:
            raise NetworkError(f"cannot reach {self.origin}: {exc.__class__.__name__}") from None
        if response.status_code == 204:
            return None
        try:
            payload = response.json()
        except ValueError:
            raise ApiError(response.status_code, "bad_response",
                           f"the server answered HTTP {response.status_code} without JSON") from None
        if response.status_code >= 400:
            error = payload.get("error", {}) if isinstance(payload, dict) else {}
            raise ApiError(response.status_code, error.get("code", "error"), error.get("message", ""), error)
        return payload


def signing_time() -> int:
    import time

    return int(time.time())
