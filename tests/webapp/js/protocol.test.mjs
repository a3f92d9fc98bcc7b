// Payload parsing and PIN proofs of the web app, against the values limen_protocol computes.
import { test } from "node:test";
import assert from "node:assert/strict";

import * as protocol from "../../../src/limen/webapp/static/webapp/js/protocol.js";
import { encode, fromHex, hex, utf8 } from "../../../src/limen/webapp/static/webapp/js/b64.js";

const TOKEN = "abcdefghijklmnopqrstuvwxyz012345";
const PAYLOAD = `limen://enrol?v=1&server=https%3A%2F%2Flogin.example.eu&token=${TOKEN}`;

test("an enrolment payload, pasted with line breaks, or inside the app link", () => {
  assert.deepEqual(protocol.parseEnrolment(PAYLOAD), { server: "https://login.example.eu", token: TOKEN });
  assert.deepEqual(protocol.parseEnrolment(PAYLOAD.slice(0, 30) + "\n  " + PAYLOAD.slice(30)).token, TOKEN);
  const link = "https://login.example.eu/app/#enrol=" + encodeURIComponent(PAYLOAD);
  assert.equal(protocol.parseEnrolment(link).token, TOKEN);
});

test("foreign, wrong-version and mixed-up codes say what they are", () => {
  const code = (fn) => { try { fn(); } catch (e) { return e.code; } return null; };
  assert.equal(code(() => protocol.parseEnrolment("https://example.com/some/page")), "foreign");
  assert.equal(code(() => protocol.parseEnrolment("WIFI:S:home;T:WPA;P:secret;;")), "foreign");
  assert.equal(code(() => protocol.parseEnrolment(PAYLOAD.replace("v=1", "v=2"))), "version");
  assert.equal(code(() => protocol.parseEnrolment(PAYLOAD.replace("enrol", "otp"))), "not_enrolment");
  assert.equal(code(() => protocol.parseEnrolment(PAYLOAD.replace(TOKEN, "short"))), "malformed");
  assert.equal(code(() => protocol.parseEnrolment(PAYLOAD.replace("https%3A%2F%2F", "ftp%3A%2F%2F"))), "server");
  assert.equal(code(() => protocol.parseEnrolment(PAYLOAD + "&token=x")), "malformed");
  assert.equal(code(() => protocol.parseOtp(PAYLOAD)), "not_otp");
});

test("a one-time-password payload", () => {
  const otp = protocol.parseOtp("limen://otp?v=1&server=http%3A%2F%2Flocalhost%3A8000&account=0123456789abcdef&challenge=12345678");
  assert.deepEqual(otp, { server: "http://localhost:8000", account: "0123456789abcdef", challenge: "12345678" });
  assert.ok(protocol.secureServer("http://localhost:8000") && protocol.secureServer("https://a.example"));
  assert.ok(!protocol.secureServer("http://login.example.eu"));
});

test("PIN verifier and proofs as limen_protocol/pin.py computes them", async () => {
  // Computed with limen_protocol.pin for K = 0x00..0x1f, PIN 4706 (tests/webapp/test_js_unit.py checks the same).
  const key = await protocol.importDeviceSecret(Uint8Array.from({ length: 32 }, (_, i) => i));
  const v = await protocol.verifier(key, "4706");
  const expected = JSON.parse(process.env.LIMEN_PIN_VECTORS || "null");
  if (expected) {
    assert.equal(hex(v), expected.verifier);
    assert.equal(encode(await protocol.proof(v, protocol.contexts.answer("abc", "approve", "42"))), expected.answer);
    assert.equal(encode(await protocol.proof(v, protocol.contexts.enrolment("dev1"))), expected.enrolment);
    assert.equal(encode(await protocol.proof(v, protocol.contexts.onMobile("req", "approve"))), expected.on_mobile);
    assert.equal(hex(await protocol.assertionChallenge(protocol.contexts.answer("abc", "approve", "42"))),
      expected.assertion_challenge);
    assert.equal(await protocol.accountHint("uid-1"), expected.hint);
  }
  assert.equal(v.length, 32);
  assert.equal(hex(await protocol.ocraPinHash("1234")), "7110eda4d09e062aa5e4a390b0a572ac0d2c0220");
});

test("the canonical request", async () => {
  const text = new TextDecoder().decode(await protocol.canonicalRequest({
    method: "post", path: "/mobile/api/v1/enrolments", deviceId: null, timestamp: 1700000000.7, nonce: "n".repeat(24),
    body: utf8("{}"),
  }));
  assert.equal(text, "limen-device-request-v1\nPOST\n/mobile/api/v1/enrolments\n-\n1700000000\n" + "n".repeat(24)
    + "\n44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a");
  assert.equal(fromHex("0aff").length, 2);
});
