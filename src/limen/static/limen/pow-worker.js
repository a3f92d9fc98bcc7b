// Solves one share of an ALTCHA proof-of-work challenge (PoW v2, PBKDF2): for the counters
// start, start + step, ... derive PBKDF2(password = nonce || counter as 4 bytes big-endian,
// salt, cost iterations, keyLength bytes) with WebCrypto, until the key (in hex) starts with
// keyPrefix. Posts {solution: {counter, derivedKey}}, or {error} when it cannot go on.
"use strict";

var HASHES = {"PBKDF2/SHA-256": "SHA-256", "PBKDF2/SHA-384": "SHA-384", "PBKDF2/SHA-512": "SHA-512"};

function fromHex(hex) {
  var bytes = new Uint8Array(hex.length / 2);
  for (var i = 0; i < bytes.length; i++) { bytes[i] = parseInt(hex.substr(i * 2, 2), 16); }
  return bytes;
}

function toHex(bytes) {
  var out = "";
  for (var i = 0; i < bytes.length; i++) { out += (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16); }
  return out;
}

async function solve(challenge, start, step) {
  var p = challenge.parameters;
  var hash = HASHES[p.algorithm];
  if (!hash || !self.crypto || !self.crypto.subtle) { return {error: "unsupported"}; }
  var nonce = fromHex(p.nonce), salt = fromHex(p.salt), prefix = String(p.keyPrefix).toLowerCase();
  var password = new Uint8Array(nonce.length + 4);
  password.set(nonce);
  var view = new DataView(password.buffer);
  var params = {name: "PBKDF2", hash: hash, salt: salt, iterations: p.cost};
  for (var counter = start; counter <= 0xffffffff; counter += step) {
    if (p.expiresAt && Date.now() / 1000 > p.expiresAt) {
      return {error: "expired"};
    }
    view.setUint32(nonce.length, counter);
    var key = await crypto.subtle.importKey("raw", password, "PBKDF2", false, ["deriveBits"]);
    var derived = toHex(new Uint8Array(await crypto.subtle.deriveBits(params, key, p.keyLength * 8)));
    if (derived.indexOf(prefix) === 0) {
      return {solution: {counter: counter, derivedKey: derived}};
    }
  }
  return {error: "not found"};
}

self.onmessage = function (event) {
  var data = event.data;
  solve(data.challenge, data.start, data.step).then(self.postMessage.bind(self), function () {
    self.postMessage({error: "failed"});
  });
};
