// The device protocol, as limen_protocol defines it (docs/mobile-app.md): QR payloads, the canonical
// signed request, PIN verifier and proofs. Keys stay in WebCrypto: the device secret K is a
// non-extractable HMAC-SHA-256 key, the device key a non-extractable ECDSA P-256 key.

import { concat, decode, encode, hex, utf8 } from "./b64.js";

export const API_PREFIX = "/mobile/api/v1/";
export const OCRA_SUITE = "OCRA-1:HOTP-SHA256-8:QN08-PSHA1";
export const KEY_ALGORITHM = "ES256";
export const PIN_LENGTH = 4;
const MAX_PAYLOAD = 1024;
const TOKEN = /^[A-Za-z0-9_-]{16,100}$/;
const HINT = /^[0-9a-f]{16}$/;
const CHALLENGE = /^[0-9]{8}$/;

// --- QR payloads ---------------------------------------------------------------------------------

// ``code`` says what went wrong, for a translated message (app.js).
export class PayloadError extends Error {
  constructor(code, message) { super(message || code); this.code = code; }
}

export function fromAppLink(text) {
  const clean = String(text || "").replace(/\s+/g, "");
  const match = /^https?:\/\/[^#]+#enrol=(.+)$/.exec(clean);
  if (!match) return clean;
  try { return decodeURIComponent(match[1]); } catch (e) { throw new PayloadError("foreign"); }
}

function parse(text, kind) {
  const clean = String(text || "").replace(/\s+/g, "");
  if (clean.length > MAX_PAYLOAD) throw new PayloadError("foreign");
  const match = /^limen:\/\/([a-z]+)\?(.*)$/.exec(clean);
  if (!match) throw new PayloadError("foreign");
  if (match[1] !== kind) throw new PayloadError(kind === "enrol" ? "not_enrolment" : "not_otp");
  const fields = {};
  for (const pair of match[2].split("&")) {
    const at = pair.indexOf("=");
    if (at < 1) throw new PayloadError("malformed");
    let name, value;
    try {
      name = decodeURIComponent(pair.slice(0, at).replace(/\+/g, " "));
      value = decodeURIComponent(pair.slice(at + 1).replace(/\+/g, " "));
    } catch (e) { throw new PayloadError("malformed"); }
    if (Object.prototype.hasOwnProperty.call(fields, name)) throw new PayloadError("malformed");
    fields[name] = value;
  }
  if (fields.v !== "1") throw new PayloadError("version");
  return fields;
}

function checkServer(server) {
  let url;
  try { url = new URL(server); } catch (e) { throw new PayloadError("server"); }
  if (!["http:", "https:"].includes(url.protocol) || !url.hostname || url.search || url.hash) {
    throw new PayloadError("server");
  }
  return server.replace(/\/+$/, "");
}

export function isLoopback(hostname) {
  return hostname === "localhost" || /^127\./.test(hostname) || hostname === "[::1]";
}

// HTTPS, except on this machine (development), as the reference app.
export function secureServer(server) {
  const url = new URL(server);
  return url.protocol === "https:" || isLoopback(url.hostname);
}

export function parseEnrolment(text) {
  const fields = parse(fromAppLink(text), "enrol");
  if (!TOKEN.test(fields.token || "")) throw new PayloadError("malformed");
  return { server: checkServer(fields.server || ""), token: fields.token };
}

export function parseOtp(text) {
  const fields = parse(text, "otp");
  if (!HINT.test(fields.account || "") || !CHALLENGE.test(fields.challenge || "")) throw new PayloadError("malformed");
  return { server: checkServer(fields.server || ""), account: fields.account, challenge: fields.challenge };
}

// --- signed requests ---------------------------------------------------------------------------

export function newNonce() {
  return encode(crypto.getRandomValues(new Uint8Array(18)));  // 24 characters
}

export async function canonicalRequest({ method, path, deviceId, timestamp, nonce, body }) {
  const digest = hex(await crypto.subtle.digest("SHA-256", body || new Uint8Array(0)));
  return utf8(["limen-device-request-v1", method.toUpperCase(), path, deviceId || "-", String(Math.floor(timestamp)),
    nonce, digest].join("\n"));
}

// --- PIN ---------------------------------------------------------------------------------------

export function validPin(pin) {
  return /^[0-9]{4}$/.test(pin || "");
}

export async function importDeviceSecret(raw) {
  return crypto.subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
}

export async function verifier(secretKey, pin) {
  return new Uint8Array(await crypto.subtle.sign("HMAC", secretKey, utf8("limen-pin-v1:" + pin)));
}

export async function proof(verifierBytes, context) {
  const key = await crypto.subtle.importKey("raw", verifierBytes, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return new Uint8Array(await crypto.subtle.sign("HMAC", key, context));
}

export async function proofFromPin(secretKey, pin, context) {
  return proof(await verifier(secretKey, pin), context);
}

export async function ocraPinHash(pin) {
  return new Uint8Array(await crypto.subtle.digest("SHA-1", utf8(pin)));
}

export const contexts = {
  enrolment: (deviceId) => utf8(`limen-enrol-v1\n${deviceId}`),
  answer: (id, decision, number) => utf8(`limen-answer-v1\n${id}\n${decision}\n${number}`),
  onMobile: (id, decision) => utf8(`limen-onmobile-v1\n${id}\n${decision}`),
  biometric: (deviceId, credentialId) => utf8(`limen-biometric-v1\n${deviceId}\n${credentialId}`),
};

export async function assertionChallenge(context) {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", concat(utf8("limen-assertion-v1\n"), context)));
}

export async function biometricRegistrationChallenge(deviceId) {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", utf8(`limen-biometric-registration-v1\n${deviceId}`)));
}

export async function accountHint(uid) {
  return hex(await crypto.subtle.digest("SHA-256", utf8(`limen-account:${uid}`))).slice(0, 16);
}

export { decode, encode };
