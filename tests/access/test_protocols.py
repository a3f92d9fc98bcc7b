"""The protocols: an application that requires validation gets the person once their access is active, and
then receives the validated details, in CAS answers (both layouts) and OpenID Connect claims; no other
application does. python-cas and Authlib read the answers, talking to the in-process Limen."""

from __future__ import annotations

import json
import warnings
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from cas import CASClientV2, CASClientV3
from django.conf import settings
from django.test import Client

from limen.access import decisions, policies
from limen.access.models import AccessRequest, Status
from tests.support.in_process import InProcess

from .conftest import OTHER_SERVICE, SERVICE

warnings.filterwarnings("ignore", module="authlib")
from authlib.common.security import generate_token  # noqa: E402
from authlib.integrations.requests_client import OAuth2Session  # noqa: E402
from authlib.jose import JsonWebKey  # noqa: E402
from authlib.jose import jwt as authlib_jwt  # noqa: E402

pytestmark = pytest.mark.django_db
NS = {"cas": "http://www.yale.edu/tp/cas"}
RELEASED = {"personnelNumber": "12345678", "familyName": "Lovelace", "birthDate": "1952-12-10"}
REDIRECT_URI = "http://127.0.0.1:9/callback"


def in_process_session() -> requests.Session:
    session = requests.Session()
    session.mount(settings.BASE_URL, InProcess(Client()))
    return session


@pytest.fixture
def active(approved, signed_in_client):
    found, code = approved
    assert signed_in_client.post("/access/pension-fund/code/", {"code": code}).status_code == 200
    return signed_in_client


def login(client, service: str = SERVICE, **extra):
    return client.get("/cas/login?" + urlencode({"service": service, **extra}))


def ticket_of(response) -> str:
    assert response.status_code == 302, (response.status_code, response.content[:300])
    return parse_qs(urlsplit(response["Location"]).query)["ticket"][0]


def python_cas(version=CASClientV3, service: str = SERVICE):
    return version(server_url=settings.BASE_URL + "/cas/", service_url=service, session=in_process_session())


# -- CAS ---------------------------------------------------------------------------------------------

def test_an_unvalidated_person_goes_to_the_request_page_instead_of_getting_a_ticket(signed_in_client,
                                                                                    access_policy):
    response = login(signed_in_client)
    back = "/cas/login?" + urlencode({"service": SERVICE})
    assert response.status_code == 302 and response["Location"] == "/access/pension-fund/?" + urlencode({"next": back})
    page = signed_in_client.get(response["Location"])
    assert page.status_code == 200 and "Ask for access to Pension Fund" in page.content.decode()
    assert f'name="next" value="{back.replace("&", "&amp;")}"' in page.content.decode()


def test_a_pending_person_sees_the_status(signed_in_client, pending):
    response = signed_in_client.get(login(signed_in_client)["Location"])
    assert "Your request is being processed" in response.content.decode()


def test_with_a_code_sent_the_person_is_asked_for_it(signed_in_client, approved):
    response = signed_in_client.get(login(signed_in_client)["Location"], follow=True)
    assert "Enter your validation code" in response.content.decode()


def test_gateway_never_asks_and_returns_without_a_ticket(signed_in_client, access_policy):
    response = login(signed_in_client, gateway="true")
    assert response.status_code == 302 and response["Location"] == SERVICE


def test_after_the_code_the_ticket_carries_the_validated_details(active):
    user, attributes, _pgt = python_cas().verify_ticket(ticket_of(login(active)))
    assert user == str(active.user.uid)
    assert {name: attributes[name] for name in RELEASED} == RELEASED
    assert "institution" not in attributes  # the operator did not release that field
    assert attributes["email"] == active.user.email  # what the registration releases, as before


def test_the_cas3_answer_with_details_still_follows_the_schema(active):
    from lxml import etree

    schema = etree.XMLSchema(etree.parse(str(Path(__file__).parents[1] / "cas" / "schema" / "cas3.xsd")))
    response = Client().get("/cas/p3/serviceValidate", {"ticket": ticket_of(login(active)), "service": SERVICE})
    document = etree.fromstring(response.content)
    assert schema.validate(document), schema.error_log
    assert document.find(".//cas:attributes/cas:personnelNumber", NS).text == "12345678"


def test_the_eu_login_layout_has_the_details_directly_under_success_too(active, access_service):
    access_service.response_layout = "eulogin"
    access_service.save()
    raw = python_cas(CASClientV2).get_verification_response(ticket_of(login(active)))
    success = ET.fromstring(raw).find("cas:authenticationSuccess", NS)
    assert success.find("cas:personnelNumber", NS).text == "12345678"
    assert success.find("cas:attributes/cas:personnelNumber", NS).text == "12345678"
    _user, attributes, _pgt = CASClientV2.verify_response(raw)
    assert attributes["birthDate"] == "1952-12-10"
    body = json.loads(Client().get("/cas/serviceValidate", {"ticket": ticket_of(login(active)), "service": SERVICE,
                                                            "format": "JSON"}).content)
    success = body["serviceResponse"]["authenticationSuccess"]
    assert success["personnelNumber"] == "12345678" and success["attributes"]["personnelNumber"] == ["12345678"]


def test_another_application_receives_none_of_the_details(active, other_service):
    _user, attributes, _pgt = python_cas(service=OTHER_SERVICE).verify_ticket(ticket_of(login(active, OTHER_SERVICE)))
    assert not set(RELEASED) & set(attributes)
    assert attributes["email"] == active.user.email


def test_after_revocation_nothing_is_released_and_the_person_must_ask_again(active, decider):
    ticket = ticket_of(login(active))
    found = AccessRequest.objects.get(user=active.user)
    decisions.revoke(found, decider, "Left the fund.")
    _user, attributes, _pgt = python_cas().verify_ticket(ticket)
    assert not set(RELEASED) & set(attributes)
    assert login(active)["Location"].startswith("/access/pension-fund/")


def test_a_withdrawn_access_ends_too(active):
    found = AccessRequest.objects.get(user=active.user)
    response = active.post(f"/account/access/{found.public_id}/withdraw/")
    assert response.status_code == 302
    assert AccessRequest.objects.get(pk=found.pk).status == Status.WITHDRAWN
    assert login(active)["Location"].startswith("/access/pension-fund/")


def test_removing_the_application_removes_its_policy_and_requests(active, access_service):
    from limen.cas import registry

    registry.remove(access_service.name)
    assert not AccessRequest.objects.exists() and not policies.AccessPolicy.objects.exists()


# -- OpenID Connect ----------------------------------------------------------------------------------

@pytest.fixture
def oidc_client(db):
    from limen.oidc import clients, keys

    keys.forget_cache()
    registered = clients.register(name="Pension Portal", redirect_uris=[REDIRECT_URI])
    yield registered
    keys.forget_cache()


@pytest.fixture
def oidc_policy(oidc_client, validator):
    from limen.oidc.access_link import ref

    policy, _ = policies.configure(ref(oidc_client.client), level="BASIC", fields=[
        {"name": "personnelNumber", "label": "Personnel number", "type": "identifier"}])
    policies.add_validator(policy, validator)
    return policy


class RelyingParty:
    def __init__(self, registered, scope: str):
        self.meta = in_process_session().get(settings.BASE_URL + "/.well-known/openid-configuration").json()
        self.session = OAuth2Session(registered.client.client_id, registered.secret, scope=scope,
                                     redirect_uri=REDIRECT_URI, code_challenge_method="S256")
        self.session.mount(settings.BASE_URL, InProcess(Client()))
        self.verifier, self.nonce = generate_token(48), generate_token(20)

    def authorize(self, browser, **extra):
        url, _state = self.session.create_authorization_url(self.meta["authorization_endpoint"], nonce=self.nonce,
                                                            code_verifier=self.verifier, **extra)
        parts = urlsplit(url)
        return browser.get(parts.path + "?" + parts.query)

    def tokens(self, redirect: str) -> tuple[dict, dict]:
        token = self.session.fetch_token(self.meta["token_endpoint"], authorization_response=redirect,
                                         code_verifier=self.verifier)
        keys = JsonWebKey.import_key_set(self.session.get(self.meta["jwks_uri"]).json())
        claims = authlib_jwt.decode(token["id_token"], keys)
        claims.validate()
        assert claims["nonce"] == self.nonce and claims["iss"] == settings.BASE_URL
        userinfo = self.session.get(self.meta["userinfo_endpoint"]).json()
        return dict(claims), userinfo


def person_with_active_access(client_factory, make_user, policy, validator):
    from limen.access import requests as access_requests

    browser = client_factory(make_user())
    found = access_requests.submit(browser.user, policy, {"personnelNumber": "87654321"})
    decisions.approve(found, decisions.Decider(label=validator.email, via="page", user=validator))
    AccessRequest.objects.filter(pk=found.pk).update(status=Status.ACTIVE, code_digest="")
    return browser


def test_the_access_scope_carries_the_details_in_the_id_token_and_userinfo(oidc_client, oidc_policy, validator,
                                                                          client_factory, make_user):
    browser = person_with_active_access(client_factory, make_user, oidc_policy, validator)
    party = RelyingParty(oidc_client, "openid access")
    response = party.authorize(browser)
    assert response.status_code == 302 and response["Location"].startswith(REDIRECT_URI)
    claims, userinfo = party.tokens(response["Location"])
    assert claims["personnelNumber"] == "87654321" and userinfo["personnelNumber"] == "87654321"
    assert userinfo["sub"] == str(browser.user.uid)


def test_without_the_scope_the_details_stay_out(oidc_client, oidc_policy, validator, client_factory, make_user):
    browser = person_with_active_access(client_factory, make_user, oidc_policy, validator)
    party = RelyingParty(oidc_client, "openid")
    claims, userinfo = party.tokens(party.authorize(browser)["Location"])
    assert "personnelNumber" not in claims and "personnelNumber" not in userinfo


def test_a_client_that_does_not_require_validation_may_not_ask_for_the_scope(oidc_client, oidc_policy, validator,
                                                                            client_factory, make_user):
    from limen.oidc import clients

    browser = person_with_active_access(client_factory, make_user, oidc_policy, validator)
    other = clients.register(name="Other portal", redirect_uris=[REDIRECT_URI])
    party = RelyingParty(other, "openid access")
    location = party.authorize(browser)["Location"]
    assert parse_qs(urlsplit(location).query)["error"] == ["invalid_scope"]
    party = RelyingParty(other, "openid")
    claims, userinfo = party.tokens(party.authorize(browser)["Location"])
    assert "personnelNumber" not in claims and "personnelNumber" not in userinfo


def test_an_unvalidated_person_is_sent_to_the_request_page_not_back_with_a_code(oidc_client, oidc_policy,
                                                                                 signed_in_client):
    party = RelyingParty(oidc_client, "openid access")
    response = party.authorize(signed_in_client)
    assert response.status_code == 302 and response["Location"].startswith("/access/pension-portal/?next=%2Foidc%2F")
    silent = party.authorize(signed_in_client, prompt="none")
    assert parse_qs(urlsplit(silent["Location"]).query)["error"] == ["interaction_required"]
