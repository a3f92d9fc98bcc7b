"""The one requirement evaluator: what a protocol's requirement means for this browser's session."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.test import Client

from limen.core import clock
from limen.signin.evaluate import Confirm, Proceed, Refused, SignIn, StepUp, evaluate
from limen.signin.models import Level
from limen.signin.transaction import Application, Requirement

from .helpers import transaction_of

pytestmark = pytest.mark.django_db

HERE = "/somewhere/?app=1"
APP = Application(name="Pension fund", identifier="pension", protocol="test")


def ask(client, requirement: Requirement, *, confirmed=False, return_to=HERE):
    """Evaluate on a real request of this client (its session, its user)."""
    request = client.get("/login/").wsgi_request  # any page: a request carrying the session
    outcome = evaluate(request, requirement, return_to=return_to, confirmed=confirmed)
    request.session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = request.session.session_key
    return outcome


def test_a_stranger_is_sent_to_sign_in_with_the_requirement_in_a_transaction(client):
    outcome = ask(client, Requirement(application=APP, level=Level.MEDIUM, login_hint="ada@example.org"))
    assert isinstance(outcome, SignIn)
    query = parse_qs(urlsplit(outcome.url).query)
    assert query == {"next": [HERE], "email": ["ada@example.org"]}
    tx = transaction_of(client)
    assert tx["next"] == HERE and tx["requirement"]["application"]["name"] == "Pension fund"
    assert tx["requirement"]["level"] == Level.MEDIUM


def test_passive_requests_never_get_a_page(signed_in_client):
    assert ask(Client(), Requirement(passive=True)) == Refused("login_required")
    assert ask(signed_in_client, Requirement(passive=True, level=Level.MEDIUM)) == Refused("interaction_required")
    assert ask(signed_in_client, Requirement(passive=True, force=True)) == Refused("login_required")


def test_a_session_that_suffices_proceeds_as_single_sign_on(signed_in_client):
    outcome = ask(signed_in_client, Requirement(application=APP, level=Level.BASIC))
    assert isinstance(outcome, Proceed) and outcome.fresh is False and outcome.strengths == ["PASSWORD"]


def test_a_weaker_session_steps_up_without_the_password(signed_in_client):
    outcome = ask(signed_in_client, Requirement(level=Level.MEDIUM, accept_strengths=("PASSWORD_SMS",)))
    assert isinstance(outcome, StepUp)
    query = parse_qs(urlsplit(outcome.url).query)
    assert query == {"next": [HERE], "level": ["MEDIUM"], "strengths": ["PASSWORD_SMS"]}
    assert transaction_of(signed_in_client)["step_up"] is True


def test_force_and_max_age_ask_for_the_credentials_again_until_they_are_given(signed_in_client):
    user = signed_in_client.user
    outcome = ask(signed_in_client, Requirement(force=True))
    assert isinstance(outcome, SignIn)
    assert parse_qs(urlsplit(outcome.url).query)["switch"] == ["1"]
    clock.advance(seconds=120)
    assert isinstance(ask(signed_in_client, Requirement(max_age=60)), SignIn)
    assert isinstance(ask(signed_in_client, Requirement(max_age=600)), Proceed)
    # The person signs in again for this request: it proceeds once, as fresh.
    signed_in_client.post("/login/?switch=1", {"email": user.email})
    signed_in_client.post("/login/password/", {"password": "Correct-Horse-42"})
    assert ask(signed_in_client, Requirement(force=True)) == Proceed(
        fresh=True, strengths=["PASSWORD"], auth_time=ask_auth_time(signed_in_client))
    assert isinstance(ask(signed_in_client, Requirement(force=True)), SignIn)  # taken once


def ask_auth_time(client) -> float:
    return client.session["limen.sso"]["auth_time"]


def test_a_person_who_asked_to_be_warned_confirms_unless_they_just_signed_in(signed_in_client):
    signed_in_client.user.warn_before_sso = True
    signed_in_client.user.save()
    assert ask(signed_in_client, Requirement()) == Confirm()
    assert isinstance(ask(signed_in_client, Requirement(), confirmed=True), Proceed)
