"""Secrets and e-mail addresses never reach the logs (core.redact)."""

from __future__ import annotations

import pytest

from limen.core import redact

TOKEN = "Qm9vdHN0cmFwLXRva2VuLXRoYXQtaXMtbG9uZy1lbm91Z2g"  # 47 characters, like a link token
JWT = "eyJhbGciOiJSUzI1NiIsImtpZCI6IjEifQ.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJl"


@pytest.mark.parametrize("line, secret", [
    ("POST /login/password/ password=Hunter-2-secret&next=/account/", "Hunter-2-secret"),
    ('{"password": "correct horse battery", "email": "x"}', "correct horse battery"),
    ("{'pin': '4821'}", "4821"),
    ("code=123456&state=abc", "123456"),
    ("Your code: 918273", "918273"),
    ("GET /cas/serviceValidate?service=https%3A%2F%2Fapp.example&ticket=ST-AbCdEfGhIjKlMnOpQrStUvWxYz012 HTTP/1.1",
     "AbCdEfGhIjKlMnOpQrStUvWxYz012"),
    ("proxy granting ticket PGTIOU-AbCdEfGhIjKlMnOpQrStUvWxYz012 sent", "AbCdEfGhIjKlMnOpQrStUvWxYz012"),
    ("Authorization: Bearer s3cr3t.t0ken-value", "s3cr3t.t0ken-value"),
    ("client_secret=abcdEFGH1234&grant_type=authorization_code", "abcdEFGH1234"),
    (f"GET /verify/{TOKEN}/ HTTP/1.1", TOKEN),
    (f"GET /oidc/logout/?id_token_hint={JWT} HTTP/1.1", "c2lnbmF0dXJl"),
    (f"token {JWT} refused", "eyJzdWIiOiIxMjM0NTY3ODkwIn0"),
    ("refresh_token=r-123456789&x=1", "r-123456789"),
])
def test_secrets_are_masked(line, secret):
    masked = redact.text(line)
    assert secret not in masked
    assert redact.MASK in masked


@pytest.mark.parametrize("line, address, shown", [
    ("sign-in failed for ada.lovelace@example.org", "ada.lovelace@example.org", "a***@example.org"),
    ("GET /oidc/authorize?login_hint=ada.lovelace%40example.org", "ada.lovelace%40example.org", "a***%40example.org"),
    ("To: Grace Hopper <grace+test@navy.example.mil>", "grace+test@navy.example.mil", "g***@navy.example.mil"),
])
def test_email_addresses_keep_only_their_first_letter_and_domain(line, address, shown):
    masked = redact.text(line)
    assert address not in masked
    assert shown in masked


@pytest.mark.parametrize("line", [
    "TIMED GET /login/?sample=12 HTTP/1.1 200 4312",
    "delivery of email message 12 failed (attempt 3): SMTPServerDisconnected",
    "Booting worker with pid: 4242",
    "GET /mobile/api/v1/challenges/0123456789abcdef0123456789abcdef/answer",  # public ids: 32 hex digits
    "postcode=75001 pgtUrl=https://app.example/callback",
])
def test_ordinary_lines_are_left_alone(line):
    assert redact.text(line) == line


@pytest.mark.parametrize("line", [
    "password=x&code=1 ticket=ST-AbCdEfGhIjKl Bearer abc x@example.org",
    '{"token": "abc", "secret": "d e f"}',
    f"/verify/{TOKEN}/ {JWT}",
])
def test_masking_twice_changes_nothing(line):
    once = redact.text(line)
    assert redact.text(once) == once



def _every_pattern(value: str) -> str:
    for pattern, replacement in redact._PATTERNS:
        value = pattern.sub(replacement, value)
    return value


PATHS = [f"/verify/{TOKEN}/", f"/jwt/{JWT}", "/proxy/ST-AbCdEfGhIjKl", "/x/PGTIOU-AbCdEfGhIjKl/y",
         "/a/ada%40example.org", "/a/ada@example.org", "/oidc/token", "/cas/p3/serviceValidate",
         "/a:b", "/a=b", "/a\tb", "/x/eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0"]


@pytest.mark.parametrize("line", PATHS)
def test_paths_are_masked_as_by_every_pattern(line):
    # text() skips the patterns when its first scan finds nothing any of them needs: a path with a
    # token, a ticket, a JWT or an address must still be masked exactly as before.
    assert redact.text(line) == _every_pattern(line)


def test_the_quick_scan_skips_nothing_any_pattern_would_mask():
    import random

    rng = random.Random(7)
    pieces = ["a", "Z", "7", "-", "_", "/", ".", "%", "@", "=", ":", " ", "ST-", "PGT-", "eyJ", "%40", "x" * 39,
              "password", "code", "Bearer ", "basic ", "ada", "example.org", "?", "&", "\n"]
    for _ in range(5000):
        line = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 12)))
        assert redact.text(line) == _every_pattern(line), line
