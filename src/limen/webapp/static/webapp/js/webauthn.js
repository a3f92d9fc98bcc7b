// The device's biometrics (fingerprint, face) through a WebAuthn platform credential with user
// verification; the server verifies every use (services/biometric.py). Only for accounts of the server
// this app comes from: a credential belongs to one site.

import { decode, encode } from "./b64.js";

function json(credential) {
  const r = credential.response;
  const out = { id: credential.id, rawId: encode(new Uint8Array(credential.rawId)), type: credential.type,
    authenticatorAttachment: credential.authenticatorAttachment || null, clientExtensionResults: {}, response: {
      clientDataJSON: encode(new Uint8Array(r.clientDataJSON)) } };
  if (r.attestationObject) {
    out.response.attestationObject = encode(new Uint8Array(r.attestationObject));
    out.response.transports = r.getTransports ? r.getTransports() : [];
  } else {
    out.response.authenticatorData = encode(new Uint8Array(r.authenticatorData));
    out.response.signature = encode(new Uint8Array(r.signature));
    out.response.userHandle = r.userHandle ? encode(new Uint8Array(r.userHandle)) : null;
  }
  return out;
}

export async function available() {
  return Boolean(window.PublicKeyCredential && PublicKeyCredential.isUserVerifyingPlatformAuthenticatorAvailable
    && await PublicKeyCredential.isUserVerifyingPlatformAuthenticatorAvailable().catch(() => false));
}

export async function create(account, challenge) {
  const credential = await navigator.credentials.create({ publicKey: {
    rp: { id: window.location.hostname, name: account.siteName || "Limen" },
    user: { id: crypto.getRandomValues(new Uint8Array(16)), name: account.email, displayName: account.name || account.email },
    challenge, pubKeyCredParams: [{ type: "public-key", alg: -7 }], timeout: 120000, attestation: "none",
    authenticatorSelection: { authenticatorAttachment: "platform", userVerification: "required", residentKey: "discouraged" },
  } });
  return json(credential);
}

export async function get(account, challenge) {
  const credential = await navigator.credentials.get({ publicKey: {
    challenge, rpId: window.location.hostname, timeout: 120000, userVerification: "required",
    allowCredentials: [{ type: "public-key", id: decode(account.biometric.credentialId) }],
  } });
  return json(credential);
}
