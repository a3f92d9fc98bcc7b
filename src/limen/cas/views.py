"""CAS endpoints (thin): parameters in, use cases called, protocol responses out."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from limen.audit.events import Event
from limen.audit.service import record
from limen.core.channels import backchannel
from limen.core.middleware import SecurityHeadersMiddleware
from limen.signin import levels, sessions

from . import login as login_flow
from . import params, registry, responses, tickets
from .errors import CasError, InvalidRequest, InvalidStrength

log = logging.getLogger("limen.cas")

VALIDATE_PARAMS = ("service", "ticket", "pgtUrl", "renew", "authenticationLevel", "acceptStrengths", "userDetails")


def _error_page(request, error: CasError, status: int = 400):
    return render(request, "cas/error.html", {"error": error}, status=status)


def _started_on_limen(request) -> bool:
    """The navigation began on one of Limen's pages, typically a form (password, second factor,
    confirmation). Browsers apply that page's CSP form-action to every redirect that follows, so
    a redirect to the application would be blocked."""
    if request.headers.get("Sec-Fetch-Site") == "same-origin":
        return True
    referer = request.headers.get("Referer", "")
    return referer.startswith(settings.BASE_URL + "/")


@never_cache
@require_http_methods(["GET", "POST"])  # not HEAD: a ticket is never issued by a request without a body
def login(request):
    confirmed = request.method == "POST" and request.POST.get("confirm") == "yes"
    try:
        outcome = login_flow.start(request, confirmed=confirmed)
    except CasError as error:
        return _error_page(request, error)
    if isinstance(outcome, login_flow.Redirect):
        return redirect(outcome.url)
    if isinstance(outcome, login_flow.Confirm):
        return render(request, "cas/confirm.html", {"service": outcome.service, "action": request.get_full_path()})
    if outcome.method == "POST":
        response = render(request, "cas/post_ticket.html", {"outcome": outcome})
        origin = "{0.scheme}://{0.netloc}".format(urlsplit(outcome.service_url))
        response["Content-Security-Policy"] = SecurityHeadersMiddleware.POLICY.replace(
            "form-action 'self'", f"form-action 'self' {origin}")
        return response
    if _started_on_limen(request):
        return render(request, "cas/continue.html", {"outcome": outcome})
    return redirect(outcome.url)


@never_cache
@require_http_methods(["GET"])
def logout(request):
    """Sign out of Limen and, by single logout, of the applications; then go back only to a
    registered application."""
    try:
        target = params.read(request.GET, ("service", "url"))
        target_url = target["service"] or target["url"]
    except CasError:
        target_url = None
    names: list[str] = []
    if request.user.is_authenticated:
        user = request.user
        names = sessions.end(request)
        record(Event.SIGNED_OUT, user=user, request=request, applications=names)
    if target_url and registry.match(target_url) is not None:
        return redirect(target_url)
    request.session["limen.signed_out_of"] = names
    return redirect("signin:signed_out")


@backchannel
@csrf_exempt
@require_http_methods(["GET", "HEAD"])
def validate(request):
    """CAS 1.0: 'yes\\n<user>\\n' or 'no\\n\\n'."""
    try:
        p = params.read(request.GET, ("service", "ticket", "renew"), required=("service", "ticket"))
        result = tickets.validate(ticket=p["ticket"], service_url=p["service"], proxy_tickets=False,
                                  renew=params.flag(p["renew"]))
    except CasError:
        return responses.validate_text(None)
    return responses.validate_text(result.user)


def _validation_requirements(p) -> tuple[int | None, list[str] | None]:
    level = None
    if p["authenticationLevel"]:
        level = levels.parse_level(p["authenticationLevel"])
        if level is None:
            raise InvalidRequest()
    accept = levels.parse_strengths(p["acceptStrengths"])
    if accept == []:
        raise InvalidStrength()
    return level, accept


def _service_validate(request, *, proxy_tickets: bool, cas3: bool):
    fmt = "XML"
    try:
        fmt = params.response_format(params.read(request.GET, ("format",))["format"])
        p = params.read(request.GET, VALIDATE_PARAMS, required=("service", "ticket"))
        level, accept = _validation_requirements(p)
        result = tickets.validate(ticket=p["ticket"], service_url=p["service"], proxy_tickets=proxy_tickets,
                                  renew=params.flag(p["renew"]), pgt_url=p["pgtUrl"], level=level,
                                  accept_strengths=accept)
    except CasError as error:
        return responses.failure(fmt, error.code, str(error.message))
    except Exception:
        log.exception("ticket validation failed")
        return responses.failure(fmt, CasError.code, str(CasError.default_message))
    return responses.success(fmt, user=result.user, attributes=result.attributes, facts=result.facts,
                             pgt_iou=result.pgt_iou, proxies=result.proxies,
                             eu_login=responses.eu_login_layout(result.ticket.service, cas3_endpoint=cas3))


@backchannel
@csrf_exempt
@require_http_methods(["GET", "HEAD"])
def service_validate(request, cas3: bool = False):
    """CAS 2.0 /serviceValidate and CAS 3.0 /p3/serviceValidate (cas3): service tickets only."""
    return _service_validate(request, proxy_tickets=False, cas3=cas3)


@backchannel
@csrf_exempt
@require_http_methods(["GET", "HEAD"])
def proxy_validate(request, cas3: bool = False):
    """/proxyValidate and /p3/proxyValidate (cas3): service and proxy tickets."""
    return _service_validate(request, proxy_tickets=True, cas3=cas3)


@backchannel
@csrf_exempt
@require_http_methods(["GET", "HEAD"])
def proxy(request):
    fmt = "XML"
    try:
        fmt = params.response_format(params.read(request.GET, ("format",))["format"])
        p = params.read(request.GET, ("pgt", "targetService"), required=("pgt", "targetService"))
        ticket = tickets.proxy(pgt=p["pgt"], target_service=p["targetService"])
    except CasError as error:
        return responses.proxy_failure(fmt, error.code, str(error.message))
    except Exception:
        log.exception("proxy ticket request failed")
        return responses.proxy_failure(fmt, CasError.code, str(CasError.default_message))
    return responses.proxy_success(fmt, ticket.ticket)
