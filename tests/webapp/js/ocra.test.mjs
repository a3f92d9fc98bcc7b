// RFC 6287 Appendix C vectors for the web app's OCRA (WebCrypto HMAC).
import { test } from "node:test";
import assert from "node:assert/strict";

import { compute, sha } from "../../../src/limen/webapp/static/webapp/js/ocra.js";
import { fromHex, utf8 } from "../../../src/limen/webapp/static/webapp/js/b64.js";

const SEED20 = fromHex("3132333435363738393031323334353637383930");
const SEED32 = fromHex("3132333435363738393031323334353637383930313233343536373839303132");
const SEED64 = fromHex("31323334353637383930313233343536373839303132333435363738393031323334353637383930"
  + "313233343536373839303132333435363738393031323334");
const T = 0x132d0b6;
const pin1234 = () => sha("SHA1", utf8("1234"));

test("one-way SHA1-6 QN08", async () => {
  const expected = ["237653", "243178", "653583", "740991", "608993", "388898", "816933", "224598", "750600", "294470"];
  for (let d = 0; d < 10; d++) {
    assert.equal(await compute("OCRA-1:HOTP-SHA1-6:QN08", SEED20, { question: String(d).repeat(8) }), expected[d]);
  }
});

test("one-way SHA256-8 with a counter and PIN", async () => {
  const expected = ["65347737", "86775851", "78192410", "71565254", "10104329", "65983500", "70069104", "91771096",
    "75011558", "08522129"];
  const pinHash = await pin1234();
  for (let c = 0; c < 10; c++) {
    assert.equal(await compute("OCRA-1:HOTP-SHA256-8:C-QN08-PSHA1", SEED32,
      { counter: c, question: "12345678", pinHash }), expected[c]);
  }
});

test("Limen's suite: SHA256-8 QN08 PSHA1", async () => {
  const expected = ["83238735", "01501458", "17957585", "86776967", "86807031"];
  const pinHash = await pin1234();
  for (let d = 0; d < 5; d++) {
    assert.equal(await compute("OCRA-1:HOTP-SHA256-8:QN08-PSHA1", SEED32,
      { question: String(d).repeat(8), pinHash }), expected[d]);
  }
});

test("a non-extractable WebCrypto key gives the same codes", async () => {
  const key = await crypto.subtle.importKey("raw", SEED32, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  assert.equal(await compute("OCRA-1:HOTP-SHA256-8:QN08-PSHA1", key,
    { question: "00000000", pinHash: await pin1234() }), "83238735");
});

test("one-way SHA512-8 with a counter", async () => {
  const expected = ["07016083", "63947962", "70123924", "25341727", "33203315", "34205738", "44343969", "51946085",
    "20403879", "31409299"];
  for (let c = 0; c < 10; c++) {
    assert.equal(await compute("OCRA-1:HOTP-SHA512-8:C-QN08", SEED64,
      { counter: c, question: String(c).repeat(8) }), expected[c]);
  }
});

test("one-way SHA512-8 with time", async () => {
  const expected = ["95209754", "55907591", "22048402", "24218844", "36209546"];
  for (let d = 0; d < 5; d++) {
    assert.equal(await compute("OCRA-1:HOTP-SHA512-8:QN08-T1M", SEED64,
      { question: String(d).repeat(8), timestamp: T }), expected[d]);
  }
});

test("mutual challenge-response and signatures (alphanumeric questions)", async () => {
  const qa = [["CLI22220SRV11110", "28247970"], ["CLI22221SRV11111", "01984843"], ["CLI22222SRV11112", "65387857"],
    ["CLI22223SRV11113", "03351211"], ["CLI22224SRV11114", "83412541"], ["SRV11110CLI22220", "15510767"],
    ["SRV11111CLI22221", "90175646"], ["SRV11112CLI22222", "33777207"], ["SRV11113CLI22223", "95285278"],
    ["SRV11114CLI22224", "28934924"], ["SIG10000", "53095496"], ["SIG11000", "04110475"], ["SIG12000", "31331128"],
    ["SIG13000", "76028668"], ["SIG14000", "46554205"]];
  for (const [question, code] of qa) {
    assert.equal(await compute("OCRA-1:HOTP-SHA256-8:QA08", SEED32, { question }), code);
  }
  const pinHash = await pin1234();
  const withPin = [["SRV11110CLI22220", "18806276"], ["SRV11111CLI22221", "70020315"], ["SRV11112CLI22222", "01600026"],
    ["SRV11113CLI22223", "18951020"], ["SRV11114CLI22224", "32528969"]];
  for (const [question, code] of withPin) {
    assert.equal(await compute("OCRA-1:HOTP-SHA512-8:QA08-PSHA1", SEED64, { question, pinHash }), code);
  }
  const timed = [["SIG1000000", "77537423"], ["SIG1100000", "31970405"], ["SIG1200000", "10235557"],
    ["SIG1300000", "95213541"], ["SIG1400000", "65360607"]];
  for (const [question, code] of timed) {
    assert.equal(await compute("OCRA-1:HOTP-SHA512-8:QA10-T1M", SEED64, { question, timestamp: T }), code);
  }
});

test("refuses malformed suites and inputs", async () => {
  await assert.rejects(compute("OCRA-2:HOTP-SHA1-6:QN08", SEED20, { question: "00000000" }));
  await assert.rejects(compute("OCRA-1:HOTP-SHA256-8:QN08-PSHA1", SEED32, { question: "00000000" }));
  await assert.rejects(compute("OCRA-1:HOTP-SHA1-6:QN08", SEED20, { question: "12ab5678" }));
});
