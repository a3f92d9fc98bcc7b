"""The proof of work (ALTCHA) of the forms that send e-mails: limen.core.pow and its forms."""

from __future__ import annotations

import base64
import json

import pytest
from django.test import Client

from limen.accounts.models import User
from limen.core import pow
from limen.notify.models import OutboxMessage
from tests.accounts.helpers import registration_data
from tests.support.pow import FIELD, challenge_in, fresh, solve

pytestmark = pytest.mark.django_db

FORMS = {
    "/register/": registration_data(),
    "/password/lost/": {"email": "grace@example.org"},
    "/verify-again/": {"email": "grace@example.org"},
}


def _tamper(payload: str, change) -> str:
    data = json.loads(base64.b64decode(payload))
    change(data)
    return base64.b64encode(json.dumps(data).encode()).decode()


def _refused(response, message) -> None:
    assert response.status_code in (200, 400)  # the form again, with the message
    assert str(message) in response.content.decode()
    assert not User.objects.filter(email="grace@example.org").exists()
    assert not OutboxMessage.objects.exists()


@pytest.mark.parametrize("path", ["/register/", "/password/lost/"])
def test_every_form_page_carries_a_fresh_challenge_and_the_no_javascript_explanation(client, path):
    first, second = client.get(path).content.decode(), client.get(path).content.decode()
    one, two = challenge_in(first), challenge_in(second)
    assert one["parameters"]["algorithm"] == "PBKDF2/SHA-256"
    assert one["signature"] != two["signature"]
    assert 'name="altcha"' in first and "limen/pow.js" in first and "limen/pow-worker.js" in first
    assert "<noscript>" in first and "needs JavaScript to show that you are not a robot" in first


def test_the_token_problem_page_asks_for_it_on_its_new_link_form(client):
    page = client.get("/verify/not-a-token/").content.decode()
    assert challenge_in(page) is not None


@pytest.mark.parametrize("path", list(FORMS))
def test_a_solved_challenge_lets_the_form_through(client, path):
    response = client.post(path, {**FORMS[path], **fresh()})
    assert response.status_code in (200, 302)
    assert "error-summary" not in response.content.decode()


@pytest.mark.parametrize("path", list(FORMS))
def test_without_the_proof_nothing_happens_and_the_page_says_javascript_is_needed(client, path):
    _refused(client.post(path, FORMS[path]), pow.ProofMissing.default_message)


def test_a_solution_is_used_once(client):
    proof = fresh()
    assert client.post("/register/", {**registration_data(), **proof}).status_code == 302
    User.objects.all().delete()
    OutboxMessage.objects.all().delete()
    # The same solution again, from another browser, for another form: refused.
    response = Client().post("/password/lost/", {"email": "grace@example.org", **proof})
    _refused(response, pow.ProofInvalid.default_message)


def test_an_expired_challenge_is_refused(client):
    proof = {FIELD: solve(pow.new_challenge(seconds=-1))}
    _refused(client.post("/register/", {**registration_data(), **proof}), pow.ProofExpired.default_message)


@pytest.mark.parametrize("change", [
    lambda d: d["solution"].update(derivedKey="00" * 32),                   # not the work asked for
    lambda d: d["challenge"]["parameters"].update(cost=1),                  # easier work, same signature
    lambda d: d["challenge"]["parameters"].update(expiresAt=4102444800),    # living longer
    lambda d: d["challenge"].update(signature="0" * 64),                    # signed by someone else
    lambda d: d.pop("solution"),
], ids=["wrong key", "cost", "expiry", "signature", "no solution"])
def test_a_forged_or_altered_solution_is_refused(client, change):
    proof = {FIELD: _tamper(fresh()[FIELD], change)}
    _refused(client.post("/register/", {**registration_data(), **proof}), pow.ProofInvalid.default_message)


@pytest.mark.parametrize("garbage", ["x", "e30=", "W10=", "bnVsbA==", "A" * 5000, "%%%"])
def test_garbage_is_refused_without_an_error(client, garbage):
    _refused(client.post("/register/", {**registration_data(), FIELD: garbage}), pow.ProofInvalid.default_message)


def test_a_typing_mistake_does_not_spend_the_proof(client):
    proof = fresh()
    response = client.post("/register/", {**registration_data(email_confirm="other@example.org"), **proof})
    assert "The two e-mail addresses are not the same." in response.content.decode()
    assert challenge_in(response.content.decode()) is not None  # a new challenge is shown with the errors
    assert client.post("/register/", {**registration_data(), **proof}).status_code == 302


def test_a_signed_challenge_of_another_server_is_refused(client, settings):
    proof = fresh()
    settings.SECRET_KEY = "another-server-with-another-secret-key-0123456789"
    _refused(client.post("/register/", {**registration_data(), **proof}), pow.ProofInvalid.default_message)


def test_difficulty_and_cost_come_from_the_settings(settings):
    settings.POW_COST, settings.POW_DIFFICULTY, settings.POW_SECONDS = 77, 40, 600
    challenge = pow.new_challenge()
    assert challenge["parameters"]["cost"] == 77
    counter = json.loads(base64.b64decode(solve(challenge)))["solution"]["counter"]
    assert 20 <= counter <= 60
