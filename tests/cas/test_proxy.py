"""Proxy-granting tickets: the pgtUrl callback is verified, and proxy tickets work in a chain."""

import xml.etree.ElementTree as ET

import pytest

from limen.cas import outbound
from limen.cas.models import ProxyGrantingTicket

from .conftest import SERVICE

NS = {"cas": "http://www.yale.edu/tp/cas"}
CALLBACK = "https://europass.example.org/pgt-callback"
BACKEND = "https://backend.example.org/api/"


class Callbacks(list):
    """The callback calls made; each is answered with ``status`` (an int, or an exception to raise)."""

    status: object = 200

    def __call__(self, url, params, **kwargs):
        self.append((url, params))
        if isinstance(self.status, Exception):
            raise self.status
        return self.status


@pytest.fixture
def callbacks(monkeypatch):
    recorder = Callbacks()
    monkeypatch.setattr(outbound, "get", recorder)
    return recorder


@pytest.fixture
def proxying_service(cas_service):
    from limen.cas import registry

    cas_service.proxy_callback_pattern = "https://europass.example.org/pgt-callback"
    cas_service.save()
    registry.register(name="Backend", url_pattern=BACKEND, attributes="email")
    return cas_service


def _parse(response):
    return ET.fromstring(response.content)


def _validate(client, ticket, pgt_url, endpoint="/cas/serviceValidate", service=SERVICE):
    query = {"ticket": ticket, "service": service, **({"pgtUrl": pgt_url} if pgt_url else {})}
    return _parse(client.get(endpoint, query))


def _code(root):
    node = root.find("cas:authenticationFailure", NS)
    return node.get("code") if node is not None else None


def test_pgt_goes_to_the_callback_and_its_iou_to_the_response(client, cas_ticket, proxying_service, callbacks):
    root = _validate(client, cas_ticket(), CALLBACK)
    iou = root.find("cas:authenticationSuccess/cas:proxyGrantingTicket", NS).text
    [(url, sent)] = callbacks
    assert url == CALLBACK and sent["pgtIou"] == iou and sent["pgtId"].startswith("PGT-")
    assert iou.startswith("PGTIOU-")
    # Only a digest of the PGT is stored.
    assert not ProxyGrantingTicket.objects.filter(digest=sent["pgtId"]).exists()
    assert ProxyGrantingTicket.objects.count() == 1


def test_proxy_ticket_for_a_registered_backend_validates_with_the_chain(client, user, cas_ticket,
                                                                       proxying_service, callbacks):
    _validate(client, cas_ticket(), CALLBACK)
    pgt = callbacks[0][1]["pgtId"]
    root = _parse(client.get("/cas/proxy", {"pgt": pgt, "targetService": BACKEND + "x"}))
    pt = root.find("cas:proxySuccess/cas:proxyTicket", NS).text
    assert pt.startswith("PT-")
    # /serviceValidate refuses proxy tickets; /proxyValidate takes them and names the proxy.
    assert _code(_validate(client, pt, None, service=BACKEND + "x")) == "INVALID_TICKET_SPEC"
    root = _parse(client.get("/cas/proxy", {"pgt": pgt, "targetService": BACKEND + "x"}))
    pt = root.find("cas:proxySuccess/cas:proxyTicket", NS).text
    root = _parse(client.get("/cas/p3/proxyValidate", {"ticket": pt, "service": BACKEND + "x"}))
    ok = root.find("cas:authenticationSuccess", NS)
    assert ok.find("cas:user", NS).text == str(user.uid)
    assert [p.text for p in ok.findall("cas:proxies/cas:proxy", NS)] == [CALLBACK]
    assert ok.find("cas:attributes/cas:email", NS).text == user.email
    assert ok.find("cas:attributes/cas:uid", NS) is None  # the backend may see e-mail only


def test_proxy_failures(client, cas_ticket, proxying_service, callbacks):
    _validate(client, cas_ticket(), CALLBACK)
    pgt = callbacks[0][1]["pgtId"]

    def code(query):
        node = _parse(client.get("/cas/proxy", query)).find("cas:proxyFailure", NS)
        return node.get("code")

    assert code({"pgt": pgt}) == "INVALID_REQUEST"
    assert code({"pgt": pgt, "targetService": "https://unknown.example.net/"}) == "UNAUTHORIZED_SERVICE"
    assert code({"pgt": "PGT-" + "b" * 28, "targetService": BACKEND}) == "INVALID_TICKET"
    assert code({"pgt": "ST-" + "b" * 28, "targetService": BACKEND}) == "INVALID_TICKET_SPEC"
    repeated = _parse(client.get(f"/cas/proxy?pgt={pgt}&pgt={pgt}&targetService={BACKEND}"))
    assert repeated.find("cas:proxyFailure", NS).get("code") == "INVALID_REQUEST"


def test_pgt_dies_with_the_sso_session(client, cas_ticket, proxying_service, callbacks):
    _validate(client, cas_ticket(), CALLBACK)
    pgt = callbacks[0][1]["pgtId"]
    client.get("/cas/logout")
    node = _parse(client.get("/cas/proxy", {"pgt": pgt, "targetService": BACKEND})).find("cas:proxyFailure", NS)
    assert node.get("code") == "INVALID_TICKET"


@pytest.mark.parametrize("pgt_url, code", [
    ("http://europass.example.org/pgt-callback", "INVALID_PROXY_CALLBACK"),  # not https
    ("https://elsewhere.example.net/pgt-callback", "INVALID_PROXY_CALLBACK"),  # not the registered callback
    ("http://127.0.0.1:9/cb", "INVALID_PROXY_CALLBACK"),  # plain http to localhost: development only
])
def test_pgt_url_must_be_https_and_registered(client, cas_ticket, proxying_service, callbacks, pgt_url, code):
    assert _code(_validate(client, cas_ticket(), pgt_url)) == code
    assert callbacks == []


def test_a_service_without_a_callback_pattern_may_not_proxy(client, cas_ticket, callbacks):
    assert _code(_validate(client, cas_ticket(), CALLBACK)) == "UNAUTHORIZED_SERVICE_PROXY"


@pytest.mark.parametrize("answer", [404, 302, outbound.CallError("CERTIFICATE_VERIFY_FAILED")])
def test_a_callback_that_does_not_answer_200_gets_no_pgt(client, cas_ticket, proxying_service, callbacks, answer):
    callbacks.status = answer
    assert _code(_validate(client, cas_ticket(), CALLBACK)) == "INVALID_PROXY_CALLBACK"
    assert ProxyGrantingTicket.objects.count() == 0


def test_http_to_localhost_is_allowed_in_development(client, cas_ticket, cas_service, callbacks, settings):
    settings.CAS_ALLOW_HTTP_LOCALHOST_CALLBACK = True
    cas_service.proxy_callback_pattern = "http://127.0.0.1:8001/"
    cas_service.save()
    root = _validate(client, cas_ticket(), "http://127.0.0.1:8001/cb")
    assert root.find("cas:authenticationSuccess/cas:proxyGrantingTicket", NS) is not None


def test_a_real_https_callback_with_an_untrusted_certificate_is_refused(client, cas_ticket, proxying_service,
                                                                      cas_tls_server):
    proxying_service.proxy_callback_pattern = cas_tls_server
    proxying_service.save()
    assert _code(_validate(client, cas_ticket(), cas_tls_server + "cb")) == "INVALID_PROXY_CALLBACK"
