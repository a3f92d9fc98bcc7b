// RFC 6287 OCRA, one-way challenge-response, with WebCrypto HMAC: the same definition as
// limen_protocol/ocra.py (checked against the RFC's Appendix C vectors in tests/webapp/js/ocra.test.mjs).

import { concat, fromHex, utf8 } from "./b64.js";

const HASHES = { SHA1: "SHA-1", SHA256: "SHA-256", SHA512: "SHA-512" };
const HASH_LENGTH = { SHA1: 20, SHA256: 32, SHA512: 64 };
const CRYPTO = /^HOTP-(SHA1|SHA256|SHA512)-(\d{1,2})$/;
const DATA = /^(C-)?Q([ANH])(\d{2})(?:-PSHA(1|256|512))?(?:-S(\d{3}))?(?:-T(\d{1,2})([SMH]))?$/;
const STEP = { S: 1, M: 60, H: 3600 };

export class OcraError extends Error {}

export function parseSuite(text) {
  const parts = typeof text === "string" ? text.split(":") : [];
  if (parts.length !== 3 || parts[0] !== "OCRA-1") throw new OcraError("not an OCRA-1 suite");
  const crypto = CRYPTO.exec(parts[1]);
  const data = DATA.exec(parts[2]);
  if (!crypto || !data) throw new OcraError("malformed OCRA suite");
  const digits = Number(crypto[2]);
  if (digits !== 0 && (digits < 4 || digits > 10)) throw new OcraError("truncation must be 0 or 4 to 10 digits");
  const questionLength = Number(data[3]);
  if (questionLength < 4 || questionLength > 64) throw new OcraError("challenge length must be 04 to 64");
  return {
    text, hash: crypto[1], digits, counter: Boolean(data[1]), questionFormat: data[2], questionLength,
    pinHash: data[4] ? `SHA${data[4]}` : null, sessionLength: data[5] ? Number(data[5]) : null,
    timeStep: data[6] ? Number(data[6]) * STEP[data[7]] : null,
  };
}

function questionBytes(suite, question) {
  if (typeof question !== "string" || question.length < 4 || question.length > 64) {
    throw new OcraError("the challenge must have 4 to 64 characters");
  }
  let hexQ;
  if (suite.questionFormat === "N") {
    if (!/^[0-9]+$/.test(question)) throw new OcraError("the challenge must be digits");
    hexQ = BigInt(question).toString(16).toUpperCase();
  } else if (suite.questionFormat === "A") {
    if (!/^[\x20-\x7e]+$/.test(question)) throw new OcraError("the challenge must be printable ASCII");
    hexQ = Array.from(utf8(question), (b) => b.toString(16).padStart(2, "0")).join("");
  } else {
    if (!/^[0-9A-Fa-f]+$/.test(question)) throw new OcraError("the challenge must be hexadecimal");
    hexQ = question;
  }
  return fromHex(hexQ.padEnd(256, "0"));  // RFC 6287 reference code: padded on the right to 128 bytes
}

function uint64(value) {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(value));
  return out;
}

export function dataInput(suite, { question, counter, pinHash, session, timestamp }) {
  const parts = [utf8(suite.text), new Uint8Array([0])];
  if (suite.counter) {
    if (counter === undefined || counter === null) throw new OcraError("the suite requires a counter");
    parts.push(uint64(counter));
  }
  parts.push(questionBytes(suite, question));
  if (suite.pinHash) {
    if (!pinHash || pinHash.length !== HASH_LENGTH[suite.pinHash]) {
      throw new OcraError("the suite requires a PIN hash of the right length");
    }
    parts.push(pinHash);
  }
  if (suite.sessionLength) {
    if (!session || session.length > suite.sessionLength) throw new OcraError("the suite requires session information");
    const padded = new Uint8Array(suite.sessionLength);
    padded.set(session, suite.sessionLength - session.length);
    parts.push(padded);
  }
  if (suite.timeStep) {
    if (timestamp === undefined || timestamp === null) throw new OcraError("the suite requires a timestamp");
    parts.push(uint64(timestamp));
  }
  return concat(...parts);
}

async function hmacKey(key, hash) {
  if (key instanceof Uint8Array) {
    return crypto.subtle.importKey("raw", key, { name: "HMAC", hash: HASHES[hash] }, false, ["sign"]);
  }
  return key;  // a CryptoKey made for this hash (the app keeps K as a non-extractable HMAC-SHA-256 key)
}

export async function compute(suiteText, key, inputs) {
  const suite = typeof suiteText === "string" ? parseSuite(suiteText) : suiteText;
  const message = dataInput(suite, inputs);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", await hmacKey(key, suite.hash), message));
  if (suite.digits === 0) return Array.from(mac, (b) => b.toString(16).padStart(2, "0")).join("");
  const offset = mac[mac.length - 1] & 0x0f;
  const value = ((mac[offset] & 0x7f) << 24) | (mac[offset + 1] << 16) | (mac[offset + 2] << 8) | mac[offset + 3];
  return String(value % 10 ** suite.digits).padStart(suite.digits, "0");
}

export async function sha(name, bytes) {
  return new Uint8Array(await crypto.subtle.digest(HASHES[name], bytes));
}
