// The device key: ECDSA P-256 made by WebCrypto as non-extractable (the private key cannot leave the
// browser's key store, not even to this app), kept in IndexedDB as a CryptoKey.

import { encode } from "./b64.js";

export async function generate() {
  return crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, ["sign"]);
}

// The public key as the protocol sends it: an uncompressed SEC1 point (65 bytes), base64url.
export async function publicKey(pair) {
  return encode(new Uint8Array(await crypto.subtle.exportKey("raw", pair.publicKey)));
}

// WebCrypto's ECDSA signature is already raw r||s (64 bytes), the protocol's format.
export async function sign(privateKey, message) {
  return encode(new Uint8Array(await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, privateKey, message)));
}
