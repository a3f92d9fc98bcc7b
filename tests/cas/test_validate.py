"""Ticket validation: every bad input gets the protocol's code, and nothing leaks."""

import json
import xml.etree.ElementTree as ET

import pytest

from limen.cas.models import ServiceTicket
from limen.core import clock
from limen.signin.models import Level

from .conftest import SERVICE

NS = {"cas": "http://www.yale.edu/tp/cas"}
ENDPOINTS = ["/cas/serviceValidate", "/cas/p3/serviceValidate", "/cas/proxyValidate", "/cas/p3/proxyValidate"]


def failure_code(response) -> str:
    assert response.status_code == 200
    node = ET.fromstring(response.content).find("cas:authenticationFailure", NS)
    assert node is not None, response.content
    return node.get("code")


def success(response) -> ET.Element:
    node = ET.fromstring(response.content).find("cas:authenticationSuccess", NS)
    assert node is not None, response.content
    return node


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_a_ticket_validates_once_with_attributes(client, user, cas_ticket, endpoint):
    ticket = cas_ticket()
    response = client.get(endpoint, {"ticket": ticket, "service": SERVICE})
    node = success(response)
    assert node.find("cas:user", NS).text == str(user.uid)
    attributes = node.find("cas:attributes", NS)
    assert attributes.find("cas:email", NS).text == user.email
    assert attributes.find("cas:authenticationLevel", NS).text == "BASIC"
    assert node.find("cas:strengths", NS) is None  # EU Login's layout only for services registered for it
    assert response["Cache-Control"] == "no-store"
    assert failure_code(client.get(endpoint, {"ticket": ticket, "service": SERVICE})) == "INVALID_TICKET"


def test_only_the_attributes_the_service_may_see_are_released(client, cas_ticket, cas_service):
    cas_service.attributes = ["email"]
    cas_service.save()
    body = json.loads(client.get("/cas/p3/serviceValidate",
                                 {"ticket": cas_ticket(), "service": SERVICE, "format": "JSON"}).content)
    success_ = body["serviceResponse"]["authenticationSuccess"]
    assert set(success_) == {"user", "attributes"}
    assert set(success_["attributes"]) == {"email", "authenticationDate", "longTermAuthenticationRequestTokenUsed",
                                           "isFromNewLogin"}


def test_json_format(client, user, cas_ticket):
    body = json.loads(client.get("/cas/p3/serviceValidate",
                                 {"ticket": cas_ticket(), "service": SERVICE, "format": "json"}).content)
    ok = body["serviceResponse"]["authenticationSuccess"]
    assert ok["user"] == str(user.uid)
    assert ok["attributes"]["strengths"] == ["PASSWORD"] and "strengths" not in ok
    assert ok["attributes"]["sso"] == [False] and ok["attributes"]["isFromNewLogin"] == [True]
    body = json.loads(client.get("/cas/p3/serviceValidate",
                                 {"ticket": "ST-" + "x" * 28, "service": SERVICE, "format": "JSON"}).content)
    assert body["serviceResponse"]["authenticationFailure"]["code"] == "INVALID_TICKET"


def test_cas1_validate(client, user, cas_ticket):
    ticket = cas_ticket()
    assert client.get("/cas/validate", {"ticket": ticket, "service": SERVICE}).content == f"yes\n{user.uid}\n".encode()
    assert client.get("/cas/validate", {"ticket": ticket, "service": SERVICE}).content == b"no\n\n"
    assert client.get("/cas/validate", {"service": SERVICE}).content == b"no\n\n"


def test_a_ticket_presented_by_another_service_fails_and_is_spent(client, cas_ticket):
    ticket = cas_ticket()
    assert failure_code(client.get("/cas/serviceValidate",
                                   {"ticket": ticket, "service": SERVICE + "other/"})) == "INVALID_SERVICE"
    assert failure_code(client.get("/cas/serviceValidate", {"ticket": ticket, "service": SERVICE})) == "INVALID_TICKET"


def test_an_expired_ticket_fails(client, cas_ticket, settings):
    ticket = cas_ticket()
    clock.advance(seconds=settings.CAS_TICKET_SECONDS + 1)
    assert failure_code(client.get("/cas/serviceValidate", {"ticket": ticket, "service": SERVICE})) == "INVALID_TICKET"


@pytest.mark.parametrize("ticket", ["nonsense", "ST-short", "ST-" + "a" * 300, "TGT-" + "a" * 28,
                                    "ST-" + "a" * 20 + "<x>", "ST-" + "é" * 28])
def test_a_malformed_ticket_fails(client, db, ticket):
    code = failure_code(client.get("/cas/serviceValidate", {"ticket": ticket, "service": SERVICE}))
    assert code == ("INVALID_REQUEST" if len(ticket) > 256 else "INVALID_TICKET_SPEC")


def test_a_proxy_granting_ticket_cannot_be_validated(client, db):
    code = failure_code(client.get("/cas/proxyValidate", {"ticket": "PGT-" + "a" * 28, "service": SERVICE}))
    assert code == "INVALID_TICKET_SPEC"


@pytest.mark.parametrize("query", [
    {"service": SERVICE},
    {"ticket": "ST-" + "a" * 28},
    {"ticket": "", "service": SERVICE},
    {},
])
def test_missing_parameters(client, db, query):
    assert failure_code(client.get("/cas/serviceValidate", query)) == "INVALID_REQUEST"


def test_repeated_and_overlong_parameters(client, cas_ticket):
    ticket = cas_ticket()
    url = f"/cas/serviceValidate?ticket={ticket}&ticket={ticket}&service={SERVICE}"
    assert failure_code(client.get(url)) == "INVALID_REQUEST"
    assert failure_code(client.get("/cas/serviceValidate",
                                   {"ticket": ticket, "service": SERVICE + "a" * 2100})) == "INVALID_REQUEST"
    assert failure_code(client.get(f"/cas/serviceValidate?ticket={ticket}&service={SERVICE}&format=XML&format=XML")) \
        == "INVALID_REQUEST"
    assert failure_code(client.get("/cas/serviceValidate",
                                   {"ticket": ticket, "service": SERVICE, "format": "YAML"})) == "INVALID_REQUEST"
    # None of these spent the ticket: they were refused before it was looked at.
    assert success(client.get("/cas/serviceValidate", {"ticket": ticket, "service": SERVICE}))


@pytest.mark.parametrize("bad", ["\x00", "\x01", "\t", "\n", "\r", "\x1f", "\x7f"])
def test_control_characters_in_a_parameter_are_refused_before_the_ticket_is_looked_at(client, cas_ticket, bad):
    ticket = cas_ticket()
    assert failure_code(client.get("/cas/p3/serviceValidate", {"ticket": ticket, "service": SERVICE + bad})) \
        == "INVALID_REQUEST"
    assert failure_code(client.get("/cas/p3/serviceValidate", {"ticket": ticket + bad, "service": SERVICE})) \
        == "INVALID_REQUEST"
    assert success(client.get("/cas/p3/serviceValidate", {"ticket": ticket, "service": SERVICE}))


def test_renew_on_validation_refuses_a_ticket_from_the_sso_session(client, user, cas_ticket):
    cas_ticket()  # signed in; the next ticket comes from the SSO session
    ticket = cas_ticket(SERVICE + "cv/")
    assert ServiceTicket.objects.get(ticket=ticket).from_sso
    code = failure_code(client.get("/cas/serviceValidate",
                                   {"ticket": ticket, "service": SERVICE + "cv/", "renew": "true"}))
    assert code == "INVALID_TICKET_SPEC"


def test_renew_on_validation_accepts_a_ticket_from_fresh_credentials(client, cas_ticket):
    ticket = cas_ticket(renew="true")
    assert success(client.get("/cas/serviceValidate", {"ticket": ticket, "service": SERVICE, "renew": "true"}))


def test_a_ticket_weaker_than_the_service_requires_fails_with_eu_login_codes(client, cas_ticket, cas_service):
    ticket = cas_ticket()
    cas_service.level = Level.MEDIUM  # raised after the ticket was issued
    cas_service.save()
    code = failure_code(client.get("/cas/serviceValidate", {"ticket": ticket, "service": SERVICE}))
    assert code == "INSUFFICIENT_AUTHENTICATION_LEVEL"


def test_the_application_can_have_its_requirement_checked_at_validation(client, cas_ticket):
    ticket = cas_ticket()
    assert failure_code(client.get("/cas/serviceValidate", {"ticket": ticket, "service": SERVICE,
                                                            "authenticationLevel": "MEDIUM"})) \
        == "INSUFFICIENT_AUTHENTICATION_LEVEL"
    ticket = cas_ticket()
    assert failure_code(client.get("/cas/serviceValidate", {"ticket": ticket, "service": SERVICE,
                                                            "acceptStrengths": "PASSWORD_MOBILE_APP"})) \
        == "INVALID_STRENGTH"
    ticket = cas_ticket()
    assert failure_code(client.get("/cas/serviceValidate", {"ticket": ticket, "service": SERVICE,
                                                            "acceptStrengths": "NOT_A_STRENGTH"})) \
        == "INVALID_STRENGTH"


def test_a_disabled_service_can_no_longer_validate(client, cas_ticket, cas_service):
    ticket = cas_ticket()
    cas_service.enabled = False
    cas_service.save()
    assert failure_code(client.get("/cas/serviceValidate", {"ticket": ticket, "service": SERVICE})) == "INVALID_SERVICE"


def test_a_disabled_account_gets_no_validation(client, user, cas_ticket):
    ticket = cas_ticket()
    type(user).objects.filter(pk=user.pk).update(is_active=False)
    assert failure_code(client.get("/cas/serviceValidate", {"ticket": ticket, "service": SERVICE})) == "INVALID_TICKET"


def test_failures_say_nothing_about_the_person(client, user, cas_ticket):
    ticket = cas_ticket()
    response = client.get("/cas/serviceValidate", {"ticket": ticket, "service": SERVICE + "other/"})
    assert str(user.uid).encode() not in response.content and user.email.encode() not in response.content
    assert ticket.encode() not in response.content


def test_tickets_are_random_and_long_enough(client, cas_ticket):
    tickets = {cas_ticket(SERVICE + f"{n}/") for n in range(20)}
    assert len(tickets) == 20
    assert all(len(t) - 3 >= 22 for t in tickets)  # >= 128 bits (test_ticket_ids.py checks the characters)


def test_post_is_refused_on_validation_endpoints(client, db):
    assert client.post("/cas/serviceValidate", {"ticket": "ST-" + "a" * 28, "service": SERVICE}).status_code == 405
