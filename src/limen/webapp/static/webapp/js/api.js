// Signed calls to a Limen server's device API (docs/mobile-app.md, "Signed requests").

import { API_PREFIX, canonicalRequest, newNonce } from "./protocol.js";
import { sign } from "./keys.js";

export class ApiError extends Error {
  constructor(status, code, message, data) {
    super(message || code);
    this.status = status; this.code = code; this.data = data || {};
  }
}

export class NetworkError extends Error {}

// ``who``: {server, privateKey, deviceId} (deviceId absent for the enrolment call).
export async function call(who, method, path, body, { timeoutMs = 15000, signal } = {}) {
  const url = new URL(who.server);
  const fullPath = url.pathname.replace(/\/+$/, "") + API_PREFIX + path;
  const data = body === undefined ? new Uint8Array(0) : new TextEncoder().encode(JSON.stringify(body));
  const timestamp = Math.floor(Date.now() / 1000);
  const nonce = newNonce();
  const canonical = await canonicalRequest({ method, path: fullPath, deviceId: who.deviceId, timestamp, nonce, body: data });
  const headers = {
    "Limen-Timestamp": String(timestamp), "Limen-Nonce": nonce,
    "Limen-Signature": await sign(who.privateKey, canonical), Accept: "application/json",
  };
  if (who.deviceId) headers["Limen-Device"] = who.deviceId;
  if (data.length) headers["Content-Type"] = "application/json";
  if (navigator.language) headers["Accept-Language"] = navigator.language;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  if (signal) signal.addEventListener("abort", () => controller.abort());
  let response;
  try {
    response = await fetch(url.origin + fullPath, {
      method, headers, body: data.length ? data : undefined, signal: controller.signal,
      credentials: "omit", cache: "no-store", redirect: "error",
    });
  } catch (error) {
    throw new NetworkError(error && error.name === "AbortError" ? "timeout" : "offline");
  } finally {
    clearTimeout(timer);
  }
  if (response.status === 204) return null;
  let payload = null;
  try { payload = await response.json(); } catch (e) { payload = null; }
  if (!response.ok) {
    const error = (payload && payload.error) || {};
    throw new ApiError(response.status, error.code || "bad_response", error.message || "", error);
  }
  if (payload === null) throw new ApiError(response.status, "bad_response", "");
  return payload;
}
