"""Protocol response bodies: CAS 1 text, CAS 2/3 XML and JSON.

A successful validation follows the CAS 3.0 schema: <cas:user>, then
<cas:attributes> (authenticationDate, longTermAuthenticationRequestTokenUsed
and isFromNewLogin first, then the released attributes, one element per
value), then <cas:proxyGrantingTicket> and <cas:proxies>. Nothing else sits
directly under <cas:authenticationSuccess>.

EU Login's layout adds each released attribute directly under
<cas:authenticationSuccess> too (lists as <cas:strengths number="1">
<cas:strength>...). Applications registered for it get it on the CAS 2
endpoints only (/serviceValidate, /proxyValidate), never on /p3/.
"""

from __future__ import annotations

import json
from xml.sax.saxutils import escape, quoteattr

from django.http import HttpResponse

from .models import ResponseLayout

NS = "http://www.yale.edu/tp/cas"
XML_TYPE = "application/xml; charset=utf-8"
JSON_TYPE = "application/json"


def _response(body: str | bytes, content_type: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Cache-Control"] = "no-store"
    return response


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return escape(str(value))


def _envelope(inner: str) -> str:
    return f'<cas:serviceResponse xmlns:cas="{NS}">\n{inner}</cas:serviceResponse>\n'


def _singular(name: str) -> str:
    return name[:-1] if name.endswith("s") else name


# CAS 1.0

def validate_text(user: str | None) -> HttpResponse:
    body = f"yes\n{user}\n" if user is not None else "no\n\n"
    return _response(body, "text/plain; charset=utf-8")


# Validation (CAS 2.0 / 3.0)

def eu_login_layout(service, *, cas3_endpoint: bool) -> bool:
    """Whether this answer adds EU Login's direct children: CAS 2 endpoints, services registered for it."""
    return not cas3_endpoint and service.response_layout == ResponseLayout.EU_LOGIN


def _values(value) -> list:
    return value if isinstance(value, list) else [value]


def _cas_attributes(facts: dict, attributes: dict) -> dict[str, list]:
    """<cas:attributes>: the authentication facts first (the schema's order), then the released ones."""
    merged = {name: _values(value) for name, value in facts.items()}
    merged.update((name, _values(value)) for name, value in attributes.items() if name not in facts)
    return merged


def success(fmt: str, *, user: str, attributes: dict, facts: dict, pgt_iou: str | None, proxies: list[str],
            eu_login: bool = False) -> HttpResponse:
    cas_attributes = _cas_attributes(facts, attributes)
    if fmt == "JSON":
        body: dict = {"user": user, **(attributes if eu_login else {}), "attributes": cas_attributes}
        if pgt_iou:
            body["proxyGrantingTicket"] = pgt_iou
        if proxies:
            body["proxies"] = proxies
        return _response(json.dumps({"serviceResponse": {"authenticationSuccess": body}}), JSON_TYPE)
    lines = [f"    <cas:user>{escape(user)}</cas:user>"]
    if eu_login:
        for name, value in attributes.items():
            if isinstance(value, list):
                items = "".join(f"<cas:{_singular(name)}>{_text(v)}</cas:{_singular(name)}>" for v in value)
                lines.append(f'    <cas:{name} number="{len(value)}">{items}</cas:{name}>')
            else:
                lines.append(f"    <cas:{name}>{_text(value)}</cas:{name}>")
    lines.append("    <cas:attributes>")
    for name, values in cas_attributes.items():
        lines.extend(f"      <cas:{name}>{_text(v)}</cas:{name}>" for v in values)
    lines.append("    </cas:attributes>")
    if pgt_iou:
        lines.append(f"    <cas:proxyGrantingTicket>{escape(pgt_iou)}</cas:proxyGrantingTicket>")
    if proxies:
        lines.append("    <cas:proxies>" + "".join(f"<cas:proxy>{escape(p)}</cas:proxy>" for p in proxies)
                     + "</cas:proxies>")
    inner = "  <cas:authenticationSuccess>\n" + "\n".join(lines) + "\n  </cas:authenticationSuccess>\n"
    return _response(_envelope(inner), XML_TYPE)


def failure(fmt: str, code: str, message: str) -> HttpResponse:
    if fmt == "JSON":
        body = {"serviceResponse": {"authenticationFailure": {"code": code, "description": message}}}
        return _response(json.dumps(body), JSON_TYPE)
    inner = f"  <cas:authenticationFailure code={quoteattr(code)}>{escape(message)}</cas:authenticationFailure>\n"
    return _response(_envelope(inner), XML_TYPE)


# Proxy tickets (/proxy)

def proxy_success(fmt: str, ticket: str) -> HttpResponse:
    if fmt == "JSON":
        return _response(json.dumps({"serviceResponse": {"proxySuccess": {"proxyTicket": ticket}}}), JSON_TYPE)
    inner = f"  <cas:proxySuccess>\n    <cas:proxyTicket>{escape(ticket)}</cas:proxyTicket>\n  </cas:proxySuccess>\n"
    return _response(_envelope(inner), XML_TYPE)


def proxy_failure(fmt: str, code: str, message: str) -> HttpResponse:
    if fmt == "JSON":
        body = {"serviceResponse": {"proxyFailure": {"code": code, "description": message}}}
        return _response(json.dumps(body), JSON_TYPE)
    inner = f"  <cas:proxyFailure code={quoteattr(code)}>{escape(message)}</cas:proxyFailure>\n"
    return _response(_envelope(inner), XML_TYPE)
