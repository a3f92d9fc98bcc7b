"""Racing requests spend a code or a refresh token once, on a real server (gunicorn, two workers of
four threads) whose database is of the run's kind (SQLite, or PostgreSQL in the PostgreSQL run).
The losers get what a reused code or refresh token gets: invalid_grant, and what it gave revoked."""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests

from tests.support.limen_server import same_database_kind

from .live import Browser, LimenServer

REDIRECT = "http://127.0.0.1:9/callback"
RACERS = 6


@pytest.fixture(scope="module")
def live():
    database = same_database_kind("tokenrace")
    server = LimenServer(workers=2, env={"LIMEN_DATABASE_URL": database} if database else None).start()
    person = server.make_user("racer@example.org")
    app = server.register_client(name="Racer", redirect_uris=[REDIRECT])
    browser = Browser()
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    query = urlencode({"response_type": "code", "client_id": app["client_id"], "redirect_uri": REDIRECT,
                       "scope": "openid email", "code_challenge": challenge, "code_challenge_method": "S256"})

    def new_code() -> str:
        url = browser.sign_in(f"{server.base_url}/oidc/authorize?{query}", person["email"], until=REDIRECT)
        return parse_qs(urlsplit(url).query)["code"][0]

    yield server, app, verifier, new_code
    server.stop()


def race(server, app, data: dict) -> list[requests.Response]:
    start, results = threading.Barrier(RACERS), []

    def post():
        session = requests.Session()
        start.wait()
        results.append(session.post(f"{server.base_url}/oidc/token", data=data, timeout=60,
                                    auth=(app["client_id"], app["client_secret"])))

    threads = [threading.Thread(target=post) for _ in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return results


def count(server, what: str) -> int:
    return server.python(f"from oauth2_provider.models import AccessToken, RefreshToken\nresult = {what}")


def test_a_code_exchanged_by_racing_requests_gives_tokens_once(live):
    server, app, verifier, new_code = live
    before = count(server, "AccessToken.objects.count()")
    results = race(server, app, {"grant_type": "authorization_code", "code": new_code(), "redirect_uri": REDIRECT,
                                 "code_verifier": verifier})
    statuses = sorted(r.status_code for r in results)
    assert statuses == [200] + [400] * (RACERS - 1), [(r.status_code, r.text[:200]) for r in results]
    assert all(r.json() == {"error": "invalid_grant"} for r in results if r.status_code == 400)
    # The code was used more than once: what it gave is revoked (RFC 6749 §4.1.2).
    assert count(server, "AccessToken.objects.count()") == before


def test_a_refresh_token_used_by_racing_requests_is_rotated_once(live):
    server, app, verifier, new_code = live
    first = requests.post(f"{server.base_url}/oidc/token", auth=(app["client_id"], app["client_secret"]), data={
        "grant_type": "authorization_code", "code": new_code(), "redirect_uri": REDIRECT, "code_verifier": verifier},
        timeout=60).json()
    results = race(server, app, {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]})
    statuses = sorted(r.status_code for r in results)
    assert statuses == [200] + [400] * (RACERS - 1), [(r.status_code, r.text[:200]) for r in results]
    # A replayed refresh token revokes its whole family (reuse protection), the new one included.
    assert count(server, "RefreshToken.objects.filter(revoked__isnull=True).count()") == 0
