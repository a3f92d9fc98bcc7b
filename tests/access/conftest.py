"""Fixtures for the access request tests: an application that requires validation, its validator, a person."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest

from tests.support.pages import sign_in

SERVICE = "https://pension.example.org/portal/"
OTHER_SERVICE = "https://library.example.org/"
FIELDS = [
    {"name": "personnelNumber", "label": {"en": "Personnel number", "fr": "Numéro du personnel"},
     "type": "identifier", "pattern": "[0-9]{6,8}", "max_length": 8, "help": "6 to 8 digits."},
    {"name": "familyName", "label": "Family name", "type": "text", "prefill": "last_name", "max_length": 60},
    {"name": "birthDate", "label": "Birth date", "type": "date"},
    {"name": "institution", "label": "Institution", "type": "choice", "required": False,
     "choices": ["Commission", "Parliament", "Council"], "released": False},
]
GOOD = {"f_personnelNumber": "12345678", "f_personnelNumber_again": "1234 5678", "f_familyName": "Lovelace",
        "f_birthDate": "1952-12-10", "f_institution": "Council"}
CODE = re.compile(r"\b([A-HJ-NP-Z2-9]{3}-[A-HJ-NP-Z2-9]{3}-[A-HJ-NP-Z2-9]{3}-[A-HJ-NP-Z2-9]{3})\b")


@pytest.fixture
def access_service(db):
    from limen.cas import registry

    service, _ = registry.register(name="Pension Fund", url_pattern="https://pension.example.org/",
                                   attributes="email")
    return service


@pytest.fixture
def other_service(db):
    from limen.cas import registry

    service, _ = registry.register(name="Library", url_pattern=OTHER_SERVICE, attributes="email")
    return service


@pytest.fixture
def access_policy(access_service):
    from limen.access import policies
    from limen.cas.access_link import ref

    policy, _ = policies.configure(ref(access_service), level="BASIC", fields=FIELDS,
                                   acknowledgement="Processing may take up to 3 working days.")
    return policy


@pytest.fixture
def other_policy(other_service):
    from limen.access import policies
    from limen.cas.access_link import ref

    policy, _ = policies.configure(ref(other_service), level="BASIC", fields=[
        {"name": "readerCard", "label": "Reader card", "type": "text"}])
    return policy


@pytest.fixture
def validator(make_user, access_policy):
    from limen.access import policies

    person = make_user(email="validator@example.org", first_name="Val", last_name="Idator", is_staff=True)
    policies.add_validator(access_policy, person)
    return person


@pytest.fixture
def validator_client(client_factory, validator):
    return client_factory(validator)


@pytest.fixture
def client_factory(db):
    """A new browser (test client) signed in through the pages as ``user``."""
    from django.test import Client

    def build(user):
        browser = Client()
        sign_in(browser, user, expect=302)
        browser.user = user
        return browser

    return build


def page(slug: str = "pension-fund", step: str = "", **query) -> str:
    return f"/access/{slug}/" + (f"{step}/" if step else "") + ("?" + urlencode(query) if query else "")


@pytest.fixture
def submit(access_policy):
    """The signed-in client sends the request form; returns the response."""

    def run(client, **changes):
        data = {**GOOD, **changes}
        return client.post(page(), {k: v for k, v in data.items() if v is not None})

    return run


@pytest.fixture
def pending(signed_in_client, submit):
    from limen.access.models import AccessRequest

    response = submit(signed_in_client)
    assert response.status_code == 302, response.content.decode()[:3000]
    return AccessRequest.objects.get(user=signed_in_client.user)


@pytest.fixture
def decider(validator):
    from limen.access.decisions import Decider

    return Decider(label=validator.email, via="page", user=validator)


@pytest.fixture
def approved(pending, decider, outbox):
    """Approved by the validator; returns (request, code as sent by e-mail)."""
    from limen.access import decisions

    decisions.approve(pending, decider)
    pending.refresh_from_db()
    return pending, code_in(outbox.last(pending.user.email).body)


def code_in(body: str) -> str:
    match = CODE.search(body)
    assert match, body
    return match.group(1)
