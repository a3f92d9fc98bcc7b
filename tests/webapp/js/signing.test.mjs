// A request signed by a non-extractable WebCrypto key: the server's Python verification accepts it
// (tests/webapp/test_js_unit.py reads what this prints and verifies it with limen's own code).
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";

import * as keys from "../../../src/limen/webapp/static/webapp/js/keys.js";
import * as protocol from "../../../src/limen/webapp/static/webapp/js/protocol.js";
import { utf8 } from "../../../src/limen/webapp/static/webapp/js/b64.js";

test("the device key cannot be exported, and signs the canonical request", async () => {
  const pair = await keys.generate();
  await assert.rejects(crypto.subtle.exportKey("pkcs8", pair.privateKey));
  assert.equal(pair.privateKey.extractable, false);
  const publicKey = await keys.publicKey(pair);
  const request = { method: "POST", path: "/mobile/api/v1/enrolments", deviceId: null,
    timestamp: Math.floor(Date.now() / 1000), nonce: protocol.newNonce(), body: utf8('{"token":"x"}') };
  const signature = await keys.sign(pair.privateKey, await protocol.canonicalRequest(request));
  assert.equal(signature.length, 86);  // 64 bytes, base64url
  if (process.env.LIMEN_SIGNATURE_OUT) {
    writeFileSync(process.env.LIMEN_SIGNATURE_OUT, JSON.stringify({ ...request, body: '{"token":"x"}', publicKey, signature }));
  }
});
