"""The web app's JavaScript unit tests (Node's own test runner), run by the test command.

``node --test tests/webapp/js/`` must pass; it is given the values
limen_protocol computes (PIN verifier, proofs, challenges), and a request it
signs with a non-extractable WebCrypto key is verified here by the server's
own code.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from limen_protocol import b64, payloads, signing
from limen_protocol import pin as pin_protocol

ROOT = Path(__file__).resolve().parents[2]
JS_TESTS = ROOT / "tests" / "webapp" / "js"


def _vectors() -> dict:
    key = bytes(range(32))
    v = pin_protocol.verifier(key, "4706")
    return {
        "verifier": v.hex(),
        "answer": b64.encode(pin_protocol.proof(v, pin_protocol.answer_context("abc", "approve", "42"))),
        "enrolment": b64.encode(pin_protocol.proof(v, pin_protocol.enrolment_context("dev1"))),
        "on_mobile": b64.encode(pin_protocol.proof(v, pin_protocol.on_mobile_context("req", "approve"))),
        "assertion_challenge": pin_protocol.assertion_challenge(
            pin_protocol.answer_context("abc", "approve", "42")).hex(),
        "hint": payloads.account_hint("uid-1"),
    }


def test_node_test_runner_passes(tmp_path):
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is missing: install Node.js (Debian: apt-get install nodejs)", pytrace=False)
    out = tmp_path / "signature.json"
    env = {**os.environ, "LIMEN_PIN_VECTORS": json.dumps(_vectors()), "LIMEN_SIGNATURE_OUT": str(out)}
    done = subprocess.run([node, "--test", str(JS_TESTS)], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, f"node --test failed:\n{done.stdout[-6000:]}\n{done.stderr[-2000:]}"
    assert "# fail 0" in done.stdout

    # The signature made by the browser's code verifies with the server's code.
    from limen.factors.mobile_app.internal import keys

    signed = json.loads(out.read_text())
    canonical = signing.canonical_request(method=signed["method"], path=signed["path"], device_id=signed["deviceId"],
                                          timestamp=signed["timestamp"], nonce=signed["nonce"],
                                          body=signed["body"].encode())
    assert keys.verify(signed["publicKey"], signed["signature"], canonical)
    assert not keys.verify(signed["publicKey"], signed["signature"], canonical + b"x")
