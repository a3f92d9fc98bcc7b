"""Validation answers against the official CAS 3.0 schema (schema/cas3.xsd), and their JSON twins.

/p3/serviceValidate and /p3/proxyValidate answer exactly as the schema says:
<cas:user>, <cas:attributes> starting with authenticationDate,
longTermAuthenticationRequestTokenUsed and isFromNewLogin, then the PGT IOU and
the proxies; nothing else directly under <cas:authenticationSuccess>.
EU Login's layout (attributes also directly under it) is a per-application
option, served on the CAS 2 endpoints only.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from lxml import etree

from limen.cas.models import ResponseLayout, Service, ServiceTicket

from .conftest import SERVICE

NS = {"cas": "http://www.yale.edu/tp/cas"}
SCHEMA = etree.XMLSchema(etree.parse(str(Path(__file__).with_name("schema") / "cas3.xsd")))
FACTS = ["authenticationDate", "longTermAuthenticationRequestTokenUsed", "isFromNewLogin"]
CAS3_ENDPOINTS = ["/cas/p3/serviceValidate", "/cas/p3/proxyValidate"]
CAS2_ENDPOINTS = ["/cas/serviceValidate", "/cas/proxyValidate"]
BACKEND = "https://backend.example.org/api/"


def valid(response) -> etree._Element:
    """The answer's XML, after checking it against the CAS 3.0 schema."""
    assert response.status_code == 200
    root = etree.fromstring(response.content)
    if not SCHEMA.validate(root):
        raise AssertionError(f"{SCHEMA.error_log}\n\n{response.content.decode()}")
    return root


def attributes_of(root) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for element in root.find("cas:authenticationSuccess/cas:attributes", NS):
        found.setdefault(etree.QName(element).localname, []).append(element.text or "")
    return found


def children_of_success(root) -> list[str]:
    return [etree.QName(e).localname for e in root.find("cas:authenticationSuccess", NS)]


def as_text(value) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


@pytest.fixture
def eu_login_service(cas_service):
    cas_service.response_layout = ResponseLayout.EU_LOGIN
    cas_service.save()
    return cas_service


@pytest.mark.parametrize("endpoint", CAS3_ENDPOINTS + CAS2_ENDPOINTS)
def test_a_success_follows_the_schema_with_the_authentication_facts_first(client, cas_ticket, endpoint):
    ticket = cas_ticket()
    root = valid(client.get(endpoint, {"ticket": ticket, "service": SERVICE}))
    assert children_of_success(root) == ["user", "attributes"]
    attributes = attributes_of(root)
    assert list(attributes)[:3] == FACTS
    issued = ServiceTicket.objects.get(ticket=ticket)
    assert dt.datetime.fromisoformat(attributes["authenticationDate"][0]) == issued.auth_time.replace(microsecond=(
        issued.auth_time.microsecond // 1000 * 1000))
    assert attributes["longTermAuthenticationRequestTokenUsed"] == ["false"]
    assert attributes["isFromNewLogin"] == ["true"]  # the password was just typed
    assert attributes["email"] and attributes["strengths"] == ["PASSWORD"]
    assert attributes.keys() - set(FACTS) <= set(Service.objects.get().attributes)


def test_single_sign_on_is_not_a_new_login(client, cas_ticket):
    cas_ticket()
    root = valid(client.get("/cas/p3/serviceValidate", {"ticket": cas_ticket(SERVICE + "2/"),
                                                        "service": SERVICE + "2/"}))
    assert attributes_of(root)["isFromNewLogin"] == ["false"]


def test_an_application_that_may_see_no_attributes_still_gets_the_facts(client, cas_ticket, cas_service):
    cas_service.attributes = []
    cas_service.save()
    root = valid(client.get("/cas/p3/serviceValidate", {"ticket": cas_ticket(), "service": SERVICE}))
    assert list(attributes_of(root)) == FACTS


@pytest.mark.parametrize("endpoint", CAS3_ENDPOINTS)
def test_the_eu_login_option_never_changes_the_cas3_endpoints(client, cas_ticket, eu_login_service, endpoint):
    root = valid(client.get(endpoint, {"ticket": cas_ticket(), "service": SERVICE}))
    assert children_of_success(root) == ["user", "attributes"]


@pytest.mark.parametrize("endpoint", CAS2_ENDPOINTS)
def test_eu_login_applications_keep_their_layout_on_the_cas2_endpoints(client, user, cas_ticket, eu_login_service,
                                                                      endpoint):
    root = etree.fromstring(client.get(endpoint, {"ticket": cas_ticket(), "service": SERVICE}).content)
    success = root.find("cas:authenticationSuccess", NS)
    assert success.find("cas:email", NS).text == user.email
    strengths = success.find("cas:strengths", NS)
    assert strengths.get("number") == "1" and strengths.find("cas:strength", NS).text == "PASSWORD"
    assert success.find("cas:sso", NS).text == "false"
    # Its <cas:attributes> is the CAS 3.0 one.
    assert list(attributes_of(root))[:3] == FACTS and attributes_of(root)["strengths"] == ["PASSWORD"]
    assert children_of_success(root)[-1] == "attributes"


def test_proxy_granting_ticket_and_proxies_follow_the_schema(client, cas_ticket, cas_service, cas_callback_receiver):
    from limen.cas import registry

    cas_service.proxy_callback_pattern = cas_callback_receiver.url
    cas_service.save()
    registry.register(name="Backend", url_pattern=BACKEND, attributes="email")
    root = valid(client.get("/cas/p3/serviceValidate", {"ticket": cas_ticket(), "service": SERVICE,
                                                        "pgtUrl": cas_callback_receiver.url}))
    assert children_of_success(root) == ["user", "attributes", "proxyGrantingTicket"]
    pgt = cas_callback_receiver.received[root.find("cas:authenticationSuccess/cas:proxyGrantingTicket", NS).text]
    proxied = valid(client.get("/cas/proxy", {"pgt": pgt, "targetService": BACKEND}))
    ticket = proxied.find("cas:proxySuccess/cas:proxyTicket", NS).text
    root = valid(client.get("/cas/p3/proxyValidate", {"ticket": ticket, "service": BACKEND}))
    assert children_of_success(root) == ["user", "attributes", "proxies"]
    assert [p.text for p in root.find("cas:authenticationSuccess/cas:proxies", NS)] == [cas_callback_receiver.url]
    assert list(attributes_of(root)) == FACTS + ["email"]


@pytest.mark.parametrize("endpoint, query", [
    ("/cas/p3/serviceValidate", {"ticket": "ST-" + "a" * 29, "service": SERVICE}),
    ("/cas/p3/proxyValidate", {"ticket": "nonsense", "service": SERVICE}),
    ("/cas/p3/serviceValidate", {"service": SERVICE}),
    ("/cas/proxy", {"pgt": "PGT-" + "a" * 29, "targetService": BACKEND}),
    ("/cas/proxy", {"pgt": "PGT-" + "a" * 29}),
])
def test_failures_follow_the_schema(client, db, endpoint, query):
    root = valid(client.get(endpoint, query))
    assert root[0].get("code")


@pytest.mark.parametrize("endpoint, eu_login", [
    ("/cas/p3/serviceValidate", False), ("/cas/serviceValidate", False),
    ("/cas/p3/proxyValidate", True), ("/cas/serviceValidate", True),
])
def test_json_says_what_the_xml_says(client, cas_ticket, cas_service, endpoint, eu_login):
    if eu_login:
        cas_service.response_layout = ResponseLayout.EU_LOGIN
        cas_service.save()
    # Two tickets from fresh credentials (renew), so that both describe the same kind of sign-in.
    xml = etree.fromstring(client.get(endpoint, {"ticket": cas_ticket(renew="true"), "service": SERVICE}).content)
    body = json.loads(client.get(endpoint, {"ticket": cas_ticket(renew="true"), "service": SERVICE,
                                            "format": "JSON"}).content)
    success = body["serviceResponse"]["authenticationSuccess"]
    assert success["user"] == xml.find("cas:authenticationSuccess/cas:user", NS).text
    from_json = {name: [as_text(v) for v in values] for name, values in success["attributes"].items()}
    from_xml = attributes_of(xml)
    for moment in ("authenticationDate", "loginDate"):  # two sign-ins a moment apart
        assert len(from_json.pop(moment)) == len(from_xml.pop(moment)) == 1
    assert from_json == from_xml and list(success["attributes"])[:3] == FACTS
    direct = set(children_of_success(xml)) - {"user", "attributes"}
    assert set(success) - {"user", "attributes"} == direct
    assert bool(direct) == (eu_login and "/p3/" not in endpoint)
    if direct:
        assert success["strengths"] == ["PASSWORD"] and success["sso"] is False  # native types


# Operators choose the layout.

def run(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command("cas_service", *args, stdout=out)
    return out.getvalue()


def test_the_command_sets_shows_and_keeps_the_layout(db):
    run("add", "--name", "ECAS app", "--url-pattern", "https://ecas.example.org/", "--response-layout", "eulogin")
    assert Service.objects.get().response_layout == "eulogin"
    assert "response layout: eulogin" in run("list")
    run("add", "--name", "ECAS app", "--url-pattern", "https://ecas.example.org/", "--attributes", "email")
    assert Service.objects.get().response_layout == "eulogin"  # left out: unchanged
    assert json.loads(run("list", "--json"))[0]["response_layout"] == "eulogin"
    run("add", "--name", "Plain app", "--url-pattern", "https://plain.example.org/")
    assert Service.objects.get(name="Plain app").response_layout == "cas3"  # new: the standard layout


def test_the_command_refuses_an_unknown_layout_and_changes_nothing(db):
    run("add", "--name", "ECAS app", "--url-pattern", "https://ecas.example.org/")
    with pytest.raises(CommandError, match="invalid choice"):
        run("add", "--name", "ECAS app", "--url-pattern", "https://ecas.example.org/", "--response-layout", "saml")
    assert Service.objects.get().response_layout == "cas3"


def test_the_registry_refuses_an_unknown_layout_with_a_message(db):
    from django.core.exceptions import ValidationError

    from limen.cas import registry

    with pytest.raises(ValidationError) as raised:
        registry.register(name="X", url_pattern="https://x.example.org/", response_layout="saml")
    assert "response_layout" in raised.value.message_dict
    assert not Service.objects.exists()


def test_the_admin_lists_and_filters_by_layout(client, make_user, cas_service):
    client.force_login(make_user(is_staff=True, is_superuser=True))
    response = client.get("/admin/cas/service/", {"response_layout__exact": "cas3"})
    assert response.status_code == 200 and b"Europass" in response.content
    page = client.get(f"/admin/cas/service/{cas_service.pk}/change/").content.decode()
    assert 'name="response_layout"' in page and "EU Login" in page


@pytest.mark.django_db(transaction=True)
def test_applications_registered_before_the_option_keep_the_eu_login_layout():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.migrate([("cas", "0001_initial")])
    old = executor.loader.project_state([("cas", "0001_initial")]).apps.get_model("cas", "Service")
    old.objects.create(name="Registered before", url_pattern="https://before.example.org/")
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert Service.objects.get(name="Registered before").response_layout == "eulogin"
    assert Service.objects.create(name="New", url_pattern="https://new.example.org/").response_layout == "cas3"
